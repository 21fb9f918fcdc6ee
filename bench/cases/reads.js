// Frame-read cases (static, large, compressed): the same file, the same frames, in the same run,
// read by the pread limit, every h5swmr read path, h5py (child process) and h5wasm (child process).
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const h5 = require('../../dist')
const { native: h5native } = require('../../dist/core/native')
const { sampleCheck } = require('../lib/check')
const data = require('../lib/data')
const python = require('../lib/python')
const { runRounds, tabulate } = require('../lib/rounds')
const { runChild, lastJson, seconds, log } = require('../lib/util')

const H5WASM_CHILD = path.join(__dirname, '..', 'children', 'h5wasm_read.mjs')

const ROW = {
  limit: 'limit: pread, page-aligned buffer',
  limitNode: 'limit: pread, reused Node buffer',
  limitNew: 'limit: pread, new Node buffer per frame',
  decodeLimit: 'limit: decode alone (stored chunks in memory, 1 thread)',
  read: 'h5swmr read',
  readInto: 'h5swmr readInto',
  readIntoAligned: 'h5swmr readInto, page-aligned buffer',
  readIntoPlus16: 'h5swmr readInto, buffer at page+16',
  async1: 'h5swmr readAsync, 1 in flight',
  async2: 'h5swmr readAsync, 2 in flight',
  async4: 'h5swmr readAsync, 4 in flight',
  intoAsync1: 'h5swmr readIntoAsync, 1 in flight',
  intoAsync2: 'h5swmr readIntoAsync, 2 in flight',
  intoAsync2Whole: 'h5swmr readIntoAsync, 2 in flight, run whole',
  intoAsync4Whole: 'h5swmr readIntoAsync, 4 in flight, run whole',
  readIntoWhole: 'h5swmr readInto, run whole',
  pool1: 'h5swmr readIntoAsync, 1 decode thread (2 in flight)',
  pool2: 'h5swmr readIntoAsync, 2 decode threads (4 in flight)',
  pool2Sec2: 'h5swmr readIntoAsync, 2 decode threads (4 in flight), sec2 driver',
  dsSync: 'h5swmr DataSource for-of, reuseBuffers',
  dsAsync: 'h5swmr DataSource for await',
  dsAsync2: 'h5swmr DataSource for await, 2 in flight',
  dsAsync2Reuse: 'h5swmr DataSource for await, 2 in flight, reuseBuffers',
  h5py: 'h5py ds[i]',
  h5pyDirect: 'h5py read_direct',
  h5pyNoCache: 'h5py ds[i], rdcc_nbytes=0',
  h5wasm: 'h5wasm slice',
}
const ORDER = Object.values(ROW)
const PY_VARIANTS = { getitem: ROW.h5py, read_direct: ROW.h5pyDirect, getitem_nocache: ROW.h5pyNoCache }

/**
 * An ArrayBuffer whose data starts on a page boundary: the memory of a WebAssembly.Memory (V8
 * maps it page-aligned). Node's own large buffers come from malloc and start 16 bytes past a page
 * boundary (heap blocks: anywhere 16-aligned), which makes the kernel's copy into them (pread, and
 * H5Dread straight into the buffer) slower on some CPUs. The limit uses a page-aligned buffer; the
 * readInto rows show the same read into page-aligned, page+16 and ordinary Node buffers.
 */
function pageAligned(bytes) {
  return new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) }).buffer
}

/** Run up to `lanes` reads at once until frames from..to-1 are read; returns the bad count. */
async function inFlight(lanes, from, to, readOne) {
  let next = from
  let bad = 0
  const lane = async (k) => {
    while (next < to) {
      const i = next++
      const a = await readOne(i, k)
      if (a[0] !== i % 65536) bad++
    }
  }
  await Promise.all(Array.from({ length: lanes }, (_, k) => lane(k)))
  return bad
}

/** A contender that reads any range of frames: `range(from, to)` → { seconds, bad } (see runRounds). */
function ranged(name, fn, { allocates = false } = {}) {
  return {
    name,
    allocates,
    range: async (from, to) => {
      const t0 = seconds()
      const bad = await fn(from, to)
      return { seconds: seconds() - t0, bad }
    },
  }
}

/**
 * A contender on the decode pool (issue 6): `threads` decode threads, `lanes` reads in flight, each
 * lane into its own buffer (as scripts/bench-decode.js: 1 thread with 2 in flight, 2 threads with 4).
 * The pool is sized before each slice and set back to what it was after it, both untimed. The
 * dataset's readStats are summed over the timed reads into `stats` (direct path, H5Dread, chunks
 * pread outside the HDF5 lock).
 */
function pooled(name, { threads, lanes, dataset, buffers, sel }) {
  const stats = { direct: 0, hdf5: 0, chunksReadOutsideLock: 0 }
  const read = (from, to) => inFlight(lanes, from, to, (i, k) => dataset.readIntoAsync(sel(i), buffers[k]))
  return {
    name,
    stats,
    whole: true, // see runRounds: several threads need more than a slice to show their speed
    range: async (from, to) => {
      const previous = h5.decodeThreads()
      h5.setDecodeThreads(threads)
      try {
        const before = dataset.readStats
        const t0 = seconds()
        const bad = await read(from, to)
        const s = seconds() - t0
        const after = dataset.readStats
        for (const k of Object.keys(stats)) stats[k] += after[k] - before[k]
        return { seconds: s, bad }
      } finally {
        h5.setDecodeThreads(previous)
      }
    },
    /** Untimed: every lane reads a few frames with this pool size (threads started, chunk index warm). */
    warmupReads: async (n) => {
      const previous = h5.decodeThreads()
      h5.setDecodeThreads(threads)
      try {
        if ((await read(0, n)) > 0) throw new Error(`${name}: frames read wrong in the warm-up`)
      } finally {
        h5.setDecodeThreads(previous)
      }
    },
  }
}

/** A contender that can only run whole (the DataSource loops follow every key in the file). */
function whole(name, frames, fn) {
  return {
    name,
    run: async () => {
      const t0 = seconds()
      const bad = await fn()
      return { [name]: { seconds: seconds() - t0, frames, bad } }
    },
  }
}

/**
 * The contenders of one frame-read case over `file` (frames 0..n-1 of /entry/data/data).
 * `chunks`: [[offset, size]] per frame for the pread limit (null: no limit row).
 */
function contenders({ file, n, frameShape, chunks, h5pyOk, h5wasm, pluginsNeeded, pyVariants, warmupFrames, sec2Row, pattern = 'ramp' }) {
  const f = h5.File.open(file, { swmr: true, locking: false })
  const ds = f.dataset(data.DATA)
  const keys = f.dataset(data.KEYS)
  const finished = f.dataset(data.FINISHED)
  const frameElems = frameShape.reduce((a, b) => a * b, 1)
  const count = [1, ...frameShape]
  const zeros = frameShape.map(() => 0)
  const sel = (i) => ({ start: [i, ...zeros], count })
  const list = []

  if (chunks) {
    const fd = fs.openSync(file, 'r')
    const maxChunk = Math.max(...chunks.slice(0, n).map((c) => c[1]))
    const buf = Buffer.allocUnsafeSlow(maxChunk)
    const uncompressed = chunks[0][1] === frameElems * 2
    // Uncompressed chunks are the frames: element 0 (the frame index) is checked as for the others.
    const check = (b, i) => (uncompressed && b.readUInt16LE(0) !== i % 65536 ? 1 : 0)
    const aligned = Buffer.from(pageAligned(maxChunk), 0, maxChunk)
    const pread = (name, fresh, target) =>
      ranged(name, (from, to) => {
        let bad = 0
        for (let i = from; i < to; i++) {
          const [off, size] = chunks[i]
          const b = fresh ? Buffer.allocUnsafeSlow(size) : target
          if (fs.readSync(fd, b, 0, size, off) !== size) bad++
          else bad += check(b, i)
        }
        return bad
      })
    list.push({ ...pread(ROW.limit, false, aligned), close: () => fs.closeSync(fd) })
    list.push(pread(ROW.limitNode, false, buf))
    list.push({ ...pread(ROW.limitNew, true), allocates: true })
    // Compressed: the library decode of the same chunks with nothing else (no file, no HDF5, no
    // pool), read into memory first: what a decode thread can do at best.
    if (!uncompressed) {
      const steps = ds.filters.map((x) => ({ id: x.id, cd: x.cdValues }))
      const stored = chunks.slice(0, n).map(([off, size]) => {
        const b = Buffer.allocUnsafeSlow(size)
        fs.readSync(fd, b, 0, size, off)
        return new Uint8Array(b.buffer, b.byteOffset, size)
      })
      const outBuffer = pageAligned(frameElems * 2)
      const out = new Uint8Array(outBuffer, 0, frameElems * 2)
      const frame = new Uint16Array(outBuffer, 0, frameElems)
      const t = h5native._testing
      list.push(
        ranged(ROW.decodeLimit, (from, to) => {
          let bad = 0
          for (let i = from; i < to; i++) {
            t.decodeChunk(steps, 0, stored[i], out)
            if (!sampleCheck(frame, i, pattern)) bad++
          }
          return bad
        }),
      )
    }
  }

  const buffers = [ds.allocate(sel(0)), ds.allocate(sel(0))]
  const loop = (fn) => (from, to) => {
    let bad = 0
    for (let i = from; i < to; i++) if (fn(i)[0] !== i % 65536) bad++
    return bad
  }
  list.push(ranged(ROW.read, loop((i) => ds.read(sel(i))), { allocates: true }))
  list.push(ranged(ROW.readInto, loop((i) => ds.readInto(sel(i), buffers[0]))))
  // The same read into buffers of known alignment (Node's own buffers start wherever malloc put them).
  const Ctor = buffers[0].constructor
  const elemBytes = buffers[0].BYTES_PER_ELEMENT
  const alignedFrame = new Ctor(pageAligned(frameElems * elemBytes), 0, frameElems)
  const plus16Frame = new Ctor(pageAligned(frameElems * elemBytes + 16), 16, frameElems)
  list.push(ranged(ROW.readIntoAligned, loop((i) => ds.readInto(sel(i), alignedFrame))))
  list.push(ranged(ROW.readIntoPlus16, loop((i) => ds.readInto(sel(i), plus16Frame))))
  list.push(ranged(ROW.async1, (from, to) => inFlight(1, from, to, (i) => ds.readAsync(sel(i))), { allocates: true }))
  list.push(ranged(ROW.async2, (from, to) => inFlight(2, from, to, (i) => ds.readAsync(sel(i))), { allocates: true }))
  list.push(ranged(ROW.intoAsync1, (from, to) => inFlight(1, from, to, (i, k) => ds.readIntoAsync(sel(i), buffers[k]))))
  list.push(ranged(ROW.intoAsync2, (from, to) => inFlight(2, from, to, (i, k) => ds.readIntoAsync(sel(i), buffers[k]))))
  // Issue 23: a new array per frame against reused ones, measured alike (whole, as the allocating
  // rows must run: see runRounds), at 2 and 4 reads in flight on the default pool, and sync.
  const reuse4 = Array.from({ length: 4 }, () => ds.allocate(sel(0)))
  list.push(ranged(ROW.async4, (from, to) => inFlight(4, from, to, (i) => ds.readAsync(sel(i))), { allocates: true }))
  list.push({ ...ranged(ROW.intoAsync2Whole, (from, to) => inFlight(2, from, to, (i, k) => ds.readIntoAsync(sel(i), reuse4[k]))), whole: true })
  list.push({ ...ranged(ROW.intoAsync4Whole, (from, to) => inFlight(4, from, to, (i, k) => ds.readIntoAsync(sel(i), reuse4[k]))), whole: true })
  list.push({ ...ranged(ROW.readIntoWhole, loop((i) => ds.readInto(sel(i), buffers[0]))), whole: true })
  // Issue 6: the decode pool at 1 and 2 threads (and, where asked, the same with HDF5's sec2 driver,
  // which copies the chunk's bytes under the HDF5 lock instead of pread-ing them outside it).
  const poolBuffers = Array.from({ length: 4 }, () => ds.allocate(sel(0)))
  const poolRows = [
    pooled(ROW.pool1, { threads: 1, lanes: 2, dataset: ds, buffers: poolBuffers, sel }),
    pooled(ROW.pool2, { threads: 2, lanes: 4, dataset: ds, buffers: poolBuffers, sel }),
  ]
  if (sec2Row) {
    const sec2File = h5.File.open(file, { swmr: true, locking: false, driver: 'sec2' })
    poolRows.push({
      ...pooled(ROW.pool2Sec2, { threads: 2, lanes: 4, dataset: sec2File.dataset(data.DATA), buffers: poolBuffers, sel }),
      close: () => sec2File.close(),
    })
  }
  list.push(...poolRows)
  const source = (reuseBuffers, concurrency = 1) =>
    new h5.DataSource([keys], { data: ds }, { timeout: 2000, pollInterval: 1, finishedDataset: finished, reuseBuffers, concurrency })
  const countItems = (item) => (item.frames.data.data[0] !== item.index % 65536 ? 1 : 0)
  // Each DataSource loop runs over the file's keys as many times as make ≥ 2000 frames: a pass of
  // 300 compressed frames takes ~30 ms, where one GC or a neighbour's burst moves the figure 20 %.
  const passes = Math.max(1, Math.ceil(2000 / n))
  const dsLoop = (reuse, concurrency, sync) =>
    whole(
      sync ? ROW.dsSync : concurrency > 1 ? (reuse ? ROW.dsAsync2Reuse : ROW.dsAsync2) : ROW.dsAsync,
      n * passes,
      async () => {
        let bad = 0
        for (let p = 0; p < passes; p++) {
          let got = 0
          if (sync) {
            for (const item of source(reuse, concurrency)) {
              bad += countItems(item)
              got++
            }
          } else {
            for await (const item of source(reuse, concurrency)) {
              bad += countItems(item)
              got++
            }
          }
          bad += Math.abs(n - got)
        }
        return bad
      },
    )
  list.push(dsLoop(true, 1, true), dsLoop(false, 1, false))
  // Issue 23 for the DataSource: for await with 2 reads in flight, a new array per frame against
  // reuseBuffers (concurrency + 1 arrays in turn).
  for (const reuse of [false, true]) {
    const row = dsLoop(reuse, 2, false)
    // After a fork the memory malloc keeps is copy-on-write: touched again untimed (see runRounds).
    if (!reuse) row.prewarm = () => inFlight(2, 0, Math.min(n, 300), (i) => ds.readAsync(sel(i)))
    list.push(row)
  }

  // Untimed warm-up of the in-process paths, with the full sampled check of each frame.
  const warm = () => {
    for (let i = 0; i < Math.min(n, warmupFrames); i++) {
      if (!sampleCheck(ds.read(sel(i)), i, pattern) || !sampleCheck(ds.readInto(sel(i), buffers[0]), i, pattern))
        throw new Error(`frame ${i} of ${file} reads wrong`)
    }
  }
  for (const c of list) c.warmup = async () => warm()
  for (const c of poolRows) c.warmup = async () => {
    warm()
    await c.warmupReads(Math.min(n, warmupFrames))
  }

  if (h5pyOk) {
    list.push({
      name: 'h5py',
      run: async () => {
        const r = await python.run({ cmd: 'read', file, dset: data.DATA, n, warmup: warmupFrames, variants: pyVariants })
        if (!r.ok) return { skip: r.error }
        return Object.fromEntries(Object.entries(r.results).map(([v, res]) => [PY_VARIANTS[v], res]))
      },
    })
  }
  if (h5wasm.ok) {
    list.push({
      name: 'h5wasm',
      run: async () => {
        const req = { file, dset: data.DATA, n, warmup: warmupFrames, plugins: pluginsNeeded, pattern }
        const r = await runChild(process.execPath, [H5WASM_CHILD, JSON.stringify(req)])
        const res = lastJson(r.lines)
        if (!res) return { skip: (r.stderr.trim().split('\n').pop() || `exit ${r.code}`) }
        if (!res.ok) return { skip: res.error }
        return { [ROW.h5wasm]: { seconds: res.seconds, frames: res.frames, bad: res.bad, startupMs: res.startupMs } }
      },
    })
  }
  const close = () => {
    for (const c of list) c.close?.()
    f.close()
  }
  const readStats = () => Object.fromEntries(poolRows.map((c) => [c.name, { ...c.stats }]))
  return { list, close, readStats, filters: ds.filters.map((x) => x.name.split(';')[0]) }
}

/**
 * Is h5wasm importable? { ok, reason }. Asked of a child process: importing it here would put a
 * WebAssembly instance in the process that times h5swmr, and with one V8 marks incrementally almost
 * without pause under allocation (measured: reads into a new array per frame 0.35× reused ones,
 * against 0.85× without it; docs/BENCHMARKS.md).
 */
let wasmInfo = null
async function h5wasmInfo() {
  wasmInfo ??= runChild(process.execPath, ['--input-type=module', '-e', "await import('h5wasm/node')"], { timeoutMs: 60_000, cwd: path.join(__dirname, '..', '..') }).then((r) =>
    r.code === 0 ? { ok: true } : { ok: false, reason: `h5wasm not importable: ${r.stderr.trim().split('\n').find((l) => /Error/.test(l)) ?? `exit ${r.code}`}` },
  )
  return wasmInfo
}

/**
 * One frame-read case. spec: { name, title, params (simulateScan), frames, repeats, warmupFrames, pyVariants }.
 * Returns the case's result object (rows, skipped, notes).
 */
async function runReadCase(spec) {
  const { params } = spec
  const { file, meta } = await data.ensureScanFile(spec.fileName, params)
  const n = params.frames
  const frameShape = params.frameShape
  const frameBytes = frameShape.reduce((a, b) => a * b, 1) * 2
  const notes = []
  const py = await python.info()
  if (!py.ok) notes.push(`h5py skipped: ${py.reason}`)
  let h5pyOk = py.ok
  if (py.ok && spec.h5pyCheck) {
    // The compressions where h5py's plugins may not read what we wrote (see features.h5pyReads).
    const can = await require('../lib/features').h5pyReads(spec.h5pyCheck)
    if (!can.ok) {
      h5pyOk = false
      notes.push(`h5py skipped: ${can.reason}`)
    }
  }
  const wasm = await h5wasmInfo()
  if (!wasm.ok) notes.push(`h5wasm skipped: ${wasm.reason}`)
  const off = await data.chunkOffsets(file, meta, n)
  if (!off.chunks) notes.push(`pread limit skipped: ${off.reason}`)
  const storedBytes = off.chunks ? off.chunks.reduce((a, c) => a + c[1], 0) : null
  const warmSeconds = data.warm(file)
  log(`  ${spec.name}: page cache warmed (${(meta.size / 1e9).toFixed(2)} GB in ${warmSeconds.toFixed(2)} s)`)

  const c = contenders({
    file, n, frameShape, chunks: off.chunks, h5pyOk, h5wasm: wasm,
    pluginsNeeded: params.compression !== 'none', pyVariants: spec.pyVariants, warmupFrames: spec.warmupFrames,
    sec2Row: spec.sec2Row ?? false, pattern: params.pattern ?? 'ramp',
  })
  const defaultThreads = h5.decodeThreads()
  let result
  try {
    result = await runRounds(c.list, { repeats: spec.repeats, warmup: true, label: spec.name, frames: n, slices: spec.slices ?? 10 })
  } finally {
    c.close()
  }
  for (const [name, why] of Object.entries(result.skipped)) notes.push(`${name} skipped: ${why}`)
  notes.push(
    `each round: the in-process rows that reuse a buffer interleaved in ${spec.slices ?? 10} slices of the frames (a full GC, untimed, before each slice), ` +
      'then the rows that allocate a new array per frame and the DataSource loops whole (a full GC before each; each DataSource loop over the keys repeated to ≥ 2000 frames), then h5py and h5wasm in child processes (one warm-up pass, then a timed pass of every frame); bad = frames whose element 0 is not the frame index',
  )
  if (h5.decodeThreads() !== defaultThreads) throw new Error(`the decode pool was left at ${h5.decodeThreads()} threads (was ${defaultThreads})`)
  const readStats = c.readStats()
  const statsText = Object.entries(readStats)
    .map(([name, s]) => `${name.replace(/^h5swmr readIntoAsync, /, '')}: ${s.direct} direct, ${s.hdf5} H5Dread, ${s.chunksReadOutsideLock} chunks pread outside the lock`)
    .join('; ')
  notes.push(
    `decode pool: the readAsync/readIntoAsync rows without a thread count use the default pool (${defaultThreads} threads); ` +
      "the 'decode threads' rows run whole (every frame in one go, after the sliced rows: a slice of a few ms would measure the pipeline filling and draining, not the threads), set the pool with setDecodeThreads(n) before and back after (untimed), and keep 2 (1 thread) or 4 (2 threads) reads in flight, each into its own dataset.allocate() buffer" +
      (statsText ? `; reads they made (readStats): ${statsText}` : ''),
  )
  const rows = tabulate(result.rows, {
    frameBytes,
    order: ORDER,
    refs: { limit: off.chunks ? ROW.limit : null, decode: ROW.decodeLimit, h5py: ROW.h5py, h5wasm: ROW.h5wasm },
  })
  return {
    kind: 'reads',
    title: spec.title,
    file,
    fileBytes: meta.size,
    frames: n,
    frameShape,
    dtype: params.dtype,
    frameBytes,
    filters: c.filters,
    compression: params.compression,
    pattern: params.pattern ?? 'ramp',
    compressionLevel: params.compression === 'deflate' ? params.compressionLevel ?? 1 : null,
    decodeThreadsDefault: defaultThreads,
    readStats,
    storedBytes,
    compressionRatio: storedBytes ? (n * frameBytes) / storedBytes : null,
    chunkOffsetSource: off.source,
    repeats: spec.repeats,
    rows,
    notes,
  }
}

module.exports = { runReadCase, ROW, h5wasmInfo }
