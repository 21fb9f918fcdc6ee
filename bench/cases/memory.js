// Memory: RSS and external memory before and after many frame reads, with `read` (a new array per
// frame) and `readInto` (one reused array), each in a fresh process over the static case's file.
'use strict'
const path = require('node:path')
const data = require('../lib/data')
const { runChild, lastJson } = require('../lib/util')

const CHILD = path.join(__dirname, '..', 'children', 'memory.js')

async function runMemoryCase(spec) {
  const { file, meta } = await data.ensureScanFile(spec.static.fileName, spec.static.params)
  data.warm(file)
  const loops = []
  for (const mode of ['readInto', 'read']) {
    const r = await runChild(process.execPath, ['--expose-gc', CHILD, JSON.stringify({ file, frames: spec.frames, mode })])
    const res = lastJson(r.lines)
    if (!res?.ok) throw new Error(`memory child (${mode}) failed: ${r.stderr.trim().split('\n').pop()}`)
    loops.push({ name: mode, ...res })
  }
  const p = meta.params
  return {
    kind: 'memory',
    title: `memory: ${spec.frames} reads of ${p.frameShape.join('×')} uint16 frames (cycling over the static file's ${p.frames}), each loop in a fresh process`,
    loops,
    notes: ['before: after 100 warm-up reads and a full GC; after: right after the loop; after GC: then a full GC; peak: sampled every 500 frames'],
  }
}

module.exports = { runMemoryCase }
