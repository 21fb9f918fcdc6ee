#!/usr/bin/env node
// `npm run prebuild`: a Node-API prebuild in prebuilds/<platform>-<arch>/ (prebuildify layout),
// built with cmake-js. `npm pack` ships it; node-gyp-build loads it when no local build exists.
// Beside it, <addon>.node.json records the shared libraries it was linked against (its ELF NEEDED
// entries) and the libhdf5 version, so scripts/install.js builds from source instead of loading it
// against another libhdf5 (Debian 12's libhdf5_serial.so.103 is not 13's .so.310).
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync, spawnSync } = require('node:child_process')

const root = path.join(__dirname, '..')
const prebuildify = require.resolve('prebuildify/bin.js')
const r = spawnSync(process.execPath, [prebuildify, '--napi', '--strip'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PREBUILD_NODE_GYP: path.join(__dirname, 'cmake-js-as-node-gyp.js') },
})
if (r.status !== 0) process.exit(r.status ?? 1)

const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`)
for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.node'))) {
  const addon = path.join(dir, name)
  let needed = []
  if (process.platform === 'linux') {
    const dynamic = execFileSync('readelf', ['-d', addon], { encoding: 'utf8' })
    needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1])
  }
  // The version of the libhdf5 it loads here, from the addon itself.
  const version = execFileSync(
    process.execPath,
    ['-e', 'process.stdout.write(require(process.argv[1]).libraryInfo().version)', addon],
    { encoding: 'utf8' },
  )
  const hdf5 = needed.find((lib) => /^libhdf5(_serial)?\.so\./.test(lib)) || null
  fs.writeFileSync(`${addon}.json`, JSON.stringify({ needed, hdf5: { soname: hdf5, version } }, null, 2) + '\n')
  console.log(`prebuild: ${path.relative(root, addon)} needs ${needed.join(', ')}; HDF5 ${version}`)
}
