// Live follow: the simulator writes at maximum rate in one process, a follower (h5swmr DataSource,
// or h5wasm re-opening the file every poll) follows the same growing file from another. Plus one
// run of h5wasm's own refresh() to show what it returns on a growing file.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const h5 = require('../../dist')
const h5sim = require('../../dist/simulate')
const data = require('../lib/data')
const { h5wasmInfo } = require('./reads')
const { runChild, lastJson, summary, percentile, log } = require('../lib/util')
const { spawn } = require('node:child_process')
const readline = require('node:readline')

const CHILD = (name) => path.join(__dirname, '..', 'children', name)

// pollInterval per follower: wake on write keeps 100 ms as its fallback (the longest a wait lasts
// when no event comes; h5swmr follow's default with wake on), against polling at 1 ms and at 10 ms.
const h5swmrFollower = (name, iterate, wake, pollInterval) => ({
  name,
  pollInterval,
  cpu: true,
  args: (o) => [CHILD('follow_h5swmr.js'), JSON.stringify({ file: o.file, pollInterval, timeout: o.timeout, iterate, reuseBuffers: true, wake, cpu: Boolean(o.cpu) })],
})
const FOLLOWERS = {
  h5swmrWake: h5swmrFollower('h5swmr DataSource for await, wake on write (poll 100 ms fallback)', 'async', 'auto', 100),
  h5swmrAsync: h5swmrFollower('h5swmr DataSource for await, poll 1 ms', 'async', 'poll', 1),
  h5swmrAsync10: h5swmrFollower('h5swmr DataSource for await, poll 10 ms', 'async', 'poll', 10),
  h5swmrSyncWake: h5swmrFollower('h5swmr DataSource for-of, wake on write (poll 100 ms fallback)', 'sync', 'auto', 100),
  h5swmrSync: h5swmrFollower('h5swmr DataSource for-of, poll 1 ms', 'sync', 'poll', 1),
  h5wasmReopen: {
    name: 'h5wasm, File re-opened every poll (1 ms)',
    wasm: true,
    args: (o) => [CHILD('follow_h5wasm.mjs'), JSON.stringify({ file: o.file, pollInterval: o.pollInterval, timeout: o.timeout, mode: 'reopen' })],
  },
}

/** Start a process; returns { child, lines (async iterator helpers), done: Promise<{code, lines, stderr}> }. */
function start(args) {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  child.stdin.on('error', () => {}) // EPIPE once the child has exited
  const lines = []
  const waiters = []
  let stderr = ''
  readline.createInterface({ input: child.stdout }).on('line', (l) => {
    lines.push(l)
    for (const w of waiters.splice(0)) w()
  })
  child.stderr.on('data', (d) => (stderr += d))
  const done = new Promise((resolve) => child.on('close', (code, signal) => {
    for (const w of waiters.splice(0)) w()
    resolve({ code, signal, lines, stderr })
  }))
  let exited = false
  done.then(() => (exited = true))
  /** Wait for a line equal to `text` (or the exit); true if seen. */
  const waitLine = async (text, ms = 30_000) => {
    const deadline = Date.now() + ms
    while (!lines.includes(text)) {
      if (exited || Date.now() > deadline) return false
      await new Promise((r) => {
        waiters.push(r)
        setTimeout(r, 200)
      })
    }
    return true
  }
  return { child, lines, done, waitLine, stderr: () => stderr }
}

/** One live session: writer + one follower on a fresh file. */
async function session(follower, o) {
  fs.rmSync(o.file, { force: true })
  const writer = start([CHILD('writer.js'), JSON.stringify({ file: o.file, frames: o.frames, frameShape: o.frameShape, compression: o.compression ?? 'none', pattern: o.pattern ?? 'ramp', idleAt: o.idleAt, idleMs: o.idleMs })])
  try {
    if (!(await writer.waitLine('ready'))) throw new Error(`writer did not start: ${writer.stderr().trim() || writer.lines.join(' ')}`)
    const fol = start(follower.args(o))
    if (!(await fol.waitLine('opened'))) {
      const r = await fol.done
      throw new Error(`${follower.name} did not open the file: ${lastJson(r.lines)?.error ?? r.stderr.trim()}`)
    }
    const probe = start([CHILD('sleep_probe.js')])
    await probe.waitLine('started')
    writer.child.stdin.write('go\n')
    const w = await writer.done
    probe.child.stdin.end('stop\n')
    const pres = lastJson((await probe.done).lines)
    const wres = lastJson(w.lines)
    if (!wres?.ok) throw new Error(`writer failed: ${wres?.error ?? w.stderr.trim()}`)
    fol.child.stdin.write('end\n')
    const r = await fol.done
    const fres = lastJson(r.lines)
    if (!fres?.ok) throw new Error(`${follower.name} failed: ${fres?.error ?? r.stderr.trim()}`)
    return { writer: wres, follower: fres, probe: pres?.ok ? pres : null }
  } finally {
    writer.child.kill('SIGKILL')
  }
}

/** Flush times (ms since the epoch) the writer recorded after each frame's key was flushed. */
function flushTimes(file) {
  const f = h5.File.open(file, { swmr: false, locking: false })
  try {
    return Array.from(f.dataset('/entry/timing/flush_time').read())
  } finally {
    f.close()
  }
}

function analyse(run, written, flush) {
  const arr = run.follower.arrivals
  const got = arr.filter((t) => t !== null && t !== undefined)
  const lat = []
  for (let i = 0; i < arr.length; i++) if (arr[i] != null && flush[i] !== undefined) lat.push(arr[i] - flush[i])
  lat.sort((a, b) => a - b)
  const firstArr = Math.min(...got)
  const lastArr = Math.max(...got)
  const writerFps = flush.length > 1 ? (flush.length - 1) / ((flush[flush.length - 1] - flush[0]) / 1000) : null
  return {
    written,
    followed: got.length,
    bad: run.follower.bad + run.follower.duplicates + run.follower.outOfOrder,
    writerFps,
    followedFps: got.length > 1 ? (got.length - 1) / ((lastArr - firstArr) / 1000) : null,
    latencyP50: percentile(lat, 50),
    latencyP99: percentile(lat, 99),
    latencyMax: lat.length ? lat[lat.length - 1] : null,
    polls: run.follower.polls,
    errors: run.follower.errors ?? 0,
    probeLateP50: run.probe?.lateP50 ?? null,
    probeLateP99: run.probe?.lateP99 ?? null,
    probeLateMax: run.probe?.lateMax ?? null,
    lastError: run.follower.lastError ?? null,
    finished: run.follower.finished,
    timedOut: run.follower.timedOut,
    wakeMode: run.follower.wake?.mode ?? null,
    woken: run.follower.wake ? `${run.follower.wake.woken}/${run.follower.wake.waits}` : null,
  }
}

/**
 * The follower's CPU while the writer idles: one session whose writer pauses `idleMs` before frame
 * `idleAt`; CPU time between the arrivals of frames idleAt-1 and idleAt over the wall time between
 * them, in % of one core.
 */
async function idleCpu(follower, o) {
  const run = await session(follower, { ...o, cpu: true })
  const { arrivals, cpu } = run.follower
  const a = o.idleAt - 1
  const b = o.idleAt
  if (arrivals[a] == null || arrivals[b] == null || cpu?.[a] == null || cpu?.[b] == null) return null
  return (100 * (cpu[b] - cpu[a])) / (arrivals[b] - arrivals[a])
}

/** h5wasm's own refresh() on a growing file, once; then the same file read fresh, to show it is fine. */
async function refreshCheck(o) {
  const file = o.file
  const run = await session(
    { name: 'h5wasm refresh()', args: () => [CHILD('follow_h5wasm.mjs'), JSON.stringify({ file, pollInterval: o.pollInterval, timeout: o.timeout, mode: 'refresh' })] },
    { ...o, frames: o.refreshFrames },
  )
  // The file itself: every frame checked in full with h5swmr, and read by h5wasm in a fresh process.
  const f = h5.File.open(file, { swmr: false, locking: false })
  let okFrames = 0
  try {
    const ds = f.dataset(data.DATA)
    for (let i = 0; i < o.refreshFrames; i++) if (h5sim.checkFrame(ds.read({ start: [i, 0, 0], count: [1, ...o.frameShape] }), i)) okFrames++
  } finally {
    f.close()
  }
  const fresh = lastJson((await runChild(process.execPath, [CHILD('h5wasm_read.mjs'), JSON.stringify({ file, dset: data.DATA, n: o.refreshFrames, warmup: 0 })])).lines)
  return {
    frames: o.refreshFrames,
    refresh: run.follower,
    fileCorrect: okFrames,
    freshH5wasmBad: fresh?.ok ? fresh.bad : null,
  }
}

/** One follower's runs, summed and summarised. */
function summarise(name, rs) {
  return {
    name,
    runs: rs,
    written: rs.reduce((a, x) => a + x.written, 0),
    followed: rs.reduce((a, x) => a + x.followed, 0),
    bad: rs.reduce((a, x) => a + x.bad, 0),
    writerFps: summary(rs.map((x) => x.writerFps)),
    followedFps: summary(rs.map((x) => x.followedFps)),
    latencyP50: summary(rs.map((x) => x.latencyP50)),
    latencyP99: summary(rs.map((x) => x.latencyP99)),
    latencyMax: summary(rs.map((x) => x.latencyMax)),
    polls: summary(rs.map((x) => x.polls)),
    errors: rs.reduce((a, x) => a + x.errors, 0),
    probeLateP99: summary(rs.map((x) => x.probeLateP99)),
    probeLateMax: summary(rs.map((x) => x.probeLateMax)),
    lastError: rs.map((x) => x.lastError).filter(Boolean).pop() ?? null,
    wakeMode: rs.map((x) => x.wakeMode).filter(Boolean).pop() ?? null,
    woken: rs.map((x) => x.woken).filter(Boolean).pop() ?? null,
  }
}

async function runFollowCase(spec) {
  const o = {
    file: path.join(data.ensureDir(), `follow-${process.pid}.h5`),
    frames: spec.frames,
    frameShape: spec.frameShape,
    pollInterval: spec.pollInterval,
    timeout: 5000,
    refreshFrames: spec.refreshFrames,
  }
  const notes = []
  const wasm = await h5wasmInfo()
  const list = Object.values(FOLLOWERS).filter((f) => !f.wasm || wasm.ok)
  if (!wasm.ok) notes.push(`h5wasm skipped: ${wasm.reason}`)
  const runs = Object.fromEntries(list.map((f) => [f.name, []]))
  let refresh = null
  const idle = {}
  try {
    for (let r = 0; r < spec.repeats; r++) {
      for (let k = 0; k < list.length; k++) {
        const fol = list[(k + r) % list.length]
        const run = await session(fol, o)
        runs[fol.name].push(analyse(run, run.writer.frames, flushTimes(o.file)))
      }
      log(`  follow: round ${r + 1}/${spec.repeats} done`)
    }
    if (wasm.ok) refresh = await refreshCheck(o)
    // The writer pauses; what each h5swmr follower's waiting costs meanwhile (median of the rounds).
    for (const fol of list.filter((f) => f.cpu)) {
      const xs = []
      for (let r = 0; r < spec.idleRuns; r++) xs.push(await idleCpu(fol, { ...o, frames: 100, idleAt: 50, idleMs: spec.idleMs }))
      idle[fol.name] = summary(xs)
    }
  } finally {
    fs.rmSync(o.file, { force: true })
  }
  const followers = list.map((f) => ({ ...summarise(f.name, runs[f.name]), idleCpu: idle[f.name] ?? null }))
  for (const f of followers) if (f.errors) notes.push(`${f.name}: ${f.errors} polls failed and were retried (last: ${f.lastError})`)
  notes.push(
    `writer: simulateScan at max rate in its own process (extend, write+flush data, write+flush key, flush timestamp per frame); ` +
      `followers wait for the writer as their row says (wake on write: inotify, fs.watch for await, the addon's for for-of; poll N ms: a refresh every N ms); idle CPU = the follower's CPU time while the writer pauses ${spec.idleMs} ms between two frames, in % of one core (median of ${spec.idleRuns}); woken = waits ended by a write / waits, in the last run; wake-up delay = how late a separate probe process woke from 1 ms sleeps during the same runs (the scheduler's share of any latency); latency = follower's yield time − writer's time after the key flush; bad counts wrong, duplicate and out-of-order frames (sampled check of 64 pixels per frame)`,
  )
  if (refresh) {
    const r = refresh.refresh
    const bad = r.zeros + r.otherFrame + r.wrong
    const example = r.badSample ? ` (first: frame ${r.badSample.index} read back as ${r.badSample.contentOfFrame !== null ? `frame ${r.badSample.contentOfFrame}'s pixels` : r.zeros ? 'zeros' : 'garbage'})` : ''
    notes.push(
      `h5wasm's own refresh() on the growing file (one File, ds.refresh() every poll): ${bad} of ${r.read} frames stale or wrong — ` +
        `${r.zeros} all zeros, ${r.otherFrame} another frame's pixels, ${r.wrong} other${example}; ` +
        `the same file afterwards: ${refresh.fileCorrect}/${refresh.frames} frames correct (h5swmr, full check), ` +
        `${refresh.freshH5wasmBad ?? '?'} bad when h5wasm reads it in a fresh process`,
    )
  }
  return {
    kind: 'follow',
    title: `follow: ${o.frames} frames of ${o.frameShape.join('×')} uint16 written at max rate by another process, ${spec.repeats} runs per follower`,
    frames: o.frames,
    frameShape: o.frameShape,
    pollInterval: o.pollInterval,
    followers,
    refreshCheck: refresh,
    notes,
  }
}

/**
 * Issue 6: live follow of a bitshuffle-LZ4 writer (simulateScan `compression: 'bslz4'`) at its
 * maximum rate, h5swmr only: a DataSource read with async iteration, `concurrency` frames in flight
 * on the decode pool. spec: { frames, frameShape, pollInterval, runs, concurrency }.
 */
async function runBslz4FollowCase(spec) {
  const o = {
    file: path.join(data.ensureDir(), `follow-bslz4-${process.pid}.h5`),
    frames: spec.frames,
    frameShape: spec.frameShape,
    pollInterval: spec.pollInterval,
    timeout: 5000,
    compression: 'bslz4',
    pattern: 'counts', // detector-like frames: they compress as real data does
  }
  const follower = {
    name: `h5swmr DataSource for await, reuseBuffers, concurrency ${spec.concurrency}`,
    args: (x) => [CHILD('follow_h5swmr.js'), JSON.stringify({ file: x.file, pollInterval: x.pollInterval, timeout: x.timeout, iterate: 'async', reuseBuffers: true, concurrency: spec.concurrency, pattern: x.pattern })],
  }
  const runs = []
  try {
    for (let r = 0; r < spec.runs; r++) {
      const run = await session(follower, o)
      runs.push(analyse(run, run.writer.frames, flushTimes(o.file)))
      log(`  follow-bslz4: run ${r + 1}/${spec.runs} done`)
    }
  } finally {
    fs.rmSync(o.file, { force: true })
  }
  const f = summarise(follower.name, runs)
  const notes = []
  if (f.errors) notes.push(`${f.name}: ${f.errors} polls failed and were retried (last: ${f.lastError})`)
  notes.push(
    `writer: simulateScan with compression 'bslz4' (bitshuffle-LZ4, one frame per chunk) and pattern 'counts' (Poisson photon counts, mean 0.5: compresses as real data does) at max rate in its own process, as in the follow case; ` +
      `the follower polls every ${o.pollInterval} ms and keeps up to ${spec.concurrency} frames in flight on the decode pool (default size); ` +
      'latency, wake-up delay and bad as in the follow case (bad: wrong, duplicate or out-of-order frames, sampled check of 64 pixels per frame)',
  )
  return {
    kind: 'follow',
    title: `follow-bslz4: ${o.frames} frames of ${o.frameShape.join('×')} uint16, bitshuffle-LZ4, written at max rate by another process, ${spec.runs} runs`,
    frames: o.frames,
    frameShape: o.frameShape,
    compression: 'bslz4',
    pollInterval: o.pollInterval,
    concurrency: spec.concurrency,
    followers: [f],
    notes,
  }
}

module.exports = { runFollowCase, runBslz4FollowCase, start, analyse, flushTimes, summarise, CHILD }
