#!/usr/bin/env node
// npm "install" hook. Use the addon that is already there (a prebuild in prebuilds/<platform>-<arch>/
// or an earlier build in build/Release) if it actually loads; otherwise build it with cmake-js.
// (node-gyp-build's own fallback would run node-gyp, which this project does not use.)
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const root = path.join(__dirname, '..')

function loads() {
  try {
    require('node-gyp-build')(root)
    return null
  } catch (err) {
    return err
  }
}

// The shared libraries this system's dynamic linker knows (ldconfig's cache, then LD_LIBRARY_PATH),
// or null where that cannot be asked.
// Name -> path (the first the linker would take).
function systemLibraries() {
  const libs = new Map()
  for (const dir of (process.env.LD_LIBRARY_PATH || '').split(':').filter(Boolean)) {
    try {
      for (const f of fs.readdirSync(dir)) if (!libs.has(f)) libs.set(f, path.join(dir, f))
    } catch {}
  }
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    const r = spawnSync(ldconfig, ['-p'], { encoding: 'utf8' })
    if (r.status !== 0) continue
    for (const m of r.stdout.matchAll(/^\s+(\S+) \(.*\) => (\S+)$/gm)) if (!libs.has(m[1])) libs.set(m[1], m[2])
    return libs
  }
  return null
}

function realpath(file) {
  try {
    return fs.realpathSync(file)
  } catch {
    return file
  }
}

// Why the shipped prebuild must not be used here, or null. Its <addon>.node.json (scripts/prebuild.js)
// names the libraries it was linked against: a prebuild made against another libhdf5 soname would not
// load, or would load an old libhdf5 left over from an upgrade while the system's headers and h5py use
// another. A local build (build/Release) is node-gyp-build's first choice and is not checked here.
function prebuildMismatch() {
  const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`)
  let records
  try {
    records = fs.readdirSync(dir).filter((f) => f.endsWith('.node.json'))
  } catch {
    return null
  }
  if (!records.length || fs.existsSync(path.join(root, 'build', 'Release'))) return null
  const record = JSON.parse(fs.readFileSync(path.join(dir, records[0]), 'utf8'))
  const libs = systemLibraries()
  if (!libs) return null
  const soname = record.hdf5 && record.hdf5.soname
  if (soname) {
    const stem = soname.replace(/\.so\..*$/, '.so') // libhdf5_serial.so
    const here = [...libs.keys()].filter((f) => f.startsWith(stem + '.') && /\.so\.\d+$/.test(f)).sort()
    const made = `it was made against ${soname} (HDF5 ${record.hdf5.version})`
    if (!libs.has(soname)) return `${made}; this system has ${here.length ? here.join(', ') : 'no ' + stem}`
    // The soname is still there (say, left over from an upgrade), but the system's libhdf5-dev
    // (the unversioned link) is for another: the system's HDF5 is that one.
    const current = libs.has(stem) && realpath(libs.get(stem))
    if (current && current !== realpath(libs.get(soname))) {
      const other = here.find((f) => realpath(libs.get(f)) === current) || path.basename(current)
      return `${made}; this system's libhdf5 (the one libhdf5-dev links) is ${other}`
    }
  }
  const system = /^(libc|libm|libdl|libpthread|libgcc_s|libstdc\+\+|ld-linux[^.]*)\.so/
  const missing = record.needed.filter((lib) => !libs.has(lib) && !system.test(lib))
  if (missing.length) return `it needs ${missing.join(', ')}, which this system does not have`
  return null
}

const forced = /^(1|true|yes)$/i.test(process.env.H5SWMR_BUILD_FROM_SOURCE || '')
if (!forced) {
  const mismatch = prebuildMismatch()
  const err = mismatch ? null : loads()
  if (!mismatch && !err) {
    console.log(`h5swmr: using the addon found by node-gyp-build (${require('node-gyp-build').resolve(root)})`)
    process.exit(0)
  }
  if (mismatch) console.log(`h5swmr: not using the prebuild: ${mismatch}; building from source with cmake-js`)
  else console.log(`h5swmr: no loadable prebuild (${String(err.message).split('\n')[0]}); building from source with cmake-js`)
}

const cmakeJs = require.resolve('cmake-js/bin/cmake-js')
const result = spawnSync(process.execPath, [cmakeJs, 'compile'], { cwd: root, stdio: 'inherit' })
if (result.status !== 0) {
  console.error(
    '\nh5swmr: building the native addon failed. It needs cmake, a C++17 compiler and libhdf5 with headers:\n' +
      '  Debian/Ubuntu: apt-get install cmake g++ pkg-config libhdf5-dev   (or: bash node_modules/h5swmr/scripts/setup.sh)\n' +
      '  Fedora: dnf install cmake gcc-c++ hdf5-devel;  macOS: brew install cmake hdf5;  conda: conda install -c conda-forge hdf5 cmake\n',
  )
  process.exit(result.status || 1)
}
