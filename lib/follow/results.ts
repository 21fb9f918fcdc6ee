// Per-frame results written back while a scan is followed, one file per shard, and the join: a
// virtual dataset per result that interleaves the shards' files so the results read in scan order as
// one dataset (h5py too), while the shards still write. Shard i of n has the scan indices i, i+n,
// i+2n…; one unlimited mapping per shard grows with it (HDF5's last-available view), and what a shard
// has not written yet reads as fill.
// Two layouts. Grid: a scan whose dimensions past the first are known, the last a multiple of n —
// shard i then has the columns i, i+n… of every scan row, so its datasets are the scan's shape with
// the last dimension divided by n and the join has the scan's own shape. Flat otherwise: one row per
// frame in each shard, the join one dimension along the flat scan index.
import * as path from 'node:path'
import type { Dataset } from '../core/dataset'
import { dtypeOfArray, type DType } from '../core/dtype'
import { H5Error } from '../core/errors'
import { File } from '../core/file'
import type { AnyTypedArray, Dims } from '../core/native'
import { openForReading } from '../live/open'
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
  /**
   * The scan followed, recorded as attributes (`source`, `scan_shape`; -1 = unlimited). A scan
   * shape whose dimensions past the first are known, the last a multiple of the shard count, gives
   * the grid layout: the results (and the join) shaped like the scan. Else one row per frame.
   */
  source?: string
  scanShape?: Dims
  /** Flat layout: frames per chunk of each result dataset (default 256). Grid: a shard's share of a scan row. */
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

/**
 * Where shard `s` of `n` keeps scan indices, and how the join maps them. `tail`: the scan's
 * dimensions past the first (empty: flat). Dimension 0 is always unlimited (a fixed mapping read
 * past its source's extent crashes libhdf5 1.10.8; an unlimited one ends where the source ends).
 */
class ShardGeometry {
  /** The shard datasets' dimensions past the first. */
  readonly shardTail: number[]

  constructor(readonly tail: number[], readonly n: number) {
    this.shardTail = tail.length ? [...tail.slice(0, -1), tail[tail.length - 1] / n] : []
  }

  /** Grid when the scan's dimensions past the first are known and the last divides among the shards. */
  static forScan(scanShape: Dims | undefined, n: number): ShardGeometry {
    const tail = (scanShape ?? []).slice(1)
    const grid = tail.length > 0 && tail.every((d) => d !== null && d > 0) && (tail[tail.length - 1] as number) % n === 0
    return new ShardGeometry(grid ? (tail as number[]) : [], n)
  }

  get grid(): boolean {
    return this.tail.length > 0
  }

  /** The position in shard `s`'s datasets of scan index `index` (index % n === s). */
  position(index: number, s: number): number[] {
    if (!this.grid) return [(index - s) / this.n]
    const p: number[] = []
    let rest = index
    for (let d = this.tail.length - 1; d >= 0; d--) {
      p.unshift(rest % this.tail[d])
      rest = Math.floor(rest / this.tail[d])
    }
    p.unshift(rest)
    p[p.length - 1] = (p[p.length - 1] - s) / this.n
    return p
  }

  /** Chunks of a shard dataset: a shard's share of one scan row (grid), or `frames` rows (flat). */
  chunks(frames: number): number[] {
    return this.grid ? [1, ...this.shardTail.map((d, k) => (k === this.shardTail.length - 1 ? d : 1))] : [frames]
  }

  /** vspace and srcspace (scan dimensions only) of shard s's mapping. */
  mapping(s: number): { vspace: { start: number[]; stride: number[]; count: Dims }; srcspace: { start: number[]; count: Dims } } {
    const k = this.tail.length
    if (!this.grid) return { vspace: { start: [s], stride: [this.n], count: [null] }, srcspace: { start: [0], count: [null] } }
    return {
      vspace: {
        start: [0, ...this.tail.map((_, d) => (d === k - 1 ? s : 0))],
        stride: [1, ...this.tail.map((_, d) => (d === k - 1 ? this.n : 1))],
        count: [null, ...this.shardTail],
      },
      srcspace: { start: [0, ...this.shardTail.map(() => 0)], count: [null, ...this.shardTail] },
    }
  }
}
const ATTR_INDEX = 'h5swmr_shard_index'
const ATTR_COUNT = 'h5swmr_shard_count'

/** Where shard `index` of `count` writes when the results are asked for at `joinPath`. */
export function shardResultsPath(joinPath: string, shard: Shard): string {
  const ext = path.extname(joinPath) || '.h5'
  const base = path.extname(joinPath) ? joinPath.slice(0, -ext.length) : joinPath
  return `${base}.shard${shard.index}-of-${shard.count}${ext}`
}


// A result as (dtype, row shape, data).
function shaped(name: string, value: ResultValue): { dtype: DType; rowShape: number[]; data: AnyTypedArray } {
  if (typeof value === 'number') return { dtype: 'float64', rowShape: [], data: Float64Array.of(value) }
  if (typeof value === 'bigint') return { dtype: 'int64', rowShape: [], data: BigInt64Array.of(value) }
  const arr = ArrayBuffer.isView(value) ? { data: value as AnyTypedArray, shape: [(value as AnyTypedArray).length] } : (value as ShapedArray)
  const dtype = arr ? dtypeOfArray(arr.data) : undefined
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
  #geometry: ShardGeometry

  constructor(outputPath: string, options: ResultsWriterOptions = {}) {
    const shard = options.shard === 'auto' ? shardFromEnvironment() : options.shard
    this.shard = shard ?? { index: 0, count: 1 }
    const sharded = this.shard.count > 1
    this.path = sharded ? shardResultsPath(outputPath, this.shard) : outputPath
    this.joinPath = sharded && this.shard.index === 0 && options.join !== false ? outputPath : null
    this.#options = options
    this.#geometry = ShardGeometry.forScan(options.scanShape, this.shard.count)
    this.#file = File.create(this.path, { locking: false })
  }

  /** 'grid': the datasets have the scan's shape (the last dimension shared among the shards); 'flat': one row per frame. */
  get layout(): 'grid' | 'flat' {
    return this.#geometry.grid ? 'grid' : 'flat'
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
    // Where the join maps scan index `index` from this shard: an index skipped stays fill.
    const at = this.#geometry.position(index, i)
    for (const r of rows) this.#writeRow(this.#columns.get(r.name)!, at, r.data)
    this.#writeRow(this.#index!, at, BigInt64Array.of(BigInt(index)))
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

  #writeRow(ds: Dataset, at: number[], data: AnyTypedArray): void {
    const shape = ds.shape
    if (at[0] >= shape[0]) ds.extend([at[0] + 1, ...shape.slice(1)])
    const row = shape.slice(at.length)
    ds.write({ start: [...at, ...row.map(() => 0)], count: [...at.map(() => 1), ...row] }, data)
  }

  #create(rows: { name: string; dtype: DType; rowShape: number[] }[]): void {
    if (rows.length === 0) throw new H5Error('ResultsWriter.append: no results to write', 'ERR_INVALID_ARG')
    const g = this.#geometry
    const chunks = g.chunks(this.#options.chunkFrames ?? 256)
    const f = this.#file
    const column = (name: string, dtype: DType, rowShape: number[]) =>
      f.createDataset(name, {
        dtype,
        shape: [0, ...g.shardTail, ...rowShape],
        maxshape: [null, ...g.shardTail, ...rowShape],
        chunks: [...chunks, ...rowShape.map((s) => Math.max(1, s))],
        fillValue: fillOf(dtype, name),
      })
    this.#index = column(INDEX, 'int64', [])
    for (const r of rows) this.#columns.set(r.name, column(`${RESULTS}/${r.name}`, r.dtype, r.rowShape))
    f.setAttr(ATTR_INDEX, this.shard.index)
    f.setAttr(ATTR_COUNT, this.shard.count)
    if (this.#options.source !== undefined) f.setAttr('source', this.#options.source)
    if (this.#options.scanShape) f.setAttr('scan_shape', this.#options.scanShape.map((s) => (s === null ? -1 : s)))
    if (this.joinPath) {
      const shards = Array.from({ length: this.shard.count }, (_, k) => shardResultsPath(this.joinPath!, { index: k, count: this.shard.count }))
      writeJoin(this.joinPath, shards, g, rows.map((r) => ({ name: r.name, dtype: r.dtype, rowShape: r.rowShape })), this.#options)
    }
    f.startSwmrWrite()
  }
}

// HDF5 reads '%' in a VDS source name as a printf-style pattern.
const vdsName = (s: string): string => s.replace(/%/g, '%%')

function writeJoin(joinPath: string, shardPaths: string[], g: ShardGeometry, columns: ResultColumn[], attrs: { source?: string; scanShape?: Dims }): void {
  const n = shardPaths.length
  const dir = path.dirname(path.resolve(joinPath))
  const f = File.create(joinPath, { locking: false })
  try {
    const all: ResultColumn[] = [{ name: INDEX, dtype: 'int64', rowShape: [] }, ...columns]
    for (const c of all) {
      const rest = c.rowShape
      const zeros = rest.map(() => 0)
      const ones = rest.map(() => 1)
      const scanDims = g.grid ? g.tail : []
      const dataset = c.name === INDEX ? `/${INDEX}` : `${RESULTS}/${c.name}`
      f.createVirtualDataset(dataset, {
        dtype: c.dtype,
        shape: [0, ...scanDims, ...rest],
        maxshape: [null, ...scanDims, ...rest],
        fillValue: fillOf(c.dtype, c.name),
        mappings: shardPaths.map((p, s) => {
          const m = g.mapping(s)
          const scanOnes = m.vspace.start.map(() => 1)
          return {
            file: vdsName(path.relative(dir, path.resolve(p)) || '.'),
            dataset: vdsName(dataset),
            vspace: { start: [...m.vspace.start, ...zeros], stride: [...m.vspace.stride, ...ones], count: [...m.vspace.count, ...ones], block: [...scanOnes, ...rest] },
            srcShape: [0, ...g.shardTail, ...rest],
            srcMaxshape: [null, ...g.shardTail, ...rest],
            srcspace: { start: [...m.srcspace.start, ...zeros], count: [...m.srcspace.count, ...ones], block: [...scanOnes, ...rest] },
          }
        }),
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
 * shard, and together they must be shards 0…n-1 of one n. Each must have written its first frame
 * (a shard's datasets and attributes are made then); the result names, types and layout are read
 * from the first file given.
 */
export function joinResults(outputPath: string, shardPaths: readonly string[]): { shards: number; columns: string[] } {
  if (shardPaths.length === 0) throw new H5Error('joinResults: no shard files given', 'ERR_INVALID_ARG')
  const byIndex = new Map<number, string>()
  let count: number | null = null
  let columns: ResultColumn[] | null = null
  let shardTail: number[] = []
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
        const index = file.dataset(INDEX)
        shardTail = index.maxshape.slice(1) as number[]
        const walk = (group: string) => {
          for (const m of file.list(group)) {
            if (m.objectType === 'group') walk(m.path)
            else if (m.objectType === 'dataset') {
              const ds = file.dataset(m.path)
              columns!.push({ name: m.path.slice(RESULTS.length + 1), dtype: ds.dtype as DType, rowShape: ds.maxshape.slice(1 + shardTail.length) as number[] })
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
  const tail = shardTail.length ? [...shardTail.slice(0, -1), shardTail[shardTail.length - 1] * count!] : []
  writeJoin(outputPath, ordered, new ShardGeometry(tail, count!), columns!, attrs)
  return { shards: count!, columns: columns!.map((c) => c.name) }
}
