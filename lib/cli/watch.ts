// h5swmr watch FILE PATH: like HDF5's h5watch, print rows appended to a growing dataset.
import { parseArgs } from 'node:util'
import { openForReadingAsync } from '../live/open'
import { sleep } from '../live/timing'
import { HELP_OPTION, durationOption, helpOrCheck, shape, usage } from './format'

export const help = `Usage: h5swmr watch FILE PATH [options]

Follow a growing dataset (like HDF5's h5watch): print each row appended along the first dimension
as it is flushed, and each change of the extent.

Options:
  --polling MS    poll interval in milliseconds (default 1000; h5watch only has whole seconds)
  --timeout S     stop after S seconds without growth (default: run until Ctrl-C)
  --wait S        wait up to S seconds for the file and its SWMR writer (default 0)
  --from N        start printing at row N (default: the rows added after start; 0 = everything)
  --dim           print only the extent changes, no values
  --width N       cut each printed row at N characters (default 120; 0 = no limit)
  -h, --help      this help
`

function formatRow(index: number, row: ArrayLike<number | bigint>, width: number): string {
  let line = `[${index}]`
  for (let k = 0; k < row.length; k++) {
    const v = row[k]
    line += ' ' + (typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(6) : String(v))
    if (width > 0 && line.length > width) return line.slice(0, width - 1) + '…'
  }
  return line
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      polling: { type: 'string', default: '1000' },
      timeout: { type: 'string' },
      wait: { type: 'string', default: '0' },
      from: { type: 'string' },
      dim: { type: 'boolean', default: false },
      width: { type: 'string', default: '120' },
      ...HELP_OPTION,
    },
  })
  if (helpOrCheck(values, positionals, help, ['FILE', 'PATH'])) return 0
  const [filePath, dsPath] = positionals
  const polling = durationOption(values.polling, 'polling', 'milliseconds')
  const timeoutMs = values.timeout !== undefined ? durationOption(values.timeout, 'timeout', 'seconds') : Infinity
  const waitFor = durationOption(values.wait, 'wait', 'seconds')
  const width = Number(values.width)

  const stop = new AbortController()
  const onSigint = () => stop.abort()
  process.once('SIGINT', onSigint)
  const { file } = await openForReadingAsync(filePath, { swmr: 'auto', locking: false, waitFor, signal: stop.signal })
  try {
    const ds = file.dataset(dsPath)
    ds.refresh()
    if (ds.ndim === 0) throw usage(`'${dsPath}' is a scalar dataset: nothing can be appended to it`)
    process.stdout.write(`watch: ${filePath} ${dsPath} ${ds.dtype} ${shape(ds.shape)} max ${shape(ds.maxshape)}, polling every ${polling} ms\n`)
    let shown = values.from !== undefined ? Number(values.from) : ds.shape[0]
    let previous = ds.shape
    let lastChange = performance.now()
    while (!stop.signal.aborted) {
      ds.refresh()
      const current = ds.shape
      current.forEach((d, i) => {
        if (d !== previous[i]) process.stdout.write(`dimension ${i}: ${previous[i]}->${d} (${d > previous[i] ? 'increases' : 'decreases'})\n`)
      })
      if (current.some((d, i) => d !== previous[i])) lastChange = performance.now()
      if (current[0] < shown) shown = current[0]
      if (!values.dim) {
        for (; shown < current[0]; shown++) {
          const row = ds.read({ start: [shown, ...current.slice(1).map(() => 0)], count: [1, ...current.slice(1)] })
          process.stdout.write(formatRow(shown, row as ArrayLike<number | bigint>, width) + '\n')
        }
      } else {
        shown = current[0]
      }
      previous = current
      if (performance.now() - lastChange >= timeoutMs) break
      await sleep(polling, stop.signal)
    }
  } finally {
    process.removeListener('SIGINT', onSigint)
    file.close()
  }
  return 0
}
