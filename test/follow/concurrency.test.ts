// DataSource({ concurrency }): async iteration keeps several indices' reads in flight, yields in
// index order. Static scans written here by simulateScan; live scans by a writer in another process.
import { DataSource, decodeThreads, File, H5Error, setDecodeThreads, type AnyTypedArray, type DataSourceItem, type DataSourceOptions } from '../../lib'
import { checkFrame, simulateScan } from '../../lib/simulate'
import { native } from '../../lib/core/native'
import { spawnWriter } from '../helpers/processes'
import { addDataset, arange, collectAsync, filePath, newFile, ones } from './helpers'

const KEYS = '/entry/keys/uid'
const DATA = '/entry/data/data'
const DATA2 = '/entry/data2/data'
const FINISHED = '/entry/finished'
const DEFAULT_THREADS = decodeThreads()

afterEach(() => setDecodeThreads(DEFAULT_THREADS))

// Every index once, in order, each frame exactly what the writer wrote.
function verify(items: DataSourceItem[], n: number, labels = ['data']): void {
  expect(items.map((it) => it.index)).toEqual(arange(n))
  for (const it of items) for (const l of labels) expect(checkFrame(it.frames[l].data, it.index)).toBe(true)
}

// Unhandled rejections seen while `fn` runs, and while reads it left in flight settle (their
// retry waits 1 ms; allow far more).
async function unhandledDuring(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = []
  const onRejection = (reason: unknown) => seen.push(reason)
  process.on('unhandledRejection', onRejection)
  try {
    await fn()
    await new Promise((r) => setTimeout(r, 200))
  } finally {
    process.off('unhandledRejection', onRejection)
  }
  return seen
}

describe('a finished bslz4 scan, two detectors, a 4×6 grid', () => {
  const path = filePath('conc-static')
  let f: File
  beforeAll(async () => {
    await simulateScan(path, { scanShape: [4, 6], frameShape: [64, 48], compression: 'bslz4', detectors: 2 })
    f = File.open(path, { swmr: false })
  })
  afterAll(() => f.close())

  const source = (options: DataSourceOptions = {}) =>
    new DataSource([f.dataset(KEYS)], { data: f.dataset(DATA), data2: f.dataset(DATA2) }, { timeout: 100, finishedDataset: f.dataset(FINISHED), ...options })

  test('concurrency 1, 2, 4: the same items in the same order', async () => {
    const one = await collectAsync(source())
    verify(one, 24, ['data', 'data2'])
    expect(one[7].position).toEqual([1, 1])
    expect(one[7].frames.data.shape).toEqual([1, 1, 64, 48])
    for (const concurrency of [2, 4]) {
      const src = source({ concurrency })
      expect(src.concurrency).toBe(concurrency)
      expect(await collectAsync(src)).toEqual(one)
      expect(src.isScanFinished()).toBe(true)
      expect(src.hasTimedOut()).toBe(false)
    }
  })

  test('reads overlap: with concurrency 2 and 2 decode threads, 2 frames decode at once; with 1, never', async () => {
    setDecodeThreads(2)
    native._testing.peakConcurrentDecodes(true)
    // The first decode waits (5 s at most) until a second one runs: overlap shows however late the
    // pool thread starts.
    native._testing.awaitConcurrentDecodes(2)
    verify(await collectAsync(new DataSource([f.dataset(KEYS)], { data: f.dataset(DATA) }, { timeout: 100, finishedDataset: f.dataset(FINISHED), concurrency: 2 })), 24)
    expect(native._testing.peakConcurrentDecodes()).toBeGreaterThanOrEqual(2)

    // One label, concurrency 1: one read at a time, so the gate gives up (after 300 ms) and the peak
    // stays 1. (With HDF5's sec2 driver: the key read, several uncompressed chunks, then copies its
    // chunks under the HDF5 lock instead of preading them side by side on the pool.)
    const g = File.open(path, { swmr: false, driver: 'sec2' })
    native._testing.peakConcurrentDecodes(true)
    native._testing.awaitConcurrentDecodes(2, 300)
    verify(await collectAsync(new DataSource([g.dataset(KEYS)], { data: g.dataset(DATA) }, { timeout: 100, finishedDataset: g.dataset(FINISHED) })), 24)
    expect(native._testing.peakConcurrentDecodes()).toBe(1)
    g.close()
  })

  test('reuseBuffers: each label rotates through concurrency + 1 arrays; an item stays right until the next step', async () => {
    for (const concurrency of [1, 3]) {
      const src = source({ concurrency, reuseBuffers: true })
      const arrays = { data: [] as AnyTypedArray[], data2: [] as AnyTypedArray[] }
      let n = 0
      for await (const it of src) {
        expect(it.index).toBe(n++)
        for (const l of ['data', 'data2'] as const) {
          expect(checkFrame(it.frames[l].data, it.index)).toBe(true)
          arrays[l].push(it.frames[l].data)
        }
        // Let the reads ahead land: they go into other arrays, not this item's.
        await new Promise((r) => setTimeout(r, 2))
        for (const l of ['data', 'data2'] as const) expect(checkFrame(it.frames[l].data, it.index)).toBe(true)
      }
      expect(n).toBe(24)
      for (const list of [arrays.data, arrays.data2]) {
        expect(new Set(list).size).toBe(concurrency === 1 ? 1 : concurrency + 1)
        // Any concurrency + 1 items in a row hold different arrays (the in-flight reads and the current item).
        if (concurrency > 1) for (let k = 0; k + concurrency < list.length; k++) expect(new Set(list.slice(k, k + concurrency + 1)).size).toBe(concurrency + 1)
      }
    }
  })

  test('shards with concurrency: every index exactly once, each in its own shard', async () => {
    const shards = [0, 1, 2].map((index) => source({ concurrency: 4, shard: { index, count: 3 } }))
    const got = await Promise.all(shards.map((s) => collectAsync(s)))
    got.forEach((items, s) => {
      expect(items.map((it) => it.index)).toEqual(arange(8).map((k) => 3 * k + s))
      for (const it of items) expect(checkFrame(it.frames.data2.data, it.index)).toBe(true)
    })
  })

  test('reset() drops the reads ahead; the sync iterator refuses to skip over them', async () => {
    const src = source({ concurrency: 4 })
    expect((await src.nextAsync()).value!.index).toBe(0)
    expect((await src.nextAsync()).value!.index).toBe(1)
    expect(() => src.next()).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }))
    src.reset()
    const sync = [...src] // nothing pending after reset: the sync iterator works, reading one at a time
    verify(sync, 24, ['data', 'data2'])
    src.reset()
    verify(await collectAsync(src), 24, ['data', 'data2'])
  })

  test('refresh with async reads of the same dataset in flight: every frame right', async () => {
    const ds = f.dataset(DATA)
    const reads: Promise<AnyTypedArray>[] = []
    for (let i = 0; i < 24; i++) {
      reads.push(ds.readAsync({ start: [Math.floor(i / 6), i % 6, 0, 0], count: [1, 1, 64, 48] }))
      ds.refresh()
    }
    const frames = await Promise.all(reads)
    frames.forEach((frame, i) => expect(checkFrame(frame, i)).toBe(true))
  })
})

describe('options and errors', () => {
  let file: File
  beforeEach(() => {
    file = newFile('conc')
  })
  afterEach(() => file.close())

  test('concurrency must be a positive integer, and cannot go with latestOnly', () => {
    const key = addDataset(file, '/key', { shape: [4], values: ones(4) })
    const data = addDataset(file, '/data', { shape: [4], values: arange(4) })
    for (const concurrency of [0, -1, 1.5, NaN, Infinity, '2' as unknown as number]) {
      expect(() => new DataSource([key], { data }, { concurrency })).toThrow(H5Error)
      expect(() => new DataSource([key], { data }, { concurrency })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }))
    }
    expect(() => new DataSource([key], { data }, { concurrency: 2, latestOnly: true })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG', message: expect.stringMatching(/latestOnly/) }))
    expect(new DataSource([key], { data }, { concurrency: 1, latestOnly: true }).concurrency).toBe(1)
    expect(new DataSource([key], { data }).concurrency).toBe(1)
  })

  // Interleaved writers: frame i is frame floor(i/2) of part i % 2. Part 1 has only 3 frames, so
  // indices 7 and 9 fail (beyond its extent after the refresh and retry) while 8 reads fine.
  test('a read that fails in the middle rejects at its turn, in order; later reads go on; no unhandled rejection', async () => {
    const key = addDataset(file, '/key', { shape: [10], values: ones(10) })
    const parts = [addDataset(file, '/even', { shape: [5], values: [0, 2, 4, 6, 8] }), addDataset(file, '/odd', { shape: [3], values: [1, 3, 5] })]
    const outcomes = async (concurrency: number) => {
      const src = new DataSource([key], null, { timeout: 50, retryDelay: 1, interleaved: { d: parts }, concurrency })
      const got: Array<number | string> = []
      for (;;) {
        try {
          const r = await src.nextAsync()
          if (r.done) break
          expect(r.value.frames.d.data[0]).toBe(r.value.index)
          got.push(r.value.index)
        } catch (err) {
          expect(err).toBeInstanceOf(H5Error)
          got.push(`${(err as H5Error).code} ${/frame (\d+)/.exec((err as Error).message)![1]}`)
        }
      }
      return got
    }
    const expected = [0, 1, 2, 3, 4, 5, 6, 'H5_OUT_OF_RANGE 3', 8, 'H5_OUT_OF_RANGE 4']
    expect(await outcomes(1)).toEqual(expected)
    let got: Array<number | string> = []
    expect(await unhandledDuring(async () => void (got = await outcomes(4)))).toEqual([])
    expect(got).toEqual(expected)
  })

  test("several labels: a step that fails settles only once every label's read has finished", async () => {
    const key = addDataset(file, '/key', { shape: [2], values: ones(2) })
    const slow = file.createDataset('/slow', { dtype: 'int32', shape: [2], chunks: [1], compression: 'deflate' })
    slow.write(null, Int32Array.from([0, 1]))
    const short = addDataset(file, '/short', { shape: [1], values: [0] })
    // Concurrency 1 (with more, index 1 is read ahead before the gate below is set; #readAhead
    // settles the same way).
    const src = new DataSource([key], { slow, short }, { timeout: 50, retryDelay: 1, reuseBuffers: true })
    expect((await src.nextAsync()).value?.index).toBe(0)
    const before = slow.readStats.direct
    // Index 1: 'short' fails at once (1 ms retry); 'slow''s decode is held up to 300 ms by the gate.
    native._testing.awaitConcurrentDecodes(2, 300)
    await expect(src.nextAsync()).rejects.toMatchObject({ code: 'H5_OUT_OF_RANGE' })
    expect(slow.readStats.direct).toBe(before + 1) // finished before the step failed
  })

  test('a for-await loop over a failing source stops at the failure, after the items before it', async () => {
    const key = addDataset(file, '/key', { shape: [10], values: ones(10) })
    const data = addDataset(file, '/data', { shape: [6], values: arange(6) })
    const seen: number[] = []
    const unhandled = await unhandledDuring(async () => {
      const src = new DataSource([key], { data }, { timeout: 50, retryDelay: 1, concurrency: 4 })
      await expect((async () => {
        for await (const it of src) seen.push(it.frames.data.data[0] as number)
      })()).rejects.toMatchObject({ code: 'H5_OUT_OF_RANGE', message: expect.stringMatching(/frame 6 /) })
    })
    expect(seen).toEqual(arange(6))
    expect(unhandled).toEqual([])
  })
})

describe('live, the writer in another process', () => {
  test.each([
    { presize: false, frames: 300 },
    { presize: true, frames: 240 }, // refreshed per key batch while the previous batch's reads are in flight
  ])('bslz4 at full speed, presize $presize, concurrency 4: every frame once, in order, none bad', async ({ presize, frames }) => {
    const path = filePath('conc-live')
    const w = spawnWriter(path, { frames, frameShape: [64, 64], compression: 'bslz4', presize, frameDelay: 100 })
    await w.waitFor('ready')
    const f = File.open(path, { swmr: true, locking: false })
    try {
      const src = new DataSource([f.dataset(KEYS)], { data: f.dataset(DATA) }, { timeout: 3000, pollInterval: 1, finishedDataset: f.dataset(FINISHED), concurrency: 4 })
      const indices: number[] = []
      let bad = 0
      for await (const it of src) {
        if (!checkFrame(it.frames.data.data, it.index)) bad++
        indices.push(it.index)
      }
      expect(bad).toBe(0)
      expect(indices).toEqual(arange(frames))
      expect(src.isScanFinished()).toBe(true)
      expect(src.hasTimedOut()).toBe(false)
    } finally {
      f.close()
    }
    expect(await w.exited).toBe(0)
  })
})
