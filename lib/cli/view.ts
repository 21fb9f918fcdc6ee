// h5swmr view FILE: follow a scan and show it live in the browser (a local HTTP server).
import { parseArgs } from 'node:util'
import { openForReadingAsync } from '../live/open'
import { startView } from '../view/server'
import { discoverScan } from '../nexus/discover'
import { Progress, SCAN_OPTIONS, bar, durationOption, helpOrCheck, usage } from './format'

export const help = `Usage: h5swmr view FILE [--keys PATH...] [--data PATH...] [options]

Serve a live view of a scan on a local web page: the newest frame (colour map, linear/log scale,
limits, zoom/pan, pixel values), the scan's progress, a per-frame statistic (sum, mean, max) over
the scan, and the file's tree. Prints the URL; Ctrl-C stops it. Every frame is read for the
statistics; the page only fetches the newest frame, reduced to the size it is shown at.

Options:
  --keys PATH       key dataset (repeat for several); default: every dataset in /entry/keys
  --data PATH       data dataset (repeat for several); default: /entry/data/data
  --finished PATH   finished flag (default: /entry/finished when it exists)
  --port N          port (default 0: any free port)
  --host ADDR       address to listen on (default 127.0.0.1: this machine only)
  --timeout S       say 'timed out' after S seconds without a new frame (default 10; it keeps polling)
  --poll MS         poll interval in milliseconds (default 20)
  --wait S          wait up to S seconds for the file and its SWMR writer (default 10)
  -h, --help        this help
`

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...SCAN_OPTIONS,
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      poll: { type: 'string', default: '20' },
    },
  })
  if (helpOrCheck(values, positionals, help, ['FILE'])) return 0
  const filePath = positionals[0]
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`--port must be 0..65535, got '${values.port}'`)
  const timeout = durationOption(values.timeout, 'timeout', 'seconds')
  const pollInterval = durationOption(values.poll, 'poll', 'milliseconds')
  const wait = durationOption(values.wait, 'wait', 'seconds')

  // Ctrl-C or SIGTERM: stop following, close the server and the file, exit 0.
  const stop = new AbortController()
  const onSignal = () => stop.abort()
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const { file } = await openForReadingAsync(filePath, { swmr: 'auto', locking: false, waitFor: wait, signal: stop.signal })
    try {
      // Without --keys/--data, what the file says (discoverScan), as `h5swmr follow` does.
      const found = values.keys && values.data ? null : discoverScan(file)
      const keys = values.keys ?? found!.keys.map((k) => k.path)
      if (!keys.length) throw usage(`no --keys given and none found in '${filePath}': ${found!.notes.join('; ')}`)
      const data = values.data ?? found!.data.filter((d) => d.kind !== 'eiger').map((d) => d.path)
      if (!data.length) throw usage(`no --data given and no dataset found in '${filePath}'`)
      const finished = values.finished ?? found?.finished?.path ?? null
      const view = await startView(file, {
        keys,
        data,
        finished,
        timeout,
        pollInterval,
        host: values.host,
        port,
        label: filePath,
      })
      process.stdout.write(`view: ${view.url} (following ${filePath}; Ctrl-C to stop)\n`)
      const progress = new Progress()
      const expected = view.state.info.expected
      const tick = setInterval(() => {
        const s = view.state.snapshot()
        const since = s.sinceLast === null ? '' : `, last frame ${(s.sinceLast / 1000).toFixed(1)} s ago`
        progress.update(`view: ${bar(s.frames, expected)} ${s.frames}${expected ? '/' + expected : ''} frames, ${s.rate.toFixed(0)} frames/s${since}, ${s.status}`, true)
      }, 250)
      view.followed.then(() => {
        const s = view.state
        if (s.status === 'stopped') return
        progress.done()
        if (s.status === 'error') process.stderr.write(`h5swmr view: ${s.error}; following stopped after ${s.frames} frames, still serving ${view.url}\n`)
        else process.stdout.write(`view: ${s.status}, ${s.frames} frames${expected ? ` of ${expected}` : ''}; still serving ${view.url} (Ctrl-C to stop)\n`)
      })
      let shown = view.state.status
      view.state.onChange(() => {
        if (view.state.status === shown) return
        shown = view.state.status
        if (shown === 'timedout') {
          progress.done()
          process.stdout.write(`view: timed out: no new frame for ${timeout / 1000} s (still polling)\n`)
        }
      })
      if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }))
      clearInterval(tick)
      progress.done()
      await view.close()
      process.stdout.write(`view: stopped after ${view.state.frames} frames\n`)
    } finally {
      file.close()
    }
  } finally {
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }
  return 0
}
