// Per-frame results written back while a scan is followed, one file per shard, and the join: a
// virtual dataset per result that interleaves the shards' files so the results read in scan order as
// one dataset (h5py too), while the shards still write. Shard i of n holds scan indices i, i+n, i+2n…
// in order, so the join maps its rows with stride n from i: one unlimited mapping per shard, which
// grows with the shard (HDF5's last-available view); rows a shard has not written yet read as fill.
import * as path from 'node:path'
import type { Dataset } from '../dataset'
import type { DType } from '../dtype'
import { H5Error } from '../errors'
import { File } from '../file'
import type { AnyTypedArray, Dims } from '../native'
import { openForReading } from '../open'
import type { ShapedArray } from './data-source'
import { shardFromEnvironment, type Shard } from './shard'

/** One frame's result: a number or bigint (a scalar), a typed array (1-D) or a shaped array. */
export type ResultValue = number | bigint | AnyTypedArray | ShapedArray

export interface ResultsWriterOptions {
  /** This process's shard (or 'auto', from the scheduler's environment); default: the whole scan. */
  shard?: Shard | 'auto'
  /**
   * Shard 0 writes the join at the path given (the other shards' files next to it) as soon as its
   * own result datasets exist, so it is there to read from the first frame (default true).
   */
  join?: boolean
  /** The scan followed, recorded as attributes (`source`, `scan_shape`; -1 = unlimited). */
  source?: string
  scanShape?: Dims
  /** Frames per chunk of each result dataset (default 256). */
  chunkFrames?: number
}

/** A result dataset as the join needs it. */
interface ResultColumn {
  name: string
  dtype: DType
  rowShape: number[]
}

const INDEX = 'index'
const RESULTS = '/results'
const ATTR_INDEX = 'h5swmr_shard_index'
const ATTR_COUNT = 'h5swmr_shard_count'

/** Where shard `index` of `count` writes when the results are asked for at `joinPath`. */
export function shardResultsPath(joinPath: string, shard: Shard): string {
  const ext = path.extname(joinPath) || '.h5'
  const base = path.extname(joinPath) ? joinPath.slice(0, -ext.length) : joinPath
  return `${base}.shard${shard.index}-of-${shard.count}${ext}`
}

const DTYPE_OF: Record<string, DType> = {
  Int8Array: 'int8', Uint8Array: 'uint8', Uint8ClampedArray: 'uint8', Int16Array: 'int16', Uint16Array: 'uint16',
  Int32Array: 'int32', Uint32Array: 'uint32', BigInt64Array: 'int64', BigUint64Array: 'uint64',
  Float32Array: 'float32', Float64Array: 'float64',
}

// A result as (dtype, row shape, data).
function shaped(name: string, value: ResultValue): { dtype: DType; rowShape: number[]; data: AnyTypedArray } {
  if (typeof value === 'number') return { dtype: 'float64', rowShape: [], data: Float64Array.of(value) }
  if (typeof value === 'bigint') return { dtype: 'int64', rowShape: [], data: BigInt64Array.of(value) }
  const arr = ArrayBuffer.isView(value) ? { data: value as AnyTypedArray, shape: [(value as AnyTypedArray).length] } : (value as ShapedArray)
  const dtype = arr && arr.data ? DTYPE_OF[arr.data.constructor.name] : undefined
  if (!dtype) throw new H5Error(`result '${name}': give a number, a bigint, a typed array or { data, shape }`, 'ERR_INVALID_ARG')
  const n = arr.shape.reduce((a, b) => a * b, 1)
  if (n !== arr.data.length)
    throw new H5Error(`result '${name}': shape [${arr.shape.join(', ')}] holds ${n} elements but the array has ${arr.data.length}`, 'ERR_INVALID_ARG')
  return { dtype, rowShape: arr.shape, data: arr.data }
}

// Fill for rows not written (yet): NaN where the type has it, else -1 (index) or 0.
const fillOf = (dtype: DType, name: string): number | bigint => {
  if (dtype.startsWith('float')) return NaN
  if (name === INDEX) return -1n
  return dtype.endsWith('64') ? 0n : 0
}

/**
 * Writes one shard's per-frame results as SWMR datasets: `/index` (the scan index of each row) and
 * `/results/NAME` (rows shaped like the first frame's result), in the order frames are appended.
 * The datasets are created by the first `append` (a SWMR writer cannot create them later), then
 * SWMR writing starts and every append is flushed (results first, the index last, so a reader that
 * sees an index sees its results). Sharded, shard 0 also writes the join (see `joinResults`).
 */
export class ResultsWriter {
  /** This shard's file. */
  readonly path: string
  /** The joined results' file (written by shard 0), or null when not sharded or `join: false`. */
  readonly joinPath: string | null
  readonly shard: Shard
  #file: File
  #options: ResultsWriterOptions
  #index: Dataset | null = null
  #columns = new Map<string, Dataset>()
  #frames = 0
  #lastIndex = -1

  constructor(outputPath: string, options: ResultsWriterOptions = {}) {
    const shard = options.shard === 'auto' ? shardFromEnvironment() : options.shard
    this.shard = shard ?? { index: 0, count: 1 }
    const sharded = this.shard.count > 1
    this.path = sharded ? shardResultsPath(outputPath, this.shard) : outputPath
    this.joinPath = sharded && this.shard.index === 0 && options.join !== false ? outputPath : null
    this.#options = options
    this.#file = File.create(this.path, { locking: false })
  }

  /** Frames written. */
  get frames(): number {
    return this.#frames
  }

  /** Append the results of scan index `index` (indices of this shard, in increasing order). */
  append(index: number, results: Record<string, ResultValue>): void {
    const { index: i, count: n } = this.shard
    if (!Number.isSafeInteger(index) || index < 0 || index % n !== i || index <= this.#lastIndex)
      throw new H5Error(`ResultsWriter.append: index ${index} is not the next index of shard ${i}/${n} (last ${this.#lastIndex})`, 'ERR_INVALID_ARG')
    const rows = Object.entries(results).map(([name, v]) => ({ name, ...shaped(name, v) }))
    if (!this.#index) this.#create(rows)
    if (rows.length !== this.#columns.size || rows.some((r) => !this.#columns.has(r.name)))
      throw new H5Error(`ResultsWriter.append: results must have the first frame's names (${[...this.#columns.keys()].join(', ')})`, 'ERR_INVALID_ARG')
    // Row k of shard i is scan index i + k*n, as the join maps it: an index skipped stays fill.
    const row = (index - i) / n
    for (const r of rows) this.#writeRow(this.#columns.get(r.name)!, row, r.data)
    this.#writeRow(this.#index!, row, BigInt64Array.of(BigInt(index)))
    for (const ds of this.#columns.values()) ds.flush()
    this.#index!.flush()
    this.#frames++
    this.#lastIndex = index
  }

  close(): void {
    this.#file.close()
  }

  [Symbol.dispose](): void {
    this.close()
  }

  #writeRow(ds: Dataset, row: number, data: AnyTypedArray): void {
    const rest = ds.shape.slice(1)
    ds.extend([row + 1, ...rest])
    ds.write({ start: [row, ...rest.map(() => 0)], count: [1, ...rest] }, data)
  }

  #create(rows: { name: string; dtype: DType; rowShape: number[] }[]): void {
    if (rows.length === 0) throw new H5Error('ResultsWriter.append: no results to write', 'ERR_INVALID_ARG')
    const chunk = this.#options.chunkFrames ?? 256
    const f = this.#file
    const column = (name: string, dtype: DType, rowShape: number[]) =>
      f.createDataset(name, { dtype, shape: [0, ...rowShape], maxshape: [null, ...rowShape], chunks: [chunk, ...rowShape.map((s) => Math.max(1, s))], fillValue: fillOf(dtype, name) })
    this.#index = column(INDEX, 'int64', [])
    for (const r of rows) this.#columns.set(r.name, column(`${RESULTS}/${r.name}`, r.dtype, r.rowShape))
    f.setAttr(ATTR_INDEX, this.shard.index)
    f.setAttr(ATTR_COUNT, this.shard.count)
    if (this.#options.source !== undefined) f.setAttr('source', this.#options.source)
    if (this.#options.scanShape) f.setAttr('scan_shape', this.#options.scanShape.map((s) => (s === null ? -1 : s)))
    if (this.joinPath) {
      const shards = Array.from({ length: this.shard.count }, (_, k) => shardResultsPath(this.joinPath!, { index: k, count: this.shard.count }))
      writeJoin(this.joinPath, shards, rows.map((r) => ({ name: r.name, dtype: r.dtype, rowShape: r.rowShape })), this.#options)
    }
    f.startSwmrWrite()
  }
}

// HDF5 reads '%' in a VDS source name as a printf-style pattern.
const vdsName = (s: string): string => s.replace(/%/g, '%%')

function writeJoin(joinPath: string, shardPaths: string[], columns: ResultColumn[], attrs: { source?: string; scanShape?: Dims }): void {
  const n = shardPaths.length
  const dir = path.dirname(path.resolve(joinPath))
  const f = File.create(joinPath, { locking: false })
  try {
    const all: ResultColumn[] = [{ name: INDEX, dtype: 'int64', rowShape: [] }, ...columns]
    for (const c of all) {
      const rest = c.rowShape
      const zeros = rest.map(() => 0)
      f.createVirtualDataset(c.name === INDEX ? INDEX : `${RESULTS}/${c.name}`, {
        dtype: c.dtype,
        shape: [0, ...rest],
        maxshape: [null, ...rest],
        fillValue: fillOf(c.dtype, c.name),
        mappings: shardPaths.map((p, i) => ({
          file: vdsName(path.relative(dir, path.resolve(p)) || '.'),
          dataset: c.name === INDEX ? `/${INDEX}` : `${RESULTS}/${c.name}`,
          vspace: { start: [i, ...zeros], stride: [n, ...rest.map(() => 1)], count: [null, ...rest.map(() => 1)], block: [1, ...rest] },
          srcShape: [0, ...rest],
          srcMaxshape: [null, ...rest],
          srcspace: { start: [0, ...zeros], stride: [1, ...rest.map(() => 1)], count: [null, ...rest.map(() => 1)], block: [1, ...rest] },
        })),
      })
    }
    f.setAttr(ATTR_COUNT, n)
    if (attrs.source !== undefined) f.setAttr('source', attrs.source)
    if (attrs.scanShape) f.setAttr('scan_shape', attrs.scanShape.map((s) => (s === null ? -1 : s)))
  } finally {
    f.close()
  }
}

/**
 * Join shard result files (written by ResultsWriter, live or finished) at `outputPath`: a virtual
 * dataset per result, reading in scan order. The files may be given in any order: each records its
 * shard, and together they must be shards 0…n-1 of one n. The result names and types are read from
 * the first file that has written a frame.
 */
export function joinResults(outputPath: string, shardPaths: readonly string[]): { shards: number; columns: string[] } {
  if (shardPaths.length === 0) throw new H5Error('joinResults: no shard files given', 'ERR_INVALID_ARG')
  const byIndex = new Map<number, string>()
  let count: number | null = null
  let columns: ResultColumn[] | null = null
  const attrs: { source?: string; scanShape?: Dims } = {}
  for (const p of shardPaths) {
    const { file } = openForReading(p, { swmr: 'auto', locking: false })
    try {
      const a = file.attrs
      const i = Number(a[ATTR_INDEX])
      const n = Number(a[ATTR_COUNT])
      if (!(Number.isSafeInteger(i) && Number.isSafeInteger(n)))
        throw new H5Error(`joinResults: '${p}' is not a shard's results (no ${ATTR_INDEX} / ${ATTR_COUNT}: has it written a frame yet?)`, 'ERR_INVALID_ARG')
      if (count !== null && n !== count) throw new H5Error(`joinResults: '${p}' is shard ${i} of ${n}, the others of ${count}`, 'ERR_INVALID_ARG')
      if (byIndex.has(i)) throw new H5Error(`joinResults: '${p}' and '${byIndex.get(i)}' are both shard ${i}`, 'ERR_INVALID_ARG')
      count = n
      byIndex.set(i, p)
      if (typeof a.source === 'string') attrs.source = a.source
      if (Array.isArray(a.scan_shape) || ArrayBuffer.isView(a.scan_shape))
        attrs.scanShape = Array.from(a.scan_shape as ArrayLike<number | bigint>, (v) => (Number(v) < 0 ? null : Number(v)))
      if (!columns) {
        columns = []
        const walk = (group: string) => {
          for (const m of file.list(group)) {
            if (m.objectType === 'group') walk(m.path)
            else if (m.objectType === 'dataset') {
              const ds = file.dataset(m.path)
              columns!.push({ name: m.path.slice(RESULTS.length + 1), dtype: ds.dtype as DType, rowShape: ds.maxshape.slice(1) as number[] })
            }
          }
        }
        walk(RESULTS)
      }
    } finally {
      file.close()
    }
  }
  const missing = Array.from({ length: count! }, (_, k) => k).filter((k) => !byIndex.has(k))
  if (missing.length) throw new H5Error(`joinResults: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} not given`, 'ERR_INVALID_ARG')
  const ordered = Array.from({ length: count! }, (_, k) => byIndex.get(k)!)
  writeJoin(outputPath, ordered, columns!, attrs)
  return { shards: count!, columns: columns!.map((c) => c.name) }
}
