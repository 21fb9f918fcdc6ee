// The follower of the long-follow memory loop, in its own process (node --expose-gc): a DataSource
// with reused buffers over a live file, every frame checked (element 0), and at every `every` frames
// (after a full GC) RSS, V8's heap (used, and reserved: its young generation grows with the
// allocation rate up to --max-semi-space-size) and external memory, and HDF5's metadata cache.
// argv[2]: JSON { file, every, timeout }. Prints "opened", then one JSON line at the end.
'use strict'
const h5 = require('../../dist')

const o = JSON.parse(process.argv[2])

async function main() {
  const f = h5.File.open(o.file, { swmr: true, locking: false })
  const source = new h5.DataSource([f.dataset('/entry/keys/uid')], { data: f.dataset('/entry/data/data') }, {
    timeout: o.timeout ?? 10000, pollInterval: 1, finishedDataset: f.dataset('/entry/finished'), reuseBuffers: true,
  })
  process.stdout.write('opened\n')
  const samples = []
  const sample = (frames) => {
    global.gc()
    const m = process.memoryUsage()
    const c = f.metadataCacheInfo()
    samples.push({ frames, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, mdcSize: c.currentSize, mdcMax: c.maxSize, mdcEntries: c.entries })
  }
  let frames = 0
  let bad = 0
  for await (const item of source) {
    if (item.frames.data.data[0] !== item.index % 65536) bad++
    frames++
    if (frames % o.every === 0) sample(frames)
  }
  if (frames % o.every !== 0) sample(frames)
  f.close()
  process.stdout.write(JSON.stringify({ ok: true, frames, bad, samples }) + '\n')
}
main().catch((err) => {
  process.stdout.write(JSON.stringify({ ok: false, error: `${err.code || ''} ${err.message}` }) + '\n')
  process.exit(1)
})
