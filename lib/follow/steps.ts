// The follow logic is written once, as generators that yield the I/O they need (a read, a sleep).
// A synchronous driver runs them with blocking reads and Atomics.wait; an asynchronous driver with
// reads on the libuv pool and timers, so the event loop never waits.
import type { Dataset, Selection } from '../dataset'
import type { AnyTypedArray } from '../native'
import { sleep, sleepSync } from '../timing'

/** @internal */
export type Request =
  | { kind: 'read'; dataset: Dataset; selection: Selection | null; out: AnyTypedArray }
  | { kind: 'sleep'; ms: number }

/** @internal A unit of follow logic; the value sent back for a 'read' is the filled array. */
export type Steps<T> = Generator<Request, T, AnyTypedArray | undefined>

/** @internal */
export function read(dataset: Dataset, selection: Selection | null): Request {
  return { kind: 'read', dataset, selection, out: dataset.allocate(selection) }
}

/** @internal Run steps on this thread, blocking it. */
export function runSync<T>(steps: Steps<T>): T {
  let r = steps.next()
  while (!r.done) {
    const q = r.value
    if (q.kind === 'read') {
      r = steps.next(q.dataset.readInto(q.selection, q.out))
    } else {
      sleepSync(q.ms)
      r = steps.next(undefined)
    }
  }
  return r.value
}

/** @internal Run steps without blocking the event loop; sleeps end early when `signal` aborts. */
export async function runAsync<T>(steps: Steps<T>, signal?: AbortSignal): Promise<T> {
  let r = steps.next()
  while (!r.done) {
    const q = r.value
    if (q.kind === 'read') {
      r = steps.next(await q.dataset.readIntoAsync(q.selection, q.out))
    } else {
      await sleep(q.ms, signal)
      r = steps.next(undefined)
    }
  }
  return r.value
}

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
