// Optional features of the h5swmr build under test, detected by trying them.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const h5 = require('../../dist')
const h5sim = require('../../dist/simulate')
const { ensureDir } = require('./data')

const BSHUF_FILTER = 32008

/**
 * Can this build write (simulateScan `compression: 'bslz4'`) and read back bitshuffle-LZ4 frames?
 * { ok } or { ok: false, reason }.
 */
async function bslz4Available() {
  const file = path.join(ensureDir(), `probe-bslz4-${process.pid}.h5`)
  try {
    await h5sim.simulateScan(file, { frames: 2, frameShape: [16, 16], compression: 'bslz4' })
    const f = h5.File.open(file, { swmr: true, locking: false })
    try {
      const ds = f.dataset('/entry/data/data')
      if (!ds.filters.some((x) => x.id === BSHUF_FILTER))
        return { ok: false, reason: `compression 'bslz4' wrote filters [${ds.filters.map((x) => x.name).join(', ')}], not bitshuffle (${BSHUF_FILTER})` }
      const frame = ds.read({ start: [1, 0, 0], count: [1, 16, 16] })
      if (!h5sim.checkFrame(frame, 1)) return { ok: false, reason: 'bslz4 frames read back wrong' }
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

/**
 * Can h5py on this machine (with the system's plugins) read `compression` as h5swmr writes it? Asked
 * by behaviour: bitshuffle-zstd needs a bitshuffle plugin that writes real zstd blocks (Debian 12's
 * 0.3.5 stores plain bitshuffle labelled zstd, and misreads real ones); blosc and zstd need their
 * filter to be available to HDF5. { ok } or { ok: false, reason }.
 */
async function h5pyReads(compression) {
  const { interpreter } = require('./python')
  const { runChild } = require('./util')
  const script = `import sys, struct, h5py, numpy
c = sys.argv[1]
if c == 'bszstd':
    import io
    with h5py.File(io.BytesIO(), 'w') as f:
        d = f.create_dataset('x', data=numpy.zeros((1, 64), 'u2'), chunks=(1, 64), compression=32008, compression_opts=(0, 3))
        raw = d.id.read_direct_chunk((0, 0))[1]
    ok = len(raw) >= 12 and struct.unpack('>Q', raw[:8])[0] == 128
    print('ok' if ok else 'the bitshuffle plugin has no zstd (it stores plain bitshuffle)')
else:
    fid = {'blosc': 32001, 'zstd': 32015}.get(c)
    print('ok' if fid is None or h5py.h5z.filter_avail(fid) else f'HDF5 filter {fid} ({c}) is not available to h5py')`
  try {
    const r = await runChild(interpreter(), ['-c', script, compression])
    const last = r.lines[r.lines.length - 1] || r.stderr.trim().split('\n').pop() || `exit ${r.code}`
    return last === 'ok' ? { ok: true } : { ok: false, reason: last }
  } catch (err) {
    return { ok: false, reason: err.message }
  }
}

module.exports = { bslz4Available, h5pyReads }
