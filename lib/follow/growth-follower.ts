// GrowthFollower: for files without key datasets (Eiger master files, plain growing datasets),
// hand out frame indices as the data itself grows. Weaker than keys — an extent is not proof that
// a frame's data was flushed — so prefer keys whenever the writer records them.
import { H5Error } from '../core/errors'
import type { Dataset } from '../core/dataset'
import type { Dims } from '../core/native'
import { armWatch, runAsync, runSync, waitForWrite, type Steps } from '../live/steps'
import { FileWatch, type WakeStats } from '../live/watch'
import { now, resolveTiming, type TimingOptions } from '../live/timing'
import { Serial } from './serial'

/** Something that can say how many frames, from index 0 on, are there now. */
export interface GrowingSource {
  /** Re-read extents (opening files that appeared); returns the number of frames available. */
  available(): number
  /** The files whose writes mean new frames (for wake on write); without it the follower polls. */
  watchFiles?(): (string | null)[]
}

/**
 * A growing dataset as a GrowingSource: its frames are along the first dimension, and a frame is
 * there once the extent covers it. For data of any type (numbers, strings, records); prefer keys
 * where the writer records them.
 */
export function datasetGrowth(ds: Dataset): GrowingSource {
  let watched: string | null | undefined
  return {
    available() {
      ds.refresh()
      return ds.shape[0] ?? 0
    },
    // Asked once: the dataset stays in the file it was opened in.
    watchFiles: () => [(watched ??= ds.watchPath)],
  }
}

export interface GrowthFollowerOptions extends TimingOptions {
  /** Frames the scan will have (e.g. Eiger nimages × ntrigger); reaching it ends the follow as finished. */
  expected?: number | null
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true }

export class GrowthFollower {
  readonly scanRank = 1
  readonly maxshape: Dims
  readonly timeout: number
  readonly pollInterval: number
  readonly wake: 'auto' | 'poll'
  readonly signal: AbortSignal | undefined
  readonly expected: number | null
  /** Last index handed out. */
  currentKey = -1
  timedOut = false
  finished = false
  aborted = false
  #available = 0
  #serial = new Serial()
  readonly #source: GrowingSource
  #watch: FileWatch | null = null
  #watched = ''
  #wakeTotals = { waits: 0, woken: 0, missed: 0 }

  constructor(source: GrowingSource, options: GrowthFollowerOptions = {}) {
    const t = resolveTiming(options)
    this.#source = source
    this.timeout = t.timeout
    this.pollInterval = t.pollInterval
    this.wake = t.wake
    this.signal = options.signal
    this.expected = options.expected ?? null
    if (this.expected !== null && !(Number.isSafeInteger(this.expected) && this.expected >= 0))
      throw new H5Error(`expected must be a whole number of frames, got ${this.expected}`, 'ERR_INVALID_ARG')
    this.maxshape = [this.expected]
  }

  get currentMax(): number {
    return this.#available - 1
  }

  reset(): void {
    this.currentKey = -1
    this.timedOut = false
    this.aborted = false
  }

  next(): IteratorResult<number, undefined> {
    if (this.#serial.busy) throw new H5Error('GrowthFollower: an async call is still running', 'ERR_INVALID_ARG')
    return runSync(this.#next())
  }

  /** Async calls run one after another (they move the same cursor). */
  nextAsync(): Promise<IteratorResult<number, undefined>> {
    return this.#serial.run(() => runAsync(this.#next(), this.signal))
  }

  [Symbol.iterator](): Iterator<number, undefined> {
    return { next: () => this.next(), return: () => (this.release(), DONE) }
  }

  [Symbol.asyncIterator](): AsyncIterator<number, undefined> {
    return { next: () => this.nextAsync(), return: async () => (this.release(), DONE) }
  }

  /** How the waits went (see KeyFollower.wakeStats). */
  get wakeStats(): WakeStats {
    const s = this.#watch?.stats
    const mode = this.wake === 'poll' ? 'poll' : s?.mode ?? (this.#source.watchFiles ? 'inotify' : 'poll')
    const reason = this.wake === 'poll' ? "wake: 'poll'" : s?.reason ?? (this.#source.watchFiles ? null : 'the source names no files to watch')
    return { mode, reason, waits: this.#wakeTotals.waits + (s?.waits ?? 0), woken: this.#wakeTotals.woken + (s?.woken ?? 0), missed: this.#wakeTotals.missed + (s?.missed ?? 0) }
  }

  /** Stop watching files (iteration does this when it ends). */
  release(): void {
    this.#watch?.release()
  }

  // The files to watch now (data files appear during an Eiger scan): a new watch when they change.
  #fileWatch(): FileWatch | null {
    if (this.wake === 'poll' || !this.#source.watchFiles) return null
    const files = this.#source.watchFiles()
    const key = files.join('\0')
    if (!this.#watch || key !== this.#watched) {
      if (this.#watch) {
        this.#watch.release()
        this.#wakeTotals.waits += this.#watch.stats.waits
        this.#wakeTotals.woken += this.#watch.stats.woken
        this.#wakeTotals.missed += this.#watch.stats.missed
      }
      this.#watch = new FileWatch(() => files, this.wake)
      this.#watched = key
    }
    return this.#watch
  }

  // The next index; waits for the writer between polls.
  *#next(): Steps<IteratorResult<number, undefined>> {
    const r = this.#begin()
    if (r) return r
    const start = now()
    for (;;) {
      const watch = this.#fileWatch()
      if (watch?.watching) yield armWatch(watch)
      const hit = this.#poll(start)
      if (watch?.watching) watch.afterPoll(hit !== null && !hit.done)
      if (hit) {
        if (hit.done) this.release()
        return hit
      }
      yield waitForWrite(this.pollInterval, watch?.watching ? watch : null)
    }
  }

  // Known frames are handed out with no I/O; the end is reached when `expected` frames were given.
  #begin(): IteratorResult<number, undefined> | null {
    if (this.signal?.aborted) {
      this.aborted = true
      return DONE
    }
    if (this.currentKey + 1 < this.#available) return { value: ++this.currentKey, done: false }
    if (this.expected !== null && this.currentKey + 1 >= this.expected) {
      this.finished = true
      return DONE
    }
    return null
  }

  #poll(start: number): IteratorResult<number, undefined> | null {
    if (this.signal?.aborted) {
      this.aborted = true
      return DONE
    }
    const n = this.#source.available()
    this.#available = this.expected !== null ? Math.min(n, this.expected) : n
    if (this.currentKey + 1 < this.#available) return { value: ++this.currentKey, done: false }
    if (this.expected !== null && this.currentKey + 1 >= this.expected) {
      this.finished = true
      return DONE
    }
    if (now() - start >= this.timeout) {
      this.timedOut = true
      return DONE
    }
    return null
  }
}
