// Timing for followers: timeout and poll interval (milliseconds), abortable async sleep and a
// blocking sleep (Atomics.wait) for the synchronous iterators.
import { H5Error } from '../core/errors'

export interface TimingOptions {
  /**
   * Milliseconds to wait for a new index, counted from the start of each wait (the moment the
   * known indices run out), as swmr_tools does. Default 10 000. `Infinity` waits until the finished
   * flag (or the signal) ends the follow.
   */
  timeout?: number
  /** Milliseconds between polls. Default `timeout / 20` (swmr_tools' fixed rule), or 500 when the timeout is infinite. */
  pollInterval?: number
  /** Ends a wait at once; iteration then stops with `aborted = true`. */
  signal?: AbortSignal
  /**
   * `'auto'` (default): while waiting for the writer, wake as soon as it writes the file (inotify,
   * Linux), `pollInterval` staying the longest wait (writers on other machines make no local
   * events); elsewhere, or when the file cannot be watched, poll. `'poll'`: poll every `pollInterval`.
   */
  wake?: 'auto' | 'poll'
}

export interface Timing {
  timeout: number
  pollInterval: number
  wake: 'auto' | 'poll'
}

export const DEFAULT_TIMEOUT = 10_000

function checkMs(value: number, name: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0)
    throw new H5Error(`${name} must be a number of milliseconds >= 0, got ${value}`, 'ERR_INVALID_ARG')
  return value
}

export function resolveTiming(options: TimingOptions = {}): Timing {
  const timeout = checkMs(options.timeout ?? DEFAULT_TIMEOUT, 'timeout')
  const fallback = Number.isFinite(timeout) ? timeout / 20 : DEFAULT_TIMEOUT / 20
  const pollInterval = checkMs(options.pollInterval ?? fallback, 'pollInterval')
  if (!Number.isFinite(pollInterval)) throw new H5Error('pollInterval must be finite', 'ERR_INVALID_ARG')
  const wake = options.wake ?? 'auto'
  if (wake !== 'auto' && wake !== 'poll') throw new H5Error(`wake must be 'auto' or 'poll', got ${String(wake)}`, 'ERR_INVALID_ARG')
  return { timeout, pollInterval, wake }
}

/** Monotonic milliseconds. */
export function now(): number {
  return performance.now()
}

/** Sleep `ms` without blocking the event loop; resolves early (never rejects) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

let cell: Int32Array | null = null

/**
 * Block this thread for `ms` (Atomics.wait on a private cell: no CPU is used and no event-loop
 * callbacks run meanwhile). For the synchronous iterators, in scripts and worker threads.
 */
export function sleepSync(ms: number): void {
  if (!(ms > 0)) return
  cell ??= new Int32Array(new SharedArrayBuffer(4))
  Atomics.wait(cell, 0, 0, ms)
}

/** Report a warning: the caller's handler, else `process.emitWarning` (swmr_tools logs these). */
export type WarningHandler = (message: string) => void

export function defaultWarning(message: string): void {
  process.emitWarning(message, { code: 'H5SWMR_FOLLOW' })
}
