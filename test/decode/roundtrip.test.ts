// Bitshuffle-LZ4 written by h5swmr, with our built-in filter 32008 and with Debian's bitshuffle
// plugin: every element size, odd frame sizes, default and explicit blocks, read back through the
// direct path, through H5Dread (either filter) and by h5py with the plugin. See
// test/fixtures/bslz4-cases.js for the cases.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as h5 from '../../lib'
import * as h5sim from '../../lib/simulate'
import { tmpDir } from '../helpers/processes'
import { bitshuffleCdMeaning, node, pluginDir, python, withoutPlugins } from './helpers'

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'bslz4-cases.js')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fixture = require(FIXTURE) as {
  cases(): unknown[]
  writeCases(lib: typeof h5, file: string): number
  verifyCases(lib: typeof h5, file: string): { filter: string; checked: number; problems: string[] }
}
const CASES = fixture.cases().length

const dir = tmpDir('h5swmr-roundtrip-')
const builtinFile = path.join(dir, 'builtin.h5')
const pluginFile = path.join(dir, 'plugin.h5')

const SCRIPT = `const cases = require(process.argv[1])
const [file, write] = process.argv.slice(2)
if (write === 'write') cases.writeCases(h5, file)
console.log(JSON.stringify(cases.verifyCases(h5, file)))`

async function run(file: string, write: boolean, env: NodeJS.ProcessEnv) {
  const lines = await node(SCRIPT, [FIXTURE, file, write ? 'write' : 'read'], env)
  return JSON.parse(lines[lines.length - 1]) as { filter: string; checked: number; problems: string[] }
}

test(`written with the built-in filter (no plugin on the path): ${CASES} cases read back through both paths`, async () => {
  const result = await run(builtinFile, true, withoutPlugins(dir))
  expect(result).toEqual({ filter: 'builtin', checked: CASES, problems: [] })
})

test("written with Debian's bitshuffle plugin: the same", async () => {
  const result = await run(pluginFile, true, { HDF5_PLUGIN_PATH: pluginDir() })
  expect(result).toEqual({ filter: 'plugin', checked: CASES, problems: [] })
})

test('each file reads back under the other filter, and in this process', async () => {
  expect(await run(builtinFile, false, { HDF5_PLUGIN_PATH: pluginDir() })).toEqual({ filter: 'plugin', checked: CASES, problems: [] })
  expect(await run(pluginFile, false, withoutPlugins(dir))).toEqual({ filter: 'builtin', checked: CASES, problems: [] })
  for (const file of [builtinFile, pluginFile]) {
    const result = fixture.verifyCases(h5, file)
    expect(result.problems).toEqual([])
    expect(result.checked).toBe(CASES)
  }
})

test('h5py with the plugin reads our files and sees the cd_values its own writes get', async () => {
  const lines = await python(
    `import sys, json, h5py, numpy
out = {}
for p in sys.argv[1:]:
    bad, cds = [], {}
    with h5py.File(p, 'r') as f:
        for name in f['bslz4']:
            d = f['bslz4'][name]
            if not numpy.array_equal(d[()], f['orig'][name][()]): bad.append(name)
            cds[name] = [d.dtype.itemsize, int(name.split('_b')[1]), list(d._filters['32008'])]
    # h5py's own bslz4 dataset, for comparison of the stored parameters
    with h5py.File(p + '.h5py.h5', 'w') as g:
        e = g.create_dataset('x', data=numpy.zeros((2, 7, 13), 'u2'), chunks=(1, 7, 13), compression=32008, compression_opts=(0, 2))
        own = list(e._filters['32008'])
    out[p] = {'bad': bad, 'cds': cds, 'own': own}
print(json.dumps(out))`,
    [builtinFile, pluginFile],
    { HDF5_PLUGIN_PATH: pluginDir() },
  )
  const out = JSON.parse(lines[lines.length - 1]) as Record<string, { bad: string[]; cds: Record<string, [number, number, number[]]>; own: number[] }>
  for (const file of [builtinFile, pluginFile]) {
    const { bad, cds, own } = out[file]
    expect(bad).toEqual([])
    expect(Object.keys(cds)).toHaveLength(CASES)
    // h5py's own write: uint16, default block, LZ4 (after the plugin's version, whatever it is).
    expect(bitshuffleCdMeaning(own)).toEqual({ elementSize: 2, blockSize: 0, compression: 2 })
    for (const [elementSize, blockSize, cd] of Object.values(cds)) {
      expect(bitshuffleCdMeaning(cd)).toEqual({ elementSize, blockSize, compression: 2 })
      expect(cd).toHaveLength(own.length)
    }
  }
})

test("simulateScan's frame patterns: 'counts' frames compress as detector data does, 'ramp' ones far more", async () => {
  const ratios: Record<string, number> = {}
  for (const pattern of ['ramp', 'counts'] as const) {
    const file = path.join(dir, `pattern-${pattern}.h5`)
    await h5sim.simulateScan(file, { frames: 20, frameShape: [256, 256], compression: 'bslz4', pattern })
    const f = h5.File.open(file, { swmr: false })
    const ds = f.dataset('/entry/data/data')
    for (let i = 0; i < 20; i++) {
      const frame = ds.read({ start: [i, 0, 0], count: [1, 256, 256] })
      expect(h5sim.checkFrame(frame, i, pattern)).toBe(true)
      expect(h5sim.checkFrame(frame, i, pattern === 'ramp' ? 'counts' : 'ramp')).toBe(false)
      if (pattern === 'counts') expect(h5sim.checkFrame(frame, i + 16, pattern)).toBe(false) // same noise, other index
      for (const p of [0, 1, 1000, 65535]) expect(frame[p]).toBe(h5sim.patternElement(i, p, frame.length, 65536, pattern))
    }
    f.close()
    ratios[pattern] = (20 * 256 * 256 * 2) / fs.statSync(file).size // the frames are most of the file
  }
  expect(ratios.counts).toBeGreaterThan(4)
  expect(ratios.counts).toBeLessThan(12)
  expect(ratios.ramp).toBeGreaterThan(15)
})
