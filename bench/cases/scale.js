// Issue 16: how many readers one writer serves. The simulator writes at maximum rate in one process
// while N followers (h5swmr DataSource, async, reuseBuffers, each its own process) follow the same
// file: every one reading every frame (N independent consumers), or each a shard i/N (N processes
// sharing one scan, as a SLURM array would run them). Writer frames/s against the writer alone in
// the same run says whether readers slow it.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const data = require('../lib/data')
const { log } = require('../lib/util')
const { start, analyse, flushTimes, summarise, CHILD } = require('./follow')

/** Writer + n followers on a fresh file; followers[i] gets `shard` i/n when sharded. */
async function session(o, n, sharded, wake) {
  fs.rmSync(o.file, { force: true })
  const writer = start([CHILD('writer.js'), JSON.stringify({ file: o.file, frames: o.frames, frameShape: o.frameShape })])
  const followers = []
  try {
    if (!(await writer.waitLine('ready'))) throw new Error(`writer did not start: ${writer.stderr().trim()}`)
    for (let i = 0; i < n; i++) {
      const opts = { file: o.file, pollInterval: wake ? o.wakeFallback : o.pollInterval, wake: wake ? 'auto' : 'poll', timeout: o.timeout, iterate: 'async', reuseBuffers: true, shard: sharded ? { index: i, count: n } : undefined }
      followers.push(start([CHILD('follow_h5swmr.js'), JSON.stringify(opts)]))
    }
    for (const f of followers) if (!(await f.waitLine('opened'))) throw new Error(`a follower did not open the file: ${f.stderr().trim()}`)
    writer.child.stdin.write('go\n')
    const w = await writer.done
    const wres = JSON.parse(w.lines[w.lines.length - 1])
    if (!wres.ok) throw new Error(`writer failed: ${wres.error}`)
    const flush = flushTimes(o.file)
    const out = []
    for (const f of followers) {
      f.child.stdin.write('end\n')
      const r = await f.done
      const fres = JSON.parse(r.lines[r.lines.length - 1] || '{}')
      if (!fres.ok) throw new Error(`follower failed: ${fres.error ?? r.stderr.trim()}`)
      out.push(analyse({ follower: fres, probe: null }, wres.frames, flush))
    }
    const writerFps = flush.length > 1 ? (flush.length - 1) / ((flush[flush.length - 1] - flush[0]) / 1000) : null
    return { writerFps, followers: out }
  } finally {
    writer.child.kill('SIGKILL')
    for (const f of followers) f.child.kill('SIGKILL')
  }
}

async function runScaleCase(spec) {
  const o = { file: path.join(data.ensureDir(), `scale-${process.pid}.h5`), frames: spec.frames, frameShape: spec.frameShape, pollInterval: spec.pollInterval, wakeFallback: 100, timeout: 5000 }
  const configs = [{ n: 0, sharded: false, wake: false }]
  for (const n of spec.counts)
    for (const wake of [false, true]) configs.push({ n, sharded: false, wake }, ...(n > 1 ? [{ n, sharded: true, wake }] : []))
  const rows = configs.map(() => ({ writer: [], followers: [] }))
  try {
    for (let r = 0; r < spec.runs; r++) {
      // Rotate the order each round so a slow patch of the machine does not land on one configuration.
      for (let k = 0; k < configs.length; k++) {
        const c = (k + r) % configs.length
        const s = await session(o, configs[c].n, configs[c].sharded, configs[c].wake)
        rows[c].writer.push(s.writerFps)
        rows[c].followers.push(...s.followers)
      }
      log(`  scale: round ${r + 1}/${spec.runs} done`)
    }
  } finally {
    fs.rmSync(o.file, { force: true })
  }
  const { median } = require('../lib/util')
  const alone = median(rows[0].writer)
  const followers = configs.map((c, k) => {
    const writerFps = median(rows[k].writer)
    const slow = alone ? ` (writer ${(writerFps / alone).toFixed(2)}× alone)` : ''
    const how = c.wake ? 'wake on write' : `poll ${o.pollInterval} ms`
    const name = c.n === 0 ? 'writer alone' : `${c.n} follower${c.n > 1 ? 's' : ''}, ${c.sharded ? `each shard i/${c.n}` : 'each every frame'}, ${how}${slow}`
    const s = summarise(name, rows[k].followers)
    // The writer's rate per session (not per follower).
    s.writerFps = { median: writerFps, min: Math.min(...rows[k].writer), max: Math.max(...rows[k].writer), n: rows[k].writer.length }
    s.runs = rows[k].writer.map(() => null)
    // Sharded, the followers of a session share its frames: every frame once in all.
    if (c.sharded) s.written = rows[k].writer.length * o.frames
    s.writerRatio = alone ? writerFps / alone : null
    return s
  })
  return {
    kind: 'follow',
    title: `scale: one writer at max rate (${o.frames} frames of ${o.frameShape.join('×')} uint16), 1–${spec.counts[spec.counts.length - 1]} followers in their own processes, ${spec.runs} runs each`,
    frames: o.frames,
    frameShape: o.frameShape,
    pollInterval: o.pollInterval,
    followers,
    notes: [
      `followers: DataSource for await, reuseBuffers, polling every ${o.pollInterval} ms or waking on writes (fallback ${o.wakeFallback} ms); followed fps is per follower (a shard's own frames); latency = follower's yield − writer's key flush; on this machine's ${require('node:os').cpus().length} cores every process competes with the writer`,
    ],
  }
}

module.exports = { runScaleCase }
