// Files written by Debian's python3-h5py: a live SWMR writer, and h5py's own conventions
// (bool enums, float16, string and numeric attributes, soft and external links).
import * as path from 'node:path'
import { File } from '../../lib'
import { spawnPython, tmpDir } from '../helpers/processes'

const dir = tmpDir()

const SWMR_WRITER = `
import sys, h5py, numpy
path = sys.argv[1]
f = h5py.File(path, 'w', libver='latest')
d = f.create_dataset('data', shape=(0, 8, 8), maxshape=(None, 8, 8), chunks=(1, 8, 8), dtype='i4', fillvalue=-1)
k = f.create_dataset('uid', shape=(0,), maxshape=(None,), chunks=(64,), dtype='i8', fillvalue=0)
f.swmr_mode = True
print('ready', flush=True)
for i in range(6):
    sys.stdin.readline()
    d.resize((i + 1, 8, 8))
    d[i] = numpy.arange(64, dtype='i4').reshape(8, 8) + 1000 * i
    d.flush()
    k.resize((i + 1,))
    k[i] = i + 1
    k.flush()
    print('frame', i, flush=True)
f.close()
print('closed', flush=True)
`

test('a live h5py SWMR writer, followed frame by frame', async () => {
  const file = path.join(dir, 'h5py-live.h5')
  const py = spawnPython(SWMR_WRITER, [file])
  await py.waitFor('ready')
  const f = File.open(file, { swmr: true, locking: false })
  expect(f.isSwmr).toBe(true)
  const data = f.dataset('/data')
  const uid = f.dataset('/uid')
  expect(data.dtype).toBe('int32')
  expect(uid.dtype).toBe('int64')
  expect(data.fillValue).toBe(-1)
  for (let i = 0; i < 6; i++) {
    py.send('go')
    await py.waitFor(`frame ${i}`)
    data.refresh()
    uid.refresh()
    expect(data.shape).toEqual([i + 1, 8, 8])
    expect(uid.read()).toEqual(BigInt64Array.from({ length: i + 1 }, (_, j) => BigInt(j + 1)))
    const frame = data.read({ start: [i, 0, 0], count: [1, 8, 8] }) as Int32Array
    expect(Array.from(frame)).toEqual(Array.from({ length: 64 }, (_, p) => p + 1000 * i))
  }
  await py.waitFor('closed')
  f.close()
})

const CONVENTIONS = `
import sys, h5py, numpy
with h5py.File(sys.argv[1], 'w') as f, h5py.File(sys.argv[2], 'w') as ext:
    ext['entry/data/data'] = numpy.arange(12, dtype='u2').reshape(3, 4)
    g = f.create_group('entry')
    g.attrs['NX_class'] = 'NXentry'
    g.attrs['flag'] = True
    g.attrs['count'] = numpy.int64(42)
    g.attrs['big'] = numpy.uint64(2**60 + 1)
    g.attrs['scale'] = 0.25
    g.attrs['shape'] = numpy.array([10, 20], dtype='i4')
    g.attrs['names'] = ['a', 'bc']
    g.attrs['fixed'] = numpy.bytes_(b'fixed-bytes')
    f['entry/mask'] = numpy.array([True, False, True])
    f['entry/half'] = numpy.array([0.5, -2.0, 1024.0], dtype='f2')
    f['entry/alias'] = h5py.SoftLink('/entry/mask')
    f['entry/dangling'] = h5py.SoftLink('/nowhere')
    f['entry/external'] = h5py.ExternalLink(sys.argv[2], '/entry/data/data')
print('ok')
`

test('h5py conventions: bools, float16, attributes, soft and external links', async () => {
  const file = path.join(dir, 'conventions.h5')
  const ext = path.join(dir, 'conventions_data.h5')
  const py = spawnPython(CONVENTIONS, [file, ext])
  expect(await py.exited).toBe(0)
  const f = File.open(file, { swmr: false })
  const entry = f.group('/entry')
  expect(entry.attrs).toEqual({
    NX_class: 'NXentry',
    flag: true,
    count: 42,
    big: 2n ** 60n + 1n,
    scale: 0.25,
    shape: [10, 20],
    names: ['a', 'bc'],
    fixed: 'fixed-bytes',
  })
  const mask = f.dataset('/entry/mask')
  expect(mask.dtype).toBe('bool')
  expect(Array.from(mask.read() as Uint8Array)).toEqual([1, 0, 1])
  const half = f.dataset('/entry/half')
  expect(half.dtype).toBe('float16')
  expect(Array.from(half.read() as Float32Array)).toEqual([0.5, -2, 1024])
  const members = Object.fromEntries(f.list('/entry').map((m) => [m.name, m]))
  expect(members.alias).toMatchObject({ linkType: 'soft', target: '/entry/mask', objectType: 'dataset' })
  expect(members.dangling).toMatchObject({ linkType: 'soft', objectType: 'missing' })
  expect(members.external).toMatchObject({ linkType: 'external', targetFile: ext, target: '/entry/data/data', objectType: 'dataset' })
  expect(Array.from(f.dataset('/entry/alias').read() as Uint8Array)).toEqual([1, 0, 1])
  // Two paths to one dataset share one Dataset (one HDF5 id): H5Drefresh on one of two ids of the
  // same dataset makes reads through the other wrong.
  expect(f.dataset('/entry/alias')).toBe(f.dataset('/entry/mask'))
  const viaLink = f.dataset('/entry/external')
  expect(viaLink.shape).toEqual([3, 4])
  expect(Array.from(viaLink.read({ start: [1, 0], count: [1, 4] }) as Uint16Array)).toEqual([4, 5, 6, 7])
  expect(f.has('/entry/dangling')).toBe(false)
  f.close()
  expect(File.openObjectCount()).toBe(0)
})

test('attributes we write read back in h5py as h5py would have written them', async () => {
  const file = path.join(dir, 'ours.h5')
  const f = File.create(file)
  f.setAttr('title', 'scan 7')
  f.setAttr('n', 3)
  f.setAttr('ratio', 0.5)
  f.setAttr('done', false)
  f.setAttr('shape', [5, 10])
  f.createDataset('/flags', { dtype: 'bool', shape: [3] }).write(null, new Uint8Array([0, 1, 1]))
  f.close()
  // Values and types as JSON (numpy 2 prints scalars as np.int64(5), numpy 1 as 5).
  const py = spawnPython(
    `import sys, json, h5py\nf = h5py.File(sys.argv[1], 'r')\na = f.attrs\n` +
      `print(json.dumps({name: [type(a[name]).__name__, str(getattr(a[name], 'dtype', '')), a[name].tolist() if hasattr(a[name], 'tolist') else a[name]] for name in a} | ` +
      `{'flags': ['dataset', str(f['flags'].dtype), f['flags'][...].tolist()]}, sort_keys=True))`,
    [file],
  )
  const line = await py.waitFor(/scan 7/)
  expect(JSON.parse(line)).toEqual({
    title: ['str', '', 'scan 7'],
    n: ['int64', 'int64', 3],
    ratio: ['float64', 'float64', 0.5],
    done: [expect.stringMatching(/^bool_?$/), 'bool', false],
    shape: ['ndarray', 'int64', [5, 10]],
    flags: ['dataset', 'bool', [false, true, true]],
  })
})
