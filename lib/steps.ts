// Logic that waits or reads is written once, as generators that yield the I/O they need (a read, a
// sleep): following keys or growth, reading a frame, opening a file whose writer is not ready. A
// synchronous driver runs them with blocking reads and Atomics.wait; an asynchronous driver with
// reads on the libuv pool and timers, so the event loop never waits.
import type { Dataset, Selection } from './dataset'
import type { AnyTypedArray } from './native'
import { sleep, sleepSync } from './timing'

/** @internal */
export type Request =
  | { kind: 'read'; dataset: Dataset; selection: Selection | null; out: AnyTypedArray }
  | { kind: 'sleep'; ms: number }

/** @internal A sleep step. */
export function pause(ms: number): Request {
  return { kind: 'sleep', ms }
}

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
