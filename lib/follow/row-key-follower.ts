// RowKeyFollower: yields the last flat index of each complete row of the scan.
import { H5Error } from '../core/errors'
import type { Dataset } from '../core/dataset'
import type { Dims } from '../core/native'
import { KeyFollower, type KeyFollowerOptions } from './key-follower'
import { Serial } from './serial'

export interface RowKeyFollowerOptions extends KeyFollowerOptions {
  /** Points per row. Default: the keys' last scan maxshape dimension; required when that is unlimited. */
  rowSize?: number
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true }

/**
 * Wraps a KeyFollower and yields only `rowSize - 1 + k * rowSize` once every index of row k is
 * ready (9, 19, … for rows of 10). A partial last row is never yielded. Iterating again after the
 * follow stopped mid-row resumes on the same row boundaries.
 */
export class RowKeyFollower implements Iterable<number>, AsyncIterable<number> {
  readonly follower: KeyFollower
  readonly rowSize: number
  #nextRowEnd: number
  #last = -1
  #serial = new Serial()

  constructor(keys: Dataset | readonly Dataset[], options: RowKeyFollowerOptions = {}) {
    this.follower = new KeyFollower(keys, options)
    let rowSize = options.rowSize
    if (rowSize === undefined) {
      const last = this.follower.maxshape[this.follower.maxshape.length - 1]
      if (last === null || last === undefined)
        throw new H5Error('Row size must be defined if fastest max shape dimension is -1', 'ERR_INVALID_ARG')
      rowSize = last
    }
    if (!Number.isSafeInteger(rowSize) || rowSize < 1)
      throw new H5Error(`rowSize must be a positive integer, got ${rowSize}`, 'ERR_INVALID_ARG')
    this.rowSize = rowSize
    this.#nextRowEnd = rowSize - 1
  }

  get scanRank(): number {
    return this.follower.scanRank
  }

  get maxshape(): Dims {
    return this.follower.maxshape
  }

  get timedOut(): boolean {
    return this.follower.timedOut
  }

  get finished(): boolean {
    return this.follower.finished
  }

  get aborted(): boolean {
    return this.follower.aborted
  }

  get currentMax(): number {
    return this.follower.currentMax
  }

  reset(): void {
    this.follower.reset()
    this.#nextRowEnd = this.rowSize - 1
    this.#last = -1
  }

  next(): IteratorResult<number, undefined> {
    if (this.#serial.busy) throw new H5Error('RowKeyFollower: an async call is still running', 'ERR_INVALID_ARG')
    while (this.#last < this.#nextRowEnd) {
      const r = this.follower.next()
      if (r.done) return DONE
      this.#last = r.value
    }
    return this.#emit()
  }

  nextAsync(): Promise<IteratorResult<number, undefined>> {
    return this.#serial.run(async () => {
      while (this.#last < this.#nextRowEnd) {
        const r = await this.follower.nextAsync()
        if (r.done) return DONE
        this.#last = r.value
      }
      return this.#emit()
    })
  }

  #emit(): IteratorResult<number, undefined> {
    const value = this.#nextRowEnd
    this.#nextRowEnd += this.rowSize
    return { value, done: false }
  }

  [Symbol.iterator](): Iterator<number, undefined> {
    return { next: () => this.next() }
  }

  [Symbol.asyncIterator](): AsyncIterator<number, undefined> {
    return { next: () => this.nextAsync() }
  }
}
