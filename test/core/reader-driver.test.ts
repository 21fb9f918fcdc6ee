// The reader file driver (binding/reader_driver.cc): files opened for reading use it by default; the
// chunk bytes of direct-path reads are pread after the HDF5 lock is released, in parallel on the
// decode pool (test/decode/parallel.test.ts shows them overlap), and every read gives the same
// bytes as HDF5's own sec2 driver.
import * as path from 'node:path'
import { File, H5Error, openForReading } from '../../lib'
import { checkFrame, simulateScan } from '../../lib/simulate'
import type { AnyTypedArray } from '../../lib'
import { followWithReadFrames, spawnWriter, tmpDir } from '../helpers/processes'

const dir = tmpDir('h5swmr-driver-')
const plain = path.join(dir, 'plain.h5')
const packed = path.join(dir, 'packed.h5')
const tiles = path.join(dir, 'tiles.h5')
const FRAMES = 24
const frameSel = (i: number, shape = [128, 128]) => ({ start: [i, 0, 0], count: [1, ...shape] })

beforeAll(async () => {
  await simulateScan(plain, { frames: FRAMES, frameShape: [128, 128] })
  await simulateScan(packed, { frames: FRAMES, frameShape: [128, 128], compression: 'bslz4' })
  // 256 x 256 frames in four 64-row chunks, uncompressed: one read, four chunks.
  const f = File.create(tiles)
  const ds = f.createDataset('/data', { dtype: 'uint16', shape: [3, 256, 256], chunks: [1, 64, 256] })
  for (let i = 0; i < 3; i++) ds.write(frameSel(i, [256, 256]), Uint16Array.from({ length: 256 * 256 }, (_, p) => (p * 7 + i) & 0xffff))
  f.close()
})

const bytes = (a: AnyTypedArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)

test('reads use the h5swmr driver by default; sec2 on request; writers keep sec2', () => {
  const r = File.open(plain)
  expect(r.driver).toBe('h5swmr')
  r.close()
  const s = File.open(plain, { driver: 'sec2' })
  expect(s.driver).toBe('sec2')
  s.close()
  const w = File.create(path.join(dir, 'w.h5'))
  expect(w.driver).toBe('sec2')
  w.close()
  for (const driver of ['posix', 3, null]) {
    const err = (() => {
      try {
        File.open(plain, { driver } as never)
      } catch (e) {
        return e as H5Error
      }
    })()
    expect(err).toBeInstanceOf(H5Error)
    expect(err?.code).toBe('ERR_INVALID_ARG')
  }
})

test.each([
  ['uncompressed', plain, [128, 128], 0],
  ['bitshuffle-LZ4', packed, [128, 128], 1],
])('%s: every read gives the bytes sec2 gives, whole and in parts, sync and async', async (_name, file, shape, partsDirect) => {
  const ours = File.open(file, { swmr: false })
  const theirs = File.open(file, { swmr: false, driver: 'sec2' })
  const a = ours.dataset('/entry/data/data')
  const b = theirs.dataset('/entry/data/data')
  const selections = [
    null,
    frameSel(5, shape),
    { start: [2, 0, 0], count: [4, ...shape] }, // four chunks in one read
    { start: [3, 10, 20], count: [2, 30, 40] }, // parts of chunks: H5Dread (uncompressed) or direct
    { start: [0, 0, 0], count: [FRAMES / 2, ...shape], step: [2, 1, 1] },
  ]
  for (const sel of selections) {
    const expected = bytes(b.read(sel))
    expect(bytes(a.read(sel)).equals(expected)).toBe(true)
    expect(bytes(await a.readAsync(sel)).equals(expected)).toBe(true)
    expect(bytes(a.read(sel, { path: 'hdf5' })).equals(expected)).toBe(true)
  }
  for (let i = 0; i < FRAMES; i++) expect(checkFrame(a.read(frameSel(i, shape)), i)).toBe(true)
  // Direct reads: every chunk's bytes read outside the lock with ours, none with sec2.
  expect(a.readStats.chunksReadOutsideLock).toBe(2 * (FRAMES + 1 + 4 + 2 * partsDirect) + FRAMES)
  expect(b.readStats.chunksReadOutsideLock).toBe(0)
  expect(b.readStats.direct).toBe(3 + partsDirect)
  ours.close()
  theirs.close()
})

test('a frame of several uncompressed chunks: each chunk pread outside the lock, the frame exact', async () => {
  const f = File.open(tiles, { swmr: false })
  const ds = f.dataset('/data')
  for (let i = 0; i < 3; i++) {
    const frame = (await ds.readAsync(frameSel(i, [256, 256]))) as Uint16Array
    expect(frame.every((v, p) => v === ((p * 7 + i) & 0xffff))).toBe(true)
  }
  expect(ds.readStats).toEqual({ direct: 3, hdf5: 0, chunksReadOutsideLock: 12 })
  f.close()
})

test('an uncompressed writer followed live, 4 reads in flight: every frame, exact', async () => {
  const live = path.join(dir, 'live.h5')
  const frames = 400
  const w = spawnWriter(live, { frames, frameShape: [256, 256] })
  await w.waitFor('ready')
  const r = await followWithReadFrames(live, frames, 4)
  expect(await w.exited).toBe(0)
  expect({ next: r.next, bad: r.bad }).toEqual({ next: frames, bad: 0 })
  expect(r.stats).toEqual({ direct: frames, hdf5: 0, chunksReadOutsideLock: frames })
})

test("a file this process has open for writing is read through sec2, sharing the writer's open file", () => {
  const p = path.join(dir, 'same-process.h5')
  const w = File.create(p)
  const ds = w.createDataset('/x', { dtype: 'int32', shape: [4], chunks: [4], compression: 'deflate' })
  ds.write(null, Int32Array.from([1, 2, 3, 4]))
  // Not flushed, the writer's lock held: only HDF5's shared open file can read this (with the
  // writer's locking setting), as before the h5swmr driver.
  const r = File.open(p, { swmr: false })
  expect(r.driver).toBe('sec2')
  expect(Array.from(r.dataset('/x').read() as Int32Array)).toEqual([1, 2, 3, 4])
  r.close()
  // openForReading with locking left unset: matched to the writer's, and read the same way.
  const auto = openForReading(p, { swmr: 'auto' })
  expect(auto.file.driver).toBe('sec2')
  expect(Array.from(auto.file.dataset('/x').read() as Int32Array)).toEqual([1, 2, 3, 4])
  auto.file.close()
  w.close()
  const later = File.open(p, { swmr: false })
  expect(later.driver).toBe('h5swmr') // the writer is gone
  expect(Array.from(later.dataset('/x').read() as Int32Array)).toEqual([1, 2, 3, 4])
  later.close()
})
