// Machine facts printed at the top of a run and saved with it.
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const h5 = require('../../dist')
const python = require('./python')

const ROOT = path.join(__dirname, '..', '..')

function pkgVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [ROOT] }), 'utf8')).version
  } catch {
    try {
      // packages whose exports hide package.json
      const dir = path.join(ROOT, 'node_modules', name, 'package.json')
      return JSON.parse(fs.readFileSync(dir, 'utf8')).version
    } catch {
      return null
    }
  }
}

/** HDF5 version compiled into h5wasm (from its Node build), or null. */
function h5wasmHdf5() {
  try {
    const file = path.join(ROOT, 'node_modules', 'h5wasm', 'dist', 'node', 'hdf5_util.js')
    const fd = fs.openSync(file, 'r')
    const buf = fs.readFileSync(fd)
    fs.closeSync(fd)
    const m = /HDF5 library version: ([\d.]+)/.exec(buf.toString('latin1'))
    return m ? m[1] : null
  } catch {
    return null
  }
}

function osName() {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))
    if (m) return m[1]
  } catch {
    /* not Linux */
  }
  return `${os.type()} ${os.release()}`
}

async function machineFacts() {
  const cpus = os.cpus()
  const lib = h5.File.libraryInfo()
  const py = await python.info()
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: osName(),
    kernel: os.release(),
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    node: process.version,
    v8: process.versions.v8,
    hdf5: lib.version,
    hdf5Threadsafe: lib.threadsafe,
    packages: {
      h5swmr: JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
      h5wasm: pkgVersion('h5wasm'),
      h5wasmHdf5: h5wasmHdf5(),
      'h5wasm-plugins': pkgVersion('h5wasm-plugins'),
      h5py: py.ok ? py.h5py : null,
      h5pyHdf5: py.ok ? py.hdf5 : null,
      numpy: py.ok ? py.numpy : null,
      python: py.ok ? py.python : null,
    },
    python: py.ok ? py.interpreter : `unavailable: ${py.reason}`,
    /** Environment that changes the figures, when set. */
    env: Object.fromEntries(
      ['GLIBC_TUNABLES', 'MALLOC_ARENA_MAX', 'LD_PRELOAD', 'UV_THREADPOOL_SIZE', 'HDF5_USE_FILE_LOCKING', 'HDF5_PLUGIN_PATH', 'NODE_OPTIONS']
        .filter((k) => process.env[k] !== undefined)
        .map((k) => [k, process.env[k]]),
    ),
    benchDataDir: require('./data').dataDir(),
  }
}

module.exports = { machineFacts }
