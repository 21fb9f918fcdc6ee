// A cheap frame check for timed loops: the simulator's pattern (lib/simulate.ts fillFrame) at the
// first and last 8 elements and 48 spread in between. A stale read (fill zeros) or a wrong frame
// fails it; a full `checkFrame` would cost more than the read it checks (~1 ms per 512×512 frame).
'use strict'

function modOf(frame) {
  return frame instanceof Uint8Array ? 256 : frame instanceof Uint16Array ? 65536 : 2 ** 31
}

/** True when `frame` (a typed array of one frame) holds the simulator's frame `index` at the sampled positions. */
function sampleCheck(frame, index) {
  const n = frame.length
  if (n === 0) return false
  const mod = modOf(frame)
  const expect = (p) => (p === 0 ? index % mod : (index * 7 + p * 3 + 1) % mod)
  const probe = (p) => frame[p] === expect(p)
  for (let p = 0; p < Math.min(8, n); p++) if (!probe(p)) return false
  for (let p = Math.max(0, n - 8); p < n; p++) if (!probe(p)) return false
  const step = Math.max(1, Math.floor(n / 49))
  for (let p = step; p < n; p += step) if (!probe(p)) return false
  return true
}

module.exports = { sampleCheck }
