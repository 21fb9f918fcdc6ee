// The decode pool: h5swmr's own threads, which decode chunks read through the direct path.
import { native } from './native'

/**
 * Threads in the decode pool. Default: the cores this process may run on, or the
 * H5SWMR_DECODE_THREADS environment variable. Shared by every File and worker_thread.
 */
export function decodeThreads(): number {
  return native.decodeThreads()
}

/** Resize the decode pool (1 to 256 threads); surplus threads stop once idle. */
export function setDecodeThreads(n: number): void {
  native.setDecodeThreads(n)
}
