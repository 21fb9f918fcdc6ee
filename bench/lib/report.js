// Turning results into tables (text for stdout, markdown for docs/BENCHMARKS.md) and goal verdicts.
'use strict'
const { num, sig, ratio, renderText, renderMarkdown } = require('./format')
const { summary } = require('./util')

function machineLines(m, result) {
  const p = m.packages
  return [
    `h5swmr ${p.h5swmr} benchmark, ${result.started.slice(0, 16).replace('T', ' ')} UTC${result.options.quick ? ' (--quick: small sizes, figures not meaningful)' : ''}`,
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}, Linux ${m.kernel}, load ${m.loadavg.join(' ')}`,
    `node ${m.node} (V8 ${m.v8}); HDF5 ${m.hdf5} (system, threadsafe=${m.hdf5Threadsafe}) via File.libraryInfo()`,
    `h5py ${p.h5py ?? '–'} (HDF5 ${p.h5pyHdf5 ?? '–'}, numpy ${p.numpy ?? '–'}, Python ${p.python ?? '–'}; ${m.python}); ` +
      `h5wasm ${p.h5wasm ?? '–'} (HDF5 ${p.h5wasmHdf5 ?? '?'}), h5wasm-plugins ${p['h5wasm-plugins'] ?? '–'}`,
    ...(Object.keys(m.env ?? {}).length ? [`environment: ${Object.entries(m.env).map(([k, v]) => `${k}=${v}`).join(' ')}`] : []),
    `repeats per case: ${result.options.repeats} rounds (median of rounds; ratios paired per round: median (min–max)); page cache warm; data in ${m.benchDataDir}`,
  ]
}

function machineText(m, result) {
  return machineLines(m, result).join('\n')
}

// ---- per-case tables -----------------------------------------------------------------------------

function readsTable(res) {
  const decode = res.rows.some((r) => r.ratios.decode)
  const columns = [
    { head: 'contender', align: 'l' },
    { head: 'frames/s min', align: 'r' },
    { head: 'median', align: 'r' },
    { head: 'max', align: 'r' },
    { head: 'GB/s', align: 'r' },
    { head: '× limit', align: 'r' },
    ...(decode ? [{ head: '× decode', align: 'r' }] : []),
    { head: '× h5py ds[i]', align: 'r' },
    { head: '× h5wasm', align: 'r' },
    { head: 'bad', align: 'r' },
  ]
  const rows = res.rows.map((r) => [
    r.name, num(r.fps.min), num(r.fps.median), num(r.fps.max), sig(r.gbps.median),
    ratio(r.ratios.limit), ...(decode ? [ratio(r.ratios.decode)] : []), ratio(r.ratios.h5py), ratio(r.ratios.h5wasm), String(r.bad),
  ])
  const notes = []
  notes.push(`file ${(res.fileBytes / 1e9).toFixed(2)} GB, filters [${res.filters.join(', ') || 'none'}]` +
    (res.compressionRatio && res.compression !== 'none' ? `, compression ratio ${res.compressionRatio.toFixed(1)} (the limit rows pread the stored, compressed chunk bytes; GB/s counts uncompressed bytes)` : '') +
    (res.chunkOffsetSource ? `; chunk offsets: ${res.chunkOffsetSource}` : ''))
  notes.push(...res.notes)
  return { title: res.title, columns, rows, notes }
}

function skippedTable(res) {
  return { title: res.title, columns: [{ head: 'result', align: 'l' }], rows: [[`skipped: ${res.reason}`]], notes: res.detail ? [res.detail] : [] }
}

function errorTable(res) {
  return { title: `${res.title}: ERROR`, columns: [{ head: 'error', align: 'l' }], rows: [[res.error.split('\n')[0]]], notes: [] }
}

function followTable(res) {
  const columns = [
    { head: 'follower', align: 'l' },
    { head: 'runs', align: 'r' },
    { head: 'followed/written', align: 'r' },
    { head: 'bad', align: 'r' },
    { head: 'writer fps', align: 'r' },
    { head: 'followed fps (min–max)', align: 'r' },
    { head: 'latency p50 ms', align: 'r' },
    { head: 'p99 ms (min–max)', align: 'r' },
    { head: 'worst ms', align: 'r' },
    { head: 'wake-up delay p99 ms', align: 'r' },
    { head: 'idle CPU % core', align: 'r' },
    { head: 'woken', align: 'r' },
  ]
  const mm = (s, f = sig) => (s.median === null ? '–' : `${f(s.median)} (${f(s.min)}–${f(s.max)})`)
  const rows = res.followers.map((r) => [
    r.name, String(r.runs.length), `${r.followed}/${r.written}`, String(r.bad), sig(r.writerFps.median),
    mm(r.followedFps), sig(r.latencyP50.median), mm(r.latencyP99), sig(r.latencyMax.max),
    r.probeLateP99?.median == null ? '–' : `${sig(r.probeLateP99.median)} (${sig(r.probeLateP99.min)}–${sig(r.probeLateP99.max)})`,
    r.idleCpu?.median == null ? '–' : sig(r.idleCpu.median),
    r.woken ?? '–',
  ])
  return { title: res.title, columns, rows, notes: res.notes }
}

function keysTable(res) {
  const columns = [
    { head: 'keys', align: 'r' },
    { head: 'h5swmr KeyFollower poll µs (min–max)', align: 'r' },
    { head: 'key elements read/poll', align: 'r' },
    { head: 'h5swmr full re-read µs', align: 'r' },
    { head: 'h5py full re-read (swmr_tools) µs', align: 'r' },
    { head: 'first poll (catch-up) ms', align: 'r' },
  ]
  const mm = (s) => (!s || s.median === null ? '–' : `${sig(s.median)} (${sig(s.min)}–${sig(s.max)})`)
  const rows = res.sizes.map((s) => [
    num(s.keys), mm(s.incremental), sig(s.elementsPerPoll), mm(s.full), mm(s.h5py), sig(s.firstPollMs),
  ])
  const notes = [...res.notes]
  const g = res.growth
  if (g) notes.push(`cost at ${num(g.hi)} keys / at ${num(g.lo)} keys: incremental ${g.incremental?.toFixed(2) ?? '–'}×, full re-read ${g.full?.toFixed(2) ?? '–'}×, h5py full re-read ${g.h5py?.toFixed(2) ?? '–'}×`)
  return { title: res.title, columns, rows, notes }
}

function memoryTable(res) {
  const mb = (b) => (b === null || b === undefined ? '–' : (b / 1e6).toFixed(1))
  const columns = [
    { head: 'loop', align: 'l' },
    { head: 'frames', align: 'r' },
    { head: 'RSS before MB', align: 'r' },
    { head: 'after', align: 'r' },
    { head: 'growth', align: 'r' },
    { head: 'after GC', align: 'r' },
    { head: 'peak', align: 'r' },
    { head: 'external before MB', align: 'r' },
    { head: 'after', align: 'r' },
    { head: 'peak', align: 'r' },
    { head: 'frames/s', align: 'r' },
  ]
  columns.splice(2, 0, { head: 'RSS at 10 % MB', align: 'r' })
  const rows = res.loops.map((l) => [
    l.name, num(l.frames), mb(l.atTenth?.rss), mb(l.before.rss), mb(l.after.rss), mb(l.after.rss - l.before.rss), mb(l.afterGc.rss), mb(l.peak.rss),
    mb(l.before.external), mb(l.after.external), mb(l.peak.external), num(l.fps),
  ])
  return { title: res.title, columns, rows, notes: res.notes }
}

// The long follow: memory sampled (after a full GC) as the live file grows.
function longFollowTable(lf) {
  const mb = (b) => (b / 1e6).toFixed(1)
  const kb = (b) => (b / 1e3).toFixed(0)
  const columns = ['frames followed', 'RSS MB', 'V8 heap used MB', 'V8 heap reserved MB', 'RSS outside V8 heap MB', 'external MB', 'HDF5 metadata cache kB', 'its bound kB', 'cache entries']
    .map((head, k) => ({ head, align: k ? 'r' : 'l' }))
  const rows = lf.samples.map((x) => [num(x.frames), mb(x.rss), mb(x.heapUsed), x.heapTotal ? mb(x.heapTotal) : '–', x.heapTotal ? mb(x.rss - x.heapTotal) : '–', mb(x.external), kb(x.mdcSize), kb(x.mdcMax), num(x.mdcEntries)])
  return {
    title: `long follow: ${num(lf.frames)} frames of ${lf.frameShape.join('×')} uint16 written at max rate by another process (${sig(lf.written / lf.writerSeconds)} frames/s), one DataSource with reused buffers`,
    columns,
    rows,
    notes: [`followed ${num(lf.followed)}/${num(lf.written)} frames, ${lf.bad} bad`],
  }
}

function tableOf(name, res) {
  if (res.kind === 'reads') return readsTable(res)
  if (res.kind === 'skipped') return skippedTable(res)
  if (res.kind === 'error') return errorTable(res)
  if (res.kind === 'follow') return followTable(res)
  if (res.kind === 'keys') return keysTable(res)
  if (res.kind === 'memory') return memoryTable(res)
  if (res.kind === 'table') return { title: res.title, columns: res.columns, rows: res.rows, notes: res.notes ?? [] }
  return { title: name, columns: [{ head: '?', align: 'l' }], rows: [], notes: [] }
}

// A case's tables: the memory case adds its long follow.
function tablesOf(name, res) {
  const out = [tableOf(name, res)]
  if (res.kind === 'memory' && res.longFollow) out.push(longFollowTable(res.longFollow))
  return out
}

function caseText(name, res) {
  return tablesOf(name, res).map(renderText).join('\n\n') + `\n  (${res.seconds?.toFixed(0) ?? '?'} s)`
}

// ---- goals ---------------------------------------------------------------------------------------

const find = (res, name) => res?.rows?.find((r) => r.name === name)

/** The issue's goals, with the measured figure and met / missed / not measured. */
function goals(result) {
  const out = []
  let issue = 5
  const add = (goal, measured, met, detail) =>
    out.push({ issue, goal, measured, status: met === null ? 'not measured' : met === 'info' ? 'info' : met ? 'met' : 'MISSED', detail })
  const st = result.cases.static
  if (st?.kind === 'reads') {
    const into = find(st, 'h5swmr readInto')
    const read = find(st, 'h5swmr read')
    const intoAligned = find(st, 'h5swmr readInto, page-aligned buffer')
    const fmt = (x) => (x ? `${x.median.toFixed(3)}× (${x.min.toFixed(2)}–${x.max.toFixed(2)}; best/best ${x.best?.toFixed(2) ?? '–'}×)` : '–')
    const ra = intoAligned?.ratios.limit
    add('uncompressed single-thread reads ≥ 0.90× the pread limit (readInto vs pread, both into a page-aligned buffer)', fmt(ra), ra ? ra.median >= 0.9 : null)
    const r = into?.ratios.limit
    add('  same, readInto into a buffer from dataset.allocate() (alignment as malloc gives it)', fmt(r), r ? r.median >= 0.9 : null)
    const rn = read?.ratios.limit
    if (rn) {
      const limNew = find(st, 'limit: pread, new Node buffer per frame')
      const readVsNew = limNew ? read.fps.median / limNew.fps.median : null
      add('  same for read (new array per frame)', `${rn.median.toFixed(2)}× the limit; ${readVsNew?.toFixed(2) ?? '–'}× pread into a new Node buffer per frame`, rn.median >= 0.9)
    }
    const lim = find(st, 'limit: pread, page-aligned buffer')
    const py = find(st, 'h5py ds[i]')
    const pyShare = lim && py ? py.fps.median / lim.fps.median : null
    for (const [row, label] of [[into, 'readInto'], [read, 'read']]) {
      const h = row?.ratios.h5py
      const ctx = pyShare ? `; h5py ds[i] itself runs at ${pyShare.toFixed(2)}× the limit, so 1.8× it = ${(1.8 * pyShare).toFixed(2)}× the limit` : ''
      add(`uncompressed: ${label} ≥ 1.8× h5py ds[i]`, h ? `${fmt(h)}${label === 'readInto' ? ctx : ''}` : '–', h ? h.median >= 1.8 : null)
    }
    for (const [row, label] of [[into, 'readInto'], [read, 'read']]) {
      const w = row?.ratios.h5wasm
      const wasm = find(st, 'h5wasm slice')
      const share = lim && wasm ? wasm.fps.median / lim.fps.median : null
      const ctx = share && label === 'readInto' ? `; h5wasm itself runs at ${share.toFixed(2)}× the limit, so 4× it = ${(4 * share).toFixed(2)}× the limit` : ''
      add(`uncompressed: ${label} ≥ 4× h5wasm`, w ? fmt(w) + ctx : '–', w ? w.median >= 4 : null)
    }
  } else add('uncompressed reads vs limit, h5py, h5wasm', '–', null)

  const fo = result.cases.follow
  const sw = fo?.followers?.find((f) => f.name === 'h5swmr DataSource for await, poll 1 ms')
  if (sw) {
    add('follow: 100 % of frames at the writer\'s max rate', `${sw.followed}/${sw.written} over ${sw.runs.length} runs (writer ${sig(sw.writerFps.median)} fps)`, sw.followed === sw.written)
    add('follow: 0 bad frames', String(sw.bad), sw.bad === 0)
    const limit = fo.pollInterval + 1
    add(`follow: latency p99 ≤ poll interval + 1 ms (${limit} ms)`, `p99 ${sig(sw.latencyP99.median)} ms (runs ${sig(sw.latencyP99.min)}–${sig(sw.latencyP99.max)}), p50 ${sig(sw.latencyP50.median)} ms`, sw.latencyP99.median <= limit)
  } else add('follow goals', '–', null)

  const ke = result.cases.keys
  if (ke?.growth) {
    const g = ke.growth
    add(`key poll cost flat (≤ 1.5×) from ${num(g.lo)} to ${num(g.hi)} keys`, `${g.incremental.toFixed(2)}×`, g.incremental <= 1.5)
    add('  while the full re-read grows ~linearly', `${g.full.toFixed(0)}× (h5swmr), ${g.h5py?.toFixed(0) ?? '–'}× (h5py, swmr_tools logic) for ${num(g.hi / g.lo)}× the keys`, g.full >= (g.hi / g.lo) / 10)
  } else add('key poll scaling', '–', null)

  const me = result.cases.memory
  const into = me?.loops?.find((l) => l.name === 'readInto')
  if (into) {
    const growth = into.after.rss - into.before.rss
    add(`readInto: RSS growth < 10 MB over ${num(into.frames)} frames`, `${(growth / 1e6).toFixed(1)} MB`, growth < 10e6)
  } else add('readInto memory', '–', null)

  issue = 6
  issue6(result, add)
  issue = 14
  issue14(result, add)
  issue = 17
  issue17(result, add)
  issue = 23
  issue23(result, add)
  issue23Memory(result, add)
  return [...out, ...caseGoals(result)]
}

// Issue 23: a new array per frame against reused ones (both run whole), on the uncompressed,
// bitshuffle-LZ4 and blosc files; blosc allocating against h5py; uncompressed readInto against pread.
function issue23(result, add) {
  for (const [key, label] of [['static', 'uncompressed'], ['compressed:bslz4', 'bitshuffle-LZ4'], ['compressed:blosc', 'blosc (LZ4, byte shuffle)']]) {
    const res = result.cases[key]
    if (res?.kind !== 'reads') {
      add(`${label}: new arrays ≥ 0.85× reused ones at 2 and 4 in flight, and sync`, '–', null)
      continue
    }
    for (const [alloc, reuse, what] of [
      ['h5swmr readAsync, 2 in flight', 'h5swmr readIntoAsync, 2 in flight, run whole', '2 in flight'],
      ['h5swmr readAsync, 4 in flight', 'h5swmr readIntoAsync, 4 in flight, run whole', '4 in flight'],
      ['h5swmr read', 'h5swmr readInto, run whole', 'sync'],
    ]) {
      const a = find(res, alloc)
      const r = pairedRatio(a, find(res, reuse))
      const figure = r ? `${fmtRatio(r)}; ${num(a.fps.median)} vs ${num(find(res, reuse).fps.median)} frames/s` : '–'
      // Sync reads are not an issue-23 goal (2 and 4 in flight are): shown beside them.
      if (what === 'sync') add(`  ${label}: read (a new array) ÷ readInto (reused), one thread`, figure, 'info')
      else add(`${label}: readAsync (a new array) ÷ readIntoAsync (reused), ${what} ≥ 0.85`, figure, verdict(r, 0.85))
    }
    {
      const a = find(res, 'h5swmr DataSource for await, 2 in flight')
      const reuse = find(res, 'h5swmr DataSource for await, 2 in flight, reuseBuffers')
      const r = pairedRatio(a, reuse)
      const figure = r ? `${fmtRatio(r)}; ${num(a.fps.median)} vs ${num(reuse.fps.median)} frames/s` : '–'
      add(`${label}: DataSource for await, 2 in flight: new arrays ÷ reuseBuffers ≥ 0.85`, figure, verdict(r, 0.85))
    }
    if (key === 'compressed:blosc') {
      const a = find(res, 'h5swmr readAsync, 2 in flight')
      const py = a?.ratios.h5py
      add(`${label}: readAsync, 2 in flight ≥ 2× h5py ds[i]`, py ? `${fmtRatio(py)}; h5py ${num(find(res, 'h5py ds[i]').fps.median)} frames/s` : 'h5py cannot read it here', py ? verdict(py, 2) : null)
    }
    if (key === 'static') {
      const r = pairedRatio(find(res, 'h5swmr readInto, page-aligned buffer'), find(res, 'limit: pread, page-aligned buffer'))
      add('uncompressed: readInto, one thread ≥ 0.95× the pread of the same bytes (page-aligned buffers)', r ? fmtRatio(r) : '–', verdict(r, 0.95))
    }
  }
}

// Issue 23, memory: every allocating loop flat after its first tenth; the long follow bounded.
function issue23Memory(result, add) {
  const me = result.cases.memory
  if (!me?.loops) return add('RSS flat over allocating reads and a long follow', '–', null)
  for (const l of me.loops) {
    if (!l.atTenth) continue
    const g = l.after.rss - l.atTenth.rss
    add(`${l.name}: RSS growth < 10 MB from 10 % to the end of ${num(l.frames)} reads`, `${(g / 1e6).toFixed(1)} MB (peak ${(l.peak.rss / 1e6).toFixed(0)} MB)`, g < 10e6)
  }
  const lf = me.longFollow
  if (lf?.samples?.length >= 2) {
    const first = lf.samples[0]
    const last = lf.samples[lf.samples.length - 1]
    const g = last.rss - first.rss
    const outside = (x) => x.rss - x.heapTotal
    const go = outside(last) - outside(first)
    const v8 = last.heapTotal - first.heapTotal
    add(`long follow: RSS outside V8's heap (addon, libhdf5, malloc) grows < 2 MB from ${num(first.frames)} to ${num(last.frames)} frames`, `${(go / 1e6).toFixed(1)} MB; HDF5 metadata cache ${(first.mdcSize / 1e3).toFixed(0)} → ${(last.mdcSize / 1e3).toFixed(0)} kB; ${lf.followed}/${lf.written} frames, ${lf.bad} bad`, go < 2e6 && lf.followed === lf.written && lf.bad === 0)
    add('  same, all RSS (V8 reserves young-generation space as the allocation rate rises, up to --max-semi-space-size)', `${(g / 1e6).toFixed(1)} MB, of which V8's reserved heap ${(v8 / 1e6).toFixed(1)} MB (used ${(first.heapUsed / 1e6).toFixed(1)} → ${(last.heapUsed / 1e6).toFixed(1)} MB)`, 'info')
  }
}

// Issue 17 (wake on write): the wake rows against polling at 1 ms and 10 ms, in the same run.
function issue17(result, add) {
  const fo = result.cases.follow
  const row = (name) => fo?.followers?.find((f) => f.name === name)
  const wake = row('h5swmr DataSource for await, wake on write (poll 100 ms fallback)')
  if (!wake) return add('wake on write: latency and idle CPU', '–', null)
  const p1 = row('h5swmr DataSource for await, poll 1 ms')
  const p10 = row('h5swmr DataSource for await, poll 10 ms')
  const vs = (r) => (r ? `${sig(r.latencyP50.median)} / ${sig(r.latencyP99.median)} ms` : '–')
  add('wake on write (for await): latency p50 ≤ 0.5 ms at the writer\'s max rate', `p50 ${sig(wake.latencyP50.median)} ms (poll 1 ms: ${sig(p1?.latencyP50.median)}, poll 10 ms: ${sig(p10?.latencyP50.median)})`, wake.latencyP50.median <= 0.5)
  add('  same, latency p99 ≤ 2 ms', `p99 ${sig(wake.latencyP99.median)} ms (runs ${sig(wake.latencyP99.min)}–${sig(wake.latencyP99.max)}; poll 1 ms p50/p99 ${vs(p1)}, poll 10 ms ${vs(p10)})`, wake.latencyP99.median <= 2)
  add('  same, < 1 % of a core while the writer idles', `${sig(wake.idleCpu?.median)} % (poll 1 ms: ${sig(p1?.idleCpu?.median)} %, poll 10 ms: ${sig(p10?.idleCpu?.median)} %)`, wake.idleCpu?.median != null ? wake.idleCpu.median < 1 : null)
  add('  same, 100 % of frames, 0 bad', `${wake.followed}/${wake.written}, ${wake.bad} bad`, wake.followed === wake.written && wake.bad === 0)
  const sync = row('h5swmr DataSource for-of, wake on write (poll 100 ms fallback)')
  if (sync) add('wake on write (for-of, the addon\'s inotify): latency p50 / p99', `${vs(sync)}, idle ${sig(sync.idleCpu?.median)} % of a core`, 'info')
}

// Issue 14 (bitshuffle-zstd, zstd, blosc): per codec, 2 decode threads vs 1, and 1 thread vs the
// decode alone of the same chunks in memory (the limit a decode thread has).
const DECODE_LIMIT = 'limit: decode alone (stored chunks in memory, 1 thread)'
function issue14(result, add) {
  for (const [name, label] of [['bszstd', 'bitshuffle-zstd'], ['zstd', 'zstd (32015)'], ['blosc', 'blosc (LZ4, byte shuffle)']]) {
    const res = result.cases[`compressed:${name}`]
    if (res?.kind !== 'reads' || !find(res, POOL2)) {
      add(`${label}: 2 decode threads ≥ 1.7× 1 thread; 1 thread ≥ 0.85× the decode alone`, res?.kind === 'skipped' ? `skipped: ${res.reason}` : '–', null)
      continue
    }
    const one = find(res, POOL1)
    const two = find(res, POOL2)
    const note = framesNote(res, [512, 512])
    const t = pairedRatio(two, one)
    add(`${label} 512×512 uint16 counts: 2 decode threads ≥ 1.7× 1 thread`, t ? `${fmtRatio(t)}; ${num(two.fps.median)} vs ${num(one.fps.median)} frames/s, ${sig(two.gbps.median)} GB/s${note}` : '–', verdict(t, 1.7))
    const d = pairedRatio(one, find(res, DECODE_LIMIT))
    add(`  same, 1 thread ≥ 0.85× the decode alone (chunks in memory)`, d ? `${fmtRatio(d)}; decode alone ${num(find(res, DECODE_LIMIT).fps.median)} frames/s` : '–', verdict(d, 0.85))
    const py = two.ratios.h5py
    const pyRow = find(res, 'h5py ds[i]')
    add(`  same, 2 threads × h5py ds[i] (its plugin, where h5py has one)`, py ? `${fmtRatio(py)}; h5py ${num(pyRow.fps.median)} frames/s` : 'h5py cannot read it here (see the case notes)', 'info')
  }
}

// Issue 6 (compressed data: direct-chunk path + decode pool), from the 'decode threads' rows.
const POOL1 = 'h5swmr readIntoAsync, 1 decode thread (2 in flight)'
const POOL2 = 'h5swmr readIntoAsync, 2 decode threads (4 in flight)'
const POOL2_SEC2 = 'h5swmr readIntoAsync, 2 decode threads (4 in flight), sec2 driver'

const G6 = {
  bslz4: 'bitshuffle-LZ4 512×512 uint16, 2 decode threads: ≥ 2.5 GB/s of decoded frames',
  deflate: 'deflate level 1 (+ shuffle): 2 decode threads ≥ 3× h5py ds[i]',
  direct: 'uncompressed, direct path: 2 decode threads ≥ 1.7× the 1-thread figure',
  follow: 'live follow of a bslz4 writer at its max rate: 100 % of frames',
}

/** Frames/s per round of a reads row. */
const fpsPerRound = (row) => row.raw.map((v) => (v && v.seconds > 0 ? v.frames / v.seconds : NaN))

/** a ÷ b paired by round: median (min–max), plus best/best (fastest round over fastest round). */
function pairedRatio(a, b) {
  if (!a || !b) return null
  const fa = fpsPerRound(a)
  const fb = fpsPerRound(b)
  const s = summary(fa.map((x, r) => x / fb[r]))
  if (s.median === null) return null
  const best = Math.max(...fa.filter(Number.isFinite)) / Math.max(...fb.filter(Number.isFinite))
  return { ...s, best: Number.isFinite(best) ? best : null }
}

const fmtRatio = (x) => (x ? `${x.median.toFixed(2)}× (${x.min.toFixed(2)}–${x.max.toFixed(2)}; best/best ${x.best?.toFixed(2) ?? '–'}×)` : '–')
const verdict = (x, goal) => (x ? x.median >= goal : null)

/** What a reads case's frames are, when they are not what the goal names (e.g. --quick sizes). */
function framesNote(res, shape) {
  return res.frameShape.join('×') === shape.join('×') ? '' : ` [${res.frameShape.join('×')} frames here, not ${shape.join('×')}]`
}

function issue6(result, add) {
  const bs = result.cases['compressed:bslz4']
  if (bs?.kind === 'reads' && find(bs, POOL2)) {
    const two = find(bs, POOL2)
    const one = find(bs, POOL1)
    const note = framesNote(bs, [512, 512])
    const gb = two.gbps
    add(
      G6.bslz4,
      `${sig(gb.median)} GB/s (rounds ${sig(gb.min)}–${sig(gb.max)}; ${num(two.fps.median)} frames/s)${note}`,
      gb.median >= 2.5,
    )
    const py = two.ratios.h5py
    const pyRow = find(bs, 'h5py ds[i]')
    add(
      '  same, ≥ 6× h5py ds[i] (Debian bitshuffle plugin)',
      py ? `${fmtRatio(py)}; h5py ${num(pyRow.fps.median)} frames/s` : '–',
      verdict(py, 6),
    )
    const t = pairedRatio(two, one)
    add(
      '  same, ≥ 1.8× our own 1-thread figure (1 decode thread, 2 in flight)',
      t ? `${fmtRatio(t)}; 1 thread ${num(one.fps.median)} frames/s` : '–',
      verdict(t, 1.8),
    )
  } else add(`${G6.bslz4} (and × h5py, × 1 thread)`, bs?.kind === 'skipped' ? `skipped: ${bs.reason}` : '–', null)

  const de = result.cases['compressed:deflate']
  if (de?.kind === 'reads' && find(de, POOL2)) {
    const two = find(de, POOL2)
    const py = two.ratios.h5py
    const level = de.compressionLevel
    const levelNote = level === 1 || level === undefined ? '' : ` [written at level ${level}, not 1]`
    const t = pairedRatio(two, find(de, POOL1))
    add(
      G6.deflate,
      py ? `${fmtRatio(py)}; ${sig(two.gbps.median)} GB/s; ${t ? t.median.toFixed(2) : '–'}× the 1-thread figure${levelNote}${framesNote(de, [512, 512])}` : '–',
      level === 1 || level === undefined ? verdict(py, 3) : null,
    )
  } else add(G6.deflate, '–', null)

  const st = result.cases.static
  if (st?.kind === 'reads' && find(st, POOL2)) {
    const two = find(st, POOL2)
    const one = find(st, POOL1)
    const t = pairedRatio(two, one)
    const stats = st.readStats?.[POOL2]
    const path = stats ? `; ${stats.direct} direct reads, ${stats.hdf5} through H5Dread` : ''
    add(
      G6.direct,
      t ? `${fmtRatio(t)}; ${num(two.fps.median)} vs ${num(one.fps.median)} frames/s${path}${framesNote(st, [512, 512])}` : '–',
      verdict(t, 1.7),
    )
    const sec2 = find(st, POOL2_SEC2)
    if (sec2) {
      const vs = pairedRatio(two, sec2)
      const vsOne = pairedRatio(sec2, one)
      add(
        '  for comparison: the same 2 threads with the sec2 driver (chunk bytes copied under the HDF5 lock)',
        `${num(sec2.fps.median)} frames/s, ${vsOne ? vsOne.median.toFixed(2) : '–'}× the 1-thread figure; h5swmr driver ÷ sec2 ${fmtRatio(vs)}`,
        'info',
      )
    }
  } else add(G6.direct, '–', null)

  const fb = result.cases['follow-bslz4']
  const f = fb?.followers?.[0]
  if (f) {
    add(
      G6.follow,
      `${f.followed}/${f.written} over ${f.runs.length} runs (writer ${sig(f.writerFps.median)} fps, ${fb.frameShape.join('×')})`,
      f.followed === f.written && f.written > 0,
    )
    add('  same, 0 bad frames', String(f.bad), f.bad === 0)
  } else add(`${G6.follow}, 0 bad`, fb?.kind === 'skipped' ? `skipped: ${fb.reason}` : '–', null)
}

const GOAL_TITLES = {
  5: 'Goals (issue 5: uncompressed reads, follow, keys, memory)',
  6: 'Goals (issue 6: compressed data, direct-chunk path + decode pool)',
  14: 'Goals (issue 14: bitshuffle-zstd, zstd, blosc built in)',
  17: 'Goals (issue 17: wake on write)',
  22: 'Goals (issue 22: every type h5py reads)',
  23: 'Goals (issue 23: a new array per frame as fast as a reused one)',
}

// Cases that judge their own goals (kind 'table') hand them over as they are.
function caseGoals(result) {
  return Object.values(result.cases).flatMap((res) => res.goals ?? [])
}

/** One table per issue (results saved before goals had an issue are issue 5's). */
function goalsTables(list) {
  const issues = [...new Set(list.map((g) => g.issue ?? 5))]
  return issues.map((issue) => ({
    title: GOAL_TITLES[issue] ?? `Goals (issue ${issue})`,
    columns: [{ head: 'goal', align: 'l' }, { head: 'measured', align: 'l' }, { head: 'status', align: 'l' }],
    rows: list.filter((g) => (g.issue ?? 5) === issue).map((g) => [g.goal, g.measured, g.status]),
    notes: issue === 6 ? ['ratios paired per round: median (min–max) of the per-round ratios; best/best = fastest round over fastest round; × 1-thread = the 2-thread row over the 1-thread row of the same case'] : [],
  }))
}

function goalsText(list) {
  return goalsTables(list).map(renderText).join('\n\n')
}

function markdown(result) {
  const parts = []
  parts.push(machineLines(result.machine, result).map((l) => `- ${l}`).join('\n'))
  for (const [name, res] of Object.entries(result.cases)) for (const t of tablesOf(name, res)) parts.push(renderMarkdown(t))
  for (const t of goalsTables(result.goals)) parts.push(renderMarkdown(t))
  return parts.join('\n\n')
}

module.exports = { machineText, caseText, goals, goalsText, markdown }
