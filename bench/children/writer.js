// The live writer of the follow case, in its own process: simulateScan at maximum rate, with
// per-frame flush timestamps. argv[2]: JSON { file, frames, frameShape, dtype, compression, idleAt, idleMs }.
// Prints "ready" once the file is in SWMR mode, waits for a line on stdin ("go") before the first
// frame, and prints one JSON line at the end.
'use strict'
const readline = require('node:readline')
const h5 = require('../../dist')
const h5sim = require('../../dist/simulate')

const o = JSON.parse(process.argv[2])
let go
const started = new Promise((resolve) => (go = resolve))
readline.createInterface({ input: process.stdin }).once('line', () => go())

let first = 0
h5sim.simulateScan(o.file, {
  frames: o.frames,
  frameShape: o.frameShape,
  dtype: o.dtype ?? 'uint16',
  compression: o.compression ?? 'none',
  pattern: o.pattern ?? 'ramp',
  rateHz: o.rateHz ?? 0,
  timestamps: true,
  locking: false,
  onReady: () => process.stdout.write('ready\n'),
  beforeFrame: (i) => {
    if (i === 0) return started.then(() => (first = performance.now()))
    // idleAt/idleMs: the detector pauses (between scan lines, a shutter closed): nothing is written.
    if (i === o.idleAt) return new Promise((r) => setTimeout(r, o.idleMs))
  },
})
  .then((n) => {
    process.stdout.write(JSON.stringify({ ok: true, frames: n, seconds: (performance.now() - first) / 1000 }) + '\n')
    process.exit(0)
  })
  .catch((err) => {
    process.stdout.write(JSON.stringify({ ok: false, error: `${err.code || ''} ${err.message}` }) + '\n')
    process.exit(1)
  })
