#!/usr/bin/env node
// The main demo: a detector simulator writes a 10x20 grid scan of 256x256 uint16 frames at 100 Hz
// in one process (SWMR), and this process follows it live: every frame is read as soon as its key
// says it is on disk, and checked against what the writer wrote.
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { File, DataSource } = require('../dist')
const { checkFrame } = require('../dist/simulate')

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h5swmr-demo-'))
const file = path.join(dir, 'scan.h5')
const scanShape = [10, 20]
const frameShape = [256, 256]
const total = scanShape[0] * scanShape[1]

const writerSource = `
  const { simulateScan } = require(${JSON.stringify(path.join(__dirname, '..', 'dist', 'simulate'))})
  simulateScan(process.argv[1], { scanShape: ${JSON.stringify(scanShape)}, frameShape: ${JSON.stringify(frameShape)},
    rateHz: 100, onReady: () => console.log('ready') }).then(() => console.log('done'))`
const writer = spawn(process.execPath, ['-e', writerSource, file], { stdio: ['ignore', 'pipe', 'inherit'] })

async function follow() {
  const h5 = File.open(file, { swmr: true, locking: false })
  const data = h5.dataset('/entry/data/data')
  // Unlimited dimensions as the CLI shows them (∞), not as the empty item of [null, …].join().
  const dims = (d) => `[${d.map((v) => (v === null ? '∞' : v)).join(', ')}]`
  console.log(`reader: opened ${file} (SWMR read: ${h5.isSwmr}), data ${data.dtype} maxshape ${dims(data.maxshape)} chunks ${dims(data.chunks)}`)
  // Keys say which frames are safely on disk; the finished flag ends the scan.
  const source = new DataSource([h5.dataset('/entry/keys/uid')], { detector: data }, {
    timeout: 5000,
    pollInterval: 2,
    finishedDataset: h5.dataset('/entry/finished'),
    reuseBuffers: true,
  })
  let frames = 0
  let bad = 0
  const t0 = Date.now()
  for await (const { index, position, frames: f } of source) {
    frames++
    if (!checkFrame(f.detector.data, index)) bad++
    if (index % 20 === 19) console.log(`reader: frame ${index + 1}/${total} at [${position}] ok=${bad === 0}`)
  }
  const seconds = (Date.now() - t0) / 1000
  h5.close()
  console.log(`reader: followed ${frames}/${total} frames in ${seconds.toFixed(2)} s (${(frames / seconds).toFixed(0)} frames/s), bad frames: ${bad}, finished: ${source.isScanFinished()}`)
  console.log(`reader: open HDF5 ids after close: ${File.openObjectCount()}`)
  return frames === total && bad === 0 && source.isScanFinished()
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
