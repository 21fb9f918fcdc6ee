#!/usr/bin/env node
// prebuildify drives node-gyp (`node-gyp rebuild --target=… --release`); this stands in for it
// (via PREBUILD_NODE_GYP) and builds with cmake-js instead. Node-API builds need no target headers.
'use strict'
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const debug = process.argv.includes('--debug')
const cmakeJs = require.resolve('cmake-js/bin/cmake-js')
const args = [cmakeJs, 'rebuild', ...(debug ? ['--debug'] : [])]
const r = spawnSync(process.execPath, args, { cwd: path.join(__dirname, '..'), stdio: 'inherit' })
process.exit(r.status ?? 1)
