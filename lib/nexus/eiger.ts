// DECTRIS Eiger (legacy FileWriter layout): a *_master.h5 whose /entry/data/data_NNNNNN are external
// links to /entry/data/data in *_data_NNNNNN.h5 files that appear one after another during the scan.
// EigerFrames presents them as one frame sequence, opening each data file (SWMR-read while it is
// live) when it appears and refreshing its dataset directly.
import * as path from 'node:path'
import type { Dataset } from '../core/dataset'
import { H5Error } from '../core/errors'
import type { File } from '../core/file'
import { FrameReader, SteppedFrameSource, partFrameSteps, type Frame, type ReadFrameOptions } from '../follow/frame-reader'
import type { Steps } from '../live/steps'
import type { GrowingSource } from '../follow/growth-follower'
import { sleep, now } from '../live/timing'
import type { AnyTypedArray } from '../core/native'
import { openForReading } from '../live/open'

const LINK = /^data_(\d{6})$/

interface Part {
  link: string
  /** The data file as resolved on disk. */
  file: string
  dataset: string
  handle?: File
  reader?: FrameReader
  /** Where its writes are watched (asked once, when the file is opened). */
  watchPath?: string | null
  /** Frame number of the file's first frame (0-based; from image_nr_low when the file has it). */
  first: number
  /**
   * Frames this file holds when complete (image_nr_high - image_nr_low + 1): only for a file that was
   * complete when opened and whose attributes agree (high ≥ low). A live file's attributes are as
   * its writer created them (a SWMR writer cannot make an attribute change visible), e.g. a stale
   * image_nr_high of 0, so while it is written its extent decides.
   */
  capacity: number | null
  size: number
}

export interface EigerLink {
  link: string
  file: string
  dataset: string
}

/** The external data links of an Eiger master file, in order. Empty when the file has none. */
export function eigerLinks(master: File, group = '/entry/data'): EigerLink[] {
  if (!master.has(group)) return []
  return master
    .list(group)
    .filter((m) => m.linkType === 'external' && LINK.test(m.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => ({ link: m.path, file: path.resolve(path.dirname(master.filePath), m.targetFile!), dataset: m.target! }))
}

function attrNumber(attrs: Record<string, unknown>, name: string): number | null {
  const v = attrs[name]
  const x = Array.isArray(v) ? v[0] : v
  return typeof x === 'number' ? x : typeof x === 'bigint' ? Number(x) : null
}

export class EigerFrames extends SteppedFrameSource implements GrowingSource {
  readonly master: File
  readonly scanRank = 1
  readonly retryDelay: number
  #parts: Part[]

  constructor(master: File, options: { group?: string; retryDelay?: number } = {}) {
    super()
    this.master = master
    this.retryDelay = options.retryDelay ?? 100
    this.#parts = eigerLinks(master, options.group).map((l) => ({ ...l, first: -1, capacity: null, size: 0 }))
    if (this.#parts.length === 0)
      throw new H5Error(`'${master.filePath}' has no Eiger data links (${options.group ?? '/entry/data'}/data_NNNNNN)`, 'H5_NOT_FOUND')
  }

  /** The data files, in order, with what is known of each. */
  get files(): Array<{ link: string; file: string; open: boolean; first: number; size: number; capacity: number | null }> {
    return this.#parts.map((p) => ({ link: p.link, file: p.file, open: Boolean(p.reader), first: p.first, size: p.size, capacity: p.capacity }))
  }

  /** The data files open so far (wake on write watches them; a file yet to appear is found by polling). */
  watchFiles(): (string | null)[] {
    return this.#parts.filter((p) => p.reader).map((p) => (p.watchPath === undefined ? (p.watchPath = p.reader!.dataset.watchPath) : p.watchPath))
  }

  /** Frames the scan will have, from the master's detectorSpecific nimages × ntrigger, if recorded. */
  expectedFrames(): number | null {
    const base = '/entry/instrument/detector/detectorSpecific'
    const read = (p: string) => (this.master.has(p) ? Number(this.master.dataset(p).read()[0]) : null)
    const nimages = read(`${base}/nimages`)
    if (nimages === null) return null
    return nimages * (read(`${base}/ntrigger`) ?? 1)
  }

  /**
   * Refresh: open data files that appeared, re-read extents. Returns how many frames are there
   * from frame 0 on without a gap (a file counts only once every file before it is complete).
   */
  available(): number {
    let total = 0
    let next = 0
    for (const p of this.#parts) {
      if (!this.#open(p)) break
      p.reader!.refresh()
      p.size = p.reader!.dataset.shape[0]
      if (p.first < 0) p.first = next
      if (p.first !== total) break // a gap before this file
      total = p.first + p.size
      next = total
      const complete = p.capacity !== null ? p.size >= p.capacity : false
      if (!complete && p !== this.#parts[this.#parts.length - 1]) {
        // Without image_nr_high, a file is complete once the next one exists.
        const after = this.#parts[this.#parts.indexOf(p) + 1]
        if (!(p.capacity === null && this.#open(after))) break
      }
    }
    return total
  }

  get frameShape(): number[] {
    return this.#firstReader().dataset.shape.slice(1)
  }

  get frameSize(): number {
    return this.frameShape.reduce((a, b) => a * b, 1)
  }

  refresh(): void {
    this.available()
  }

  allocateFrame(): AnyTypedArray {
    return this.#firstReader().allocateFrame()
  }

  /** Where frame `index` is: the data file and the index in it. H5_NOT_FOUND names a missing file. */
  locate(index: number): { file: string; link: string; index: number } {
    const { part, local } = this.#find(index)
    return { file: part.file, link: part.link, index: local }
  }

  /** @internal */
  frameSteps(index: number, buffer: AnyTypedArray | null, options: ReadFrameOptions = {}): Steps<Frame> {
    return partFrameSteps(this, index, buffer, options, (i) => {
      const { part, local } = this.#find(i)
      return { reader: part.reader!, local }
    })
  }

  /** Wait (polling, without blocking) up to `timeout` ms for frame `index` to be there, then read it. */
  async waitForFrame(index: number, timeout: number, pollInterval = 20): Promise<Frame> {
    const start = now()
    while (this.available() <= index) {
      if (now() - start >= timeout) break
      await sleep(pollInterval)
    }
    return this.readFrameAsync(index)
  }

  close(): void {
    for (const p of this.#parts) {
      p.handle?.close()
      p.handle = undefined
      p.reader = undefined
      p.watchPath = undefined
    }
  }

  // Open a part's data file if it exists and its writer is ready; false if not yet.
  #open(p: Part): boolean {
    if (p.reader) return true
    let file: File
    try {
      file = openForReading(p.file, { swmr: 'auto' }).file
    } catch (err) {
      if (err instanceof H5Error && ['ENOENT', 'H5_SWMR_NOT_ACTIVE', 'H5_LOCKED', 'H5_NOT_HDF5', 'H5_TRUNCATED'].includes(err.code)) return false
      throw err
    }
    let ds: Dataset
    try {
      ds = file.dataset(p.dataset)
    } catch (err) {
      file.close()
      if (err instanceof H5Error && err.code === 'H5_NOT_FOUND') return false
      throw err
    }
    const attrs = ds.attrs
    const low = attrNumber(attrs, 'image_nr_low')
    const high = attrNumber(attrs, 'image_nr_high')
    if (low !== null && low >= 1) p.first = low - 1
    // Opened SWMR: its writer still has it, and its attributes are as created.
    if (low !== null && high !== null && high >= low && !file.isSwmr) p.capacity = high - low + 1
    p.handle = file
    p.reader = new FrameReader(ds, 1, { retryDelay: this.retryDelay })
    return true
  }

  #firstReader(): FrameReader {
    const p = this.#parts[0]
    if (!this.#open(p)) throw new H5Error(`The first Eiger data file '${p.file}' (external link ${p.link}) does not exist yet`, 'H5_NOT_FOUND')
    return p.reader!
  }

  #find(index: number): { part: Part; local: number } {
    let before = 0
    for (let k = 0; k < this.#parts.length; k++) {
      const p = this.#parts[k]
      if (!this.#open(p))
        throw new H5Error(`Frame ${index} is in an Eiger data file that does not exist (yet): '${p.file}' (external link ${p.link} of '${this.master.filePath}')`, 'H5_NOT_FOUND')
      if (p.first < 0) p.first = before
      let end: number
      if (p.capacity !== null) {
        end = p.first + p.capacity
      } else {
        // No image_nr attributes: a file is as long as it is once the next one exists.
        const next = this.#parts[k + 1]
        if (next && this.#open(next)) {
          p.reader!.refresh()
          p.size = p.reader!.dataset.shape[0]
          end = p.first + p.size
        } else {
          end = Infinity
        }
      }
      if (index < end) {
        if (index < p.first) break
        return { part: p, local: index - p.first }
      }
      before = end
    }
    throw new H5Error(`Frame ${index} is beyond the Eiger data files of '${this.master.filePath}'`, 'H5_OUT_OF_RANGE')
  }

}
