// Hostile and broken files: equivalents of the HDF5 CVE and fuzzer files on which h5swmr did worse
// than h5py (test/fixtures/robust/make-hostile.py: valid files written by this release's h5py, then
// damaged where the CVE files are, byte by byte found by walking their structure; no CVE file is
// copied). Each is vetted by checkFile and walked by h5py (test/fixtures/robust/walk-h5py.py), in
// processes of their own, three times (crashes on damaged memory vary from run to run). Must hold on
// every release: h5swmr never crashes or hangs where h5py does not, never aborts in its own code,
// and says what it met with a code. Some files crash libhdf5 under h5py too; those are libhdf5's.
import { spawn, spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { checkFile, File, type FileCheck } from '../../lib'
import { PYTHON, tmpDir } from '../helpers/processes'

const dir = tmpDir()
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'robust')
const RUNS = 3

let names: string[] = []

beforeAll(() => {
  const r = spawnSync(PYTHON, [path.join(FIXTURES, 'make-hostile.py'), dir], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`make-hostile.py: ${r.stderr}`)
  names = r.stdout.trim().split('\n').map((l) => path.basename(l.split(' ')[0], '.h5'))
})

function h5py(file: string): Promise<'ok' | 'error' | 'crashed' | 'hung'> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [path.join(FIXTURES, 'walk-h5py.py'), file], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL') return resolve('hung')
      if (signal || code !== 0) return resolve('crashed')
      resolve(JSON.parse(out.trim().split('\n').pop()!).ok ? 'ok' : 'error')
    })
  })
}

const failed = (c: FileCheck) => c.code === 'CRASHED' || c.code === 'TIMED_OUT' || c.code === 'OUT_OF_MEMORY'

test('the hostile files are made (every kind, on this release)', () => {
  expect(names.sort()).toEqual([
    'attr-empty', 'attr-huge-dataspace', 'attr-table-stale', 'btree-cycle', 'btree-cycle-shielded', 'dtype-compound-divzero',
    'dtype-compound-divzero-shielded', 'dtype-enum-overrun', 'dtype-enum-overrun-shielded', 'heap-shared', 'link-table-stale',
    'link-table-stale-shielded', 'ref-region-bad-heap',
  ])
})

test(`never worse than h5py on this libhdf5: no crash or hang where h5py has none in ${RUNS} runs, no abort of our own, every verdict coded`, async () => {
  const worse: string[] = []
  const table: Record<string, { h5swmr: string[]; h5py: string[] }> = {}
  for (const name of names) {
    const file = path.join(dir, `${name}.h5`)
    const ours: FileCheck[] = []
    const theirs: string[] = []
    for (let k = 0; k < RUNS; k++) {
      ours.push(await checkFile(file, { timeout: 30000 }))
      theirs.push(await h5py(file))
    }
    table[name] = { h5swmr: ours.map((c) => c.code + (c.signal ? `(${c.signal})` : '')), h5py: theirs }
    for (const c of ours) {
      expect(c.message).not.toMatch(/terminate called|std::/) // never a C++ exception of ours
      expect(c.code).toMatch(/^(ok|H5_[A-Z_]+|CRASHED|TIMED_OUT|OUT_OF_MEMORY)$/)
    }
    if (ours.some(failed) && !theirs.some((t) => t === 'crashed' || t === 'hung')) worse.push(name)
  }
  console.log('hostile files, 3 runs each:', JSON.stringify(table))
  expect(worse).toEqual([])
}, 600000)

test('what h5swmr says of them: the damage, coded; a legal empty attribute reads as []', async () => {
  const huge = await checkFile(path.join(dir, 'attr-huge-dataspace.h5'))
  expect(huge).toMatchObject({ ok: false, code: 'H5_CORRUPT', at: { path: '/input_1', step: 'attributes' } })
  // Which check meets it first depends on the release: ours ("claims 4611686018427387904 elements",
  // before anything is allocated) on 1.10.8, libhdf5's own ("data size exceeds addressable range")
  // on 1.14 and later.
  expect(huge.message).toMatch(/claims 4611686018427387904 elements|exceeds addressable range/)
  const empty = await checkFile(path.join(dir, 'attr-empty.h5'))
  expect(empty).toMatchObject({ ok: true, code: 'ok' })
  using f = File.open(path.join(dir, 'attr-empty.h5'))
  expect(f.dataset('/d').attrs).toEqual({ empty: [], x: 1 })
  // Region references whose heap object is gone: HDF5 >= 1.12 converts references on read and the
  // conversion fails (H5_CORRUPT; reclaiming what it had made crashed before); 1.10 reads them as
  // stored and the damaged one resolves to no selection.
  const refs = await checkFile(path.join(dir, 'ref-region-bad-heap.h5'))
  const [major, minor] = File.libraryInfo().version.split('.').map(Number)
  if (major > 1 || minor >= 12) expect(refs).toMatchObject({ ok: false, code: 'H5_CORRUPT', at: { path: '/refs', step: 'read' } })
  else expect(refs).toMatchObject({ ok: true, code: 'ok' })
  // Two groups' local heaps in one data block: HDF5's own walk (File.visit, as h5py's visititems)
  // fails on it with an error and the walk stops there; listing the groups one by one crashed 1.14
  // and 2.x. (Closing that file crashes 1.10.8 afterwards, under h5py too: the verdict's code may
  // say so; the walk's first problem is the same everywhere.)
  const shared = await checkFile(path.join(dir, 'heap-shared.h5'))
  expect(shared.problems[0]).toMatchObject({ path: '/', step: 'visit', code: 'H5_CORRUPT' })
  expect(shared.problems[0].message).toMatch(/already pinned/)
  // The shielded files: h5swmr meets the same damage h5py's visit stops at, with a code.
  for (const name of ['link-table-stale-shielded', 'dtype-enum-overrun-shielded', 'dtype-compound-divzero-shielded', 'btree-cycle-shielded']) {
    const c = await checkFile(path.join(dir, `${name}.h5`))
    expect({ name, code: c.code }).toEqual({ name, code: 'H5_CORRUPT' })
  }
}, 120000)
