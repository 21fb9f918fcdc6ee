// Rounds of contenders: every contender runs once per round (order rotated each round), so the
// figures of one round were taken close together in time and ratios can be paired per round.
'use strict'
const v8 = require('node:v8')
const vm = require('node:vm')
const { summary, log } = require('./util')

let gcFn = globalThis.gc
if (!gcFn) {
  v8.setFlagsFromString('--expose-gc')
  gcFn = vm.runInNewContext('gc')
}
// Frames an allocating contender reads untimed before each timed run (see runRounds).
const ALLOCATING_WARMUP = 300

/** A full garbage collection (so one contender's garbage is not collected in the next one's time). */
function gc() {
  gcFn()
}

/**
 * contenders: [{ name, range: async (from, to) => ({ seconds, bad }) }] (can read any range of
 * frames), or [{ name, run: async () => ({ [row]: { seconds, frames, bad, ...extra } }) | { skip: reason } }].
 * Each round runs every contender once over frames 0..frames-1. The `range` contenders go
 * interleaved, in `slices` slices (each contender reads slice 1, then each reads slice 2...), so
 * that a burst of load from elsewhere on the machine hits them all alike; the others then run
 * whole — including `range` contenders marked `allocates` (a new array per frame): a forced GC
 * between their slices would change how malloc hands them memory, and leaving their garbage to
 * the next contender's slice would bill it for their GC — and those marked `whole` (reads kept in
 * flight on several threads: a slice of a few ms is mostly the pipeline filling and draining and
 * the GC's background sweeping, measured: 2 threads ÷ 1 thread 1.1× in 30-frame slices, 1.9× over
 * 300 frames). The order is rotated every slice and round. An untimed warm-up comes first.
 * An allocating contender also reads a few hundred frames untimed right before its timed run: the
 * child processes of other contenders (h5py, h5wasm) are forked from this one, and after a fork
 * every page of the heap is copy-on-write until written once more — the memory malloc keeps for
 * the next frames included, so the first new arrays after a fork each take a page fault per 4 KiB
 * (measured: 8 500 faults, a pass of 300 bitshuffle frames at 0.2× its speed). A service reading
 * frames pays that once per fork; here it would be billed to whichever row came next.
 * Returns { rows: { [row]: [per-round result] }, skipped }.
 */
async function runRounds(contenders, { repeats, warmup, label, frames, slices = 10 }) {
  const rows = {}
  const skipped = {}
  const rotate = (list, k) => list.map((_, i) => list[(i + k) % list.length])
  if (warmup) {
    for (const c of contenders) {
      if (!c.warmup) continue
      gc()
      await c.warmup()
    }
  }
  const per = Math.max(1, Math.ceil(frames / slices))
  for (let r = 0; r < repeats; r++) {
    const ranged = contenders.filter((c) => c.range && !c.allocates && !c.whole)
    const acc = new Map(ranged.map((c) => [c.name, { seconds: 0, frames: 0, bad: 0 }]))
    for (let s = 0, from = 0; from < frames; s++, from += per) {
      const to = Math.min(frames, from + per)
      for (const c of rotate(ranged, r + s)) {
        gc()
        const res = await c.range(from, to)
        const a = acc.get(c.name)
        a.seconds += res.seconds
        a.frames += to - from
        a.bad += res.bad
      }
    }
    for (const [name, a] of acc) (rows[name] ??= [])[r] = a
    for (const c of rotate(contenders.filter((c) => !c.range || c.allocates || c.whole), r)) {
      if (skipped[c.name]) continue
      if (c.allocates) await c.range(0, Math.min(frames, ALLOCATING_WARMUP))
      else if (c.prewarm) await c.prewarm() // a whole contender that allocates: the same, its own way
      gc()
      const res = c.range ? { [c.name]: { ...(await c.range(0, frames)), frames } } : await c.run(r)
      if (res && res.skip) {
        skipped[c.name] = res.skip
        log(`  ${label}: ${c.name}: skipped: ${res.skip}`)
        continue
      }
      for (const [row, v] of Object.entries(res)) (rows[row] ??= [])[r] = v
    }
    log(`  ${label}: round ${r + 1}/${repeats} done`)
  }
  return { rows, skipped }
}

/**
 * Per row: frames/s and GB/s (uncompressed bytes) per round, with min/median/max; bad frames.
 * Ratios of `h5swmr …` rows against the references, paired by round.
 */
function tabulate(rows, { frameBytes, refs, order }) {
  const out = []
  const fpsOf = (list) => list.map((v) => (v && v.seconds > 0 ? v.frames / v.seconds : NaN))
  const names = order.filter((n) => rows[n]).concat(Object.keys(rows).filter((n) => !order.includes(n)))
  for (const name of names) {
    const list = rows[name]
    const fps = fpsOf(list)
    const row = {
      name,
      fps: summary(fps),
      gbps: summary(fps.map((f) => (f * frameBytes) / 1e9)),
      bad: list.reduce((a, v) => a + (v?.bad ?? 0), 0),
      raw: list,
      ratios: {},
    }
    if (name.startsWith('h5swmr')) {
      for (const [key, refName] of Object.entries(refs)) {
        if (!refName || !rows[refName]) continue
        const ref = fpsOf(rows[refName])
        const paired = fps.map((f, r) => f / ref[r]).filter((x) => Number.isFinite(x))
        // best = fastest round / fastest round: load from elsewhere only ever slows a contender down
        const best = Math.max(...fps.filter(Number.isFinite)) / Math.max(...ref.filter(Number.isFinite))
        row.ratios[key] = { ref: refName, ...summary(paired), best: Number.isFinite(best) ? best : null }
      }
    }
    out.push(row)
  }
  return out
}

module.exports = { runRounds, tabulate, gc }
