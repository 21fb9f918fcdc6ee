// checkFile and `h5swmr check`: every verdict a caller can get, from real files walked in a child
// process (ok, an H5 code for what is damaged, TIMED_OUT past the time limit, OUT_OF_MEMORY past the
// memory limit), and the command's exit statuses. The crashes of libhdf5 (CRASHED) are in
// hostile.test.ts, on files that crash this release.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { checkFile, File } from '../../lib'
import { simulateScan } from '../../lib/simulate'
import { tmpDir } from '../helpers/processes'

const dir = tmpDir()
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'index.js')
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120000 })
const scan = path.join(dir, 'scan.h5')
const truncated = path.join(dir, 'truncated.h5')
const notHdf5 = path.join(dir, 'not-hdf5.h5')
const big = path.join(dir, 'big-fill.h5')

beforeAll(async () => {
  await simulateScan(scan, { frames: 6, frameShape: [16, 16] })
  const bytes = fs.readFileSync(scan)
  fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)))
  fs.writeFileSync(notHdf5, 'not an HDF5 file\n'.repeat(100))
  // 2^27 doubles (1 GiB) never written: a tiny file whose every value reads as the fill value.
  const f = File.create(big)
  f.createDataset('/fill', { dtype: 'float64', shape: [2 ** 27], chunks: [2 ** 20], fillValue: 1.5 })
  f.close()
})

test('a sound file: ok, with what was walked', async () => {
  const c = await checkFile(scan)
  expect(c).toMatchObject({ ok: true, code: 'ok', signal: null, at: null, problemCount: 0 })
  expect(c.datasets).toBeGreaterThanOrEqual(3) // data, keys, finished
  expect(c.groups).toBeGreaterThanOrEqual(2)
  expect(c.valuesRead).toBeGreaterThanOrEqual(6 * 16 * 16)
})

test('damaged or foreign files: the H5 code of the first problem', async () => {
  const t = await checkFile(truncated)
  expect(t).toMatchObject({ ok: false, code: 'H5_TRUNCATED', signal: null })
  expect(t.message).toMatch(/ends at byte \d+ but it has \d+ bytes/)
  expect(await checkFile(notHdf5)).toMatchObject({ ok: false, code: 'H5_NOT_HDF5' })
  expect(await checkFile(path.join(dir, 'missing.h5'))).toMatchObject({ ok: false, code: 'ENOENT' })
})

test('past the time limit: TIMED_OUT, the child killed', async () => {
  const c = await checkFile(scan, { timeout: 1 })
  expect(c).toMatchObject({ ok: false, code: 'TIMED_OUT', signal: null })
  expect(c.message).toContain('more than 0.001 s')
})

test('past the memory limit: OUT_OF_MEMORY, the child killed; within it, ok', async () => {
  const c = await checkFile(big, { maxElements: 2 ** 28, maxMemory: 200 * 2 ** 20 })
  expect(c).toMatchObject({ ok: false, code: 'OUT_OF_MEMORY', signal: null })
  expect(c.message).toMatch(/^the walk used \d+ MiB, more than 200 MiB at \/fill/)
  // Read only its first element (the default maxElements), the same file is fine.
  expect(await checkFile(big, { maxMemory: 200 * 2 ** 20 })).toMatchObject({ ok: true, code: 'ok' })
}, 60000)

test('h5swmr check: a line per file, exit 0 when all are ok, 1 when one is not, 2 for usage errors', () => {
  const ok = run('check', scan)
  expect(ok.status).toBe(0)
  expect(ok.stdout).toMatch(new RegExp(`^${scan.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ok \\(`))
  const mixed = run('check', scan, truncated, '--json')
  expect(mixed.status).toBe(1)
  const verdicts = JSON.parse(mixed.stdout) as { file: string; code: string }[]
  expect(verdicts.map((v) => v.code)).toEqual(['ok', 'H5_TRUNCATED'])
  const oom = run('check', big, '--memory', '1')
  expect(oom.status).toBe(1)
  expect(oom.stdout).toContain(': OUT_OF_MEMORY: ')
  for (const args of [['check'], ['check', scan, '--memory', 'lots'], ['check', scan, '--timeout', '-1']]) {
    const r = run(...args)
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  }
})
