// Live follows: the scan is written by ANOTHER process (test/fixtures/writer.js → simulateScan) in
// SWMR mode; every frame is verified with checkFrame. Ports of swmr_tools' test_mock_scan and
// test_mock_grid_scan, plus pre-sized data (refresh per key batch), shards and FrameReader's retry.
import { DataSource, File, FrameReader, KeyFollower, type DataSourceItem } from '../../lib'
import { checkFrame } from '../../lib/simulate'
import { spawnWriter } from '../helpers/processes'
import { collectAsync, filePath } from './helpers'

const KEYS = '/entry/keys/uid'
const DATA = '/entry/data/data'
const FINISHED = '/entry/finished'

function verify(items: DataSourceItem[], n: number): void {
  expect(items.map((it) => it.index)).toEqual([...Array(n).keys()])
  for (const it of items) expect(checkFrame(it.frames.data.data, it.index)).toBe(true)
}

test('live 1-D scan (sync iteration), ended by the finished flag', async () => {
  const path = filePath('live1d')
  const w = spawnWriter(path, { frames: 10, frameShape: [9, 10], rateHz: 40 })
  await w.waitFor('ready')
  const f = File.open(path, { swmr: true })
  try {
    const src = new DataSource([f.dataset(KEYS)], { data: f.dataset(DATA) }, { timeout: 3000, pollInterval: 20, finishedDataset: f.dataset(FINISHED) })
    const items: DataSourceItem[] = []
    for (const it of src) {
      expect(it.frames.data.shape).toEqual([1, 9, 10])
      expect(it.maxshape).toEqual([null])
      items.push(it)
    }
    verify(items, 10)
    expect(src.isScanFinished()).toBe(true)
    expect(src.hasTimedOut()).toBe(false)
  } finally {
    f.close()
  }
  expect(await w.exited).toBe(0)
})

test('live 3×4 grid scan (async iteration), frames in C order, ended by the finished flag', async () => {
  const path = filePath('livegrid')
  const w = spawnWriter(path, { scanShape: [3, 4], frameShape: [9, 10], rateHz: 40 })
  await w.waitFor('ready')
  const f = File.open(path, { swmr: true })
  try {
    const src = new DataSource([f.dataset(KEYS)], { data: f.dataset(DATA) }, { timeout: 3000, pollInterval: 20, finishedDataset: f.dataset(FINISHED) })
    expect(src.scanRank).toBe(2)
    expect(src.maxshape).toEqual([null, 4])
    const items = await collectAsync(src)
    verify(items, 12)
    items.forEach((it, i) => {
      expect(it.position).toEqual([Math.floor(i / 4), i % 4])
      expect(it.frames.data.shape).toEqual([1, 1, 9, 10])
    })
    expect(src.isScanFinished()).toBe(true)
    expect(src.hasTimedOut()).toBe(false)
  } finally {
    f.close()
  }
  expect(await w.exited).toBe(0)
})

test('live pre-sized scan: data refreshed per key batch, so no fill values are read', async () => {
  const path = filePath('livepresized')
  const w = spawnWriter(path, { frames: 16, frameShape: [8, 8], rateHz: 60, presize: true, compression: 'deflate' })
  await w.waitFor('ready')
  const f = File.open(path, { swmr: true, locking: false })
  try {
    const data = f.dataset(DATA)
    expect(data.shape).toEqual([16, 8, 8]) // the extent is there from the start; frames are not
    const src = new DataSource([f.dataset(KEYS)], { data }, { timeout: 3000, pollInterval: 20, finishedDataset: f.dataset(FINISHED) })
    const items = await collectAsync(src)
    verify(items, 16)
    expect(src.isScanFinished()).toBe(true)
  } finally {
    f.close()
  }
  expect(await w.exited).toBe(0)
})

test('live scan split over 3 shards: every frame exactly once', async () => {
  const path = filePath('liveshard')
  const w = spawnWriter(path, { frames: 24, frameShape: [4, 4], rateHz: 100 })
  await w.waitFor('ready')
  const f = File.open(path, { swmr: true })
  try {
    const shards = [0, 1, 2].map(
      (index) => new DataSource([f.dataset(KEYS)], { data: f.dataset(DATA) }, { timeout: 3000, pollInterval: 20, finishedDataset: f.dataset(FINISHED), shard: { index, count: 3 } }),
    )
    const got = (await Promise.all(shards.map((s) => collectAsync(s)))).flat()
    got.sort((a, b) => a.index - b.index)
    verify(got, 24)
  } finally {
    f.close()
  }
  expect(await w.exited).toBe(0)
})

test('live KeyFollower + FrameReader: a frame beyond the extent is picked up by the delayed retry', async () => {
  const path = filePath('liveretry')
  const w = spawnWriter(path, { frames: 3, frameShape: [5, 5], stepped: true })
  await w.waitFor('ready')
  w.send('go')
  await w.waitFor('frame 0')
  const f = File.open(path, { swmr: true })
  try {
    const kf = new KeyFollower(f.dataset(KEYS), { timeout: 3000, pollInterval: 10, finishedDataset: f.dataset(FINISHED) })
    const fr = new FrameReader(f.dataset(DATA), kf.scanRank, { retryDelay: 800 })
    expect((await kf.nextAsync()).value).toBe(0)
    expect(checkFrame((await fr.readFrameAsync(0, { refresh: true })).data, 0)).toBe(true)
    // Frame 1 is not written yet: the immediate refresh misses it, the delayed one finds it.
    const pending = fr.readFrameAsync(1)
    w.send('go')
    const frame = await pending
    expect(frame.position).toEqual([1])
    expect(checkFrame(frame.data, 1)).toBe(true)
    w.send('go')
    const rest: number[] = []
    for await (const i of kf) {
      rest.push(i)
      expect(checkFrame((await fr.readFrameAsync(i, { refresh: true })).data, i)).toBe(true)
    }
    expect(rest).toEqual([1, 2])
    expect(kf.finished).toBe(true)
  } finally {
    f.close()
  }
  expect(await w.exited).toBe(0)
})
