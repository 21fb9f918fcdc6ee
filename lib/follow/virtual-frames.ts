// Virtual datasets (HDF5 VDS, as Odin and Eiger 2024 write them): read each frame from the source
// dataset the mapping sends it to. Reading through the VDS while a source has not reached the frame
// crashes libhdf5 1.10.8 (SIGSEGV in H5S_get_select_offset); reading the source cannot, and keeps the
// direct-read paths. An HDF5 layout, not a facility's: DataSource reads every VDS this way.
import * as path from 'node:path'
import type { Dataset } from '../core/dataset'
import { H5Error } from '../core/errors'
import type { File } from '../core/file'
import { FrameReader, SteppedFrameSource, partFrameSteps, type Frame, type ReadFrameOptions } from './frame-reader'
import type { Steps } from '../live/steps'
import type { AnyTypedArray, NativeSpaceSelection, NativeVirtualMapping } from '../core/native'
import { openForReading } from '../live/open'

/** Where frame `index` of a virtual dataset lives. */
export interface VirtualFrameLocation {
  /** Source file as resolved on disk (relative names are relative to the VDS file's folder). */
  file: string
  dataset: string
  /** Frame index in the source dataset. */
  index: number
  /** Which mapping of the VDS it came from. */
  mapping: number
}

// A hyperslab's parameters along dimension 0 (count null: unlimited).
function alongFirst(sel: NativeSpaceSelection): { start: number; stride: number; count: number | null; block: number } {
  return { start: sel.start![0], stride: sel.stride![0] ?? 1, count: sel.count![0], block: sel.block![0] ?? 1 }
}

// The n-th selected position along dimension 0 of a selection, or null when it has fewer.
function nthAlongFirst(sel: NativeSpaceSelection, n: number): number | null {
  if (sel.type === 'all') return n
  if (sel.type !== 'hyperslab') return null
  const { start, stride, count, block } = alongFirst(sel)
  const k = Math.floor(n / block)
  if (count !== null && k >= count) return null
  return start + k * stride + (n % block)
}

// Which selected position (counted in order) `i` is along dimension 0, or null when not selected.
function rankAlongFirst(sel: NativeSpaceSelection, i: number): number | null {
  if (sel.type === 'all') return i
  if (sel.type !== 'hyperslab') return null
  const { start, stride, count, block } = alongFirst(sel)
  if (i < start) return null
  // With one block the stride means nothing (h5py stores 1); with several, blocks never overlap.
  const k = count === 1 ? 0 : Math.floor((i - start) / stride)
  const j = count === 1 ? i - start : (i - start) % stride
  if (j >= block || (count !== null && k >= count)) return null
  return k * block + j
}

// A mapping selects whole frames when, past dimension 0, it covers each dimension entirely.
function wholeFrames(sel: NativeSpaceSelection, frameShape: number[]): boolean {
  if (sel.type === 'all') return true
  if (sel.type !== 'hyperslab') return false
  return frameShape.every((size, d) => {
    const k = d + 1
    const count = sel.count![k]
    const block = sel.block![k]
    return sel.start![k] === 0 && count !== null && block !== null && count * block === size && (count === 1 || sel.stride![k] === block)
  })
}

export function resolveVirtualFrame(vds: Dataset, mapping: NativeVirtualMapping[], index: number): VirtualFrameLocation | null {
  for (let m = 0; m < mapping.length; m++) {
    const n = rankAlongFirst(mapping[m].vspace, index)
    if (n === null) continue
    const src = nthAlongFirst(mapping[m].srcspace, n)
    if (src === null) continue
    // '%%' is HDF5's escaped '%' in source names (other % patterns are refused by tryCreate).
    const name = mapping[m].file.replace(/%%/g, '%')
    const file = name === '.' ? vds.file.filePath : path.resolve(path.dirname(vds.file.filePath), name)
    return { file, dataset: mapping[m].dataset.replace(/%%/g, '%'), index: src, mapping: m }
  }
  return null
}

/**
 * Reads frames (along dimension 0) of a virtual dataset from its sources, opening each source file
 * once (SWMR-read when a writer is live, file locking off). Positions and slices are the VDS's.
 */
export class VirtualFrameReader extends SteppedFrameSource {
  readonly dataset: Dataset
  readonly scanRank = 1
  readonly retryDelay: number
  #mapping: NativeVirtualMapping[]
  #files = new Map<string, File>()
  #readers = new Map<string, FrameReader>()

  /** A reader when the VDS maps whole frames along its first dimension, else null. */
  static tryCreate(vds: Dataset, options: { retryDelay?: number } = {}): VirtualFrameReader | null {
    const mapping = vds.virtualMapping()
    if (!mapping || mapping.length === 0 || vds.ndim < 1) return null
    const frameShape = vds.shape.slice(1)
    if (!mapping.every((m) => wholeFrames(m.vspace, frameShape) && wholeFrames(m.srcspace, frameShape) && !/%[bf]/.test((m.file + m.dataset).replace(/%%/g, '')))) return null
    return new VirtualFrameReader(vds, mapping, options)
  }

  private constructor(vds: Dataset, mapping: NativeVirtualMapping[], options: { retryDelay?: number }) {
    super()
    this.dataset = vds
    this.#mapping = mapping
    this.retryDelay = options.retryDelay ?? 100
  }

  get frameShape(): number[] {
    return this.dataset.shape.slice(1)
  }

  get frameSize(): number {
    return this.frameShape.reduce((a, b) => a * b, 1)
  }

  /** Where frame `index` lives (source file, dataset, index). */
  locate(index: number): VirtualFrameLocation {
    const at = resolveVirtualFrame(this.dataset, this.#mapping, index)
    if (!at) throw this.dataset._error('H5_OUT_OF_RANGE', `frame ${index} is not mapped to any source of the virtual dataset`)
    return at
  }

  /**
   * Refresh the source datasets opened so far. Not the VDS itself: refreshing it makes HDF5 open its
   * own ids on the sources, and H5Drefresh with two ids open on one dataset returns wrong data.
   */
  refresh(): void {
    for (const r of this.#readers.values()) r.refresh()
  }

  allocateFrame(): AnyTypedArray {
    return this.dataset.allocate({ start: [], count: [this.frameSize] })
  }

  /** @internal */
  frameSteps(index: number, buffer: AnyTypedArray | null, options: ReadFrameOptions = {}): Steps<Frame> {
    return partFrameSteps(this, index, buffer, options, (i) => {
      const { reader, at } = this.#source(i)
      return { reader, local: at.index }
    })
  }

  /** Close the source files this reader opened (the VDS's own file stays open). */
  close(): void {
    for (const f of this.#files.values()) if (f !== this.dataset.file) f.close()
    this.#files.clear()
    this.#readers.clear()
  }

  #source(index: number): { reader: FrameReader; at: VirtualFrameLocation } {
    const at = this.locate(index)
    const key = `${at.file}\0${at.dataset}`
    let reader = this.#readers.get(key)
    if (!reader) {
      let file = at.file === this.dataset.file.filePath ? this.dataset.file : this.#files.get(at.file)
      if (!file) {
        try {
          file = openForReading(at.file, { swmr: 'auto' }).file
        } catch (err) {
          if (err instanceof H5Error && err.code === 'ENOENT')
            throw new H5Error(`Source file '${at.file}' of the virtual dataset '${this.dataset.path}' does not exist (yet)`, 'H5_NOT_FOUND')
          throw err
        }
        this.#files.set(at.file, file)
      }
      reader = new FrameReader(file.dataset(at.dataset), 1, { retryDelay: this.retryDelay })
      this.#readers.set(key, reader)
    }
    return { reader, at }
  }

}
