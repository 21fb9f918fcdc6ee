// Logic that waits or reads is written once, as generators that yield the I/O they need (a read, a
// sleep): following keys or growth, reading a frame, opening a file whose writer is not ready. A
// synchronous driver runs them with blocking reads and Atomics.wait; an asynchronous driver with
// reads on the libuv pool and timers, so the event loop never waits.
import type { Dataset, Selection } from '../core/dataset'
import type { AnyTypedArray } from '../core/native'
import { sleep, sleepSync } from './timing'
import type { FileWatch } from './watch'

/** @internal */
export type Request =
  | { kind: 'read'; dataset: Dataset; selection: Selection | null; out: AnyTypedArray; inline?: boolean }
  | { kind: 'values'; dataset: Dataset; selection: Selection | null }
  | { kind: 'sleep'; ms: number }
  | { kind: 'wait'; ms: number; watch: FileWatch }
  | { kind: 'arm'; watch: FileWatch }

/** @internal A sleep step. */
export function pause(ms: number): Request {
  return { kind: 'sleep', ms }
}

/** @internal Before a poll: watch the files (if not yet) and forget earlier writes, so a write from now on ends the next wait. */
export function armWatch(watch: FileWatch): Request {
  return { kind: 'arm', watch }
}

/** @internal Wait for the writer: until a watched file is written, `ms` at most (a sleep without a watch). */
export function waitForWrite(ms: number, watch: FileWatch | null): Request {
  return watch ? { kind: 'wait', ms, watch } : { kind: 'sleep', ms }
}

/**
 * @internal A unit of follow logic; the value sent back for a 'read' is the filled array, for a
 * 'values' read (strings, records, ...: datasets that do not fill typed arrays) the elements read.
 */
export type Steps<T> = Generator<Request, T, AnyTypedArray | unknown[] | undefined>

const INLINE_READ_BYTES = 16384

/** @internal A read of follow metadata (keys, flags); frame reads build their own request. */
export function read(dataset: Dataset, selection: Selection | null): Request {
  const out = dataset.allocate(selection)
  // A few KiB of keys or the finished flag: read on the calling thread even by the async driver (a
  // trip through the thread pool costs more than the read, and the refresh before it ran here).
  return { kind: 'read', dataset, selection, out, inline: out.byteLength <= INLINE_READ_BYTES }
}

/** @internal Run steps on this thread, blocking it. */
export function runSync<T>(steps: Steps<T>): T {
  let r = steps.next()
  while (!r.done) {
    const q = r.value
    if (q.kind === 'read') {
      r = steps.next(q.dataset.readInto(q.selection, q.out))
    } else if (q.kind === 'values') {
      r = steps.next(q.dataset._readElements(q.selection))
    } else if (q.kind === 'wait') {
      q.watch.waitSync(q.ms, sleepSync)
      r = steps.next(undefined)
    } else if (q.kind === 'arm') {
      q.watch.armSync()
      r = steps.next(undefined)
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
      r = steps.next(q.inline ? q.dataset.readInto(q.selection, q.out) : await q.dataset.readIntoAsync(q.selection, q.out))
    } else if (q.kind === 'values') {
      r = steps.next(await q.dataset._readElementsAsync(q.selection))
    } else if (q.kind === 'wait') {
      await q.watch.waitAsync(q.ms, signal, sleep)
      r = steps.next(undefined)
    } else if (q.kind === 'arm') {
      q.watch.armAsync()
      r = steps.next(undefined)
    } else {
      await sleep(q.ms, signal)
      r = steps.next(undefined)
    }
  }
  return r.value
}
