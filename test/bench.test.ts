// The benchmark harness runs and its output has the documented shape. Nothing here is about speed:
// figures are only checked to be numbers (speed goals live in `npm run bench`, docs/BENCHMARKS.md).
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const ROOT = path.join(__dirname, '..')
const RUN = path.join(ROOT, 'bench', 'run.js')

test('bench --help lists the options', () => {
  const r = spawnSync(process.execPath, [RUN, '--help'], { encoding: 'utf8' })
  expect(r.status).toBe(0)
  for (const opt of ['--quick', '--case', '--frames', '--json']) expect(r.stdout).toContain(opt)
  const bad = spawnSync(process.execPath, [RUN, '--case', 'nope'], { encoding: 'utf8' })
  expect(bad.status).toBe(2)
  expect(bad.stderr).toContain("unknown case 'nope'")
})

test('bench --quick --case static,keys --json: every contender, a figure per round, results saved', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h5swmr-bench-test-'))
  try {
    const r = spawnSync(process.execPath, [RUN, '--quick', '--case', 'static,keys', '--json', '--repeats', '2', '--out', dir], {
      encoding: 'utf8',
      env: { ...process.env, H5SWMR_BENCH_DIR: path.join(dir, 'data') },
      timeout: 60_000,
    })
    expect(r.status).toBe(0)
    const result = JSON.parse(r.stdout)
    expect(typeof result.machine.cpu).toBe('string')
    expect(result.machine.cores).toBeGreaterThan(0)
    expect(result.machine.hdf5).toMatch(/^\d+\.\d+\.\d+$/)
    expect(result.options).toMatchObject({ quick: true, cases: ['static', 'keys'], repeats: 2 })

    const st = result.cases.static
    expect(st.kind).toBe('reads')
    const names = st.rows.map((row: { name: string }) => row.name)
    for (const n of ['h5swmr read', 'h5swmr readInto', 'h5swmr readAsync, 1 in flight', 'h5swmr readAsync, 2 in flight', 'h5swmr DataSource for-of, reuseBuffers'])
      expect(names).toContain(n)
    // Issue 6: the decode pool at 1 and 2 threads (and the sec2 driver for comparison), in the same rounds.
    for (const n of [
      'h5swmr readIntoAsync, 1 decode thread (2 in flight)',
      'h5swmr readIntoAsync, 2 decode threads (4 in flight)',
      'h5swmr readIntoAsync, 2 decode threads (4 in flight), sec2 driver',
    ])
      expect(names).toContain(n)
    expect(st.decodeThreadsDefault).toBeGreaterThan(0)
    expect(st.readStats['h5swmr readIntoAsync, 2 decode threads (4 in flight)'].direct).toBeGreaterThan(0)
    expect(st.readStats['h5swmr readIntoAsync, 2 decode threads (4 in flight), sec2 driver'].chunksReadOutsideLock).toBe(0)
    for (const row of st.rows) {
      expect(row.raw).toHaveLength(2)
      expect(row.fps.median).toBeGreaterThan(0)
      expect(row.bad).toBe(0) // correctness, not speed
    }
    const into = st.rows.find((row: { name: string }) => row.name === 'h5swmr readInto')
    if (names.includes('limit: pread, page-aligned buffer')) expect(into.ratios.limit.median).toBeGreaterThan(0)

    const keys = result.cases.keys
    expect(keys.kind).toBe('keys')
    expect(keys.sizes.map((s: { keys: number }) => s.keys)).toEqual([1e3, 1e4, 1e5])
    for (const s of keys.sizes) expect(s.incremental.median).toBeGreaterThan(0)

    expect(Array.isArray(result.goals)).toBe(true)
    expect(new Set(result.goals.map((g: { issue: number }) => g.issue))).toEqual(new Set([5, 6, 14, 17, 23]))
    const direct = result.goals.find((g: { issue: number; goal: string }) => g.issue === 6 && g.goal.startsWith('uncompressed, direct path'))
    expect(direct.status).toMatch(/^(met|MISSED)$/) // measured (the speed itself is not judged here)
    const saved = fs.readdirSync(dir).filter((f) => f.endsWith('-quick.json'))
    expect(saved).toHaveLength(1)
    expect(JSON.parse(fs.readFileSync(path.join(dir, saved[0]), 'utf8')).cases.static.rows).toHaveLength(st.rows.length)
    const md = fs.readFileSync(path.join(dir, saved[0].replace(/json$/, 'md')), 'utf8')
    expect(md).toContain('| h5swmr readInto |')
    expect(md).toContain('Goals (issue 6')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
