// A cheap frame check for timed loops: the simulator's pattern (lib/simulate/patterns.ts fillFrame) at the
// first and last 8 elements and 48 spread in between. A stale read (fill zeros) or a wrong frame
// fails it; a full `checkFrame` would cost more than the read it checks (~1 ms per 512×512 frame).
// (dist/simulate/patterns.js loads no native code, so the h5wasm children can use it too.)
'use strict'
const { patternElement } = require('../../dist/simulate/patterns')

function modOf(frame) {
  return frame instanceof Uint8Array ? 256 : frame instanceof Uint16Array ? 65536 : 2 ** 31
}

/**
 * True when `frame` (a typed array of one frame) holds the simulator's frame `index` at the sampled
 * positions; `pattern`: the simulator's FramePattern ('ramp' or 'counts').
 */
function sampleCheck(frame, index, pattern = 'ramp') {
  const n = frame.length
  if (n === 0) return false
  const mod = modOf(frame)
  const probe = (p) => frame[p] === patternElement(index, p, n, mod, pattern)
  for (let p = 0; p < Math.min(8, n); p++) if (!probe(p)) return false
  for (let p = Math.max(0, n - 8); p < n; p++) if (!probe(p)) return false
  const step = Math.max(1, Math.floor(n / 49))
  for (let p = step; p < n; p += step) if (!probe(p)) return false
  return true
}

module.exports = { sampleCheck }
