// Benchmark data: scan files written by the simulator (reused between runs when the parameters
// match), chunk offsets for the pread limit, key files, and page-cache warming.
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const h5 = require('../../dist')
const h5sim = require('../../dist/simulate')
const { fillFrame } = h5sim
const { log, seconds } = require('./util')
const python = require('./python')

const DATA_VERSION = 1 // bump when the way files are written changes
const dataDir = () => process.env.H5SWMR_BENCH_DIR || path.join(os.tmpdir(), 'h5swmr-bench')
const DATA = '/entry/data/data'
const KEYS = '/entry/keys/uid'
const FINISHED = '/entry/finished'

function ensureDir() {
  fs.mkdirSync(dataDir(), { recursive: true })
  return dataDir()
}

function readMeta(file) {
  try {
    return JSON.parse(fs.readFileSync(file + '.json', 'utf8'))
  } catch {
    return null
  }
}

function writeMeta(file, meta) {
  fs.writeFileSync(file + '.json', JSON.stringify(meta))
}

/** The meta of `file` if it was written with exactly `params` and has not changed since, else null. */
function reusable(file, params) {
  const meta = readMeta(file)
  if (!meta || JSON.stringify(meta.params) !== JSON.stringify(params) || meta.version !== DATA_VERSION) return null
  try {
    const st = fs.statSync(file)
    if (st.size !== meta.size || st.mtimeMs !== meta.mtimeMs) return null
  } catch {
    return null
  }
  return meta
}

function stamp(file, params, extra = {}) {
  const st = fs.statSync(file)
  const meta = { version: DATA_VERSION, params, size: st.size, mtimeMs: st.mtimeMs, ...extra }
  writeMeta(file, meta)
  return meta
}

/**
 * A finished scan file written by `simulateScan` (SWMR, one frame per chunk, per-frame flushes,
 * keys and finished flag), reused when `params` match. Returns { file, meta }.
 */
async function ensureScanFile(name, params) {
  const file = path.join(ensureDir(), `${name}.h5`)
  let meta = reusable(file, params)
  if (meta) {
    log(`  data: reusing ${file} (${(meta.size / 1e9).toFixed(2)} GB)`)
    return { file, meta }
  }
  log(`  data: writing ${file} (${params.frames} frames of ${params.frameShape.join('×')} ${params.dtype}, ${params.compression})...`)
  const t0 = seconds()
  await h5sim.simulateScan(file, { ...params, rateHz: 0 })
  meta = stamp(file, params, { writeSeconds: seconds() - t0 })
  log(`  data: wrote ${(meta.size / 1e9).toFixed(2)} GB in ${meta.writeSeconds.toFixed(1)} s`)
  return { file, meta }
}

/** Save extra fields into a data file's meta (e.g. chunk offsets), keeping its stamp valid. */
function updateMeta(file, meta, extra) {
  Object.assign(meta, extra)
  writeMeta(file, meta)
}

/**
 * A key file: `/entry/keys/uid` int32 [n] (maxshape unlimited, chunks of 1024, as the simulator
 * lays out a 1-D scan), every key set.
 */
function ensureKeyFile(n) {
  const params = { keys: n, chunk: 1024 }
  const file = path.join(ensureDir(), `keys-${n}.h5`)
  if (reusable(file, params)) return file
  const f = h5.File.create(file)
  try {
    const ds = f.createDataset(KEYS, { dtype: 'int32', shape: [n], maxshape: [null], chunks: [Math.min(n, 1024)], fillValue: 0 })
    const keys = new Int32Array(n)
    for (let i = 0; i < n; i++) keys[i] = i + 1
    ds.write(null, keys)
  } finally {
    f.close()
  }
  stamp(file, params)
  return file
}

/** Read the whole file once (page cache warm). Returns seconds taken. */
function warm(file) {
  const t0 = seconds()
  const fd = fs.openSync(file, 'r')
  const buf = Buffer.allocUnsafe(8 << 20)
  try {
    let pos = 0
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos)
      if (n <= 0) break
      pos += n
    }
  } finally {
    fs.closeSync(fd)
  }
  return seconds() - t0
}

/**
 * Byte offset and stored size of the chunk of each frame 0..n-1: from h5py (`get_chunk_info_by_coord`,
 * i.e. H5Dget_chunk_info_by_coord) when it is installed, else — uncompressed files only — by finding
 * each frame's bytes in the file. Cached in the file's meta. Returns { chunks: [[offset, size]...], source }.
 */
async function chunkOffsets(file, meta, frames) {
  if (meta.chunks && meta.chunks.length >= frames) return { chunks: meta.chunks.slice(0, frames), source: meta.chunkSource }
  let chunks = null
  let source = null
  if (await python.available()) {
    const r = await python.run({ cmd: 'chunks', file, dset: DATA, n: meta.params.frames })
    if (r.ok) {
      chunks = r.chunks
      source = 'h5py get_chunk_info_by_coord'
    } else log(`  chunk offsets from h5py failed: ${r.error}`)
  }
  if (!chunks && meta.params.compression === 'none') {
    chunks = findUncompressedChunks(file, meta.params)
    source = 'located by content (h5py unavailable)'
  }
  if (!chunks) return { chunks: null, source: null, reason: 'chunk offsets need h5py for compressed files' }
  verifyChunks(file, meta.params, chunks)
  updateMeta(file, meta, { chunks, chunkSource: source })
  return { chunks: chunks.slice(0, frames), source }
}

/** Uncompressed frames: pread frame 0..n-1 at its offset and check element 0 (the frame index). */
function verifyChunks(file, params, chunks) {
  if (params.compression !== 'none') return
  const fd = fs.openSync(file, 'r')
  try {
    const b = Buffer.alloc(4)
    for (let i = 0; i < chunks.length; i++) {
      fs.readSync(fd, b, 0, 2, chunks[i][0])
      if (b.readUInt16LE(0) !== i % 65536) throw new Error(`chunk offset of frame ${i} is wrong (${chunks[i][0]})`)
    }
  } finally {
    fs.closeSync(fd)
  }
}

/** Without h5py: find each uncompressed frame by its first 64 bytes (searching on from the previous one). */
function findUncompressedChunks(file, params) {
  const frameElems = params.frameShape.reduce((a, b) => a * b, 1)
  const frameBytes = frameElems * 2
  const fd = fs.openSync(file, 'r')
  const size = fs.fstatSync(fd).size
  const window = Buffer.allocUnsafe(64 << 20)
  const head = new Uint16Array(frameElems)
  const chunks = []
  try {
    let from = 0
    for (let i = 0; i < params.frames; i++) {
      fillFrame(head, i)
      const needle = Buffer.from(head.buffer, 0, 64)
      let found = -1
      for (const start of [from, 0]) {
        for (let pos = start; pos < size && found < 0; pos += window.length - needle.length) {
          const n = fs.readSync(fd, window, 0, window.length, pos)
          const k = window.subarray(0, n).indexOf(needle)
          if (k >= 0) found = pos + k
          if (n < window.length) break
        }
        if (found >= 0) break
      }
      if (found < 0) throw new Error(`frame ${i} not found in ${file}`)
      chunks.push([found, frameBytes])
      from = found + frameBytes
    }
  } finally {
    fs.closeSync(fd)
  }
  return chunks
}

module.exports = { dataDir, ensureDir, ensureScanFile, ensureKeyFile, chunkOffsets, warm, DATA, KEYS, FINISHED }
