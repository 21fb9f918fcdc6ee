// h5swmr follow FILE: follow a live scan with a DataSource, frame by frame.
import { parseArgs } from 'node:util'
import type { Dataset } from '../core/dataset'
import { decodeThreads } from '../core/decode'
import { DataSource } from '../follow/data-source'
import { ResultsWriter } from '../follow/results'
import { shardFromEnvironment } from '../follow/shard'
import { followScan, type ScanDiscovery } from '../nexus/discover'
import { openForReadingAsync } from '../live/open'
import { Progress, SCAN_OPTIONS, bar, durationOption, helpOrCheck, percentile, usage } from './format'

export const help = `Usage: h5swmr follow FILE [--keys PATH...] [--data PATH...] [options]

Follow a scan while it is written: wait for each frame's keys, read the frame of every data
dataset, until the finished flag is set or no new frame arrives within the timeout.

Options:
  --keys PATH       key dataset (repeat for several)
  --data PATH       data dataset (repeat for several)
  --finished PATH   finished flag
  Without --keys and --data the file says what to follow (discoverScan: Diamond/GDA keys,
  areaDetector NDArrayUniqueId, NXdata @signal, NXdetector data, Eiger master files' data links,
  virtual datasets); a file without keys is followed by the growth of its data, and says so.
  --timeout S       stop after S seconds without a new frame (default 10)
  --wake auto|poll  auto (default): wake as soon as the writer writes the file (inotify), polling
                    every --poll ms at most (writers on other machines make no events); poll: only poll
  --poll MS         the longest wait between checks, in milliseconds (default 100 with wake on write,
                    10 with --wake poll: give 10 for a writer on another machine)
  --wait S          wait up to S seconds for the file and its SWMR writer (default 10)
  --shard I/N       only frames with index % N == I (split a scan across N processes); 'auto': I and N
                    from the scheduler (SLURM job array, Kubernetes Indexed Job, H5SWMR_SHARD=I/N)
  --concurrency N   frames read ahead at once, in order (default: the decode threads, ${decodeThreads()})
  --json            print one JSON line per frame: index, position, per dataset sum/min/max
  --output FILE     write those statistics per frame to FILE as SWMR datasets (/index, /results/
                    DATASET/sum|min|max). With a shard, shard I of N writes FILE.shardI-of-N.h5
                    and shard 0 writes FILE as virtual datasets joining them in scan order, readable
                    while the shards write (or join them later: h5swmr join FILE SHARDS...)
  -h, --help        this help

The summary reports frames, why it ended, the mean rate, and flush-to-yield latency (p50/p99)
when the file records write times in /entry/timing/flush_time.
`

function stats(data: ArrayLike<number | bigint>): { sum: number; min: number; max: number } {
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (let k = 0; k < data.length; k++) {
    const v = Number(data[k])
    sum += v
    if (v < min) min = v
    if (v > max) max = v
  }
  return { sum, min, max }
}

function describe(d: ScanDiscovery): string {
  const lines = [`follow: found in ${d.entry ?? '(no entry)'}:`]
  for (const k of d.keys) lines.push(`  keys      ${k.path}  (${k.rule})`)
  if (d.finished) lines.push(`  finished  ${d.finished.path}  (${d.finished.rule})`)
  for (const x of d.data) lines.push(`  data      ${x.path}  (${x.rule}${x.kind !== 'dataset' ? `, ${x.kind}` : ''})`)
  if (d.scanShape) lines.push(`  scan      [${d.scanShape.map((v) => (v === null ? '∞' : v)).join(', ')}]`)
  for (const n of d.notes) lines.push(`  note: ${n}`)
  return lines.join('\n') + '\n'
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...SCAN_OPTIONS,
      poll: { type: 'string' },
      wake: { type: 'string', default: 'auto' },
      shard: { type: 'string' },
      concurrency: { type: 'string' },
      json: { type: 'boolean', default: false },
      output: { type: 'string' },
    },
  })
  if (helpOrCheck(values, positionals, help, ['FILE'])) return 0
  const filePath = positionals[0]
  const timeout = durationOption(values.timeout, 'timeout', 'seconds')
  if (values.wake !== 'auto' && values.wake !== 'poll') throw usage(`--wake must be 'auto' or 'poll', got '${values.wake}'`)
  const wake = values.wake
  const pollInterval = values.poll !== undefined ? durationOption(values.poll, 'poll', 'milliseconds') : Math.min(wake === 'auto' ? 100 : 10, timeout / 20)
  let shard: { index: number; count: number } | undefined
  if (values.shard === 'auto') {
    shard = shardFromEnvironment()
  } else if (values.shard) {
    const m = /^(\d+)\/(\d+)$/.exec(values.shard)
    if (!m) throw usage(`--shard must look like 0/3 or be 'auto', got '${values.shard}'`)
    shard = { index: Number(m[1]), count: Number(m[2]) }
  }
  const waitFor = durationOption(values.wait, 'wait', 'seconds')

  const concurrency = values.concurrency !== undefined ? Number(values.concurrency) : decodeThreads()
  if (!(Number.isSafeInteger(concurrency) && concurrency >= 1))
    throw usage(`--concurrency must be a whole number of frames >= 1, got '${values.concurrency}'`)

  const stop = new AbortController()
  const onSigint = () => stop.abort()
  process.once('SIGINT', onSigint)
  const { file } = await openForReadingAsync(filePath, { swmr: 'auto', locking: false, waitFor, signal: stop.signal })
  const out = values.json ? process.stderr : process.stdout
  const opened: { close(): void }[] = [] // what following opened besides the file (Eiger data files)
  let source: DataSource | null = null
  try {
    const finishedDataset = values.finished ? file.dataset(values.finished) : undefined
    const common = { timeout, pollInterval, wake, signal: stop.signal, shard, finishedDataset, concurrency } as const
    if (!values.keys && !values.data) {
      const found = followScan(file, common)
      source = found.source
      opened.push(...found.eiger)
      out.write(describe(found.discovery))
    } else {
      if (!values.keys || !values.data) throw usage('give both --keys and --data, or neither (the file then says what to follow)')
      const keys = values.keys.map((p) => file.dataset(p))
      const datasets: Record<string, Dataset> = Object.fromEntries(values.data.map((p) => [p, file.dataset(p)]))
      source = new DataSource(keys, datasets, common)
    }
    const times = file.has('/entry/timing/flush_time') ? file.dataset('/entry/timing/flush_time') : null
    const maxshape = source.maxshape
    const total = maxshape.every((m) => m !== null) ? (maxshape as number[]).reduce((a, b) => a * b, 1) : null
    const progress = new Progress()
    const latencies: number[] = []
    let frames = 0
    const t0 = performance.now()
    let first = 0
    let last = t0
    const results = values.output ? new ResultsWriter(values.output, { shard, source: filePath, scanShape: source.maxshape }) : null
    const tick = setInterval(() => {
      const s = (performance.now() - t0) / 1000
      progress.update(`follow: ${bar(frames, total)} ${frames}${total ? '/' + total : ''} frames, ${(frames / s).toFixed(0)} frames/s, last frame ${((performance.now() - last) / 1000).toFixed(1)} s ago`, true)
    }, 250)
    try {
      for await (const item of source) {
        const at = performance.timeOrigin + performance.now()
        frames++
        last = performance.now()
        if (frames === 1) first = last
        if (times) {
          if (item.index >= times.shape[0]) times.refresh()
          if (item.index < times.shape[0]) {
            const written = (times.read({ start: [item.index], count: [1] }) as Float64Array)[0]
            if (written > 0) latencies.push(at - written)
          }
        }
        if (values.json || results) {
          const perLabel = Object.entries(item.frames).map(([label, f]) => [label, stats(f.data as ArrayLike<number | bigint>)] as const)
          if (values.json) process.stdout.write(JSON.stringify({ index: item.index, position: item.position, ...Object.fromEntries(perLabel) }) + '\n')
          if (results) {
            const row: Record<string, number> = {}
            for (const [label, st] of perLabel) for (const [k, v] of Object.entries(st)) row[`${label.replace(/^\/+/, '')}/${k}`] = v
            results.append(item.index, row)
          }
        }
      }
    } finally {
      clearInterval(tick)
      progress.done()
      results?.close()
    }
    const seconds = (last - first) / 1000 // from the first frame: waiting for the writer is not reading
    const why = source.isScanFinished() ? 'finished flag set' : source.follower.aborted ? 'interrupted' : source.hasTimedOut() ? `timed out after ${timeout / 1000} s without a new frame` : 'ended'
    latencies.sort((a, b) => a - b)
    const latency = latencies.length ? `, latency p50 ${percentile(latencies, 50).toFixed(2)} ms p99 ${percentile(latencies, 99).toFixed(2)} ms` : ''
    out.write(`follow: ${frames} frames${total ? ` of ${total}` : ''}, ${why}, ${frames > 1 && seconds > 0 ? ((frames - 1) / seconds).toFixed(0) : '-'} frames/s${latency}\n`)
    const w = source.follower.wakeStats
    if (w)
      out.write(w.mode === 'inotify'
        ? `follow: woke on write (inotify): ${w.woken} of ${w.waits} waits ended by a write, polling every ${pollInterval} ms at most\n` +
          (w.missed > w.woken ? `follow: ${w.missed} times new frames were found only by polling: is the writer on another machine? (--poll 10 or less there)\n` : '')
        : `follow: polled every ${pollInterval} ms (${w.reason})\n`)
    if (results)
      out.write(`follow: results of ${results.frames} frames in ${results.path}${results.joinPath ? `, joined in ${results.joinPath}` : ''}\n`)
  } finally {
    process.removeListener('SIGINT', onSigint)
    source?.close()
    for (const o of opened) o.close()
    file.close()
  }
  return 0
}
