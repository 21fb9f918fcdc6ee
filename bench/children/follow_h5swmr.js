// h5swmr follower of the follow case, in its own process: a DataSource over the simulator's keys,
// frames checked (sampled), arrival time of every frame recorded. argv[2]: JSON { file,
// pollInterval, timeout, iterate: 'async'|'sync', reuseBuffers, concurrency, pattern, shard, wake }. Prints "opened" once the file
// is open, then one JSON line at the end.
'use strict'
const h5 = require('../../dist')
const { sampleCheck } = require('../lib/check')
const { patternElement } = require('../../dist/simulate/patterns')

const o = JSON.parse(process.argv[2])
const now = () => performance.timeOrigin + performance.now()

async function main() {
  const f = h5.File.open(o.file, { swmr: true, locking: false })
  const source = new h5.DataSource(
    [f.dataset('/entry/keys/uid')],
    { data: f.dataset('/entry/data/data') },
    { timeout: o.timeout, pollInterval: o.pollInterval, finishedDataset: f.dataset('/entry/finished'), reuseBuffers: o.reuseBuffers, concurrency: o.concurrency ?? 1, shard: o.shard, wake: o.wake ?? 'poll' },
  )
  // The pattern's reference frames, made now (0.1 s for 'counts'), not while the first frames arrive.
  const shape = f.dataset('/entry/data/data').shape.slice(1)
  patternElement(0, 1, shape.reduce((a, b) => a * b, 1), 65536, o.pattern)
  process.stdout.write('opened\n')
  const arrivals = []
  const cpu = [] // this process's CPU time (ms) at each arrival: what waiting costs between frames
  let bad = 0
  let duplicates = 0
  let outOfOrder = 0
  let last = -1
  const step = (item) => {
    const t = now()
    const i = item.index
    if (arrivals[i] !== undefined) duplicates++
    else {
      arrivals[i] = t
      if (o.cpu) {
        const u = process.cpuUsage()
        cpu[i] = (u.user + u.system) / 1000
      }
    }
    if (i < last) outOfOrder++
    last = i
    if (!sampleCheck(item.frames.data.data, i, o.pattern)) bad++
  }
  if (o.iterate === 'sync') for (const item of source) step(item)
  else for await (const item of source) step(item)
  const stats = { ...source.follower.stats }
  f.close()
  process.stdout.write(
    JSON.stringify({
      ok: true,
      arrivals: Array.from(arrivals, (t) => (t === undefined ? null : t)),
      bad,
      duplicates,
      outOfOrder,
      finished: source.isScanFinished(),
      timedOut: source.hasTimedOut(),
      polls: stats.polls,
      wake: source.follower.wakeStats,
      cpu: o.cpu ? Array.from(cpu, (c) => (c === undefined ? null : c)) : undefined,
    }) + '\n',
  )
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ ok: false, error: `${err.code || ''} ${err.message}` }) + '\n')
  process.exit(1)
})
