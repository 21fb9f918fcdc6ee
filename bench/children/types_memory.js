// RSS over many reads of one variable-length string (node --expose-gc), in a fresh process: what HDF5
// allocates for each read must be freed (reclaimed) after it. argv[2]: JSON { file, reads }.
'use strict'
const h5 = require('../../dist')

const o = JSON.parse(process.argv[2])
const f = h5.File.open(o.file, { swmr: false })
const ds = f.dataset('/strings')
const n = ds.shape[0]
const read = (i) => ds.read({ start: [i % n], count: [1] })[0]
for (let i = 0; i < 10000; i++) read(i)
global.gc()
const before = process.memoryUsage().rss
let bad = 0
const t0 = performance.now()
for (let i = 0; i < o.reads; i++) if (read(i).length !== 19) bad++
const secs = (performance.now() - t0) / 1000
global.gc()
const after = process.memoryUsage().rss
f.close()
process.stdout.write(JSON.stringify({ ok: true, reads: o.reads, before, after, readsPerSecond: o.reads / secs, bad }) + '\n')
