// Helpers of the followers' step logic (the drivers themselves are lib/steps.ts).
import type { AnyTypedArray } from '../native'

/** Index of the first zero of `arr` in `[from, to)`, or `to`. NaN counts as non-zero (as in numpy). */
export function firstZero(arr: AnyTypedArray, from: number, to: number): number {
  if (arr instanceof BigInt64Array || arr instanceof BigUint64Array) {
    for (let i = from; i < to; i++) if (arr[i] === 0n) return i
    return to
  }
  const a = arr as Float64Array
  for (let i = from; i < to; i++) if (a[i] === 0) return i
  return to
}

/**
 * Serializes async calls on one object, and refuses a synchronous call while an async one runs
 * (both would move the same cursor).
 * @internal
 */
export class Serial {
  #tail: Promise<unknown> = Promise.resolve()
  #pending = 0

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.#pending++
    const p = this.#tail.then(fn).finally(() => this.#pending--)
    this.#tail = p.catch(() => undefined)
    return p
  }

  get busy(): boolean {
    return this.#pending > 0
  }
}
