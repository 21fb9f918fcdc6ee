// Ownership: no HDF5 id outlives close(), close() lets reads in flight finish, concurrent async
// reads, and worker_threads (including one that exits with files still open).
import * as path from 'node:path'
import { Worker } from 'node:worker_threads'
import { File } from '../../lib'
import { checkFrame, simulateScan } from '../../lib/simulate'
import { tmpDir } from '../helpers/processes'

const dir = tmpDir()
const file = path.join(dir, 'scan.h5')
const FRAMES = 64
const SHAPE = [128, 128]
const sel = (i: number) => ({ start: [i, 0, 0], count: [1, ...SHAPE] })

beforeAll(async () => {
  await simulateScan(file, { frames: FRAMES, frameShape: SHAPE })
})

test('no HDF5 ids are left open after close', () => {
  const before = File.openObjectCount()
  const f = File.open(file)
  for (const p of ['/entry/data/data', '/entry/keys/uid', '/entry/finished']) f.dataset(p).read(null)
  f.list('/entry')
  void f.attrs
  void f.dataset('/entry/data/data').attrs
  expect(File.openObjectCount()).toBeGreaterThan(before)
  f.close()
  expect(File.openObjectCount()).toBe(before)
})

test('the file hands out one Dataset (one HDF5 id) per path; closing a dataset alone releases it', () => {
  const f = File.open(file)
  const fileOnly = File.openObjectCount()
  const a = f.dataset('/entry/data/data')
  expect(f.dataset('entry/data/data')).toBe(a)
  expect(f.get('/entry//data/data/')).toBe(a)
  expect(File.openObjectCount()).toBeGreaterThan(fileOnly)
  a.close()
  expect(File.openObjectCount()).toBe(fileOnly)
  expect(f.dataset('/entry/data/data')).not.toBe(a)
  f.close()
  expect(File.openObjectCount()).toBe(0)
})

test('close() while async reads are in flight: they complete correctly, then everything is released', async () => {
  const f = File.open(file)
  const ds = f.dataset('/entry/data/data')
  const pending = Array.from({ length: 16 }, (_, i) => ds.readAsync(sel(i)))
  f.close()
  expect(() => ds.readAsync(sel(0))).toThrow(expect.objectContaining({ code: 'H5_CLOSED' }))
  const frames = await Promise.all(pending)
  frames.forEach((frame, i) => expect(checkFrame(frame, i)).toBe(true))
  expect(File.openObjectCount()).toBe(0)
})

test('many concurrent readAsync calls all return the right frames', async () => {
  const f = File.open(file)
  const ds = f.dataset('/entry/data/data')
  const order = Array.from({ length: 256 }, (_, k) => (k * 37) % FRAMES)
  const frames = await Promise.all(order.map((i) => ds.readAsync(sel(i))))
  frames.forEach((frame, k) => expect(checkFrame(frame, order[k])).toBe(true))
  // readIntoAsync into distinct buffers, interleaved with sync reads on the JS thread
  const bufs = order.slice(0, 32).map(() => new Uint16Array(SHAPE[0] * SHAPE[1]))
  const more = Promise.all(bufs.map((b, k) => ds.readIntoAsync(sel(order[k]), b)))
  for (let i = 0; i < FRAMES; i++) expect(checkFrame(ds.read(sel(i)), i)).toBe(true)
  ;(await more).forEach((b, k) => {
    expect(b).toBe(bufs[k])
    expect(checkFrame(b, order[k])).toBe(true)
  })
  f.close()
})

function runWorker(source: string, data: unknown): Promise<unknown> {
  const dist = path.join(__dirname, '..', '..', 'dist')
  return new Promise((resolve, reject) => {
    const w = new Worker(`const h5 = require(${JSON.stringify(dist)}); const h5sim = require(${JSON.stringify(path.join(dist, 'simulate'))}); const { parentPort, workerData } = require('node:worker_threads');\n${source}`, {
      eval: true,
      workerData: data,
    })
    let result: unknown
    w.on('message', (m) => (result = m))
    w.on('error', reject)
    w.on('exit', (code) => (code === 0 ? resolve(result) : reject(new Error(`worker exited ${code}`))))
  })
}

test('works inside worker_threads, in parallel with the main thread', async () => {
  const source = `
    const f = h5.File.open(workerData.file)
    const ds = f.dataset('/entry/data/data')
    let ok = 0
    ;(async () => {
      for (let i = 0; i < workerData.frames; i++) {
        const a = ds.read({ start: [i, 0, 0], count: [1, 128, 128] })
        const b = await ds.readAsync({ start: [i, 0, 0], count: [1, 128, 128] })
        if (h5sim.checkFrame(a, i) && h5sim.checkFrame(b, i)) ok++
      }
      f.close()
      parentPort.postMessage(ok)
    })()`
  const main = File.open(file)
  const ds = main.dataset('/entry/data/data')
  const workers = [runWorker(source, { file, frames: FRAMES }), runWorker(source, { file, frames: FRAMES })]
  for (let i = 0; i < FRAMES; i++) expect(checkFrame(await ds.readAsync(sel(i)), i)).toBe(true)
  expect(await Promise.all(workers)).toEqual([FRAMES, FRAMES])
  main.close()
  expect(File.openObjectCount()).toBe(0)
})

test('a worker that exits with files and datasets still open leaves nothing open behind it', async () => {
  const source = `
    const f = h5.File.open(workerData.file)
    f.dataset('/entry/data/data').read({ start: [0, 0, 0], count: [1, 128, 128] })
    f.dataset('/entry/keys/uid')
    parentPort.postMessage(h5.File.openObjectCount())
  ` // no close()
  const openInWorker = await runWorker(source, { file })
  expect(openInWorker).toBeGreaterThanOrEqual(3)
  expect(File.openObjectCount()).toBe(0)
})

test('`using` closes at the end of the block', () => {
  {
    using f = File.open(file)
    f.dataset('/entry/keys/uid').read()
    expect(File.openObjectCount()).toBeGreaterThan(0)
  }
  expect(File.openObjectCount()).toBe(0)
})
