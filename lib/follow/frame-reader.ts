// FrameReader: flat scan index → scan position → one frame read into a typed array.
import { H5Error } from '../core/errors'
import type { Dataset } from '../core/dataset'
import type { AnyTypedArray } from '../core/native'
import { frameSelection, positionSlices, unravelIndex, type Slice } from './scan'
import { pause, runAsync, runSync, type Steps } from '../live/steps'

/**
 * A frame's elements in C order: a typed array HDF5 wrote straight into (numbers, complex numbers),
 * or an array of values for datasets of strings, records, ... (see `Dataset.read`).
 */
export type FrameData = AnyTypedArray | unknown[]

export interface Frame<T extends FrameData = AnyTypedArray> {
  /** The frame's elements in C order. */
  data: T
  /** `(1,)*scanRank + frameShape`: the singleton scan dimensions are kept, as in swmr_tools. */
  shape: number[]
  /** Position in the scan dimensions (C-order unravel of `index` over the data's scan shape). */
  position: number[]
  /** `[p, p+1)` per scan dimension: swmr_tools' `slice_metadata`. */
  slices: Slice[]
  index: number
}

export interface FrameReaderOptions {
  /**
   * Milliseconds to wait before the second (last) refresh when an index lies beyond the data's
   * extent even after an immediate refresh. Default 100 (swmr_tools sleeps 1000 before its only
   * refresh).
   */
  retryDelay?: number
}

export interface ReadFrameOptions {
  /** Refresh the dataset before reading (swmr_tools' `force_refresh`), e.g. once per new batch of keys. */
  refresh?: boolean
}

/**
 * What DataSource reads frames through: a FrameReader over one dataset, or a reader that spreads a
 * scan over several datasets (a virtual dataset's sources, an Eiger master's data files).
 */
export interface FrameSource {
  readonly scanRank: number
  /** false when frames are values (strings, records: `FrameData`), which are never read into a buffer. */
  readonly typed?: boolean
  /** Elements in one frame. */
  readonly frameSize: number
  /** Re-read the extent of the underlying dataset(s). */
  refresh(): void
  allocateFrame(): AnyTypedArray
  readFrame(index: number, options?: ReadFrameOptions): Frame
  readFrameInto<T extends AnyTypedArray>(index: number, buffer: T, options?: ReadFrameOptions): Frame<T>
  readFrameAsync(index: number, options?: ReadFrameOptions): Promise<Frame>
  readFrameIntoAsync<T extends AnyTypedArray>(index: number, buffer: T, options?: ReadFrameOptions): Promise<Frame<T>>
}

/**
 * For frame sources spread over several datasets (Eiger data files, a virtual dataset's sources):
 * a refresh asked for one frame (DataSource: once per new batch of keys) must reach every underlying
 * dataset, since the frames of the batch may come from any of them. Refreshes `source` and returns
 * the options for the part's own read.
 */
export function refreshAllParts(source: { refresh(): void }, options: ReadFrameOptions): ReadFrameOptions {
  if (!options.refresh) return options
  source.refresh()
  return { ...options, refresh: false }
}

/**
 * A frame source written once, as the steps of one frame's read (`frameSteps`, into the caller's
 * buffer or a new array); the four read calls of FrameSource are derived from it here, sync and async.
 */
export abstract class SteppedFrameSource implements FrameSource {
  abstract readonly scanRank: number
  abstract readonly frameSize: number
  abstract refresh(): void
  abstract allocateFrame(): AnyTypedArray
  /** @internal Frame `index` read into `buffer` (a new array when null), as steps for a driver. */
  abstract frameSteps(index: number, buffer: AnyTypedArray | null, options: ReadFrameOptions): Steps<Frame>

  readFrame(index: number, options: ReadFrameOptions = {}): Frame {
    return runSync(this.frameSteps(index, null, options))
  }

  /** Read into the caller's typed array (one frame's elements, of the dataset's `arrayType`). */
  readFrameInto<T extends AnyTypedArray>(index: number, buffer: T, options: ReadFrameOptions = {}): Frame<T> {
    return runSync(this.frameSteps(index, buffer, options)) as Frame<T>
  }

  /** `readFrame` with the read on the decode pool (and any retry wait on a timer). */
  readFrameAsync(index: number, options: ReadFrameOptions = {}): Promise<Frame> {
    return runAsync(this.frameSteps(index, null, options))
  }

  readFrameIntoAsync<T extends AnyTypedArray>(index: number, buffer: T, options: ReadFrameOptions = {}): Promise<Frame<T>> {
    return runAsync(this.frameSteps(index, buffer, options)) as Promise<Frame<T>>
  }
}

/**
 * The steps of a source spread over several datasets (Eiger data files, a virtual dataset's sources):
 * refresh every part when asked (see refreshAllParts), find the part holding frame `index`, read it
 * there, and renumber it as frame `index` of the whole scan.
 */
export function* partFrameSteps(
  source: { refresh(): void },
  index: number,
  buffer: AnyTypedArray | null,
  options: ReadFrameOptions,
  find: (index: number) => { reader: SteppedFrameSource; local: number },
): Steps<Frame> {
  const own = refreshAllParts(source, options)
  const { reader, local } = find(index)
  return asScanFrame(yield* reader.frameSteps(local, buffer, own), index)
}

/** A part's frame, renumbered as frame `index` of a 1-D scan over all parts. */
export function asScanFrame<T extends FrameData>(frame: Frame<T>, index: number): Frame<T> {
  return { ...frame, index, position: [index], slices: [{ start: index, stop: index + 1 }] }
}

/**
 * Reads frames of `dataset`, whose first `scanRank` dimensions are the scan and the rest one frame.
 * Frame `index` is at the C-order unravel of `index` over the data's current scan shape.
 */
export class FrameReader extends SteppedFrameSource {
  readonly dataset: Dataset
  readonly scanRank: number
  readonly retryDelay: number

  constructor(dataset: Dataset, scanRank: number, options: FrameReaderOptions = {}) {
    super()
    if (!Number.isSafeInteger(scanRank) || scanRank < 0)
      throw new H5Error(`scanRank must be a non-negative integer, got ${scanRank}`, 'ERR_INVALID_ARG')
    if (scanRank > dataset.ndim)
      throw dataset._error('ERR_INVALID_ARG', `scan rank ${scanRank} exceeds the dataset's ${dataset.ndim} dimensions`)
    this.dataset = dataset
    this.scanRank = scanRank
    this.retryDelay = options.retryDelay ?? 100
    if (!(this.retryDelay >= 0)) throw new H5Error('retryDelay must be >= 0', 'ERR_INVALID_ARG')
  }

  /** Frames fill typed arrays (numbers, complex numbers), or are values (strings, records, ...). */
  get typed(): boolean {
    return this.dataset.typed
  }

  /** Shape of one frame without the scan dimensions, as of the last refresh. */
  get frameShape(): number[] {
    return this.dataset.shape.slice(this.scanRank)
  }

  /** Elements in one frame. */
  get frameSize(): number {
    return this.frameShape.reduce((a, b) => a * b, 1)
  }

  refresh(): void {
    this.dataset.refresh()
  }

  /** A typed array sized for one frame, for `readFrameInto` (datasets that read into typed arrays). */
  allocateFrame(): AnyTypedArray {
    return this.dataset.allocate({ start: [], count: [this.frameSize] })
  }

  /** Position of `index` over the data's current scan shape (throws H5_OUT_OF_RANGE beyond it). */
  position(index: number): number[] {
    return unravelIndex(index, this.dataset.shape.slice(0, this.scanRank))
  }

  /** @internal */
  *frameSteps(index: number, buffer: AnyTypedArray | null, options: ReadFrameOptions = {}): Steps<Frame> {
    const ds = this.dataset
    if (options.refresh) ds.refresh()
    let position = this.#tryPosition(index)
    if (!position) {
      // Beyond the stored extent: refresh at once (the usual case: the data grew since the last
      // refresh), then once more after a short wait, then give up.
      ds.refresh()
      position = this.#tryPosition(index)
      if (!position) {
        yield pause(this.retryDelay)
        ds.refresh()
        position = this.#tryPosition(index)
        if (!position)
          throw ds._error('H5_OUT_OF_RANGE', `frame ${index} is beyond the scan shape [${ds.shape.slice(0, this.scanRank).join(', ')}] of the data, after a refresh and a retry`)
      }
    }
    const shape = ds.shape
    const selection = frameSelection(position, shape)
    // Strings, records, ...: values, never into a buffer. Numbers: HDF5 writes every byte of the
    // frame (data or fill value), so a new array need not be zero-filled.
    const data = ds.typed
      ? (yield { kind: 'read', dataset: ds, selection, out: buffer ?? ds._allocateForRead(selection) })!
      : (yield { kind: 'values', dataset: ds, selection })!
    return {
      data: data as AnyTypedArray,
      shape: selection.count,
      position,
      slices: positionSlices(position),
      index,
    }
  }

  #tryPosition(index: number): number[] | null {
    try {
      return this.position(index)
    } catch (err) {
      if (err instanceof H5Error && err.code === 'H5_OUT_OF_RANGE') return null
      throw err
    }
  }
}
