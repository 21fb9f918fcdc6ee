// Wake on write: a follower waiting for keys sleeps until the writer writes the file (Linux inotify),
// with its poll interval as the fallback and upper bound of every wait: writers on another machine
// (GPFS, Lustre, NFS) or behind an overlay make no local events, and a missed event may only cost
// one poll interval, never a stall. Async waits use Node's fs.watch (inotify inside libuv's event
// loop: no thread is held while waiting); sync waits use the addon's inotify with poll(2).
import * as fs from 'node:fs'
import { native, type NativeFileWatch } from '../core/native'

/** `'auto'`: wake on write where the file can be watched, polling otherwise; `'poll'`: poll only. */
export type WakeMode = 'auto' | 'poll'

export interface WakeStats {
  /** 'inotify' while files are watched; 'poll' when not asked for, or not possible (see `reason`). */
  mode: 'inotify' | 'poll'
  reason: string | null
  /** Waits for the writer, and how many of them a write ended before the poll interval. */
  waits: number
  woken: number
  /**
   * Polls after a wait that no write ended which found new frames: writes the watch did not hear
   * (a writer on another machine, or behind an overlay); each cost up to a poll interval.
   */
  missed: number
}

/**
 * Watches the files of a follower (its key and finished datasets' files). `armSync` / `armAsync`
 * before each poll, then `waitSync` / `waitAsync`: a write between the two ends the wait at once.
 */
export class FileWatch {
  readonly stats: WakeStats
  #paths: () => string[]
  #watchers: fs.FSWatcher[] | null = null
  #native: NativeFileWatch | null = null
  #changed = false
  #timedOut = false
  #wake: (() => void) | null = null

  /**
   * `paths` is asked each time watching starts (first wait, or after `release`): paths like
   * `/proc/self/fd/N` name whatever has that descriptor now.
   */
  constructor(paths: () => readonly (string | null)[], mode: WakeMode = 'auto') {
    // null: a dataset whose writes cannot be watched (a virtual dataset's land in its sources).
    this.#paths = () => {
      const list = paths()
      if (list.some((p) => p === null)) throw new Error('a dataset waited on has no one file to watch (a virtual dataset, or a file driver without a descriptor)')
      return [...new Set(list as string[])]
    }
    this.stats = { mode: mode === 'poll' ? 'poll' : 'inotify', reason: mode === 'poll' ? "wake: 'poll'" : null, waits: 0, woken: 0, missed: 0 }
    if (mode === 'poll') return
    if (process.platform !== 'linux') {
      this.#fallBack(`no inotify on ${process.platform}`)
      return
    }
    try {
      if (this.#paths().length === 0) this.#fallBack('no files to watch')
    } catch (err) {
      this.#fallBack((err as Error).message)
    }
  }

  get watching(): boolean {
    return this.stats.mode === 'inotify'
  }

  /** Before a synchronous poll: watch with the addon's inotify (if not yet), forget earlier writes. */
  armSync(): void {
    this.#changed = false
    if (!this.watching) return
    if (!this.#native) {
      try {
        this.#native = new native.NativeFileWatch(this.#paths())
      } catch (err) {
        this.#fallBack((err as Error).message)
      }
      return
    }
    this.#native.drain()
  }

  /** Before an asynchronous poll: watch with fs.watch (if not yet), forget earlier writes. */
  armAsync(): void {
    this.#changed = false
    if (this.watching && !this.#watchers) this.#startWatchers()
  }

  /** Block this thread until a watched file is written, or `ms` pass. */
  waitSync(ms: number, sleep: (ms: number) => void): void {
    if (!this.watching || !this.#native) return sleep(ms) // not armed: poll
    this.stats.waits++
    const woken = this.#native.wait(ms)
    if (woken) this.stats.woken++
    this.#timedOut = !woken
  }

  /** Wait until a watched file is written, `ms` pass, or `signal` aborts. */
  waitAsync(ms: number, signal: AbortSignal | undefined, sleep: (ms: number, signal?: AbortSignal) => Promise<void>): Promise<void> {
    if (!this.watching || !this.#watchers || signal?.aborted) return sleep(ms, signal) // not armed: poll
    this.stats.waits++
    this.#timedOut = true
    if (this.#changed) {
      this.#changed = false
      this.stats.woken++
      this.#timedOut = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', abort)
        this.#wake = null
        if (woken) {
          this.#changed = false
          this.stats.woken++
          this.#timedOut = false
        }
        resolve()
      }
      const abort = () => done(false)
      const timer = setTimeout(() => done(false), ms)
      signal?.addEventListener('abort', abort, { once: true })
      this.#wake = () => done(true)
    })
  }

  /** After a poll: `found` new frames. Found after a wait no write ended, the watch missed a write. */
  afterPoll(found: boolean): void {
    if (found && this.#timedOut) this.stats.missed++
    this.#timedOut = false
  }

  /** Stop watching until the next wait (a follow that ended holds no inotify watch). */
  release(): void {
    for (const w of this.#watchers ?? []) w.close()
    this.#native?.close()
    this.#watchers = null
    this.#native = null
  }

  #startWatchers(): boolean {
    const watchers: fs.FSWatcher[] = []
    try {
      for (const p of this.#paths()) {
        // persistent: false: a follower's watch never keeps the process alive (its timer does, while waiting).
        const w = fs.watch(p, { persistent: false }, () => {
          this.#changed = true
          this.#wake?.()
        })
        // A watch that fails later (the file system went away) leaves the follower polling.
        w.on('error', (err) => this.#fallBack(`fs.watch: ${err.message}`))
        watchers.push(w)
      }
    } catch (err) {
      for (const w of watchers) w.close()
      this.#fallBack(`fs.watch: ${(err as Error).message}`)
      return false
    }
    this.#watchers = watchers
    return true
  }

  #fallBack(reason: string): void {
    this.stats.mode = 'poll'
    this.stats.reason = reason
    this.release()
  }
}
