// What the viewer knows about the scan: every frame's statistics (recorded for every frame the
// follower yields, none skipped), the newest frame of each data dataset (copied, so the follower
// can reuse its buffers), progress and rates. The HTTP server reads it; the follow loop writes it.
import type { Dataset } from '../core/dataset'
import { DataSource, type DataSourceItem } from '../follow/data-source'
import type { AnyTypedArray, Dims } from '../core/native'
import { frameStats, imageShape } from './image'

export type ViewStatus = 'waiting' | 'live' | 'timedout' | 'finished' | 'error' | 'stopped'

/** Per-frame statistics by scan index: sum, min, max (NaN where no frame was recorded). */
export class StatSeries {
  #data = new Float64Array(0)
  /** One past the highest index recorded. */
  length = 0

  set(index: number, sum: number, min: number, max: number): void {
    const need = (index + 1) * 3
    if (need > this.#data.length) {
      const grown = new Float64Array(Math.max(need, this.#data.length * 2, 3 * 1024)).fill(NaN)
      grown.set(this.#data)
      this.#data = grown
    }
    this.#data.set([sum, min, max], index * 3)
    if (index + 1 > this.length) this.length = index + 1
  }

  /** `[sum, min, max]` for indices `[from, to)`, interleaved. */
  range(from: number, to: number): Float64Array {
    from = Math.max(0, Math.min(from, this.length))
    to = Math.max(from, Math.min(to, this.length))
    return this.#data.slice(from * 3, to * 3)
  }
}

export interface LatestFrame {
  index: number
  position: number[]
  frameShape: number[]
  rows: number
  cols: number
  data: AnyTypedArray
  sum: number
  min: number
  max: number
}

export interface DataInfo {
  path: string
  dtype: string
  frameShape: number[]
}

/** The static part, sent once (GET /info). */
export interface ViewInfo {
  file: string
  keys: string[]
  data: DataInfo[]
  finished: string | null
  scanRank: number
  maxshape: Dims
  /** Frames expected: the product of the keys' maxshape, or null when a dimension is unlimited. */
  expected: number | null
  timeout: number
  /** The scan's own description (its NeXus entry's strings: title, start and end times, ...). */
  metadata: Array<{ name: string; value: string }>
}

/** The changing part, pushed over server-sent events. */
export interface ViewSnapshot {
  status: ViewStatus
  error: string | null
  frames: number
  expected: number | null
  /** Highest scan index recorded (-1 before the first frame). */
  maxIndex: number
  latest: { index: number; position: number[] } | null
  /** The scan as a grid of rows × cols (scan rank >= 2: all but the last dimension are rows); null for 1-D scans. */
  grid: [number, number] | null
  /** Frames per second over the last ~2 s, and over the whole scan so far. */
  rate: number
  meanRate: number
  /** Milliseconds since the newest frame arrived (null before the first). */
  sinceLast: number | null
  /** Milliseconds since the first frame arrived. */
  elapsed: number | null
  version: number
}

export class ViewState {
  readonly info: ViewInfo
  status: ViewStatus = 'waiting'
  error: string | null = null
  frames = 0
  maxIndex = -1
  /** Bumped on every change; the server pushes when it moved. */
  version = 0
  readonly latest = new Map<string, LatestFrame>()
  readonly stats = new Map<string, StatSeries>()
  #keys: readonly Dataset[]
  #firstAt: number | null = null
  #lastAt: number | null = null
  #samples: Array<[number, number]> = []
  #listeners = new Set<() => void>()

  constructor(file: string, keys: readonly Dataset[], data: readonly Dataset[], scanRank: number, maxshape: Dims,
    options: { finished?: string | null; timeout: number; metadata?: Array<{ name: string; value: string }> }) {
    this.#keys = keys
    const expected = maxshape.every((m) => m !== null) ? (maxshape as number[]).reduce((a, b) => a * b, 1) : null
    this.info = {
      file,
      keys: keys.map((k) => k.path),
      data: data.map((d) => ({ path: d.path, dtype: d.dtype, frameShape: d.maxshape.slice(scanRank).map((m, i) => m ?? d.shape[scanRank + i]) })),
      finished: options.finished ?? null,
      scanRank,
      maxshape,
      expected,
      timeout: options.timeout,
      metadata: options.metadata ?? [],
    }
    for (const d of data) this.stats.set(d.path, new StatSeries())
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #changed(): void {
    this.version++
    for (const l of this.#listeners) l()
  }

  setStatus(status: ViewStatus, error: string | null = null): void {
    if (status === this.status && error === this.error) return
    this.status = status
    this.error = error
    this.#changed()
  }

  /** Record one follower item: statistics of every frame, and a copy of it as the newest. */
  record(item: DataSourceItem): void {
    const t = performance.now()
    for (const [path, frame] of Object.entries(item.frames)) {
      const s = frameStats(frame.data)
      this.stats.get(path)?.set(item.index, s.sum, s.min, s.max)
      const frameShape = frame.shape.slice(this.info.scanRank)
      let latest = this.latest.get(path)
      if (!latest || latest.data.length !== frame.data.length || latest.data.constructor !== frame.data.constructor) {
        const { rows, cols } = imageShape(frameShape)
        const Ctor = frame.data.constructor as { new (n: number): AnyTypedArray }
        latest = { index: -1, position: [], frameShape, rows, cols, data: new Ctor(frame.data.length), sum: 0, min: 0, max: 0 }
        this.latest.set(path, latest)
      }
      ;(latest.data as Uint8Array).set(frame.data as Uint8Array)
      latest.index = item.index
      latest.position = item.position
      latest.sum = s.sum
      latest.min = s.min
      latest.max = s.max
    }
    this.frames++
    if (item.index > this.maxIndex) this.maxIndex = item.index
    if (this.#firstAt === null) this.#firstAt = t
    this.#lastAt = t
    if (this.status !== 'live') this.status = 'live'
    this.#changed()
  }

  /** Frames per second over the last ~2 s (sampled whenever a snapshot is taken). */
  #rate(t: number): number {
    const s = this.#samples
    if (!s.length || t - s[s.length - 1][0] >= 200) s.push([t, this.frames])
    while (s.length > 2 && t - s[1][0] > 2000) s.shift()
    if (this.#lastAt === null || t - this.#lastAt > 2000) return 0
    const [t0, n0] = s[0]
    return t > t0 + 50 ? ((this.frames - n0) * 1000) / (t - t0) : 0
  }

  snapshot(): ViewSnapshot {
    const t = performance.now()
    const first = this.latest.values().next().value as LatestFrame | undefined
    return {
      status: this.status,
      error: this.error,
      frames: this.frames,
      expected: this.info.expected,
      maxIndex: this.maxIndex,
      latest: first ? { index: first.index, position: first.position } : null,
      grid: this.#grid(),
      rate: this.#rate(t),
      meanRate: this.#firstAt !== null && this.#lastAt! > this.#firstAt ? ((this.frames - 1) * 1000) / (this.#lastAt! - this.#firstAt) : 0,
      sinceLast: this.#lastAt === null ? null : t - this.#lastAt,
      elapsed: this.#firstAt === null ? null : t - this.#firstAt,
      version: this.version,
    }
  }

  #grid(): [number, number] | null {
    const rank = this.info.scanRank
    if (rank < 2) return null
    const extent = this.#keys[0]?.shape.slice(0, rank) ?? []
    const dims = this.info.maxshape.map((m, i) => m ?? Math.max(extent[i] ?? 0, 1))
    const cols = dims[rank - 1]
    const rowsNow = Math.ceil((this.maxIndex + 1) / cols)
    const rows = Math.max(dims.slice(0, -1).reduce((a, b) => a * b, 1), rowsNow)
    return [rows, cols]
  }
}

export interface FollowLoopOptions {
  signal: AbortSignal
  /** Called when the follow ends: finished flag, error or abort (not on a timeout: it keeps polling). */
  onEnd?: (state: ViewState) => void
  onTimeout?: (state: ViewState) => void
}

/**
 * Follow `source` into `state` until the finished flag, an error or the abort signal. A timeout
 * (no new frame within the source's timeout) is shown as 'timedout', and following goes on: a frame
 * that arrives later makes it 'live' again.
 */
export async function followInto(state: ViewState, source: DataSource, options: FollowLoopOptions): Promise<void> {
  try {
    for (;;) {
      for await (const item of source) state.record(item)
      if (source.isScanFinished()) {
        state.setStatus('finished')
        break
      }
      if (options.signal.aborted || source.follower.aborted) {
        state.setStatus('stopped')
        break
      }
      if (source.hasTimedOut() && state.status !== 'timedout') {
        state.setStatus('timedout')
        options.onTimeout?.(state)
      }
    }
  } catch (err) {
    const e = err as Error & { code?: string }
    state.setStatus('error', `${e.message.split('\n')[0]}${e.code ? ` (${e.code})` : ''}`)
  }
  options.onEnd?.(state)
}
