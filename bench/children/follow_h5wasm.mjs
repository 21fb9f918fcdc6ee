// h5wasm follower of the follow case, in its own process. argv[2]: JSON { file, pollInterval,
// timeout, mode }. Prints "opened" once it can read the file, then one JSON line at the end.
//
// mode 'reopen' (the fair baseline; h5wasm's refresh() goes stale on a growing file): every poll
//   opens a new File(path, 'Sr'), reads the keys past the last ready one, reads every newly ready
//   frame with ds.slice(), closes the file, sleeps pollInterval. Ends once the finished flag is set
//   and one more poll found nothing.
// mode 'refresh' (h5wasm's own API, to show it goes stale): one File, ds.refresh() every poll,
//   frames read up to the extent minus one while the writer runs, then the rest after a line
//   "end" arrives on stdin (the writer has exited). Counts frames read as zeros / wrong.
import { createRequire } from 'node:module'
import readline from 'node:readline'

const require = createRequire(import.meta.url)
const { sampleCheck } = require('../lib/check.js')
const o = JSON.parse(process.argv[2])
const out = (x) => process.stdout.write(JSON.stringify(x) + '\n')
const now = () => performance.timeOrigin + performance.now()
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const DATA = '/entry/data/data'
const KEYS = '/entry/keys/uid'
const FINISHED = '/entry/finished'

const h5wasm = (await import('h5wasm/node')).default
const Module = await h5wasm.ready
Module.activate_throwing_error_handler()

/** The most specific line of an HDF5 error stack (h5wasm puts the whole stack in the message). */
function hdf5Message(err) {
  const lines = String(err?.message ?? err).split('\n').map((l) => l.trim()).filter(Boolean)
  const minor = lines.filter((l) => l.startsWith('minor:')).pop()
  const major = lines.filter((l) => /#\d+:/.test(l)).pop()
  return [major, minor].filter(Boolean).join(' ') || lines[0]
}

function frameOf(ds, i) {
  return ds.slice([[i, i + 1], [], []])
}

async function reopen() {
  const arrivals = []
  let bad = 0
  let seen = 0
  let polls = 0
  let finished = false
  let timedOut = false
  let lastProgress = performance.now()
  let opened = false
  let errors = 0
  let lastError = null
  for (;;) {
    polls++
    let f
    try {
      f = new h5wasm.File(o.file, 'Sr')
    } catch (err) {
      // A SWMR reader can catch the file mid-update (HDF5 retries checksums, then gives up): poll again.
      errors++
      lastError = hdf5Message(err)
      if (errors > 1000) throw err
      await sleep(o.pollInterval)
      continue
    }
    let got = 0
    let done = false
    try {
      if (!opened) {
        opened = true
        process.stdout.write('opened\n')
      }
      const keys = f.get(KEYS)
      const data = f.get(DATA)
      const nk = keys.shape[0]
      if (nk > seen) {
        const kv = keys.slice([[seen, nk]])
        let ready = 0
        while (ready < kv.length && kv[ready] !== 0) ready++
        for (let k = 0; k < ready; k++) {
          const i = seen + k
          const frame = frameOf(data, i)
          arrivals[i] = now()
          if (!sampleCheck(frame, i)) bad++
        }
        seen += ready
        got = ready
      }
      if (got > 0) lastProgress = performance.now()
      else if (finished) done = true
      else {
        const v = f.get(FINISHED).value
        if (Number(ArrayBuffer.isView(v) ? v[0] : v) !== 0) finished = true // one more poll, then stop
        else if (performance.now() - lastProgress > o.timeout) {
          timedOut = true
          done = true
        }
      }
    } catch (err) {
      errors++
      lastError = hdf5Message(err)
      if (errors > 1000) throw err
    } finally {
      f.close()
    }
    if (done) break
    if (got === 0) await sleep(o.pollInterval)
  }
  return { ok: true, arrivals: Array.from(arrivals, (t) => (t === undefined ? null : t)), bad, duplicates: 0, outOfOrder: 0, finished, timedOut, polls, errors, lastError }
}

async function refresh() {
  let writerDone = false
  readline.createInterface({ input: process.stdin }).on('line', (l) => {
    if (l.trim() === 'end') writerDone = true
  })
  const f = new h5wasm.File(o.file, 'Sr')
  const data = f.get(DATA)
  process.stdout.write('opened\n')
  let seen = 0
  let zeros = 0
  let wrong = 0
  let otherFrame = 0
  let read = 0
  let firstBad = null
  let badSample = null
  let polls = 0
  for (;;) {
    polls++
    const end = writerDone // sampled before the refresh: after "end" the writer has closed the file
    data.refresh()
    const n = data.shape[0]
    const upto = end ? n : n - 1
    for (let i = seen; i < upto; i++) {
      const frame = frameOf(data, i)
      read++
      if (!sampleCheck(frame, i)) {
        // The simulator's frame j holds j in element 0: is this all zeros, another frame, or garbage?
        const other = frame[0] !== i % 65536 && sampleCheck(frame, frame[0]) ? frame[0] : null
        if (frame.every((v) => v === 0)) zeros++
        else if (other !== null) otherFrame++
        else wrong++
        if (firstBad === null) {
          firstBad = i
          badSample = { index: i, element0: frame[0], element1: frame[1], contentOfFrame: other }
        }
      }
    }
    seen = Math.max(seen, upto)
    if (end) break
    await sleep(o.pollInterval)
  }
  f.close()
  return { ok: true, read, zeros, otherFrame, wrong, firstBad, badSample, polls }
}

try {
  out(o.mode === 'refresh' ? await refresh() : await reopen())
} catch (err) {
  out({ ok: false, error: String(err?.message ?? err).split('\n')[0] })
}
process.exit(0)
