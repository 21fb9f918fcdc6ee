// h5swmr check FILE...: vet files from someone else, each walked in a child process with a time limit.
import { parseArgs } from 'node:util'
import { checkFile, type FileCheck } from '../check'
import { HELP_OPTION, durationOption, usage } from './format'

export const help = `Usage: h5swmr check FILE... [options]

Open and walk each file in a process of its own: every group, attribute and dataset, every value
read. A file that crashes libhdf5 or stalls it cannot take this command (or a service using the same
call, checkFile) down. One line per file: ok, the code of the first problem (H5_CORRUPT,
H5_NOT_HDF5, H5_TRUNCATED...), CRASHED (with the signal), TIMED_OUT or OUT_OF_MEMORY, and where.

Options:
  --timeout S   seconds each file may take (default 30)
  --memory MB   memory each walk may use (default 2048)
  --swmr        open for SWMR reading (a file still being written)
  --json        one JSON document with every verdict
  -h, --help    this help

Exit status: 0 every file ok, 1 a file is not, 2 a usage error.
`

function line(c: FileCheck): string {
  if (c.ok) return `${c.file}: ok (${c.message})`
  return `${c.file}: ${c.code}${c.signal ? ` (${c.signal})` : ''}: ${c.message}`
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { timeout: { type: 'string', default: '30' }, memory: { type: 'string', default: '2048' }, swmr: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, ...HELP_OPTION },
  })
  if (values.help) {
    process.stdout.write(help)
    return 0
  }
  if (!positionals.length) throw usage('expected at least one FILE (see --help)')
  const timeout = durationOption(values.timeout, 'timeout', 'seconds')
  const megabytes = Number(values.memory)
  if (!(megabytes > 0)) throw usage(`--memory must be megabytes, got '${values.memory}'`)
  const results: FileCheck[] = []
  for (const file of positionals) {
    const c = await checkFile(file, { timeout, swmr: values.swmr, maxMemory: megabytes * 2 ** 20 })
    results.push(c)
    if (!values.json) process.stdout.write(line(c) + '\n')
  }
  if (values.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n')
  return results.every((c) => c.ok) ? 0 : 1
}
