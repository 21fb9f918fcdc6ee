// A control for the follow case: sleeps 1 ms in a loop (as a follower between polls) while the
// writer and the follower run, and reports how late it woke up. When this probe wakes up late, so
// does any follower: that part of the latency is the machine's scheduler, not the follower.
// Stops at the first line (or end) on stdin; prints one JSON line.
'use strict'
const cell = new Int32Array(new SharedArrayBuffer(4))
const late = []
let stop = false
process.stdin.on('data', () => (stop = true))
process.stdin.on('end', () => (stop = true))

function chunk() {
  // 50 sleeps, then let the event loop see stdin
  for (let k = 0; k < 50; k++) {
    const t = performance.now()
    Atomics.wait(cell, 0, 0, 1)
    late.push(performance.now() - t - 1)
  }
  if (stop) return done()
  setImmediate(chunk)
}

function done() {
  late.sort((a, b) => a - b)
  const p = (q) => (late.length ? late[Math.min(late.length - 1, Math.ceil((q / 100) * late.length) - 1)] : null)
  process.stdout.write(JSON.stringify({ ok: true, sleeps: late.length, lateP50: p(50), lateP99: p(99), lateMax: late[late.length - 1] ?? null }) + '\n')
  process.exit(0)
}

process.stdout.write('started\n')
chunk()
