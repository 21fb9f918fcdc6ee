// What simulated frames hold (simulateScan, fillFrame, checkFrame). No native code here, so
// benchmark children that only check frames (h5wasm peers) can load it.
import type { AnyTypedArray } from '../core/native'

/**
 * What simulated frames hold; element 0 is the frame index either way.
 * - 'ramp': a linear pattern derived from the index (bitshuffle-LZ4 packs it ~25×: decoding is cheap).
 * - 'counts': photon counts as a pixel detector sees them at low flux (Poisson, mean 0.5; 16 distinct
 *   frames in turn, frame i is number i % 16), which compress like real Eiger data (~7×). For
 *   benchmarks of compressed reads.
 */
export type FramePattern = 'ramp' | 'counts'

const COUNT_FRAMES = 16
const countFrames = new Map<number, Uint8Array[]>()

// The 'counts' frames for `n` elements: Knuth's Poisson sampler over a seeded LCG, made once.
function countsFor(n: number): Uint8Array[] {
  let frames = countFrames.get(n)
  if (!frames) {
    let seed = 12345
    const uniform = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296
    const limit = Math.exp(-0.5)
    frames = Array.from({ length: COUNT_FRAMES }, () => {
      const f = new Uint8Array(n)
      for (let p = 0; p < n; p++) {
        let k = 0
        for (let u = uniform(); u > limit && k < 255; u *= uniform()) k++
        f[p] = k
      }
      return f
    })
    countFrames.set(n, frames)
  }
  return frames
}

/** Element p of frame `index` (n elements, values modulo `mod`), as fillFrame writes it. */
export function patternElement(index: number, p: number, n: number, mod: number, pattern: FramePattern = 'ramp'): number {
  if (p === 0) return index % mod
  if (pattern === 'counts') return countsFor(n)[index % COUNT_FRAMES][p]
  return (index * 7 + p * 3 + 1) % mod
}

/** Deterministic frame contents: element 0 holds the index, the rest the pattern (FramePattern). */
export function fillFrame(out: AnyTypedArray, index: number, pattern: FramePattern = 'ramp'): void {
  const n = out.length
  const mod = out instanceof Uint8Array ? 256 : out instanceof Uint16Array ? 65536 : 2 ** 31
  const arr = out as unknown as { [i: number]: number }
  if (pattern === 'counts') {
    ;(out as unknown as { set(a: ArrayLike<number>): void }).set(countsFor(n)[index % COUNT_FRAMES])
  } else {
    for (let p = 0; p < n; p++) arr[p] = (index * 7 + p * 3 + 1) % mod
  }
  if (n > 0) arr[0] = index % mod
}

/** True when `frame` is exactly what `fillFrame` wrote for `index` (with the same pattern). */
export function checkFrame(frame: AnyTypedArray, index: number, pattern: FramePattern = 'ramp'): boolean {
  const ref = new (frame.constructor as { new (n: number): AnyTypedArray })(frame.length)
  fillFrame(ref, index, pattern)
  for (let p = 0; p < frame.length; p++) if (frame[p] !== ref[p]) return false
  return true
}

