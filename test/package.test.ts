// The package's entry points, as a user gets them (by name, through the package.json exports map):
// the core at 'h5swmr', accessories at 'h5swmr/nexus', 'h5swmr/view', 'h5swmr/simulate', each by
// require and by import, with TypeScript finding their types either way it resolves modules.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { tmpDir } from './helpers/processes'

const ROOT = path.join(__dirname, '..')
const typesDir = tmpDir('h5swmr-types-')
const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' })

const EXPECT = {
  core: ['File', 'Dataset', 'DataSource', 'KeyFollower', 'GrowthFollower', 'datasetGrowth', 'FrameReader', 'VirtualFrameReader', 'openForReading', 'H5Error'],
  nexus: ['EigerFrames', 'eigerLinks', 'discoverScan', 'followScan'],
  view: ['startView'],
  simulate: ['simulateScan', 'checkFrame', 'fillFrame', 'patternElement'],
}

test('require: the core and each subpath, the accessories only at their subpaths', () => {
  const r = run(['-e', `
    const out = {}
    for (const [k, id] of [['core', 'h5swmr'], ['nexus', 'h5swmr/nexus'], ['view', 'h5swmr/view'], ['simulate', 'h5swmr/simulate']])
      out[k] = Object.keys(require(id)).sort()
    let deep = null
    try { require('h5swmr/dist/core/native') } catch (e) { deep = e.code }
    console.log(JSON.stringify({ out, deep }))`])
  expect(r.stderr).toBe('')
  const { out, deep } = JSON.parse(r.stdout)
  for (const [k, names] of Object.entries(EXPECT)) expect(out[k]).toEqual(expect.arrayContaining(names))
  for (const name of [...EXPECT.nexus, ...EXPECT.view, ...EXPECT.simulate]) expect(out.core).not.toContain(name)
  expect(deep).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED')
})

test('import (ESM): the same named exports', () => {
  const r = run(['--input-type=module', '-e', `
    import { File, DataSource, openForReading } from 'h5swmr'
    import { followScan, EigerFrames } from 'h5swmr/nexus'
    import { startView } from 'h5swmr/view'
    import { simulateScan, checkFrame } from 'h5swmr/simulate'
    console.log([File, DataSource, openForReading, followScan, EigerFrames, startView, simulateScan, checkFrame].map((x) => typeof x).join(' '))`])
  expect(r.stderr).toBe('')
  expect(r.stdout.trim()).toBe(Array(8).fill('function').join(' '))
})

test.each(['node16', 'node'])('TypeScript (moduleResolution %s) finds the types of every entry point', (resolution) => {
  // A project with the package in its node_modules (a link to this checkout), as a user has it.
  const dir = path.join(typesDir, resolution)
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true })
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'h5swmr'), 'dir')
  fs.writeFileSync(path.join(dir, 'probe.ts'), `import { File, type DataSourceItem } from 'h5swmr'
import { followScan, type ScanDiscovery } from 'h5swmr/nexus'
import { startView, type ViewOptions } from 'h5swmr/view'
import { simulateScan, type SimulateOptions } from 'h5swmr/simulate'
export const used: unknown[] = [File, followScan, startView, simulateScan]
export type Used = [DataSourceItem, ScanDiscovery, ViewOptions, SimulateOptions]
`)
  const tsc = require.resolve('typescript/bin/tsc')
  const module = resolution === 'node16' ? 'node16' : 'commonjs'
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--preserveSymlinks', '--types', 'node',
    '--typeRoots', path.join(ROOT, 'node_modules', '@types'), '--module', module, '--moduleResolution', resolution, 'probe.ts'], { cwd: dir, encoding: 'utf8' })
  expect(r.stdout + r.stderr).toBe('')
  expect(r.status).toBe(0)
})
