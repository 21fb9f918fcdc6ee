// The compressions current detector writers use, as the real writers wrote them (see
// test/fixtures/codecs/make-corpus.py, run in a Debian 13 root): bitshuffle-zstd by h5py with
// bitshuffle 0.5.2's plugin (Jungfraujoch's default block and level, explicit blocks), blosc by h5py
// with Debian's blosc plugin in every inner codec and shuffle, zstd (32015) frames from the zstd
// library itself. On every release: the direct path (decoded off the HDF5 lock), H5Dread (a plugin
// where there is one, else our filters), regions and async reads all equal the uncompressed twins.
import * as path from 'node:path'
import * as h5 from '../../lib'
import { tmpDir } from '../helpers/processes'
import { COMPARE_FIXTURE, compareGroups, node, withoutPlugins } from './helpers'

const CORPUS = path.join(__dirname, '..', 'fixtures', 'codecs', 'corpus.h5')
const COMPARE = COMPARE_FIXTURE
const GROUPS = ['bszstd', 'blosc', 'zstd']
const CASES = 3 + 5 * 3 + 1 + 2
const FRAMES = 2
const dir = tmpDir('h5swmr-corpus-')

test(`${CASES} datasets: direct == H5Dread == the data, every frame direct`, () => {
  const r = compareGroups(h5, CORPUS, GROUPS, 'orig')
  expect(r.problems).toEqual([])
  expect(r.checked).toBe(CASES)
  expect(r.framePaths).toEqual({ direct: FRAMES * CASES, hdf5: 0 })
})

test('the same in a process with no plugin on the path: our built-in filters serve H5Dread', async () => {
  const lines = await node(
    `const { compareGroups } = require(process.argv[1])
     const r = compareGroups(h5, process.argv[2], JSON.parse(process.argv[3]), 'orig')
     const info = h5.File.libraryInfo()
     console.log(JSON.stringify({ checked: r.checked, problems: r.problems, filters: [info.bitshuffleFilter, info.zstdFilter, info.bloscFilter] }))`,
    [COMPARE, CORPUS, JSON.stringify(GROUPS)],
    withoutPlugins(dir),
  )
  expect(JSON.parse(lines[lines.length - 1])).toEqual({ checked: CASES, problems: [], filters: ['builtin', 'builtin', 'builtin'] })
})

test('regions (sync and async) read direct and equal the frame cut out', async () => {
  const f = h5.File.open(CORPUS, { swmr: false })
  for (const group of GROUPS) {
    for (const member of f.list(`/${group}`)) {
      const ds = f.dataset(member.path)
      const [, h, w] = ds.shape
      const whole = ds.read({ start: [1, 0, 0], count: [1, h, w] })
      const y = Math.floor(h / 3), x = Math.floor(w / 4), rh = Math.floor(h / 2), rw = Math.floor(w / 2)
      const sel = { start: [1, y, x], count: [1, rh, rw] }
      expect([member.path, ds.readPlan(sel).path]).toEqual([member.path, 'direct'])
      const expected = Array.from({ length: rh * rw }, (_, k) => whole[(y + Math.floor(k / rw)) * w + x + (k % rw)])
      expect(Array.from(ds.read(sel) as ArrayLike<number>)).toEqual(expected)
      expect(Array.from((await ds.readAsync(sel)) as ArrayLike<number>)).toEqual(expected)
    }
  }
  f.close()
})

test('the stored parameters are the writers\' own (bitshuffle 0.5, hdf5-blosc revision 2, zstd level)', () => {
  const f = h5.File.open(CORPUS, { swmr: false })
  expect(f.dataset('/bszstd/u2_default_l3').filters[0].cdValues).toEqual([0, 5, 2, 0, 3, 3])
  expect(f.dataset('/blosc/u2_zstd_bit').filters[0].cdValues).toEqual([2, 2, 2, 40 * 24 * 2, 5, 2, 5])
  expect(f.dataset('/zstd/i4_l19').filters[0].cdValues).toEqual([19])
  f.close()
})
