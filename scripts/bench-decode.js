#!/usr/bin/env node
// Decode-path figures (issue 6): 512x512 uint16 frames, Poisson(0.5) counts (detector-like, so they
// compress), one frame per chunk. For bitshuffle-LZ4, deflate level 1 and no compression: H5Dread
// (the 'hdf5' path) vs the direct path with 1 and 2 decode threads, and h5py (Debian's, with the
// bitshuffle plugin when installed) on the same files. About a minute in all; run after
// `npm run build`. Figures are the best of interleaved trials (the machine may be shared).
// Usage: node scripts/bench-decode.js [frames=400] [seconds per trial=0.5] [trials=3]
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const h5 = require('../dist')

const FRAMES = Number(process.argv[2] ?? 400)
const SECONDS = Number(process.argv[3] ?? 0.5)
const TRIALS = Number(process.argv[4] ?? 3)
const SHAPE = [512, 512]
const FRAME_BYTES = SHAPE[0] * SHAPE[1] * 2
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'

// Knuth's Poisson sampler over a seeded LCG: 16 distinct frames, reused with the index in pixel 0.
function poissonFrames(count, lambda) {
  let seed = 12345
  const uniform = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296)
  const limit = Math.exp(-lambda)
  return Array.from({ length: count }, () => {
    const f = new Uint16Array(SHAPE[0] * SHAPE[1])
    for (let i = 0; i < f.length; i++) {
      let k = 0
      for (let p = uniform(); p > limit; p *= uniform()) k++
      f[i] = k
    }
    return f
  })
}

function writeFile(file, compression) {
  const pool = poissonFrames(16, 0.5)
  const f = h5.File.create(file)
  const d = f.createDataset('/data', {
    dtype: 'uint16', shape: [FRAMES, ...SHAPE], chunks: [1, ...SHAPE], compression,
    compressionLevel: 1, shuffle: false,
  })
  for (let i = 0; i < FRAMES; i++) {
    const frame = pool[i % pool.length]
    frame[0] = i
    d.write({ start: [i, 0, 0], count: [1, ...SHAPE] }, frame)
  }
  f.close()
  return fs.statSync(file).size
}

function selection(i) {
  return { start: [i % FRAMES, 0, 0], count: [1, ...SHAPE] }
}

// Frames per second of `step`, repeated for about SECONDS (after a short warm-up).
async function rate(step) {
  for (let i = 0; i < 10; i++) await step(i)
  const t0 = process.hrtime.bigint()
  let n = 0
  while (Number(process.hrtime.bigint() - t0) / 1e9 < SECONDS) await step(n++)
  return n / (Number(process.hrtime.bigint() - t0) / 1e9)
}

// Reads kept in flight on the decode pool, each into a reused buffer.
async function asyncRate(ds, threads, inFlight, options) {
  h5.setDecodeThreads(threads)
  const buffers = Array.from({ length: inFlight }, () => new Uint16Array(SHAPE[0] * SHAPE[1]))
  const t0 = process.hrtime.bigint()
  let issued = 0
  let done = 0
  await new Promise((resolve, reject) => {
    const issue = (slot) => {
      const i = issued++
      ds.readIntoAsync(selection(i), buffers[slot], options).then(() => {
        done++
        if (Number(process.hrtime.bigint() - t0) / 1e9 < SECONDS) issue(slot)
        else if (done === issued) resolve()
      }, reject)
    }
    for (let s = 0; s < inFlight; s++) issue(s)
  })
  return done / (Number(process.hrtime.bigint() - t0) / 1e9)
}

// dataset.readFrames with 2 decode threads, 4 in flight: a new array per frame, or recycled ones.
async function framesRate(ds, recycle) {
  h5.setDecodeThreads(2)
  const t0 = process.hrtime.bigint()
  let n = 0
  while (Number(process.hrtime.bigint() - t0) / 1e9 < SECONDS)
    for await (const frame of ds.readFrames(0, FRAMES, { concurrency: 4, recycle })) if (frame) n++
  return n / (Number(process.hrtime.bigint() - t0) / 1e9)
}

// A region of interest: 64 x 64 pixels in the middle of the frame (8 rows of bitshuffle blocks).
const REGION = { at: [224, 224], size: [64, 64] }
function regionSel(i) {
  return { start: [i % FRAMES, ...REGION.at], count: [1, ...REGION.size] }
}

// h5py's low-level read of each frame (or of the region) into one preallocated array.
function h5pyRate(file, plugin, region = false) {
  const [y, x] = region ? REGION.at : [0, 0]
  const [h, w] = region ? REGION.size : SHAPE
  const script = `
import sys, time, h5py, numpy
f = h5py.File(sys.argv[1], 'r'); d = f['/data']
out = numpy.empty((1, ${h}, ${w}), 'u2'); mspace = h5py.h5s.create_simple((1, ${h}, ${w}))
fspace = d.id.get_space(); n = d.shape[0]; i = 0; t0 = time.perf_counter()
while time.perf_counter() - t0 < float(sys.argv[2]):
    fspace.select_hyperslab((i % n, ${y}, ${x}), (1, ${h}, ${w}))
    d.id.read(mspace, fspace, out)
    i += 1
print(i / (time.perf_counter() - t0))`
  try {
    const env = { ...process.env }
    if (!plugin) {
      env.HDF5_PLUGIN_PATH = path.join(path.dirname(file), 'no-plugins')
      fs.mkdirSync(env.HDF5_PLUGIN_PATH, { recursive: true })
    }
    return Number(execFileSync(PYTHON, ['-c', script, file, String(SECONDS)], { env, encoding: 'utf8' }).trim())
  } catch (err) {
    return NaN
  }
}

const fmt = (fps) => `${fps.toFixed(0).padStart(6)} frames/s ${((fps * FRAME_BYTES) / 1e9).toFixed(2).padStart(5)} GB/s`

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h5swmr-bench-'))
  const info = h5.File.libraryInfo()
  const cores = h5.decodeThreads()
  console.log(`load average before: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  console.log(`h5swmr decode bench: ${FRAMES} frames of 512x512 uint16, HDF5 ${info.version}, bitshuffle filter: ${info.bitshuffleFilter}, kernel: ${info.bitshuffleKernel}, inflate: ${info.inflate}, ${cores} decode threads by default`)
  const results = {}
  try {
    for (const compression of ['bslz4', 'deflate', 'none']) {
      const file = path.join(dir, `${compression}.h5`)
      const bytes = writeFile(file, compression)
      // Warm the page cache.
      fs.readFileSync(file)
      const f = h5.File.open(file, { swmr: false })
      const ds = f.dataset('/data')
      const sec2 = h5.File.open(file, { swmr: false, driver: 'sec2' })
      const dsSec2 = sec2.dataset('/data')
      const frame = new Uint16Array(SHAPE[0] * SHAPE[1])
      const region = new Uint16Array(REGION.size[0] * REGION.size[1])
      const r = { ratio: (FRAMES * FRAME_BYTES) / bytes }
      const figures = {
        hdf5Sync: () => rate((i) => ds.readInto(selection(i), frame, { path: 'hdf5' })),
        hdf5Async: () => asyncRate(ds, 2, 4, { path: 'hdf5' }),
        directSync: () => rate((i) => ds.readInto(selection(i), frame)),
        direct1: () => asyncRate(ds, 1, 2),
        direct2: () => asyncRate(ds, 2, 4),
        direct2Sec2: () => asyncRate(dsSec2, 2, 4),
        regionDirect: () => rate((i) => ds.readInto(regionSel(i), region)),
        regionHdf5: () => rate((i) => ds.readInto(regionSel(i), region, { path: 'hdf5' })),
        frames: () => framesRate(ds, false),
        framesRecycled: () => framesRate(ds, true),
      }
      // Interleaved trials, best of each: other load on a shared machine hits them alike.
      for (let trial = 0; trial < TRIALS; trial++)
        for (const [name, measure] of Object.entries(figures)) r[name] = Math.max(r[name] ?? 0, await measure())
      h5.setDecodeThreads(cores)
      f.close()
      sec2.close()
      r.h5py = Math.max(...Array.from({ length: TRIALS }, () => h5pyRate(file, true)))
      r.h5pyRegion = Math.max(...Array.from({ length: TRIALS }, () => h5pyRate(file, true, true)))
      results[compression] = r
      console.log(`\n${compression} (compression ratio ${r.ratio.toFixed(1)}):`)
      console.log(`  H5Dread, sync                 ${fmt(r.hdf5Sync)}`)
      console.log(`  H5Dread, async, 4 in flight   ${fmt(r.hdf5Async)}`)
      console.log(`  direct, sync (JS thread)      ${fmt(r.directSync)}`)
      console.log(`  direct, async, 1 thread       ${fmt(r.direct1)}`)
      console.log(`  direct, async, 2 threads      ${fmt(r.direct2)}   (${(r.direct2 / r.direct1).toFixed(2)}x 1 thread)`)
      console.log(`  same, HDF5's sec2 driver      ${fmt(r.direct2Sec2)}   (chunk bytes read under the HDF5 lock)`)
      console.log(`  readFrames, new array/frame   ${fmt(r.frames)}`)
      console.log(`  readFrames, recycle           ${fmt(r.framesRecycled)}`)
      console.log(`  h5py (Debian), low-level read ${fmt(r.h5py)}   (direct 2 threads: ${(r.direct2 / r.h5py).toFixed(1)}x h5py)`)
      const regions = (fps) => `${fps.toFixed(0).padStart(6)} regions/s`
      console.log(`  ${REGION.size.join('x')} region, direct, sync      ${regions(r.regionDirect)}   (${(r.regionDirect / r.directSync).toFixed(1)}x whole frames)`)
      console.log(`  ${REGION.size.join('x')} region, H5Dread, sync     ${regions(r.regionHdf5)}`)
      console.log(`  ${REGION.size.join('x')} region, h5py              ${regions(r.h5pyRegion)}   (direct: ${(r.regionDirect / r.h5pyRegion).toFixed(1)}x h5py)`)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  console.log(`\nload average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`)
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2))
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
