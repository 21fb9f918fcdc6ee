#!/usr/bin/env node
// The main demo: a detector simulator writes a 10x20 grid scan of 256x256 uint16 frames at 100 Hz
// in one process (SWMR), and this process follows it live: every frame is read as soon as its key
// says it is on disk, and checked against what the writer wrote.
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { File, checkFrame } = require('../dist')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h5swmr-demo-'))
const file = path.join(dir, 'scan.h5')
const scanShape = [10, 20]
const frameShape = [256, 256]
const total = scanShape[0] * scanShape[1]

const writerSource = `
  const { simulateScan } = require(${JSON.stringify(path.join(__dirname, '..', 'dist'))})
  simulateScan(process.argv[1], { scanShape: ${JSON.stringify(scanShape)}, frameShape: ${JSON.stringify(frameShape)},
    rateHz: 100, onReady: () => console.log('ready') }).then(() => console.log('done'))`
const writer = spawn(process.execPath, ['-e', writerSource, file], { stdio: ['ignore', 'pipe', 'inherit'] })

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function follow() {
  const h5 = File.open(file, { swmr: true, locking: false })
  const keys = h5.dataset('/entry/keys/uid')
  const data = h5.dataset('/entry/data/data')
  const finished = h5.dataset('/entry/finished')
  console.log(`reader: opened ${file} (SWMR read: ${h5.isSwmr}), data ${data.dtype} maxshape [${data.maxshape}] chunks [${data.chunks}]`)
  const frame = new Uint16Array(frameShape[0] * frameShape[1])
  let next = 0
  let bad = 0
  const t0 = Date.now()
  for (;;) {
    keys.refresh()
    const flat = keys.read() // the key grid so far, C order
    let ready = next
    while (ready < flat.length && flat[ready] !== 0) ready++
    if (ready > next) data.refresh()
    for (; next < ready; next++) {
      const row = Math.floor(next / scanShape[1])
      const col = next % scanShape[1]
      await data.readIntoAsync({ start: [row, col, 0, 0], count: [1, 1, ...frameShape] }, frame)
      if (!checkFrame(frame, next)) bad++
      if (next % 20 === 19) console.log(`reader: frame ${next + 1}/${total} at [${row}, ${col}] ok=${bad === 0}`)
    }
    finished.refresh()
    if (finished.read()[0] !== 0) {
      keys.refresh()
      const flat2 = keys.read()
      if (next >= flat2.length || flat2[next] === 0) break
      continue
    }
    await sleep(5)
  }
  const seconds = (Date.now() - t0) / 1000
  h5.close()
  console.log(`reader: followed ${next}/${total} frames in ${seconds.toFixed(2)} s (${(next / seconds).toFixed(0)} frames/s), bad frames: ${bad}`)
  console.log(`reader: open HDF5 ids after close: ${File.openObjectCount()}`)
  return next === total && bad === 0
}

let started = false
writer.stdout.on('data', (d) => {
  if (!started && d.toString().includes('ready')) {
    started = true
    follow()
      .then(async (ok) => {
        await new Promise((r) => (writer.exitCode === null ? writer.on('exit', r) : r()))
        fs.rmSync(dir, { recursive: true, force: true })
        console.log(ok ? 'demo: OK' : 'demo: FAILED')
        process.exit(ok ? 0 : 1)
      })
      .catch((err) => {
        console.error(`demo: ${err.code || ''} ${err.message}`)
        writer.kill()
        process.exit(1)
      })
  }
})
writer.on('exit', (code) => {
  if (!started) {
    console.error(`demo: the writer exited (${code}) before it was ready`)
    process.exit(1)
  }
})
