// Memory: RSS and external memory over many frame reads, each loop in a fresh process over the
// static case's file (`read`, `readAsync` and a DataSource allocate a new array per frame, `readInto`
// reuses one); and a long live follow (writer in another process) sampled as the file grows.
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const data = require('../lib/data')
const { runChild, lastJson, log } = require('../lib/util')

const CHILD = (name) => path.join(__dirname, '..', 'children', name)

async function runMemoryCase(spec) {
  const { file, meta } = await data.ensureScanFile(spec.static.fileName, spec.static.params)
  data.warm(file)
  const loops = []
  for (const mode of ['readInto', 'read', 'readAsync', 'DataSource']) {
    const r = await runChild(process.execPath, ['--expose-gc', CHILD('memory.js'), JSON.stringify({ file, frames: spec.frames, mode })])
    const res = lastJson(r.lines)
    if (!res?.ok) throw new Error(`memory child (${mode}) failed: ${res?.error ?? r.stderr.trim().split('\n').pop()}`)
    loops.push({ name: mode, ...res })
  }
  const p = meta.params
  return {
    kind: 'memory',
    title: `memory: ${spec.frames} reads of ${p.frameShape.join('×')} uint16 frames (cycling over the static file's ${p.frames}), each loop in a fresh process`,
    loops,
    longFollow: await longFollow(spec.longFollow),
    notes: [
      'before: after 100 warm-up reads and a full GC; at 10 %: after a tenth of the loop; after: right after the loop; after GC: then a full GC; peak: sampled every 500 frames',
      'readAsync keeps 2 reads in flight; DataSource: for await without reuseBuffers (a new array per frame)',
    ],
  }
}

/** A writer of `frames` small frames at max rate and one follower sampling its memory. */
async function longFollow(o) {
  const dir = process.env.H5SWMR_BENCH_DIR || path.join(os.tmpdir(), 'h5swmr-bench')
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'long-follow.h5')
  fs.rmSync(file, { force: true })
  log(`  long follow: ${o.frames} frames of ${o.frameShape.join('×')} uint16...`)
  let writerChild = null
  let follower = null
  const writer = runChild(process.execPath, [CHILD('writer.js'), JSON.stringify({ file, frames: o.frames, frameShape: o.frameShape })], {
    timeoutMs: 30 * 60_000,
    onLine: (line, child) => {
      if (line !== 'ready') return
      writerChild = child
      follower = runChild(process.execPath, ['--expose-gc', CHILD('long_follow.js'), JSON.stringify({ file, every: o.every })], {
        timeoutMs: 30 * 60_000,
        onLine: (l) => l === 'opened' && writerChild.stdin.write('go\n'),
      })
    },
  })
  const w = await writer
  const wres = lastJson(w.lines)
  if (!wres?.ok || !follower) throw new Error(`long-follow writer failed: ${wres?.error ?? w.stderr.trim().split('\n').pop()}`)
  const r = await follower
  const res = lastJson(r.lines)
  fs.rmSync(file, { force: true })
  if (!res?.ok) throw new Error(`long-follow follower failed: ${res?.error ?? r.stderr.trim().split('\n').pop()}`)
  return { frames: o.frames, frameShape: o.frameShape, written: wres.frames, writerSeconds: wres.seconds, followed: res.frames, bad: res.bad, samples: res.samples }
}

module.exports = { runMemoryCase }
