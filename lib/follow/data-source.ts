// DataSource: a KeyFollower plus one FrameReader per data dataset; yields every ready frame with its
// scan position. Also the write-back helpers (swmr_tools utils.create_dataset / append_data).
import { H5Error } from '../core/errors'
import type { Dataset } from '../core/dataset'
import { dtypeOfArray } from '../core/dtype'
import type { DatasetOptions, Group } from '../core/file'
import type { AnyTypedArray, Dims } from '../core/native'
import { FrameReader, type Frame, type FrameData, type FrameSource } from './frame-reader'
import { KeyFollower, type KeyFollowerOptions } from './key-follower'
import { VirtualFrameReader } from './virtual-frames'
import type { Slice } from './scan'
import { shardFromEnvironment } from './shard'
import { Serial } from './serial'
import type { WakeStats } from '../live/watch'

/** A typed array with the shape it stands for (C order). */
export interface ShapedArray<T extends FrameData = AnyTypedArray> {
  data: T
  shape: number[]
}

/** One step of a DataSource (swmr_tools' SliceDict: `index`, `slice_metadata`, `maxshape`, frames by label). */
export interface DataSourceItem {
  /** Flat C-order scan index. */
  index: number
  /** Scan position of the frame (from the first dataset read). */
  position: number[]
  /** `[p, p+1)` per scan dimension (`slice_metadata`); for interleaved data the first is `[index, index+1)`. */
  slices: Slice[]
  /** Scan maxshape of the keys (`null` = unlimited). */
  maxshape: Dims
  /** Frame per label; each `shape` is `(1,)*scanRank + frameShape`, as swmr_tools returns. */
  frames: Record<string, ShapedArray>
}

export interface DataSourceOptions extends KeyFollowerOptions {
  /**
   * Frames written alternately by several writers: frame i of `label` is frame `floor(i / n)` of
   * `datasets[i % n]` (n = the list's length).
   */
  interleaved?: Record<string, readonly Dataset[]>
  /**
   * Only yield indices with `index % count === shardIndex`: N processes share one scan, each frame
   * once. `'auto'`: from the scheduler's environment (SLURM job array, Kubernetes Indexed Job,
   * H5SWMR_SHARD=i/n; see shardFromEnvironment).
   */
  shard?: { index: number; count: number } | 'auto'
  /** FrameReader retry delay (ms) for an index beyond the data's extent. */
  retryDelay?: number
  /**
   * "Latest frame wins", for live viewing: when the consumer is slower than the detector, skip to the
   * newest ready frame instead of reading every one in order. Skipped indices are counted in
   * `skippedFrames` (never read, so they cost no I/O).
   */
  latestOnly?: boolean
  /** Hand out indices with this follower instead of a KeyFollower over `keys` (which may then be null). */
  follower?: IndexFollower
  /**
   * Read every frame of a label into the same typed array (no allocation per frame). The arrays
   * in an item are then only valid until the next step: copy what you keep.
   */
  reuseBuffers?: boolean
  /**
   * Async iteration only: keep the frame reads of up to this many indices in flight (default 1),
   * yielded in index order. Only indices the follower already knows are ready are read ahead, so
   * this never waits for the writer. Helps where decoding dominates (compressed frames: the reads
   * decode in parallel on the decode pool). With `reuseBuffers` each label rotates through
   * `concurrency + 1` arrays, so an item's arrays still stay valid until the next step. Not with
   * `latestOnly` (which reads only the newest frame: there is nothing to read ahead).
   */
  concurrency?: number
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true }

// Every label's read of one index, settled before the first failure is thrown: no read outlives its
// step (with reuseBuffers, a read still running would write into an array the next step hands out).
async function allFrames(reads: Promise<Frame>[]): Promise<Frame[]> {
  const results = await Promise.allSettled(reads)
  const failed = results.find((r) => r.status === 'rejected')
  if (failed) throw (failed as PromiseRejectedResult).reason
  return results.map((r) => (r as PromiseFulfilledResult<Frame>).value)
}

/** What DataSource needs from a follower: KeyFollower, or GrowthFollower for files without keys. */
export interface IndexFollower {
  readonly scanRank: number
  readonly maxshape: Dims
  readonly currentMax: number
  readonly finished: boolean
  readonly timedOut: boolean
  readonly aborted: boolean
  reset(): void
  next(): IteratorResult<number, undefined>
  nextAsync(): Promise<IteratorResult<number, undefined>>
  /** How its waits for the writer went (wake on write or polling); optional for followers of your own. */
  readonly wakeStats?: WakeStats
  /** Stop watching files (when iteration stops early). */
  release?(): void
}

function isFrameSource(x: unknown): x is FrameSource {
  return typeof (x as FrameSource).readFrame === 'function' && typeof (x as FrameSource).allocateFrame === 'function'
}

/**
 * The reader for one label: a FrameSource as it is; a virtual dataset whose mapping gives whole
 * frames along the first dimension, through its sources (a live read through the VDS itself where
 * a source has not reached yet crashes libhdf5 1.10.8); any other dataset, a FrameReader.
 */
function frameSourceFor(x: Dataset | FrameSource, rank: number, options: { retryDelay?: number }): FrameSource {
  if (isFrameSource(x)) return x
  if (x.layout === 'virtual' && rank === 1) {
    const reader = VirtualFrameReader.tryCreate(x, options)
    if (reader) return reader
  }
  return new FrameReader(x, rank, options)
}

interface Reader {
  reader: FrameSource
  /** The batch at which this reader was last refreshed. */
  batch: number
  /** Made here (a virtual dataset's reader, which opens its source files): closed by close(). */
  owned: boolean
}

type Plan = { label: string; reader: FrameSource; index: number; refresh: boolean; interleaved: boolean; buffer: AnyTypedArray | null }

// A planned frame read: into the plan's buffer (reuseBuffers), else a new array.
function readPlanned(p: Plan): Frame {
  const options = { refresh: p.refresh }
  return p.buffer ? p.reader.readFrameInto(p.index, p.buffer, options) : p.reader.readFrame(p.index, options)
}

function readPlannedAsync(p: Plan): Promise<Frame> {
  const options = { refresh: p.refresh }
  return p.buffer ? p.reader.readFrameIntoAsync(p.index, p.buffer, options) : p.reader.readFrameAsync(p.index, options)
}

/**
 * Follows keys and reads, for every ready index, one frame of each data dataset. Data datasets are
 * refreshed (H5Drefresh) only when an index beyond the key max known at the previous refresh comes
 * up, i.e. once per new batch of keys; frames of a batch are then read without further metadata I/O.
 */
export class DataSource implements Iterable<DataSourceItem>, AsyncIterable<DataSourceItem> {
  readonly follower: IndexFollower
  readonly shard: { index: number; count: number } | null
  #datasets: [string, Reader][]
  #interleaved: [string, Reader[]][]
  #maxIndex = -1
  #batch = 0
  #serial = new Serial()
  #reuse: boolean
  #latestOnly: boolean
  /** With `latestOnly`: ready frames passed over for a newer one. */
  skippedFrames = 0
  /** With reuseBuffers: per label, the arrays frames are read into, taken in turn. */
  #buffers = new Map<string, { arrays: AnyTypedArray[]; sizes: number[]; next: number }>()
  #concurrency: number
  /** concurrency > 1: the next indices' items, reads in flight, in index order. */
  #pipeline: Promise<DataSourceItem>[] = []
  /** Last index the follower handed out (in this shard or not): read ahead only below its currentMax. */
  #pulled = -1

  /**
   * `keys`: the key dataset(s) a KeyFollower follows — or `null` with `options.follower` (e.g. a
   * GrowthFollower for files without keys). `datasets`: label → a Dataset (a virtual dataset whose
   * mapping gives whole frames is read through its sources) or any FrameSource (e.g. EigerFrames).
   */
  constructor(keys: Dataset | readonly Dataset[] | null, datasets: Record<string, Dataset | FrameSource> | null, options: DataSourceOptions = {}) {
    if (keys === null && !options.follower) throw new H5Error('DataSource needs key datasets or a follower', 'ERR_INVALID_ARG')
    this.follower = options.follower ?? new KeyFollower(keys!, options)
    const rank = this.follower.scanRank
    const frOpts = { retryDelay: options.retryDelay }
    if (!datasets && !options.interleaved) throw new H5Error('No data specified to follow!', 'ERR_INVALID_ARG')
    const reader = (ds: Dataset | FrameSource): Reader => {
      const r = frameSourceFor(ds, rank, frOpts)
      return { reader: r, batch: -1, owned: r instanceof VirtualFrameReader && r !== ds }
    }
    this.#datasets = Object.entries(datasets ?? {}).map(([label, ds]) => [label, reader(ds)])
    this.#interleaved = Object.entries(options.interleaved ?? {}).map(([label, list]) => {
      if (list.length === 0) throw new H5Error(`interleaved '${label}' has no datasets`, 'ERR_INVALID_ARG')
      return [label, list.map(reader)]
    })
    if (this.#datasets.length === 0 && this.#interleaved.length === 0)
      throw new H5Error('No data specified to follow!', 'ERR_INVALID_ARG')
    const shard = options.shard === 'auto' ? shardFromEnvironment() : options.shard
    if (shard) {
      if (!Number.isSafeInteger(shard.count) || shard.count < 1 || !Number.isSafeInteger(shard.index) || shard.index < 0 || shard.index >= shard.count)
        throw new H5Error(`shard must be {index, count} with 0 <= index < count, got ${JSON.stringify(shard)}`, 'ERR_INVALID_ARG')
    }
    this.shard = shard ? { index: shard.index, count: shard.count } : null
    this.#reuse = options.reuseBuffers ?? false
    this.#latestOnly = options.latestOnly ?? false
    const concurrency = options.concurrency ?? 1
    if (!Number.isSafeInteger(concurrency) || concurrency < 1)
      throw new H5Error(`concurrency must be a positive integer, got ${concurrency}`, 'ERR_INVALID_ARG')
    if (concurrency > 1 && this.#latestOnly)
      throw new H5Error('latestOnly reads only the newest frame: it cannot read ahead with concurrency > 1', 'ERR_INVALID_ARG')
    this.#concurrency = concurrency
  }

  /**
   * Close what this DataSource opened itself (the source files of virtual datasets it reads
   * through) and stop watching for writes. The datasets, files and frame sources you gave stay open:
   * they are yours.
   */
  close(): void {
    for (const r of [...this.#datasets.map(([, r]) => r), ...this.#interleaved.flatMap(([, rs]) => rs)])
      if (r.owned) (r.reader as VirtualFrameReader).close()
    this.follower.release?.()
  }

  [Symbol.dispose](): void {
    this.close()
  }

  /** Indices whose frames async iteration keeps in flight. */
  get concurrency(): number {
    return this.#concurrency
  }

  get scanRank(): number {
    return this.follower.scanRank
  }

  get maxshape(): Dims {
    return this.follower.maxshape
  }

  /** Start again from index 0 (the finished flag stays set, as in swmr_tools); reads ahead are dropped. */
  reset(): void {
    this.follower.reset()
    this.#maxIndex = -1
    this.#pulled = -1
    if (this.#pipeline.length > 0) {
      this.#pipeline = [] // their failures are already caught
      this.#buffers.clear() // reads still running write into these arrays: hand out fresh ones
    }
  }

  /** True once the finished flag was seen (swmr_tools `is_scan_finished`). */
  isScanFinished(): boolean {
    return this.follower.finished
  }

  /** True when the last wait ended on the timeout (swmr_tools `has_timed_out`). */
  hasTimedOut(): boolean {
    return this.follower.timedOut
  }

  /** One step, reading on this thread (`concurrency` does not apply: nothing is read ahead). */
  next(): IteratorResult<DataSourceItem, undefined> {
    if (this.#serial.busy) throw new H5Error('DataSource: an async call is still running', 'ERR_INVALID_ARG')
    if (this.#pipeline.length > 0)
      throw new H5Error('DataSource: frames read ahead by async iteration are pending; go on with nextAsync() or reset()', 'ERR_INVALID_ARG')
    const i = this.#nextIndex()
    if (i < 0) return DONE
    const plan = this.#plan(i)
    const frames = plan.map(readPlanned)
    return { value: this.#item(i, frames, plan), done: false }
  }

  nextAsync(): Promise<IteratorResult<DataSourceItem, undefined>> {
    if (this.#concurrency > 1) return this.#serial.run(() => this.#nextAhead())
    return this.#serial.run(async () => {
      const i = await this.#nextIndexAsync()
      if (i < 0) return DONE
      const plan = this.#plan(i)
      const frames = await allFrames(plan.map(readPlannedAsync))
      return { value: this.#item(i, frames, plan), done: false }
    })
  }

  // concurrency > 1: the head of the pipeline, kept full with indices already known to be ready.
  async #nextAhead(): Promise<IteratorResult<DataSourceItem, undefined>> {
    this.#fill()
    if (this.#pipeline.length === 0) {
      const i = await this.#nextIndexAsync() // nothing known ready: wait for the writer
      if (i < 0) return DONE
      this.#pipeline.push(this.#readAhead(i))
      this.#fill() // the poll that found i may have found more
    }
    const head = this.#pipeline.shift()!
    try {
      return { value: await head, done: false }
    } finally {
      this.#fill() // keep the pool busy while the consumer works on this item
    }
  }

  // Start reads for known-ready indices until `concurrency` are in flight (besides the item being
  // handed out). follower.next() returns at once for an index at most currentMax: no I/O, no wait.
  #fill(): void {
    while (this.#pipeline.length < this.#concurrency && this.follower.currentMax > this.#pulled) {
      const i = this.#pull(this.follower.next())
      if (i < 0) return
      if (this.#inShard(i)) this.#pipeline.push(this.#readAhead(i))
    }
  }

  // Read every label of index i. Planned and started now, in index order, so a new batch's
  // refresh comes before its reads (reads of the previous batch may still be running: safe, as
  // each read's HDF5 calls run under the HDF5 lock and its decode works on a copy of the chunk).
  // Settles once every label's read has, so no read outlives its item (and its array's turn).
  #readAhead(i: number): Promise<DataSourceItem> {
    const item = (async () => {
      const plan = this.#plan(i)
      for (const p of plan) {
        if (!p.refresh) continue
        p.reader.refresh()
        p.refresh = false
      }
      return this.#item(i, await allFrames(plan.map(readPlannedAsync)), plan)
    })()
    item.catch(() => {}) // a failure surfaces at its turn, not as an unhandled rejection
    return item
  }

  // A loop left early (break, throw) stops the follower watching the file; iterating again resumes.
  [Symbol.iterator](): Iterator<DataSourceItem, undefined> {
    return { next: () => this.next(), return: () => (this.follower.release?.(), DONE) }
  }

  [Symbol.asyncIterator](): AsyncIterator<DataSourceItem, undefined> {
    return { next: () => this.nextAsync(), return: async () => (this.follower.release?.(), DONE) }
  }

  /** Create an output dataset for per-frame results shaped `maxshape + result.shape` (see `createOutputDataset`). */
  createDataset(group: Group, path: string, first: ShapedArray, options: Partial<DatasetOptions> = {}): Dataset {
    return createOutputDataset(group, path, first, this.follower.maxshape, options)
  }

  /** Write a result at `slices` (growing the dataset as needed; see `appendData`). */
  appendData(dataset: Dataset, slices: readonly Slice[], result: ShapedArray): void {
    appendData(dataset, slices, result)
  }

  // With latestOnly: hand the follower's already-known indices out unread, up to the newest one
  // (no I/O: they are below currentMax). Otherwise `i` itself.
  #latest(i: number): number {
    if (!this.#latestOnly) return i
    let newest = i
    while (this.follower.currentMax > newest) {
      const next = this.#pull(this.follower.next())
      if (next < 0) break
      if (!this.#inShard(next)) continue
      this.skippedFrames++
      newest = next
    }
    return newest
  }

  // Every index taken from the follower passes here: -1 when it has none.
  #pull(r: IteratorResult<number, undefined>): number {
    if (r.done) return -1
    this.#pulled = r.value
    return r.value
  }

  #inShard(i: number): boolean {
    return !this.shard || i % this.shard.count === this.shard.index
  }

  #nextIndex(): number {
    for (;;) {
      const i = this.#pull(this.follower.next())
      if (i < 0) return -1
      if (this.#inShard(i)) return this.#latest(i)
    }
  }

  async #nextIndexAsync(): Promise<number> {
    for (;;) {
      const i = this.#pull(await this.follower.nextAsync())
      if (i < 0) return -1
      if (this.#inShard(i)) return this.#latest(i)
    }
  }

  /** Which reader reads which frame for index i, and whether it must refresh first. */
  #plan(i: number): Plan[] {
    if (i > this.#maxIndex) {
      this.#maxIndex = this.follower.currentMax
      this.#batch++
    }
    const use = (r: Reader) => {
      const refresh = r.batch < this.#batch
      r.batch = this.#batch
      return refresh
    }
    const plan: Plan[] = []
    for (const [label, r] of this.#datasets) plan.push({ label, reader: r.reader, index: i, refresh: use(r), interleaved: false, buffer: null })
    for (const [label, list] of this.#interleaved) {
      const r = list[i % list.length]
      plan.push({ label, reader: r.reader, index: Math.floor(i / list.length), refresh: use(r), interleaved: true, buffer: null })
    }
    // Values (strings, records) are never read into a buffer: only typed frames reuse theirs.
    if (this.#reuse) for (const p of plan) if (p.reader.typed !== false) p.buffer = this.#buffer(p)
    return plan
  }

  // The label's next array, sized for the frame (refreshed first if this step refreshes). One per
  // label; concurrency n: n + 1 in turn (n in flight, one with the consumer).
  #buffer(p: Plan): AnyTypedArray {
    if (p.refresh) {
      p.reader.refresh()
      p.refresh = false
    }
    const size = p.reader.frameSize
    let ring = this.#buffers.get(p.label)
    if (!ring) this.#buffers.set(p.label, (ring = { arrays: [], sizes: [], next: 0 }))
    const k = ring.next
    ring.next = (k + 1) % (this.#concurrency === 1 ? 1 : this.#concurrency + 1)
    let buf = ring.arrays[k]
    if (!buf || ring.sizes[k] !== size) {
      buf = ring.arrays[k] = p.reader.allocateFrame()
      ring.sizes[k] = size
    }
    return buf
  }

  #item(i: number, frames: Frame[], plan: { label: string; interleaved: boolean }[]): DataSourceItem {
    const out: Record<string, ShapedArray> = {}
    frames.forEach((f, k) => (out[plan[k].label] = { data: f.data, shape: f.shape }))
    const first = frames[0]
    let position = first.position
    let slices = first.slices
    if (plan[0].interleaved) {
      position = [i, ...position.slice(1)]
      slices = [{ start: i, stop: i + 1 }, ...slices.slice(1)]
    }
    return { index: i, position, slices, maxshape: this.follower.maxshape, frames: out }
  }
}


function checkShaped(result: ShapedArray, what: string): number {
  const n = result.shape.reduce((a, b) => a * b, 1)
  if (n !== result.data.length)
    throw new H5Error(`${what}: shape [${result.shape.join(', ')}] holds ${n} elements but the array has ${result.data.length}`, 'ERR_INVALID_ARG')
  return n
}

/**
 * swmr_tools `utils.create_dataset`: create `path` for per-frame results, shape
 * `[1]*scanRank + result.shape`, maxshape `scanMaxshape + result.shape`, and write `first` as the
 * first point. Default chunks as upstream: one result per chunk, or — for results of fewer than 10
 * elements — the whole maxshape (unlimited dimensions as 1). `options` overrides dtype (default: from
 * the typed array), chunks, compression, fill value...
 */
export function createOutputDataset(group: Group, path: string, first: ShapedArray, scanMaxshape: Dims, options: Partial<DatasetOptions> = {}): Dataset {
  const n = checkShaped(first, 'createOutputDataset')
  const maxshape: Dims = [...scanMaxshape, ...first.shape]
  const shape = [...scanMaxshape.map(() => 1), ...first.shape]
  const chunks = options.chunks ?? (n < 10 ? maxshape.map((m) => (m === null ? 1 : m)) : shape)
  const dtype = options.dtype ?? dtypeOfArray(first.data)
  if (!dtype) throw new H5Error(`createOutputDataset: no dtype for ${first.data.constructor.name}`, 'ERR_INVALID_ARG')
  const ds = group.createDataset(path, { ...options, dtype, shape, maxshape, chunks })
  ds.write(null, first.data)
  return ds
}

/**
 * swmr_tools `utils.append_data`: write `result` at `slices` + the whole result shape, growing the
 * dataset first where that reaches past its extent.
 */
export function appendData(dataset: Dataset, slices: readonly Slice[], result: ShapedArray): void {
  checkShaped(result, 'appendData')
  const start = [...slices.map((s) => s.start), ...result.shape.map(() => 0)]
  const stop = [...slices.map((s) => s.stop), ...result.shape]
  const current = dataset.shape
  if (stop.length !== current.length)
    throw dataset._error('ERR_INVALID_ARG', `appendData: ${slices.length} slices + result shape [${result.shape.join(', ')}] do not match the dataset's ${current.length} dimensions`)
  const grown = stop.map((s, i) => Math.max(s, current[i]))
  if (grown.some((g, i) => g > current[i])) dataset.extend(grown)
  dataset.write({ start, count: stop.map((s, i) => s - start[i]) }, result.data)
}
