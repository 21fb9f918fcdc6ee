// Types (issue 22): 1e6 variable-length strings and 1e6 compound records, written by h5py, read by
// h5swmr and by h5py in the same run; and RSS over many reads of variable-length strings (what HDF5
// allocates for them is reclaimed after each read).
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const h5 = require('../../dist')
const data = require('../lib/data')
const python = require('../lib/python')
const { runChild, lastJson, summary } = require('../lib/util')
const { gc } = require('../lib/rounds')

const CHILD = path.join(__dirname, '..', 'children', 'types_memory.js')

function time(fn) {
  const t0 = process.hrtime.bigint()
  const v = fn()
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, value: v }
}

async function runTypesCase(spec) {
  const n = spec.n
  const file = path.join(data.ensureDir(), `types-${n}.h5`)
  const notes = []
  if (!fs.existsSync(file)) {
    const w = await python.run({ cmd: 'types-write', file, n })
    if (!w.ok) return { kind: 'skipped', title: 'types', reason: `h5py could not write the data: ${w.error}` }
  }
  // h5swmr, in this process: each round reads everything once, as a user would.
  const f = h5.File.open(file, { swmr: false })
  const strings = f.dataset('/strings')
  const records = f.dataset('/records')
  strings.read()
  records.read() // warm
  const ours = []
  for (let k = 0; k < spec.rounds; k++) {
    gc()
    const s = time(() => strings.read())
    gc()
    const r = time(() => records.read())
    gc()
    const c = time(() => records.readFields())
    const ok = s.value[n - 1] === `frame-${String(n - 1).padStart(7, '0')}-label` && r.value[n - 1].index === BigInt(n - 1) &&
      c.value.index[n - 1] === BigInt(n - 1) && c.value.name[n - 1] === `det-${String(n - 1).padStart(7, '0')}`
    if (!ok) notes.push(`round ${k}: h5swmr read a wrong value`)
    ours.push({ strings: s.seconds, records: r.seconds, fields: c.seconds })
  }
  f.close()
  const py = await python.run({ cmd: 'types-read', file, rounds: spec.rounds })
  const theirs = py.ok ? py.rounds : null
  if (!py.ok) notes.push(`h5py: ${py.error}`)
  // Memory: RSS over many one-string reads, in a fresh process.
  const mem = lastJson((await runChild(process.execPath, ['--expose-gc', CHILD, JSON.stringify({ file, reads: spec.memoryReads })])).lines)

  const rate = (xs) => summary(xs.map((s) => n / s))
  const paired = (a, b) => summary(a.map((x, i) => b[i] / x)) // ours' speed over theirs: their seconds / ours
  const rows = []
  const row = (name, ourKey, theirKey, what) => {
    const o = ours.map((r) => r[ourKey])
    const t = theirs ? theirs.map((r) => r[theirKey]) : null
    const perSec = rate(o)
    const x = t ? paired(o, t) : null
    rows.push([name, what, fmt(perSec.min), fmt(perSec.median), fmt(perSec.max), t ? fmt(rate(t).median) : '–', x ? `${x.median.toFixed(2)}× (${x.min.toFixed(2)}–${x.max.toFixed(2)})` : '–'])
    return x
  }
  const fmt = (v) => Math.round(v).toLocaleString('en-US')
  const xs = row('h5swmr strings read()', 'strings', 'strings', 'vs h5py ds[()] (bytes objects)')
  const xr = row('h5swmr records read() (objects)', 'records', 'tolist', 'vs h5py ds[()].tolist() (tuples)')
  const xf = row('h5swmr records readFields() (columns)', 'fields', 'records', 'vs h5py ds[()] (a structured array)')
  const xrs = theirs ? paired(ours.map((r) => r.records), theirs.map((r) => r.records)) : null
  const rss = mem?.ok ? mem : null
  if (rss) notes.push(`RSS over ${rss.reads.toLocaleString('en-US')} reads of one variable-length string (a fresh process): ${(rss.before / 2 ** 20).toFixed(1)} MB after a tenth of them, ${(rss.after / 2 ** 20).toFixed(1)} MB at the end (growth ${((rss.after - rss.before) / 2 ** 20).toFixed(2)} MB, of which V8's reserved heap ${((rss.heapTotalAfter - rss.heapTotalBefore) / 2 ** 20).toFixed(1)} MB; outside V8's heap ${((rss.outsideAfter - rss.outsideBefore) / 2 ** 20).toFixed(2)} MB; malloc in use ${rss.mallocInUseBefore === null ? '?' : ((rss.mallocInUseAfter - rss.mallocInUseBefore) / 2 ** 20).toFixed(2)} MB), ${fmt(rss.readsPerSecond)} reads/s, ${rss.bad} wrong`)
  const okLine = (x) => (x ? x.median >= 1 : null)
  const status = (met) => (met === null ? 'not measured' : met ? 'met' : 'MISSED')
  const goal = (text, x, met) => ({ issue: 22, goal: text, measured: x ? `${x.median.toFixed(2)}× (rounds ${x.min.toFixed(2)}–${x.max.toFixed(2)})` : '–', status: status(met) })
  return {
    kind: 'table',
    title: `types: ${n.toLocaleString('en-US')} variable-length strings and ${n.toLocaleString('en-US')} compound records (i8, f8, f4, S12, bool), written by h5py, ${spec.rounds} rounds`,
    columns: [
      { head: 'contender', align: 'l' }, { head: 'compared with', align: 'l' }, { head: 'values/s min', align: 'r' }, { head: 'median', align: 'r' },
      { head: 'max', align: 'r' }, { head: 'h5py values/s', align: 'r' }, { head: '× h5py (paired)', align: 'r' },
    ],
    rows,
    notes: [...notes, `records read() against h5py's structured array (no per-record objects): ${xrs ? `${xrs.median.toFixed(2)}×` : '–'}`],
    goals: [
      goal('1e6 variable-length strings: read() ≥ h5py ds[()]', xs, okLine(xs)),
      goal('1e6 compound records: read() (one object each) ≥ h5py ds[()].tolist() (one tuple each)', xr, okLine(xr)),
      goal('1e6 compound records: readFields() (columns) ≥ h5py ds[()] (a structured array)', xf, okLine(xf)),
      { issue: 22, goal: 'variable-length reads: nothing kept per read (malloc in use grows < 1 MB; what HDF5 allocates per read is reclaimed)', measured: rss ? `${rss.mallocInUseBefore === null ? 'malloc figures unknown (not glibc ≥ 2.33)' : `${((rss.mallocInUseAfter - rss.mallocInUseBefore) / 2 ** 20).toFixed(2)} MB in use`} over ${rss.reads.toLocaleString('en-US')} reads; RSS ${((rss.after - rss.before) / 2 ** 20).toFixed(1)} MB (V8 reserving young-generation space ${((rss.heapTotalAfter - rss.heapTotalBefore) / 2 ** 20).toFixed(1)} MB, malloc keeping ${(rss.mallocFreeAfter / 2 ** 20).toFixed(1)} MB free for later)` : '–', status: status(rss && rss.mallocInUseBefore !== null ? rss.mallocInUseAfter - rss.mallocInUseBefore < 2 ** 20 : null) },
    ],
  }
}

module.exports = { runTypesCase }
