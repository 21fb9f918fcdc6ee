// Memory of a read loop, in a fresh process (node --expose-gc): RSS and external memory before,
// during and after `frames` frame reads with `read` (a new array each), `readAsync` (a new array
// each, 2 in flight), a DataSource without reuseBuffers (for await) or `readInto` (one reused array).
// argv[2]: JSON { file, frames, mode }. Prints one JSON line.
'use strict'
const h5 = require('../../dist')

const o = JSON.parse(process.argv[2])
const mem = () => {
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }
}
const f = h5.File.open(o.file, { swmr: true, locking: false })
const ds = f.dataset('/entry/data/data')
const [n, ...frameShape] = ds.shape
const count = [1, ...frameShape]
const zeros = frameShape.map(() => 0)
const sel = (i) => ({ start: [i % n, ...zeros], count })
const buf = ds.allocate(sel(0))

// One loop over `frames` reads; `visit(i, array)` for each frame, in order.
async function loop(frames, visit) {
  if (o.mode === 'read') for (let i = 0; i < frames; i++) visit(i, ds.read(sel(i)))
  else if (o.mode === 'readInto') for (let i = 0; i < frames; i++) visit(i, ds.readInto(sel(i), buf))
  else if (o.mode === 'readAsync') {
    // Two reads in flight, as a pipeline keeps them: the next is asked for before this one is used.
    let next = ds.readAsync(sel(0))
    for (let i = 0; i < frames; i++) {
      const cur = next
      if (i + 1 < frames) next = ds.readAsync(sel(i + 1))
      visit(i, await cur)
    }
  } else if (o.mode === 'DataSource') {
    // The keys dataset is complete (the static file is finished): for await over every frame, cycled.
    let i = 0
    while (i < frames) {
      const source = new h5.DataSource([f.dataset('/entry/keys/uid')], { data: ds }, { timeout: 0, finishedDataset: f.dataset('/entry/finished') })
      for await (const item of source) {
        visit(i, item.frames.data.data)
        if (++i >= frames) break
      }
    }
  } else throw new Error(`unknown mode ${o.mode}`)
}

async function main() {
  await loop(Math.min(n, 100), () => {}) // warm: code paths, HDF5 metadata
  global.gc()
  const before = mem()
  const peak = { ...before }
  let atTenth = null
  let bad = 0
  const t0 = performance.now()
  await loop(o.frames, (i, a) => {
    if (a[0] !== (i % n) % 65536) bad++
    if (i % 500 === 499) {
      const m = mem()
      for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k])
    }
    if (i === Math.floor(o.frames / 10)) atTenth = mem()
  })
  const secs = (performance.now() - t0) / 1000
  const after = mem()
  for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], after[k])
  global.gc()
  const afterGc = mem()
  f.close()
  process.stdout.write(JSON.stringify({ ok: true, mode: o.mode, frames: o.frames, before, atTenth, after, afterGc, peak, fps: o.frames / secs, bad }) + '\n')
}
main().catch((err) => {
  process.stdout.write(JSON.stringify({ ok: false, error: `${err.code || ''} ${err.message}` }) + '\n')
  process.exit(1)
})
