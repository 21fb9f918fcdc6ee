// Key-poll scaling: the cost of one poll of a caught-up follower when the key dataset holds N keys.
// h5swmr's KeyFollower reads only the tail it has not verified (plus index 0); swmr_tools re-reads
// every key on every poll, which is what the "full re-read" rows do (in h5swmr and in h5py).
'use strict'
const h5 = require('../../dist')
const data = require('../lib/data')
const python = require('../lib/python')
const { gc } = require('../lib/rounds')
const { summary, seconds, log } = require('../lib/util')

function firstZero(a) {
  for (let i = 0; i < a.length; i++) if (a[i] === 0) return i
  return a.length
}

/** Run `fn` up to `max` times, at least `min`, stopping after `budget` seconds; µs per call. */
function perCall(fn, { max, min = 5, budget = 0.5 }) {
  const t0 = seconds()
  let n = 0
  while (n < max && (n < min || seconds() - t0 < budget)) {
    fn()
    n++
  }
  return ((seconds() - t0) / n) * 1e6
}

async function runKeysCase(spec) {
  const notes = []
  const py = await python.info()
  if (!py.ok) notes.push(`h5py skipped: ${py.reason}`)
  const sizes = spec.sizes.map((n) => ({ keys: n, file: data.ensureKeyFile(n), incremental: [], full: [], h5py: [], elements: [], firstPollMs: null }))
  for (const s of sizes) data.warm(s.file)
  for (let r = 0; r < spec.repeats; r++) {
    for (const s of sizes) {
      const f = h5.File.open(s.file, { swmr: true, locking: false })
      try {
        const ds = f.dataset(data.KEYS)
        const follower = new h5.KeyFollower([ds], { timeout: 1000, pollInterval: 1 })
        gc()
        const t0 = seconds()
        follower.refresh() // catch up: every key read once, in doubling windows
        const first = (seconds() - t0) * 1000
        if (follower.currentMax !== s.keys - 1) throw new Error(`KeyFollower saw ${follower.currentMax + 1} of ${s.keys} keys`)
        s.firstPollMs = s.firstPollMs === null ? first : Math.min(s.firstPollMs, first)
        for (let k = 0; k < 20; k++) follower.refresh() // warm
        const e0 = follower.stats.keyElementsRead
        const p0 = follower.stats.polls
        gc()
        s.incremental.push(perCall(() => follower.refresh(), { max: spec.polls }))
        s.elements.push((follower.stats.keyElementsRead - e0) / (follower.stats.polls - p0))
        gc()
        s.full.push(
          perCall(
            () => {
              ds.refresh()
              if (firstZero(ds.read()) !== s.keys) throw new Error('keys not all set')
            },
            { max: spec.polls },
          ),
        )
      } finally {
        f.close()
      }
      if (py.ok) {
        const res = await python.run({ cmd: 'keys', file: s.file, dset: data.KEYS, polls: Math.min(spec.polls, Math.max(5, Math.round(2e7 / s.keys))) })
        if (res.ok) s.h5py.push(summary(res.pollSeconds).median * 1e6)
        else notes.push(`h5py keys (${s.keys}) failed: ${res.error}`)
      }
    }
    log(`  keys: round ${r + 1}/${spec.repeats} done`)
  }
  const out = sizes.map((s) => ({
    keys: s.keys,
    incremental: summary(s.incremental),
    full: summary(s.full),
    h5py: s.h5py.length ? summary(s.h5py) : null,
    elementsPerPoll: summary(s.elements).median,
    firstPollMs: s.firstPollMs,
    raw: { incremental: s.incremental, full: s.full, h5py: s.h5py },
  }))
  const lo = out[0]
  const hi = out[out.length - 1]
  const growth = out.length > 1 ? {
    lo: lo.keys,
    hi: hi.keys,
    incremental: hi.incremental.median / lo.incremental.median,
    full: hi.full.median / lo.full.median,
    h5py: hi.h5py && lo.h5py ? hi.h5py.median / lo.h5py.median : null,
  } : null
  notes.push(
    'one poll of a caught-up follower: H5Drefresh of the key dataset, then (h5swmr) a read from the last ready index to the extent plus index 0, ' +
      '(full re-read) every key, and the first zero; h5py full re-read = swmr_tools 0.9 KeyFollower logic (refresh, ds[...], float64 merge, first zero), timed in Python; ' +
      'key files: int32 [N], maxshape [∞], chunks of 1024, every key set; first poll = a new follower catching up on N keys',
  )
  return { kind: 'keys', title: `keys: one KeyFollower poll vs the number of keys, ${spec.repeats} rounds`, sizes: out, growth, notes }
}

module.exports = { runKeysCase }
