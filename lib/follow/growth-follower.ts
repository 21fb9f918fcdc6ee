// GrowthFollower: for files without key datasets (Eiger master files, plain growing datasets),
// hand out frame indices as the data itself grows. Weaker than keys — an extent is not proof that
// a frame's data was flushed — so prefer keys whenever the writer records them.
import { H5Error } from '../errors'
import type { Dims } from '../native'
import { pause, runAsync, runSync, type Steps } from '../steps'
import { now, resolveTiming, type TimingOptions } from '../timing'
import { Serial } from './steps'

/** Something that can say how many frames, from index 0 on, are there now. */
export interface GrowingSource {
  /** Re-read extents (opening files that appeared); returns the number of frames available. */
  available(): number
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

  constructor(source: GrowingSource, options: GrowthFollowerOptions = {}) {
    const t = resolveTiming(options)
    this.#source = source
    this.timeout = t.timeout
    this.pollInterval = t.pollInterval
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
    return { next: () => this.next() }
  }

  [Symbol.asyncIterator](): AsyncIterator<number, undefined> {
    return { next: () => this.nextAsync() }
  }

  // The next index; sleeps between polls.
  *#next(): Steps<IteratorResult<number, undefined>> {
    const r = this.#begin()
    if (r) return r
    const start = now()
    for (;;) {
      const hit = this.#poll(start)
      if (hit) return hit
      yield pause(this.pollInterval)
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
