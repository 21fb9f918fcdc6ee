// The h5py contender, run as a child process (bench/children/h5py_bench.py) that times its own
// loops. Python: $H5SWMR_BENCH_PYTHON, else /usr/bin/python3 (Debian's, with python3-h5py), else
// python3 on PATH.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { runChild, lastJson } = require('./util')

const SCRIPT = path.join(__dirname, '..', 'children', 'h5py_bench.py')

function interpreter() {
  if (process.env.H5SWMR_BENCH_PYTHON) return process.env.H5SWMR_BENCH_PYTHON
  if (fs.existsSync('/usr/bin/python3')) return '/usr/bin/python3'
  return 'python3'
}

let probe = null

/** { ok, python, h5py, numpy, hdf5 } or { ok: false, reason } (cached). */
function info() {
  probe ??= run({ cmd: 'info' }).then((r) =>
    r.ok ? { ...r, python: r.python, interpreter: interpreter() } : { ok: false, reason: r.error || 'h5py not importable', interpreter: interpreter() },
  )
  return probe
}

async function available() {
  return (await info()).ok
}

/** Run one command of the script; resolves with its JSON answer, or { ok: false, error }. */
async function run(request) {
  let r
  try {
    r = await runChild(interpreter(), [SCRIPT, JSON.stringify(request)])
  } catch (err) {
    return { ok: false, error: `${interpreter()}: ${err.message}` }
  }
  const out = lastJson(r.lines)
  if (out) return out
  const why = r.stderr.trim().split('\n').slice(-1)[0] || `exit ${r.code}`
  return { ok: false, error: why }
}

module.exports = { info, available, run, interpreter }
