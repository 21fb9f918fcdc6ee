// Optional features of the h5swmr build under test, detected by trying them.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const h5 = require('../../dist')
const { ensureDir } = require('./data')

const BSHUF_FILTER = 32008

/**
 * Can this build write (simulateScan `compression: 'bslz4'`) and read back bitshuffle-LZ4 frames?
 * { ok } or { ok: false, reason }.
 */
async function bslz4Available() {
  const file = path.join(ensureDir(), `probe-bslz4-${process.pid}.h5`)
  try {
    await h5.simulateScan(file, { frames: 2, frameShape: [16, 16], compression: 'bslz4' })
    const f = h5.File.open(file, { swmr: true, locking: false })
    try {
      const ds = f.dataset('/entry/data/data')
      if (!ds.filters.some((x) => x.id === BSHUF_FILTER))
        return { ok: false, reason: `compression 'bslz4' wrote filters [${ds.filters.map((x) => x.name).join(', ')}], not bitshuffle (${BSHUF_FILTER})` }
      const frame = ds.read({ start: [1, 0, 0], count: [1, 16, 16] })
      if (!h5.checkFrame(frame, 1)) return { ok: false, reason: 'bslz4 frames read back wrong' }
    } finally {
      f.close()
    }
    return { ok: true }
  } catch (err) {
    return { ok: false, reason: `${err.code ? err.code + ': ' : ''}${err.message.split('\n')[0]}` }
  } finally {
    fs.rmSync(file, { force: true })
  }
}

module.exports = { bslz4Available }
