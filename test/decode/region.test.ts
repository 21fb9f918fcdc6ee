// Regions of interest in compressed frames: a part of a chunk takes the direct path, and for
// bitshuffle-LZ4 only the blocks holding the region are decoded. Files written by h5py with
// Debian's bitshuffle plugin; every region compared with H5Dread and with the original data.
import * as path from 'node:path'
import { File, H5Error } from '../../lib'
import type { AnyTypedArray, Selection } from '../../lib'
import { native } from '../../lib/core/native'
import { tmpDir } from '../helpers/processes'
import { pluginDir, python, same } from './helpers'

const dir = tmpDir('h5swmr-region-')
const file = path.join(dir, 'regions.h5')
const DTYPES = ['u1', 'i2', 'u4', 'f8']

beforeAll(async () => {
  await python(
    `import sys, h5py, numpy, struct
rng = numpy.random.default_rng(5)
with h5py.File(sys.argv[1], 'w') as f:
    # Odd frames (37 x 41 = 1517 elements: a 5-element tail stored as it is), default and 64-element blocks.
    for dtype in ${JSON.stringify(DTYPES)}:
        data = rng.poisson(2, size=(3, 37, 41)).astype(dtype)
        f.create_dataset('orig/' + dtype, data=data)
        f.create_dataset('auto/' + dtype, data=data, chunks=(1, 37, 41), compression=32008, compression_opts=(0, 2))
        f.create_dataset('b64/' + dtype, data=data, chunks=(1, 37, 41), compression=32008, compression_opts=(64, 2))
        f.create_dataset('deflate/' + dtype, data=data, chunks=(1, 37, 41), compression='gzip', shuffle=True)
    # Frames of several chunks, and chunks of several frames.
    tiles = rng.poisson(1, size=(4, 128, 96)).astype('u2')
    f.create_dataset('orig/tiles', data=tiles)
    f.create_dataset('tiles', data=tiles, chunks=(1, 32, 48), compression=32008, compression_opts=(0, 2))
    f.create_dataset('stacks', data=tiles, chunks=(2, 64, 96), compression=32008, compression_opts=(0, 2))
    # A detector frame (512 x 512 u2: 64 blocks of 8 rows) whose block 40 (rows 320-327) is garbage.
    frames = rng.poisson(0.5, size=(2, 512, 512)).astype('u2')
    f.create_dataset('orig/eiger', data=frames)
    d = f.create_dataset('eiger', data=frames, chunks=(1, 512, 512), compression=32008, compression_opts=(0, 2))
    chunk = bytearray(d.id.read_direct_chunk((1, 0, 0))[1])
    p = 12
    for block in range(40):
        p += 4 + struct.unpack('>I', chunk[p:p + 4])[0]
    n = struct.unpack('>I', chunk[p:p + 4])[0]
    chunk[p + 4:p + 4 + n] = bytes(255 - b for b in chunk[p + 4:p + 4 + n])
    d.id.write_direct_chunk((1, 0, 0), bytes(chunk))
print('ok')`,
    [file],
    { HDF5_PLUGIN_PATH: pluginDir() },
  )
})

const bytes = (a: AnyTypedArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)

// Rectangles of a 37 x 41 frame: single pixels (first, last: in the unshuffled tail), rows, columns,
// blocks, the whole frame less an edge, and runs of frames.
const REGIONS: Selection[] = [
  { start: [0, 0, 0], count: [1, 1, 1] },
  { start: [2, 36, 40], count: [1, 1, 1] },
  { start: [1, 36, 30], count: [1, 1, 11] },
  { start: [1, 5, 0], count: [1, 1, 41] },
  { start: [1, 0, 7], count: [1, 37, 1] },
  { start: [0, 10, 12], count: [1, 9, 20] },
  { start: [2, 1, 1], count: [1, 36, 40] },
  { start: [0, 20, 3], count: [3, 5, 6] },
]

describe.each(['auto', 'b64', 'deflate'])('%s: regions of odd frames', (group) => {
  test.each(DTYPES)('%s: direct == H5Dread == the data', (dtype) => {
    const f = File.open(file, { swmr: false })
    const ds = f.dataset(`/${group}/${dtype}`)
    const orig = f.dataset(`/orig/${dtype}`)
    for (const sel of REGIONS) {
      expect(ds.readPlan(sel).path).toBe('direct')
      const direct = ds.read(sel)
      expect(same(direct, ds.read(sel, { path: 'hdf5' }))).toBe(true)
      expect(same(direct, orig.read(sel))).toBe(true)
    }
    expect(ds.readStats.direct).toBe(REGIONS.length)
    f.close()
  })
})

test('regions across chunk boundaries: frames of tiles and chunks of frames', async () => {
  const f = File.open(file, { swmr: false })
  const orig = f.dataset('/orig/tiles')
  const regions: Selection[] = [
    { start: [0, 30, 40], count: [1, 4, 16] }, // four tiles meet
    { start: [1, 0, 0], count: [1, 128, 96] },
    { start: [1, 17, 5], count: [2, 100, 90] }, // across both chunks of frames
    { start: [3, 127, 95], count: [1, 1, 1] },
  ]
  for (const name of ['/tiles', '/stacks']) {
    const ds = f.dataset(name)
    for (const sel of regions) {
      const expected = bytes(orig.read(sel))
      expect(bytes(ds.read(sel)).equals(expected)).toBe(true)
      expect(bytes(await ds.readAsync(sel)).equals(expected)).toBe(true)
    }
    expect(ds.readStats).toMatchObject({ direct: 2 * regions.length, hdf5: 0 })
  }
  f.close()
})

test('bitshuffle-LZ4: a region decodes only the blocks holding it', () => {
  const f = File.open(file, { swmr: false })
  const ds = f.dataset('/eiger')
  const orig = f.dataset('/orig/eiger')
  const codeOf = (sel: Selection) => {
    try {
      ds.read(sel)
      return 'ok'
    } catch (e) {
      expect(e).toBeInstanceOf(H5Error)
      expect((e as H5Error).message).toMatch(/Corrupt chunk 1 \(at \[1, 0, 0\]\) of '\/eiger'.*bitshuffle-LZ4 block 40 does not decompress/)
      return (e as H5Error).code
    }
  }
  // Frame 1's block 40 (rows 320-327) is garbage: the frame cannot be read, on either path.
  expect(codeOf({ start: [1, 0, 0], count: [1, 512, 512] })).toBe('H5_CORRUPT_CHUNK')
  expect(() => ds.read({ start: [1, 0, 0], count: [1, 512, 512] }, { path: 'hdf5' })).toThrow(H5Error)
  // Regions away from it decode their own blocks only, and are right.
  for (const sel of [
    { start: [1, 0, 0], count: [1, 64, 512] },
    { start: [1, 100, 200], count: [1, 50, 60] },
    { start: [1, 328, 0], count: [1, 184, 512] },
    { start: [1, 319, 511], count: [1, 1, 1] },
  ]) {
    expect(same(ds.read(sel), orig.read(sel))).toBe(true)
  }
  // Any region touching rows 320-327 needs block 40.
  expect(codeOf({ start: [1, 327, 500], count: [1, 1, 1] })).toBe('H5_CORRUPT_CHUNK')
  expect(codeOf({ start: [1, 300, 0], count: [1, 40, 8] })).toBe('H5_CORRUPT_CHUNK')
  // Frame 0 is whole.
  expect(same(ds.read({ start: [0, 0, 0], count: [1, 512, 512] }), orig.read({ start: [0, 0, 0], count: [1, 512, 512] }))).toBe(true)
  f.close()
})

test('edge chunks stored unfiltered (H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS) go through H5Dread; the rest direct', () => {
  const edges = path.join(dir, 'edges.h5')
  const w = File.create(edges)
  const data = Uint16Array.from({ length: 10 * 6 }, (_, i) => (i * 37) % 1000)
  for (const compression of ['deflate', 'bslz4'] as const)
    for (const shuffle of [false, true]) {
      const ds = w.createDataset(`/${compression}_${shuffle}`, { dtype: 'uint16', shape: [10, 6], chunks: [4, 4], compression, shuffle, filterEdgeChunks: false })
      ds.write(null, data)
    }
  w.close()
  const f = File.open(edges, { swmr: false })
  const expected = (sel: { start: number[]; count: number[] }) => {
    const out: number[] = []
    for (let r = sel.start[0]; r < sel.start[0] + sel.count[0]; r++)
      for (let c = sel.start[1]; c < sel.start[1] + sel.count[1]; c++) out.push(data[r * 6 + c])
    return out
  }
  for (const name of ['/deflate_false', '/deflate_true', '/bslz4_false', '/bslz4_true']) {
    const ds = f.dataset(name)
    expect(Array.from(ds.read() as Uint16Array)).toEqual(Array.from(data))
    expect(ds.readPlan(null)).toEqual({ path: 'hdf5', reason: expect.stringContaining('H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS') })
    for (const sel of [{ start: [8, 4], count: [2, 2] }, { start: [3, 1], count: [6, 4] }, { start: [0, 0], count: [4, 4] }, { start: [1, 1], count: [2, 2] }]) {
      expect(Array.from(ds.read(sel) as Uint16Array)).toEqual(expected(sel))
    }
    // Only the interior chunk [0:4, 0:4] is filtered: its regions read direct.
    expect(ds.readStats).toMatchObject({ direct: 2, hdf5: 3 })
  }
  f.close()
})

test('a thin selection through many compressed frames is fetched and decoded a batch at a time', async () => {
  const f = File.open(file, { swmr: false })
  const ds = f.dataset('/eiger')
  const orig = f.dataset('/orig/eiger')
  const tiles = f.dataset('/tiles')
  const previous = native._testing.setFetchBatchBytes(1) // one chunk per batch
  try {
    const column = { start: [0, 0, 7], count: [1, 512, 1] }
    expect(same(ds.read(column), orig.read(column))).toBe(true)
    const across = { start: [0, 3, 5], count: [4, 120, 90] } // 4 frames × 4 × 2 tiles of 32 × 48
    const expected = bytes(f.dataset('/orig/tiles').read(across))
    expect(bytes(tiles.read(across)).equals(expected)).toBe(true)
    expect(bytes(await tiles.readAsync(across)).equals(expected)).toBe(true)
    expect(tiles.readStats).toMatchObject({ direct: 2, hdf5: 0 })
  } finally {
    native._testing.setFetchBatchBytes(previous)
  }
  f.close()
})
