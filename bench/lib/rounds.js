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
/** A full garbage collection (so one contender's garbage is not collected in the next one's time). */
function gc() {
  gcFn()
}

/**
 * contenders: [{ name, run: async () => ({ [row]: { seconds, frames, bad, ...extra } }) | { skip: reason } }]
 * Runs `warmup` (if given, untimed, once) then `repeats` rounds. Returns { rows: { [row]: [results...] }, skipped }.
 */
async function runRounds(contenders, { repeats, warmup, label }) {
  const rows = {}
  const skipped = {}
  if (warmup) {
    for (const c of contenders) {
      if (!c.warmup) continue
      gc()
      await c.warmup()
    }
  }
  for (let r = 0; r < repeats; r++) {
    const order = contenders.map((_, k) => contenders[(k + r) % contenders.length])
    for (const c of order) {
      if (skipped[c.name]) continue
      gc()
      const res = await c.run(r)
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
        row.ratios[key] = { ref: refName, ...summary(paired) }
      }
    }
    out.push(row)
  }
  return out
}

module.exports = { runRounds, tabulate, gc }
