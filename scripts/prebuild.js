#!/usr/bin/env node
// `npm run prebuild`: a Node-API prebuild in prebuilds/<platform>-<arch>/ (prebuildify layout),
// built with cmake-js. `npm pack` ships it; node-gyp-build loads it when no local build exists.
'use strict'
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const root = path.join(__dirname, '..')
const prebuildify = require.resolve('prebuildify/bin.js')
const r = spawnSync(process.execPath, [prebuildify, '--napi', '--strip'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PREBUILD_NODE_GYP: path.join(__dirname, 'cmake-js-as-node-gyp.js') },
})
process.exit(r.status ?? 1)
