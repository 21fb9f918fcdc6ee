// KeyFollower: hands out the flat indices of frames whose keys are all set, waiting for new ones.
// swmr_tools 0.9 semantics (see docs/FOLLOW.md), with incremental key reads.
import { H5Error } from '../core/errors'
import type { Dataset } from '../core/dataset'
import type { AnyTypedArray, Dims } from '../core/native'
import { flatRangeSlab, scanRankOf } from './scan'
import { armWatch, read, runAsync, runSync, waitForWrite, type Steps } from '../live/steps'
import { FileWatch, type WakeStats } from '../live/watch'
import { Serial } from './serial'
import { defaultWarning, now, resolveTiming, type TimingOptions, type WarningHandler } from '../live/timing'

/** Index of the first zero of `arr` in `[from, to)`, or `to`. NaN counts as non-zero (as in numpy). */
function firstZero(arr: AnyTypedArray, from: number, to: number): number {
  if (arr instanceof BigInt64Array || arr instanceof BigUint64Array) {
    for (let i = from; i < to; i++) if (arr[i] === 0n) return i
    return to
  }
  const a = arr as Float64Array
  for (let i = from; i < to; i++) if (a[i] === 0) return i
  return to
}

export interface KeyFollowerOptions extends TimingOptions {
  /**
   * A dataset with exactly one element (shape `()` or `(1,)`...); any non-zero value means the writer
   * has finished. Read only while waiting. Any other size is ignored with a warning.
   */
  finishedDataset?: Dataset | null
  /**
   * Opt-in, milliseconds: an index whose keys stay unset for this long while a later index is
   * ready (a dropped frame) is skipped and reported in `skipped`. Once the finished flag is seen,
   * remaining gaps are skipped at once. Ready indices are looked for up to 65 536 indices past the
   * first unset one. Default: never skip (swmr_tools stops at the first gap).
   */
  skipGapsAfter?: number
  /** Where warnings go (non-singular finished dataset, maxshape mismatch, keys going back to zero). Default: process.emitWarning. */
  onWarning?: WarningHandler
}

/** Counters, for monitoring and tests. */
export interface KeyFollowerStats {
  /** Key polls made (each refreshes every key dataset). */
  polls: number
  /** Key reads (H5Dread calls) made. */
  keyReads: number
  /** Key elements read in total. */
  keyElementsRead: number
  /** Times the keys were found to have gone back (cleared, shrunk, or re-laid out) and were re-verified. */
  rescans: number
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true }
const FIRST_WINDOW = 1024
const MAX_WINDOW = 1 << 20
/** How far past the first unset index `skipGapsAfter` looks for ready ones (bounds a poll's cost on pre-sized keys). */
const GAP_LOOKAHEAD = 1 << 16

/**
 * Follows key datasets: integer datasets (fill value 0) that a writer sets non-zero once the frame
 * with the same flat (C-order) index is flushed. Iterate it with `for (const i of follower)`
 * (blocking) or `for await (const i of follower)` (never blocks the event loop); iteration ends on
 * the timeout, on the finished flag, or when `signal` aborts. Iterating again continues where it
 * stopped; `reset()` starts from 0.
 */
export class KeyFollower implements Iterable<number>, AsyncIterable<number> {
  readonly keys: readonly Dataset[]
  readonly finishedDataset: Dataset | null
  readonly timeout: number
  readonly pollInterval: number
  readonly wake: 'auto' | 'poll'
  readonly skipGapsAfter: number | undefined
  readonly signal: AbortSignal | undefined
  /** Number of scan dimensions (trailing maxshape-1 dimensions of the keys stripped). */
  scanRank = -1
  /** Scan maxshape: the first key's maxshape cut to `scanRank`; `null` = unlimited. */
  maxshape: Dims = []
  /** Last index handed out (-1 before the first). */
  currentKey = -1
  /** Set when the last wait ended on the timeout; cleared by `reset()`. */
  timedOut = false
  /** Set once the finished flag has been seen non-zero. Sticky: `reset()` keeps it (as swmr_tools). */
  finished = false
  /** Set when iteration ended because `signal` aborted. */
  aborted = false
  /** Indices skipped by `skipGapsAfter`, ascending. They are never handed out. */
  readonly skipped: number[] = []
  readonly stats: KeyFollowerStats = { polls: 0, keyReads: 0, keyElementsRead: 0, rescans: 0 }

  #currentMax = -1
  #warn: WarningHandler
  #layout: string[] = []
  #skippedSet = new Set<number>()
  #gapSeen = new Map<number, number>()
  #waitStart: number | null = null
  #warnedFinished = false
  #serial = new Serial()
  #watch: FileWatch | null = null

  constructor(keys: Dataset | readonly Dataset[], options: KeyFollowerOptions = {}) {
    this.keys = Array.isArray(keys) ? [...keys] : [keys as Dataset]
    const timing = resolveTiming(options)
    this.timeout = timing.timeout
    this.pollInterval = timing.pollInterval
    this.wake = timing.wake
    this.finishedDataset = options.finishedDataset ?? null
    this.signal = options.signal
    this.#warn = options.onWarning ?? defaultWarning
    if (options.skipGapsAfter !== undefined && !(options.skipGapsAfter >= 0))
      throw new H5Error(`skipGapsAfter must be a number of milliseconds >= 0, got ${options.skipGapsAfter}`, 'ERR_INVALID_ARG')
    this.skipGapsAfter = options.skipGapsAfter
    this.checkDatasets()
  }

  /**
   * swmr_tools `check_datasets()`: computes `scanRank` and `maxshape` (the constructor calls it).
   * Keys of different scan rank are an error; a maxshape mismatch is only a warning.
   */
  checkDatasets(): void {
    let rank = -1
    let maxshape: Dims | null = null
    for (const k of this.keys) {
      const r = scanRankOf(k.maxshape)
      if (rank === -1) rank = r
      else if (rank !== r) throw new H5Error('Key datasets must have the same rank!', 'ERR_INVALID_ARG')
      const m = k.maxshape.slice(0, rank)
      if (maxshape === null) maxshape = m
      else if (m.some((v, i) => v !== maxshape![i])) this.#warn('Max shape not consistent in keys')
    }
    this.scanRank = rank
    this.maxshape = maxshape ?? []
  }

  /** How the waits for the writer went: woken by writes (inotify) or polled, and why. */
  get wakeStats(): WakeStats {
    return { ...this.#fileWatch().stats }
  }

  #fileWatch(): FileWatch {
    if (!this.#watch) {
      const datasets = [...this.keys, ...(this.finishedDataset ? [this.finishedDataset] : [])]
      this.#watch = new FileWatch(() => datasets.map((d) => d.watchPath), this.wake)
    }
    return this.#watch
  }

  /** Stop watching the files (iteration does this when it ends; the next wait watches again). */
  release(): void {
    this.#watch?.release()
  }

  /** Highest index up to which every key is set (contiguous from 0; skipped gaps count); -1 if none. */
  get currentMax(): number {
    return this.#currentMax
  }

  getCurrentMax(): number {
    return this.#currentMax
  }

  /** Start again from index 0 (the finished flag stays set, as in swmr_tools). */
  reset(): void {
    this.currentKey = -1
    this.#currentMax = -1
    this.timedOut = false
    this.aborted = false
    this.#layout = []
    this.#skippedSet.clear()
    this.#gapSeen.clear()
    this.skipped.length = 0
  }

  /** Re-read the keys now; true if `currentMax` changed (in either direction). */
  refresh(): boolean {
    this.#notBusy()
    return runSync(this.#poll())
  }

  /** `refresh()` with the key reads off the event loop. */
  refreshAsync(): Promise<boolean> {
    return this.#serial.run(() => runAsync(this.#poll()))
  }

  /** True when `currentMax` is the last index of a bounded scan (always false for an unlimited maxshape). */
  areKeysComplete(): boolean {
    if (this.maxshape.some((m) => m === null)) return false
    return this.#currentMax === (this.maxshape as number[]).reduce((a, b) => a * b, 1) - 1
  }

  /**
   * swmr_tools `is_finished()`: false while known indices remain; true once the current wait has
   * timed out (sets `timedOut`); otherwise, the first time the finished flag is seen it is recorded
   * and false is returned (one more key poll follows), after that true.
   */
  isFinished(): boolean {
    this.#notBusy()
    return runSync(this.#isFinished())
  }

  next(): IteratorResult<number, undefined> {
    this.#notBusy()
    return runSync(this.#next())
  }

  nextAsync(): Promise<IteratorResult<number, undefined>> {
    return this.#serial.run(() => runAsync(this.#next(), this.signal))
  }

  [Symbol.iterator](): Iterator<number, undefined> {
    return { next: () => this.next(), return: () => (this.release(), DONE) }
  }

  [Symbol.asyncIterator](): AsyncIterator<number, undefined> {
    return { next: () => this.nextAsync(), return: async () => (this.release(), DONE) }
  }

  #notBusy(): void {
    if (this.#serial.busy) throw new H5Error('KeyFollower: an async call is still running on this follower', 'ERR_INVALID_ARG')
  }

  /** The next index to hand out (not skipped, at most currentMax), or -1. */
  #peek(): number {
    let k = this.currentKey + 1
    while (k <= this.#currentMax && this.#skippedSet.has(k)) k++
    return k <= this.#currentMax ? k : -1
  }

  *#next(): Steps<IteratorResult<number, undefined>> {
    if (this.signal?.aborted) {
      this.aborted = true
      return DONE
    }
    let k = this.#peek()
    if (k >= 0) {
      this.currentKey = k // known index: no I/O, no timer
      return { value: k, done: false }
    }
    this.#waitStart = now()
    const watch = this.#fileWatch()
    for (;;) {
      const wake = watch.watching
      if (wake) yield armWatch(watch) // a write from here on ends the wait below at once
      yield* this.#poll()
      k = this.#peek()
      if (wake) watch.afterPoll(k >= 0)
      if (k >= 0) {
        this.currentKey = k
        return { value: k, done: false }
      }
      if (wake) {
        // Woken by writes, the flag is read before each wait: a write the arm forgot may have been
        // the flag's, and no later write would end the wait. Seen for the first time, the keys are
        // polled once more at once (the last ones may land just after the flag).
        const seen = this.finished
        if (yield* this.#isFinished()) {
          watch.release()
          return DONE
        }
        if (!seen && this.finished) continue
      }
      yield waitForWrite(this.pollInterval, wake ? watch : null)
      if (this.signal?.aborted) {
        this.aborted = true
        watch.release()
        return DONE
      }
      // Polling, swmr_tools' order: the flag after each sleep.
      if (!wake && (yield* this.#isFinished())) {
        watch.release()
        return DONE
      }
    }
  }

  *#isFinished(): Steps<boolean> {
    if (this.currentKey < this.#currentMax) return false
    if (this.#waitStart !== null && now() > this.#waitStart + this.timeout) {
      this.timedOut = true
      return true
    }
    if (!this.finished) {
      yield* this.#readFinished()
      return false // first sighting: poll the keys once more (they may land just after the flag)
    }
    return true
  }

  *#readFinished(): Steps<void> {
    const f = this.finishedDataset
    if (!f) return
    f.refresh()
    if (f.size !== 1) {
      if (!this.#warnedFinished) this.#warn(`finished dataset (${f.path}) is non-singular (shape [${f.shape.join(', ')}]); ignored`)
      this.#warnedFinished = true
      return
    }
    const v = (yield read(f, null)) as AnyTypedArray
    if (firstZero(v, 0, 1) === 1) this.finished = true
  }

  // ---- key polling -------------------------------------------------------------------------------

  /**
   * One poll: refresh every key, then read only what can have changed. Reads start at the last
   * known ready index (re-checked, so keys cleared back to zero are noticed) and run to the
   * smallest key extent, in windows that double while all keys are set. Index 0 is sampled as well;
   * when either sample is zero, the extent shrank, or a key's trailing dimensions changed, the
   * whole prefix is re-verified once.
   */
  *#poll(): Steps<boolean> {
    this.stats.polls++
    const keys = this.keys
    if (keys.length === 0) return false
    const shapes = keys.map((k) => {
      k.refresh()
      return k.shape
    })
    const limit = Math.min(...shapes.map((s) => s.reduce((a, b) => a * b, 1)))
    const layout = shapes.map((s) => s.slice(1).join(','))
    const relaid = layout.some((t, i) => this.#layout[i] !== undefined && this.#layout[i] !== t)

    const known = this.#currentMax
    let verify = relaid || limit <= known
    if (!verify && known > 0) {
      const first = this.#firstUnskipped()
      if (first < known) verify = (yield* this.#firstNotReady(shapes, first, first + 1)) === first
    }
    let z: number
    if (!verify && known >= 0) {
      z = yield* this.#prefixEnd(shapes, known, limit)
      verify = z === known // the last known index went back to zero
    }
    if (verify || known < 0) {
      if (known >= 0) this.stats.rescans++
      z = yield* this.#prefixEnd(shapes, 0, limit)
    }
    if (this.skipGapsAfter !== undefined && z! < limit) z = yield* this.#skipGaps(shapes, z!, Math.min(limit, z! + GAP_LOOKAHEAD))

    const newMax = z! - 1
    for (const i of this.#gapSeen.keys()) if (i <= newMax) this.#gapSeen.delete(i)
    if (newMax < known)
      this.#warn(`key datasets went back: ready up to ${newMax} (was ${known}); indices up to ${this.currentKey} were already handed out, waiting for later ones`)
    const changed = newMax !== known
    this.#currentMax = newMax
    this.#layout = layout
    return changed
  }

  #firstUnskipped(): number {
    let i = 0
    while (this.#skippedSet.has(i)) i++
    return i
  }

  /** First index >= lo that is neither ready nor skipped (skipped ones count as ready). */
  *#prefixEnd(shapes: number[][], lo: number, hi: number): Steps<number> {
    let z = yield* this.#firstNotReady(shapes, lo, hi)
    while (z < hi && this.#skippedSet.has(z)) z = yield* this.#firstNotReady(shapes, z + 1, hi)
    return z
  }

  /** First index in [lo, hi) where some key is zero, or hi. Reads in doubling windows. */
  *#firstNotReady(shapes: number[][], lo: number, hi: number): Steps<number> {
    let window = FIRST_WINDOW
    while (lo < hi) {
      const end = Math.min(hi, lo + window)
      let z = end
      for (let k = 0; k < this.keys.length && z > lo; k++) {
        const slab = flatRangeSlab(shapes[k], lo, z)
        const out = (yield read(this.keys[k], slab.selection)) as AnyTypedArray
        this.stats.keyReads++
        this.stats.keyElementsRead += out.length
        z = firstZero(out, lo - slab.offset, z - slab.offset) + slab.offset
      }
      if (z < end) return z
      lo = end
      window = Math.min(window * 2, MAX_WINDOW)
    }
    return hi
  }

  /** Ready flags for [lo, hi): 1 where every key is set. */
  *#readyMask(shapes: number[][], lo: number, hi: number): Steps<Uint8Array> {
    const mask = new Uint8Array(hi - lo).fill(1)
    for (let k = 0; k < this.keys.length; k++) {
      const slab = flatRangeSlab(shapes[k], lo, hi)
      const out = (yield read(this.keys[k], slab.selection)) as AnyTypedArray
      this.stats.keyReads++
      this.stats.keyElementsRead += out.length
      const base = lo - slab.offset
      let i = 0
      while (i < mask.length) {
        const z = firstZero(out, base + i, base + mask.length) - base
        if (z >= mask.length) break
        mask[z] = 0
        i = z + 1
      }
    }
    return mask
  }

  /**
   * Past the first unset index `z`: an unset run followed by a ready index is a gap. Each gap
   * index's first sighting is recorded; indices open for `skipGapsAfter` ms (or any, once the
   * finished flag is set) are skipped in order. Returns the new prefix end.
   */
  *#skipGaps(shapes: number[][], z: number, limit: number): Steps<number> {
    const mask = yield* this.#readyMask(shapes, z, limit)
    let lastReady = mask.length - 1
    while (lastReady >= 0 && !mask[lastReady]) lastReady--
    if (lastReady < 0) return z
    const t = now()
    for (let i = 0; i < lastReady; i++) if (!mask[i] && !this.#gapSeen.has(z + i)) this.#gapSeen.set(z + i, t)
    let i = 0
    while (i <= lastReady) {
      const idx = z + i
      if (!mask[i] && !this.#skippedSet.has(idx)) {
        const seen = this.#gapSeen.get(idx) ?? t
        if (!this.finished && t - seen < this.skipGapsAfter!) break
        this.#skippedSet.add(idx)
        this.skipped.push(idx)
      }
      i++
    }
    return z + i
  }
}
