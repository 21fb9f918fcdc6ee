#!/usr/bin/env node
// npm "install" hook. Use the addon that is already there (a prebuild in prebuilds/<platform>-<arch>/
// or an earlier build in build/Release) if it actually loads; otherwise build it with cmake-js.
// (node-gyp-build's own fallback would run node-gyp, which this project does not use.)
'use strict'
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

const forced = /^(1|true|yes)$/i.test(process.env.H5SWMR_BUILD_FROM_SOURCE || '')
if (!forced) {
  const err = loads()
  if (!err) {
    console.log(`h5swmr: using the addon found by node-gyp-build (${require('node-gyp-build').resolve(root)})`)
    process.exit(0)
  }
  console.log(`h5swmr: no loadable prebuild (${String(err.message).split('\n')[0]}); building from source with cmake-js`)
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
