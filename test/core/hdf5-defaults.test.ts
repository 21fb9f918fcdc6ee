// What HDF5 2.0 changed in its defaults, checked on every release we support (1.10.8, 1.14.5, 2.2):
// h5swmr sets each of these itself, so files and reads behave the same whatever the library's default.
// - the raw-data chunk cache: 1 MiB per open dataset before 2.0, 8 MiB since; ours is File.open's
//   chunkCacheBytes (0 by default: with one frame per chunk HDF5 reads straight into the caller's
//   buffer), on readers and writers, and it survives H5Drefresh;
// - the low bound of the file format: 1.8 since 2.0 (earliest before); our writer sets 1.10 (the v3
//   superblock SWMR needs), so a file we create can take a SWMR writer later, and reads on 1.10.8.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { File } from '../../lib'
import { simulateScan } from '../../lib/simulate'
import { spawnWriter, tmpDir } from '../helpers/processes'

const dir = tmpDir('h5swmr-defaults-')

/** The superblock version: the byte after HDF5's 8-byte signature (0/1: 1.6 format, 2: 1.8, 3: 1.10). */
function superblockVersion(file: string): number {
  const head = Buffer.alloc(9)
  const fd = fs.openSync(file, 'r')
  try {
    fs.readSync(fd, head, 0, 9, 0)
  } finally {
    fs.closeSync(fd)
  }
  expect(head.subarray(0, 8).equals(Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true)
  return head[8]
}

describe('the chunk cache is ours, not the library default', () => {
  const file = path.join(dir, 'cache.h5')
  beforeAll(async () => {
    await simulateScan(file, { frames: 4, frameShape: [32, 32], compression: 'bslz4' })
  })

  test('0 bytes by default, chunkCacheBytes when given, and the same after refresh()', () => {
    const plain = File.open(file)
    const data = plain.dataset('/entry/data/data')
    expect(data.chunkCache.bytes).toBe(0)
    data.refresh()
    expect(data.chunkCache.bytes).toBe(0)
    plain.close()

    const cached = File.open(file, { swmr: true, locking: false, chunkCacheBytes: 3 << 20 })
    const d = cached.dataset('/entry/data/data')
    expect(d.chunkCache.bytes).toBe(3 << 20)
    d.refresh()
    expect(d.chunkCache.bytes).toBe(3 << 20)
    // A strided read of a compressed chunk goes through H5Dread and its cache: the same elements.
    const whole = d.read({ start: [1, 0, 0], count: [1, 32, 32] })
    const strided = d.read({ start: [1, 0, 0], count: [1, 16, 16], step: [1, 2, 2] })
    expect(d.readPlan({ start: [1, 0, 0], count: [1, 16, 16], step: [1, 2, 2] }).path).toBe('hdf5')
    expect(Array.from(strided)).toEqual(Array.from({ length: 256 }, (_, k) => whole[Math.floor(k / 16) * 64 + (k % 16) * 2]))
    cached.close()
  })

  test("a writer's datasets hold no chunks back either", () => {
    const f = File.create(path.join(dir, 'writer-cache.h5'))
    const ds = f.createDataset('/data', { dtype: 'uint16', shape: [0, 8, 8], maxshape: [null, 8, 8], chunks: [1, 8, 8] })
    expect(ds.chunkCache.bytes).toBe(0)
    f.close()
  })
})

describe('files we create are in the 1.10 format', () => {
  test('File.create writes a version 3 superblock, SWMR or not', async () => {
    const plain = path.join(dir, 'plain.h5')
    const f = File.create(plain)
    f.createDataset('/x', { dtype: 'int32', shape: [4] })
    f.close()
    expect(superblockVersion(plain)).toBe(3)

    const live = path.join(dir, 'live.h5')
    const w = spawnWriter(live, { frames: 3, frameShape: [8, 8] })
    await w.waitFor('ready')
    expect(superblockVersion(live)).toBe(3)
    expect(await w.exited).toBe(0)
  })

  test('so a file created without SWMR takes a SWMR writer later', () => {
    const file = path.join(dir, 'later.h5')
    const f = File.create(file)
    f.createDataset('/frames', { dtype: 'uint16', shape: [0, 4], maxshape: [null, 4], chunks: [1, 4] })
    f.close()
    const w = File.openForWrite(file, { swmr: false, locking: false })
    w.startSwmrWrite()
    const frames = w.dataset('/frames')
    frames.extend([1, 4])
    frames.write({ start: [0, 0], count: [1, 4] }, new Uint16Array([1, 2, 3, 4]))
    frames.flush()
    w.close()
    const r = File.open(file, { swmr: true, locking: false })
    const data = r.dataset('/frames')
    data.refresh()
    expect(data.shape).toEqual([1, 4])
    expect(Array.from(data.read() as Uint16Array)).toEqual([1, 2, 3, 4])
    r.close()
  })
})

describe("HDF5's metadata cache of a file", () => {
  test('metadataCacheInfo: what it holds, within its bound; a closed file is H5_CLOSED', async () => {
    const file = path.join(dir, 'mdc.h5')
    await simulateScan(file, { frames: 4, frameShape: [16, 16] })
    const f = File.open(file, { swmr: true, locking: false })
    f.dataset('/entry/data/data').read({ start: [3, 0, 0], count: [1, 16, 16] })
    const info = f.metadataCacheInfo()
    expect(info.entries).toBeGreaterThan(0) // superblock, object headers, the chunk index
    expect(info.currentSize).toBeGreaterThan(0)
    expect(info.currentSize).toBeLessThanOrEqual(info.maxSize)
    expect(info.maxSize).toBeLessThanOrEqual(info.configuredMaxSize)
    f.close()
    expect(() => f.metadataCacheInfo()).toThrow(expect.objectContaining({ code: 'H5_CLOSED' }))
  })
})
