// The h5swmr command line, run as a user would (node dist/cli/index.js), against real files.
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { File } from '../lib'
import { PYTHON, spawnProcess, spawnWriter, tmpDir } from './helpers/processes'

const dir = tmpDir()
const CLI = path.join(__dirname, '..', 'dist', 'cli', 'index.js')
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 })

test.each(['simulate', 'follow', 'join', 'ls', 'watch', 'view'])('%s --help', (cmd) => {
  const r = run(cmd, '--help')
  expect(r.status).toBe(0)
  expect(r.stdout).toContain(`Usage: h5swmr ${cmd}`)
})

test('--help, -h and help print the usage and exit 0; --version and -V print the package version', () => {
  for (const flag of ['--help', '-h', 'help']) {
    const r = run(flag)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^Usage: h5swmr <command>/)
  }
  const { version } = require('../package.json') as { version: string }
  for (const flag of ['--version', '-V']) {
    const r = run(flag)
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`${version}\n`)
    expect(r.stderr).toBe('')
  }
})

test('usage errors exit 2 with one line: no command, an unknown command or option, a missing argument', () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /^h5swmr: expected a command; 'h5swmr --help' lists them \(ERR_USAGE\)$/],
    [['frobnicate'], /^h5swmr: unknown command 'frobnicate'; 'h5swmr --help' lists them \(ERR_USAGE\)$/],
    [['ls', '--bogus', 'x.h5'], /^h5swmr ls: Unknown option '--bogus'.* \(ERR_PARSE_ARGS_UNKNOWN_OPTION\)$/],
    [['ls'], /^h5swmr ls: expected FILE \[PATH\] \(see --help\) \(ERR_USAGE\)$/],
    [['simulate', path.join(dir, 'x.h5'), '--frame-shape', 'big'], /\(ERR_USAGE\)$/],
    [['join'], /\(ERR_USAGE\)$/],
  ]
  for (const [args, line] of cases) {
    const r = run(...args)
    expect({ args, status: r.status }).toEqual({ args, status: 2 })
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr.trim()).toMatch(line)
  }
})

test('a directory, or a path through a file, is a coded error in plain words (exit 1)', () => {
  const isDir = run('ls', dir)
  expect(isDir.status).toBe(1)
  expect(isDir.stderr.trim()).toBe(`h5swmr ls: Cannot open '${dir}': it is a directory, not an HDF5 file (EISDIR)`)
  const through = run('ls', path.join(__filename, 'x.h5'))
  expect(through.status).toBe(1)
  expect(through.stderr.trim()).toBe(`h5swmr ls: Cannot open '${path.join(__filename, 'x.h5')}': a part of the path is not a directory (ENOTDIR)`)
  // The library says the same.
  expect(() => File.open(dir)).toThrow(expect.objectContaining({ code: 'EISDIR' }))
  expect(() => File.open(path.join(__filename, 'x.h5'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }))
})

test('errors are one clear line with the code, and a non-zero exit', () => {
  const missing = run('ls', path.join(dir, 'missing.h5'))
  expect(missing.status).toBe(1)
  expect(missing.stderr.trim().split('\n')).toHaveLength(1)
  expect(missing.stderr).toMatch(/^h5swmr ls: .*missing\.h5.* \(ENOENT\)$/m)
  const bad = run('simulate', path.join(dir, 'x.h5'), '--frame-shape', 'big')
  expect(bad.stderr.trim()).toBe("h5swmr simulate: --frame-shape must look like 512x512, got 'big' (ERR_USAGE)")
  const ahead = run('follow', path.join(dir, 'x.h5'), '--concurrency', '0')
  expect(ahead.stderr.trim()).toBe("h5swmr follow: --concurrency must be a whole number of frames >= 1, got '0' (ERR_USAGE)")
  expect(run('watch', path.join(dir, 'x.h5'), '/d', '--wait', 'soon').stderr.trim()).toBe("h5swmr watch: --wait must be seconds, got 'soon' (ERR_USAGE)")
  expect(run('ls', 'a.h5', '/', 'extra').stderr.trim()).toBe('h5swmr ls: expected FILE [PATH] (see --help) (ERR_USAGE)')
  expect(run('view').stderr.trim()).toBe('h5swmr view: expected exactly one FILE (see --help) (ERR_USAGE)')
  const notHdf5 = run('ls', __filename)
  expect(notHdf5.stderr.trim()).toMatch(/\(H5_NOT_HDF5\)$/)
})

test('simulate then ls: the tree, growth marks and SWMR status', () => {
  const file = path.join(dir, 'sim.h5')
  const sim = run('simulate', file, '--frames', '24', '--frame-shape', '16x20', '--scan-shape', '4x6', '--compression', 'deflate')
  expect(sim.status).toBe(0)
  expect(sim.stdout).toMatch(/^simulate: wrote 24 frames to .*sim\.h5 in [\d.]+ s/)
  const ls = run('ls', file)
  expect(ls.status).toBe(0)
  expect(ls.stdout.split('\n')[0]).toBe(`${file}: closed (1.10 format, SWMR-capable)`)
  expect(ls.stdout).toContain('data  uint16 [4, 6, 16, 20] max [∞, 6, 16, 20] chunks [1, 1, 16, 20] shuffle(2)+deflate(1)  growing')
  expect(ls.stdout).toContain('uid  int32 [4, 6] max [∞, 6] chunks [1, 6]  growing')
  expect(ls.stdout).toContain('finished  int32 [1] max [1]')
  const json = JSON.parse(run('ls', file, '--json').stdout)
  expect(json.tree.children[0].name).toBe('entry')
})

test('follow --json on a live scan, 4 frames read ahead: one line per frame in order, then a summary on stderr', async () => {
  const file = path.join(dir, 'live.h5')
  const w = spawnWriter(file, { frames: 60, frameShape: [8, 8], rateHz: 300 })
  const f = spawnProcess(process.execPath, [CLI, 'follow', file, '--json', '--timeout', '3', '--concurrency', '4'])
  const code = await f.exited
  await w.exited
  expect(code).toBe(0)
  const lines = f.lines.map((l) => JSON.parse(l))
  expect(lines.map((l) => l.index)).toEqual(Array.from({ length: 60 }, (_, i) => i))
  expect(lines[5].position).toEqual([5])
  expect(lines[5]['/entry/data/data']).toEqual({ sum: 8321, min: 5, max: 225 }) // frame 5 of the simulator's pattern
  expect(f.stderr).toMatch(/^follow: found in \/entry:\n  keys      \/entry\/keys\/uid  \(entry\/keys \(h5swmr simulate\)\)\n/)
  expect(f.stderr).toContain('  data      /entry/data/data  (NXdata@signal)\n')
  expect(f.stderr).toMatch(/\nfollow: 60 frames, finished flag set, \d+ frames\/s\nfollow: woke on write \(inotify\): \d+ of \d+ waits ended by a write, polling every 100 ms at most\n$/)
})

test('ls while a writer is live says so; watch prints appended rows as they come', async () => {
  const file = path.join(dir, 'watch.h5')
  const w = spawnWriter(file, { frames: 20, frameShape: [4, 4], stepped: true })
  await w.waitFor('ready')
  expect(run('ls', file).stdout.split('\n')[0]).toMatch(/being written in SWMR mode/)
  const watch = spawnProcess(process.execPath, [CLI, 'watch', file, '/entry/keys/uid', '--polling', '20', '--timeout', '1'])
  await watch.waitFor(/^watch: /)
  for (let i = 0; i < 3; i++) {
    w.send('go')
    await watch.waitFor(`\\[${i}\\] ${i + 1}`)
  }
  expect(watch.lines).toContain('dimension 0: 0->1 (increases)')
  w.kill()
  expect(await watch.exited).toBe(0)
  expect(File.openObjectCount()).toBe(0)
})

test('follow an Eiger master file (no keys): the growth of the data files, and it says so', async () => {
  const master = path.join(dir, 'eiger_master.h5')
  const py = spawnProcess('/usr/bin/python3', [path.join(__dirname, 'fixtures', 'beamline.py'), 'eiger_master', master, JSON.stringify({ n_files: 2, per: 5 })])
  expect(await py.exited).toBe(0)
  const w = spawnProcess(process.execPath, [path.join(__dirname, 'fixtures', 'eiger-writer.js'), master, JSON.stringify({ files: 2, per: 5, rateHz: 200 })])
  const r = run('follow', master, '--timeout', '3')
  expect(await w.exited).toBe(0)
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
  expect(r.stdout).toContain('data      /entry/data  (Eiger external links (data_NNNNNN), eiger)')
  expect(r.stdout).toContain('note: no key datasets: following falls back to the growth of the data itself')
  expect(r.stdout).toMatch(/follow: 10 frames of 10, finished flag set/)
})

test('ls --values --attrs prints small datasets and attributes of every type, as h5ls -d would', () => {
  const file = path.join(dir, 'values.h5')
  const py = spawnSync(PYTHON, ['-c', `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    e = f.create_group("entry")
    e.attrs["NX_class"] = "NXentry"
    e["title"] = "Scan of the µ-crystal"
    e["start_time"] = np.bytes_(b"2026-12-04T10:00:00")
    e["counts"] = np.arange(100, dtype="u2")
    e["records"] = np.array([(1, 0.5, b"a"), (2, 1.5, b"bb")], dtype=[("n", "<i4"), ("x", "<f8"), ("s", "S2")])
    e["z"] = np.array([1 + 2j], dtype="c8")
    e["flags"] = np.array([True, False])
    e["ref"] = e["title"].ref
    e["title"].attrs["units"] = " "
`, file], { encoding: 'utf8' })
  expect(py.stderr).toBe('')
  const r = run('ls', file, '--values', '--attrs', '--max-values', '50')
  expect(r.status).toBe(0)
  const line = (name: string) => r.stdout.split('\n').find((l) => new RegExp(`── ${name} `).test(l))
  expect(line('title')).toMatch(/string \[\] max \[\] = "Scan of the µ-crystal"$/)
  expect(line('start_time')).toMatch(/= "2026-12-04T10:00:00"$/)
  expect(line('records')).toMatch(/= \[\{n: 1, x: 0\.5, s: "a"\}, \{n: 2, x: 1\.5, s: "bb"\}\]$/)
  expect(line('z')).toMatch(/complex64 \[1\] max \[1\] = \[1\+2i\]$/)
  expect(line('flags')).toMatch(/= \[true, false\]$/)
  expect(line('ref')).toMatch(/reference \[\] max \[\] = -> \/entry\/title$/)
  expect(line('counts')).not.toContain('=') // 100 elements: more than --max-values
  expect(r.stdout).toContain('@units = " "')
  expect(r.stdout).toContain('@NX_class = "NXentry"')
  const json = JSON.parse(run('ls', file, '--values', '--json').stdout)
  const entry = json.tree.children[0]
  expect(entry.children.find((c: { name: string }) => c.name === 'ref').value).toEqual({ $ref: '/entry/title' })
  expect(entry.children.find((c: { name: string }) => c.name === 'counts').value).toBeUndefined()
  expect(run('ls', file, '--values', '--max-values', '0').status).toBe(2)
})
