// Frames for the browser: a region of one frame, reduced on the server to (at most) the size the
// canvas shows, as float32. Frames of rank > 2 are shown as rows = all but the last dimension.
import type { AnyTypedArray } from '../core/native'

export type BinMode = 'mean' | 'max'

export interface Region {
  x: number
  y: number
  w: number
  h: number
}

export interface Binned {
  data: Float32Array
  width: number
  height: number
  /** Frame pixels per output pixel along x and y (1 = full resolution). */
  binX: number
  binY: number
  /** The region actually used (clipped to the frame). */
  region: Region
}

/** Rows and columns of a frame shown as an image. */
export function imageShape(frameShape: readonly number[]): { rows: number; cols: number } {
  if (frameShape.length === 0) return { rows: 1, cols: 1 }
  const cols = frameShape[frameShape.length - 1]
  const rows = frameShape.slice(0, -1).reduce((a, b) => a * b, 1)
  return { rows, cols }
}

/** Largest output side the server produces (a canvas larger than this gets upscaled pixels). */
export const MAX_OUT = 4096

function clampInt(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.floor(Number.isFinite(v) ? v : lo)))
}

/** Clip a requested region to a rows×cols frame (missing or bad values mean the whole frame). */
export function clipRegion(region: Partial<Region>, rows: number, cols: number): Region {
  const x = clampInt(region.x ?? 0, 0, Math.max(0, cols - 1))
  const y = clampInt(region.y ?? 0, 0, Math.max(0, rows - 1))
  const w = clampInt(region.w ?? cols, 1, cols - x)
  const h = clampInt(region.h ?? rows, 1, rows - y)
  return { x, y, w, h }
}

/**
 * Reduce `region` of a rows×cols frame (C order) to at most outW×outH pixels: each output pixel is
 * the mean (or the max: single hot pixels stay visible) of a binX×binY block of frame pixels; edge
 * blocks may be smaller. NaN pixels are ignored; a block of only NaN is NaN.
 */
export function binFrame(frame: AnyTypedArray, rows: number, cols: number, region: Partial<Region>, outW: number, outH: number, mode: BinMode = 'mean'): Binned {
  const r = clipRegion(region, rows, cols)
  const ow = clampInt(outW, 1, MAX_OUT)
  const oh = clampInt(outH, 1, MAX_OUT)
  const binX = Math.max(1, Math.ceil(r.w / ow))
  const binY = Math.max(1, Math.ceil(r.h / oh))
  const width = Math.ceil(r.w / binX)
  const height = Math.ceil(r.h / binY)
  const src: ArrayLike<number> =
    frame instanceof BigInt64Array || frame instanceof BigUint64Array ? Float64Array.from(frame as ArrayLike<bigint>, Number) : (frame as ArrayLike<number>)
  const out = new Float32Array(width * height)
  if (binX === 1 && binY === 1) {
    for (let j = 0; j < height; j++) {
      const base = (r.y + j) * cols + r.x
      for (let i = 0; i < width; i++) out[j * width + i] = src[base + i]
    }
    return { data: out, width, height, binX, binY, region: r }
  }
  const acc = new Float64Array(width)
  const count = new Uint32Array(width)
  const max = mode === 'max'
  for (let j = 0; j < height; j++) {
    acc.fill(max ? -Infinity : 0)
    count.fill(0)
    const y1 = Math.min(r.y + r.h, r.y + (j + 1) * binY)
    for (let y = r.y + j * binY; y < y1; y++) {
      const base = y * cols + r.x
      for (let dx = 0; dx < r.w; dx++) {
        const v = src[base + dx]
        if (v !== v) continue // NaN
        const i = (dx / binX) | 0
        if (max) {
          if (v > acc[i]) acc[i] = v
        } else acc[i] += v
        count[i]++
      }
    }
    for (let i = 0; i < width; i++) out[j * width + i] = count[i] === 0 ? NaN : max ? acc[i] : acc[i] / count[i]
  }
  return { data: out, width, height, binX, binY, region: r }
}

export interface FrameStats {
  sum: number
  min: number
  max: number
}

/** Sum, min and max of a frame, ignoring NaN (an all-NaN frame: sum 0, min/max NaN). */
export function frameStats(frame: AnyTypedArray): FrameStats {
  let sum = 0
  let min = Infinity
  let max = -Infinity
  const n = frame.length
  if (frame instanceof BigInt64Array || frame instanceof BigUint64Array) {
    for (let k = 0; k < n; k++) {
      const v = Number(frame[k])
      sum += v
      if (v < min) min = v
      if (v > max) max = v
    }
  } else if (frame instanceof Float32Array || frame instanceof Float64Array) {
    for (let k = 0; k < n; k++) {
      const v = frame[k]
      if (v !== v) continue
      sum += v
      if (v < min) min = v
      if (v > max) max = v
    }
  } else {
    const a = frame as Exclude<AnyTypedArray, BigInt64Array | BigUint64Array>
    for (let k = 0; k < n; k++) {
      const v = a[k]
      sum += v
      if (v < min) min = v
      if (v > max) max = v
    }
  }
  if (min === Infinity) return { sum, min: NaN, max: NaN }
  return { sum, min, max }
}
