// Scan geometry: how a flat key index maps to a position in the scan and to a frame selection.
// Same rules as swmr_tools (keyfollower._get_rank, utils.get_position, get_position_snake,
// get_row_slice, convert_stack_to_grid), with slices as plain objects.
import { H5Error } from '../core/errors'
import type { Selection } from '../core/dataset'
import type { Dims } from '../core/native'

/** A half-open range `[start, stop)` along one dimension (Python's `slice(start, stop)`). */
export interface Slice {
  start: number
  stop: number
}

/**
 * Scan rank of a key dataset: its number of dimensions after stripping the trailing dimensions whose
 * maxshape is 1. `(5,10,1,1)` → 2, `(null,1)` → 1, `(1,)` → 0, `()` → 0.
 */
export function scanRankOf(maxshape: Dims): number {
  let rank = maxshape.length
  while (rank > 0 && maxshape[rank - 1] === 1) rank--
  return rank
}

function checkIndex(index: number, what = 'index'): void {
  if (!Number.isSafeInteger(index) || index < 0)
    throw new H5Error(`${what} must be a non-negative integer, got ${index}`, 'ERR_INVALID_ARG')
}

/**
 * C-order (row-major) position of a flat index in `shape` (numpy's `unravel_index`). An index at or
 * beyond the number of elements is an `H5_OUT_OF_RANGE` error. A 0-d shape `[]` holds index 0 only.
 */
export function unravelIndex(index: number, shape: readonly number[]): number[] {
  checkIndex(index)
  const size = shape.reduce((a, b) => a * b, 1)
  if (index >= size)
    throw new H5Error(`index ${index} is out of bounds for a scan of shape [${shape.join(', ')}] (size ${size})`, 'H5_OUT_OF_RANGE')
  const pos = new Array<number>(shape.length)
  for (let d = shape.length - 1; d >= 0; d--) {
    pos[d] = index % shape[d]
    index = Math.floor(index / shape[d])
  }
  return pos
}

/** Inverse of `unravelIndex`: the flat C-order index of `position` in `shape`. */
export function ravelIndex(position: readonly number[], shape: readonly number[]): number {
  if (position.length !== shape.length)
    throw new H5Error(`position [${position.join(', ')}] does not match shape [${shape.join(', ')}]`, 'ERR_INVALID_ARG')
  let index = 0
  for (let d = 0; d < shape.length; d++) {
    if (!(position[d] >= 0 && position[d] < shape[d]))
      throw new H5Error(`position [${position.join(', ')}] is outside shape [${shape.join(', ')}]`, 'H5_OUT_OF_RANGE')
    index = index * shape[d] + position[d]
  }
  return index
}

/** swmr_tools `utils.get_position`: C-order position of `index` over `shape[0:scanRank]`. */
export function getPosition(index: number, shape: readonly number[], scanRank: number): number[] {
  return unravelIndex(index, shape.slice(0, scanRank))
}

/**
 * swmr_tools `utils.get_position_snake`: position in a snake (boustrophedon) scan. Dimension i ≥ 1
 * runs backwards when the sum of the preceding output coordinates is odd.
 */
export function getPositionSnake(index: number, shape: readonly number[], scanRank: number): number[] {
  const raster = getPosition(index, shape, scanRank)
  const out = raster.slice()
  let sum = raster[0] ?? 0
  for (let i = 1; i < out.length; i++) {
    if (sum % 2 === 1) out[i] = shape[i] - raster[i] - 1
    sum += out[i]
  }
  return out
}

/** One `[p, p+1)` slice per scan dimension: the scan part of swmr_tools' `slice_metadata`. */
export function positionSlices(position: readonly number[]): Slice[] {
  return position.map((p) => ({ start: p, stop: p + 1 }))
}

/**
 * swmr_tools `utils.get_row_slice`: slices of the row holding `index` — `[p, p+1)` for the slow scan
 * dimensions and the whole last scan dimension (here `[0, shape[scanRank-1])`, where Python gives an
 * open `slice(None)`).
 */
export function getRowSlice(index: number, shape: readonly number[], scanRank: number): Slice[] {
  if (scanRank < 1) throw new H5Error('getRowSlice needs a scan rank of at least 1', 'ERR_INVALID_ARG')
  const slices = positionSlices(getPosition(index, shape, scanRank))
  slices[scanRank - 1] = { start: 0, stop: shape[scanRank - 1] }
  return slices
}

/**
 * swmr_tools `utils.convert_stack_to_grid`: slices of a flat stack (first slice = stack index) to
 * grid slices over `scanShape` (raster, or snake order), keeping the remaining slices.
 */
export function convertStackToGrid(slices: readonly Slice[], scanShape: readonly number[], snake = false): Slice[] {
  const index = slices[0].start
  const pos = snake ? getPositionSnake(index, scanShape, scanShape.length) : getPosition(index, scanShape, scanShape.length)
  return [...positionSlices(pos), ...slices.slice(1)]
}

/** Hyperslab of one frame: the position in the scan dimensions, everything in the frame dimensions. */
export function frameSelection(position: readonly number[], shape: readonly number[]): Selection {
  const scanRank = position.length
  return {
    start: [...position, ...shape.slice(scanRank).map(() => 0)],
    count: [...position.map(() => 1), ...shape.slice(scanRank)],
  }
}

/**
 * The smallest single hyperslab of a dataset of `shape` that covers the flat C-order range
 * `[lo, hi)` (hi > lo), and the flat index of its first element. The slab is itself a contiguous
 * flat range: dimensions before the first differing one are fixed, after it they are whole.
 * @internal
 */
export function flatRangeSlab(shape: readonly number[], lo: number, hi: number): { selection: Selection | null; offset: number; size: number } {
  if (shape.length === 0) return { selection: null, offset: 0, size: 1 }
  const a = unravelIndex(lo, shape)
  const b = unravelIndex(hi - 1, shape)
  let d = 0
  while (d < shape.length - 1 && a[d] === b[d]) d++
  const start = shape.map((_, i) => (i < d ? a[i] : i === d ? a[d] : 0))
  const count = shape.map((s, i) => (i < d ? 1 : i === d ? b[d] - a[d] + 1 : s))
  let offset = 0
  for (let i = 0; i < shape.length; i++) offset = offset * shape[i] + start[i]
  return { selection: { start, count }, offset, size: count.reduce((x, y) => x * y, 1) }
}
