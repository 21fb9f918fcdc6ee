// Memory of a read loop, in a fresh process (node --expose-gc): RSS and external memory before and
// after `frames` frame reads with `read` (a new array each) or `readInto` (one reused array).
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
const buf = ds.allocate({ start: [0, ...zeros], count })
const readOne = o.mode === 'read' ? (i) => ds.read({ start: [i, ...zeros], count }) : (i) => ds.readInto({ start: [i, ...zeros], count }, buf)
for (let i = 0; i < Math.min(n, 100); i++) readOne(i) // warm: code paths, HDF5 metadata
global.gc()
const before = mem()
const peak = { ...before }
let bad = 0
const t0 = performance.now()
for (let i = 0; i < o.frames; i++) {
  const a = readOne(i % n)
  if (a[0] !== (i % n) % 65536) bad++
  if (i % 500 === 499) {
    const m = mem()
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k])
  }
}
const secs = (performance.now() - t0) / 1000
const after = mem()
for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], after[k])
global.gc()
const afterGc = mem()
f.close()
process.stdout.write(JSON.stringify({ ok: true, mode: o.mode, frames: o.frames, before, after, afterGc, peak, fps: o.frames / secs, bad }) + '\n')
