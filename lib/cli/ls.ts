// h5swmr ls FILE: the tree of groups and datasets, with what a follower needs to know.
import { parseArgs } from 'node:util'
import { H5Error } from '../core/errors'
import { openForReading, readSuperblockStatus } from '../live/open'
import { walk, type TreeNode } from '../core/tree'
import { formatValue, HELP_OPTION, helpOrCheck, jsonValue, shape, usage } from './format'

export const help = `Usage: h5swmr ls FILE [PATH] [options]

List groups and datasets: shape, maxshape, dtype, chunks, filters, links; datasets that can still
grow are marked 'growing'. The first line says whether a writer has the file open (SWMR or not).

Options:
  --attrs       also print attributes (values of every type, as h5py reads them)
  --values      also print the values of small datasets (every type), like h5ls -d
  --max-values N  the most elements a dataset may have for --values to print it (default 64)
  --json        one JSON document instead of the tree
  -h, --help    this help
`

function print(node: TreeNode, prefix: string, last: boolean, root: boolean, out: string[]): void {
  const branch = root ? '' : last ? '└── ' : '├── '
  let line = `${prefix}${branch}${node.name}`
  if (node.kind === 'group' && node.name !== '/') line += '/'
  if (node.dataset) {
    const d = node.dataset
    line += `  ${d.dtype} ${shape(d.shape)} max ${shape(d.maxshape)}`
    if (d.chunks) line += ` chunks ${shape(d.chunks)}`
    if (d.filters.length) line += ` ${d.filters.join('+')}`
    if (d.growing) line += '  growing'
  }
  if (node.link) line += `  ${node.link}`
  if (node.value !== undefined) line += ` = ${formatValue(node.value)}`
  out.push(line)
  const childPrefix = root ? '' : prefix + (last ? '    ' : '│   ')
  if (node.attrs) for (const [k, v] of Object.entries(node.attrs)) out.push(`${childPrefix}${node.children?.length ? '│' : ' '}   @${k} = ${formatValue(v)}`)
  node.children?.forEach((c, i) => print(c, childPrefix, i === node.children!.length - 1, false, out))
}

export function status(filePath: string): string {
  const sb = readSuperblockStatus(filePath)
  if (!sb) return 'not an HDF5 file'
  if (sb.swmrWriteAccess) return 'being written in SWMR mode (or its SWMR writer crashed): follow it with a SWMR reader'
  if (sb.writeAccess) return 'open for writing without SWMR (or its writer crashed: h5clear -s FILE clears that)'
  return `closed${sb.version >= 3 ? ' (1.10 format, SWMR-capable)' : ` (superblock v${sb.version}: a writer cannot use SWMR on it)`}`
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      attrs: { type: 'boolean', default: false },
      values: { type: 'boolean', default: false },
      'max-values': { type: 'string', default: '64' },
      json: { type: 'boolean', default: false },
      ...HELP_OPTION,
    },
  })
  if (helpOrCheck(values, positionals, help, ['FILE', 'PATH'], 1)) return 0
  const maxValues = Number(values['max-values'])
  if (!Number.isSafeInteger(maxValues) || maxValues < 1) throw usage(`--max-values must be a whole number >= 1, got '${values['max-values']}'`)
  const [filePath, start = '/'] = positionals
  const state = status(filePath)
  const { file, isSwmr } = openForReading(filePath, { swmr: 'auto', locking: false })
  try {
    if (!file.has(start)) throw new H5Error(`No object '${start}' in '${filePath}'`, 'H5_NOT_FOUND')
    const tree = walk(file, start, start, { attrs: values.attrs, values: values.values ? maxValues : 0 })
    if (values.json) {
      process.stdout.write(JSON.stringify({ file: filePath, status: state, swmrRead: isSwmr, tree }, jsonValue, 2) + '\n')
    } else {
      const out = [`${filePath}: ${state}`]
      print(tree, '', true, true, out)
      process.stdout.write(out.join('\n') + '\n')
    }
  } finally {
    file.close()
  }
  return 0
}
