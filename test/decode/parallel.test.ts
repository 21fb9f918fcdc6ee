// The decode pool: reads in flight decode at the same time, readMany/readFrames keep n in flight
// and yield in order, multi-chunk frames spread over the pool, and the lifecycle holds (close and
// worker termination with reads running). Plus a bslz4 writer followed live at full speed.
import * as path from 'node:path'
import { File, decodeThreads, setDecodeThreads } from '../../lib'
import { checkFrame, simulateScan } from '../../lib/simulate'
import type { AnyTypedArray } from '../../lib'
import { native } from '../../lib/core/native'
import { followWithReadFrames, spawnWriter, tmpDir } from '../helpers/processes'
import { node } from './helpers'

const dir = tmpDir('h5swmr-parallel-')
const file = path.join(dir, 'frames.h5')
const tiles = path.join(dir, 'tiles.h5')
const plain = path.join(dir, 'plain.h5')
const FRAMES = 48
const DEFAULT_THREADS = decodeThreads()
const frameSel = (i: number, shape = [512, 512]) => ({ start: [i, 0, 0], count: [1, ...shape] })

beforeAll(async () => {
  await simulateScan(file, { frames: FRAMES, frameShape: [512, 512], compression: 'bslz4' })
  await simulateScan(plain, { frames: FRAMES, frameShape: [512, 512] })
  // 1024 x 1024 frames in sixteen 64-row chunks: one read, sixteen chunks to decode.
  const f = File.create(tiles)
  const ds = f.createDataset('/data', { dtype: 'uint16', shape: [4, 1024, 1024], chunks: [1, 64, 1024], compression: 'bslz4' })
  const frame = new Uint16Array(1024 * 1024)
  let x = 1
  for (let i = 0; i < 4; i++) {
    for (let p = 0; p < frame.length; p++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0
      frame[p] = x >>> 28 === 0 ? x >>> 16 : (x >>> 8) % 3
    }
    ds.write(frameSel(i, [1024, 1024]), frame)
  }
  f.close()
})

afterEach(() => setDecodeThreads(DEFAULT_THREADS))

test('the pool has a thread per core by default and can be resized', () => {
  expect(DEFAULT_THREADS).toBeGreaterThanOrEqual(1)
  expect(File.libraryInfo().decodeThreads).toBe(DEFAULT_THREADS)
  setDecodeThreads(3)
  expect(decodeThreads()).toBe(3)
  expect(() => setDecodeThreads(0)).toThrow(/integer from 1 to 256/)
})

test.each([
  ['bitshuffle-LZ4: reads in flight decode', () => file],
  ['uncompressed: reads in flight pread their chunks (outside the HDF5 lock: the reader driver)', () => plain],
])('%s at the same time, each into its own frame', async (_what, which) => {
  setDecodeThreads(2)
  const f = File.open(which(), { swmr: false })
  const ds = f.dataset('/entry/data/data')
  native._testing.peakConcurrentDecodes(true)
  // The first chunk's work waits until a second one runs (the pool must provide it; 5 s at most),
  // so overlap shows even when the scheduler is slow to start a pool thread on a busy machine.
  native._testing.awaitConcurrentDecodes(2)
  const frames = await Promise.all(Array.from({ length: FRAMES }, (_, i) => ds.readAsync(frameSel(i))))
  expect(frames.every((frame, i) => checkFrame(frame, i))).toBe(true)
  expect(native._testing.peakConcurrentDecodes()).toBeGreaterThanOrEqual(2)
  expect(ds.readStats).toEqual({ direct: FRAMES, hdf5: 0, chunksReadOutsideLock: FRAMES })
  f.close()
})

test('one decode thread: the same frames, one at a time', async () => {
  setDecodeThreads(1)
  const f = File.open(file, { swmr: false })
  const ds = f.dataset('/entry/data/data')
  native._testing.peakConcurrentDecodes(true)
  native._testing.awaitConcurrentDecodes(2, 1000) // never reached: the first decode gives up after 1 s
  const started = Date.now()
  const frames = await Promise.all(Array.from({ length: 16 }, (_, i) => ds.readAsync(frameSel(i))))
  expect(frames.every((frame, i) => checkFrame(frame, i))).toBe(true)
  expect(native._testing.peakConcurrentDecodes()).toBe(1)
  expect(Date.now() - started).toBeGreaterThanOrEqual(950)
  f.close()
})

test('readFrames keeps n reads in flight and yields them in order, recycles arrays on request; breaking off is clean', async () => {
  const f = File.open(file, { swmr: false })
  const ds = f.dataset('/entry/data/data')
  let i = 0
  for await (const frame of ds.readFrames(0, FRAMES, { concurrency: 4 })) {
    expect(checkFrame(frame, i)).toBe(true)
    i++
  }
  expect(i).toBe(FRAMES)
  const seen: number[] = []
  for await (const frame of ds.readFrames(10, 40, { concurrency: 8 })) {
    seen.push((frame as Uint16Array)[0])
    if (seen.length === 5) break
  }
  expect(seen).toEqual([10, 11, 12, 13, 14])
  // recycle: concurrency + 1 arrays in all, each frame right while it is the current one.
  const arrays = new Set<AnyTypedArray>()
  let k = 0
  for await (const frame of ds.readFrames(0, FRAMES, { concurrency: 3, recycle: true })) {
    expect(checkFrame(frame, k++)).toBe(true)
    arrays.add(frame)
  }
  expect(k).toBe(FRAMES)
  expect(arrays.size).toBe(4)
  // A failing read surfaces in its turn: frames before it are yielded first.
  const got: number[] = []
  const selections = [frameSel(0), frameSel(1), { start: [FRAMES, 0, 0], count: [1, 512, 512] }, frameSel(3)]
  await expect(
    (async () => {
      for await (const frame of ds.readMany(selections, { concurrency: 4 })) got.push((frame as Uint16Array)[0])
    })(),
  ).rejects.toMatchObject({ code: 'H5_BAD_SELECTION' })
  expect(got).toEqual([0, 1])
  // Every read issued completed: 8 in flight plus one per frame taken before the break, then 3 of 4.
  expect(ds.readStats).toMatchObject({ direct: 2 * FRAMES + (8 + 5) + 3, hdf5: 0 })
  f.close()
})

test('a frame of several chunks decodes them in parallel, sync and async, into the right rows', async () => {
  setDecodeThreads(2)
  const f = File.open(tiles, { swmr: false })
  const ds = f.dataset('/data')
  for (let i = 0; i < 4; i++) {
    const sel = frameSel(i, [1024, 1024])
    expect(ds.readPath(sel)).toBe('direct')
    const direct = ds.read(sel)
    const viaHdf5 = ds.read(sel, { path: 'hdf5' })
    expect(Buffer.compare(Buffer.from(direct.buffer), Buffer.from(viaHdf5.buffer))).toBe(0)
    const async = await ds.readAsync(sel)
    expect(Buffer.compare(Buffer.from(async.buffer), Buffer.from(viaHdf5.buffer))).toBe(0)
  }
  // The calling thread and the pool share a frame's chunks: the first decode waits for a second.
  for (const read of [(sel: object) => ds.read(sel), (sel: object) => ds.readAsync(sel)]) {
    native._testing.peakConcurrentDecodes(true)
    native._testing.awaitConcurrentDecodes(2)
    await read(frameSel(1, [1024, 1024]))
    expect(native._testing.peakConcurrentDecodes()).toBeGreaterThanOrEqual(2)
  }
  // Half a frame: two whole chunks, also direct.
  const half = { start: [2, 512, 0], count: [1, 512, 1024] }
  expect(ds.readPath(half)).toBe('direct')
  expect(Buffer.compare(Buffer.from(ds.read(half).buffer), Buffer.from(ds.read(half, { path: 'hdf5' }).buffer))).toBe(0)
  f.close()
})

test('closing the file with reads in flight: they finish, then the file closes', async () => {
  const before = File.openObjectCount()
  const f = File.open(file, { swmr: false })
  const ds = f.dataset('/entry/data/data')
  const reads = Array.from({ length: 12 }, (_, i) => ds.readAsync(frameSel(i)))
  f.close()
  expect(() => ds.read(frameSel(0))).toThrow(expect.objectContaining({ code: 'H5_CLOSED' }))
  const frames: AnyTypedArray[] = await Promise.all(reads)
  expect(frames.every((frame, i) => checkFrame(frame, i))).toBe(true)
  expect(File.openObjectCount()).toBe(before)
})

test('worker threads terminated while their reads run on the pool: no crash, no leak into the next', async () => {
  const lines = await node(
    `const { Worker } = require('node:worker_threads')
     const file = process.argv[1]
     const source = \`const h5 = require(\${JSON.stringify(require.resolve(${JSON.stringify(path.join(__dirname, '..', '..', 'dist'))}))})
       const f = h5.File.open(\${JSON.stringify(file)}, { swmr: false })
       const ds = f.dataset('/entry/data/data')
       const loop = (i) => ds.readAsync({ start: [i % 48, 0, 0], count: [1, 512, 512] }).then(() => loop(i + 1))
       for (let k = 0; k < 6; k++) loop(k)
       require('node:worker_threads').parentPort.postMessage('reading')\`
     ;(async () => {
       // Many rounds, terminating at varied moments: a read settling into a terminating worker, whose
       // next readAsync cannot throw to JS, once aborted the process (2 runs in 5 with 40 rounds).
       for (let round = 0; round < 40; round++) {
         const w = new Worker(source, { eval: true })
         await new Promise((r) => w.once('message', r))
         await new Promise((r) => setTimeout(r, 2 + (round % 10) * 3))
         await w.terminate()
       }
       const f = h5.File.open(file, { swmr: false })
       const frame = await f.dataset('/entry/data/data').readAsync({ start: [5, 0, 0], count: [1, 512, 512] })
       console.log('ok', h5sim.checkFrame(frame, 5))
     })()`,
    [file],
  )
  expect(lines).toEqual(['ok true'])
})

test('a bitshuffle-LZ4 writer followed live at full speed: every frame, direct, exact', async () => {
  const live = path.join(dir, 'live.h5')
  const frames = 300
  const w = spawnWriter(live, { frames, frameShape: [256, 256], compression: 'bslz4' })
  await w.waitFor('ready')
  const r = await followWithReadFrames(live, frames, 4)
  expect(await w.exited).toBe(0)
  expect({ next: r.next, bad: r.bad }).toEqual({ next: frames, bad: 0 })
  expect(r.stats).toEqual({ direct: frames, hdf5: 0, chunksReadOutsideLock: frames })
})
