// RSS over many reads of one variable-length string (node --expose-gc), in a fresh process: what HDF5
// allocates for each read must be freed (reclaimed) after it. RSS outside V8's heap is what the addon
// and libhdf5 hold (V8 reserves young-generation space as the allocation rate rises, up to
// --max-semi-space-size: that part is V8's choice, bounded). argv[2]: JSON { file, reads }.
'use strict'
const h5 = require('../../dist')
const { native: h5native } = require('../../dist/core/native')

const o = JSON.parse(process.argv[2])
const f = h5.File.open(o.file, { swmr: false })
const ds = f.dataset('/strings')
const n = ds.shape[0]
const read = (i) => ds.read({ start: [i % n], count: [1] })[0]
// Measured from a tenth of the reads on, as the memory case does: malloc's arenas settle first.
for (let i = 0; i < o.reads / 10; i++) read(i)
global.gc()
const sample = () => {
  const m = process.memoryUsage()
  const c = h5native._testing.mallocInUse() // malloc's own count: in use vs kept free for later
  return { rss: m.rss, heapTotal: m.heapTotal, outside: m.rss - m.heapTotal, mallocInUse: c.known ? c.inUse : null, mallocFree: c.known ? c.keptFree : null }
}
const first = sample()
let bad = 0
const t0 = performance.now()
for (let i = 0; i < o.reads; i++) if (read(i).length !== 19) bad++
const secs = (performance.now() - t0) / 1000
global.gc()
const last = sample()
f.close()
process.stdout.write(JSON.stringify({ ok: true, reads: o.reads, before: first.rss, after: last.rss, outsideBefore: first.outside, outsideAfter: last.outside, heapTotalBefore: first.heapTotal, heapTotalAfter: last.heapTotal, mallocInUseBefore: first.mallocInUse, mallocInUseAfter: last.mallocInUse, mallocFreeAfter: last.mallocFree, readsPerSecond: o.reads / secs, bad }) + '\n')
