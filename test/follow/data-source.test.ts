// Ports of swmr_tools tests/test_DataSource.py, test_using_h5py.py (static files, written here by
// h5py) and the create_dataset/append_data utils tests, plus sharding and async iteration.
import * as fs from 'node:fs'
import { appendData, createOutputDataset, DataSource, File, KeyFollower, type DataSourceItem } from '../../lib'
import { spawnPython } from '../helpers/processes'
import { addDataset, arange, collect, collectAsync, filePath, newFile, ones, setAll, setFlat } from './helpers'

describe('DataSource (swmr_tools test_DataSource)', () => {
  let file: File
  beforeEach(() => {
    file = newFile()
  })
  afterEach(() => file.close())

  test('complete dataset; finished flag: timeout, then finished, then sticky across reset', () => {
    const key = addDataset(file, '/key', { shape: [10], values: ones(10) })
    const data = addDataset(file, '/data', { shape: [10], values: arange(10) })
    const finished = addDataset(file, '/finished', { shape: [1] })
    const src = new DataSource([key], { data }, { timeout: 100, finishedDataset: finished })
    const check = (items: DataSourceItem[]) =>
      items.forEach((it, i) => {
        expect(it.maxshape).toEqual([10])
        expect(it.index).toBe(i)
        expect(it.slices).toEqual([{ start: i, stop: i + 1 }])
        expect(it.position).toEqual([i])
        expect(it.frames.data.shape).toEqual([1])
        expect(it.frames.data.data[0]).toBe(i)
      })
    let items = collect(src)
    check(items)
    expect(items).toHaveLength(10)
    expect(src.isScanFinished()).toBe(false)
    expect(src.hasTimedOut()).toBe(true)

    setAll(finished, [1])
    src.reset()
    items = collect(src)
    check(items)
    expect(items).toHaveLength(10)
    expect(src.isScanFinished()).toBe(true)
    expect(src.hasTimedOut()).toBe(false)

    setAll(finished, [0])
    setFlat(key, 9, 0)
    src.reset()
    items = collect(src)
    check(items)
    expect(items).toHaveLength(9)
    expect(src.isScanFinished()).toBe(true) // sticky
    expect(src.hasTimedOut()).toBe(false)
  })

  test('interleaved: 4 writers of (11,11,10,10) frames, key [42]', () => {
    const key = addDataset(file, '/key', { shape: [42], values: ones(42) })
    const sizes = [11, 11, 10, 10]
    const parts = sizes.map((n, k) => addDataset(file, `/data${k}`, { shape: [n], values: arange(n).map((j) => k + 4 * j) }))
    const src = new DataSource([key], null, { timeout: 100, interleaved: { data: parts } })
    const items = collect(src)
    expect(items).toHaveLength(42)
    items.forEach((it, i) => {
      expect(it.maxshape).toEqual([42])
      expect(it.index).toBe(i)
      expect(it.slices).toEqual([{ start: i, stop: i + 1 }])
      expect(it.position).toEqual([i])
      expect(it.frames.data.data[0]).toBe(i)
    })
  })

  test('a 2-D grid: (2,2,1,1) keys and (2,2,3,4) data, frames in C order', () => {
    const key = addDataset(file, '/key', { shape: [2, 2, 1, 1], values: arange(4, 1) })
    const data = addDataset(file, '/data', { shape: [2, 2, 3, 4], values: arange(48) })
    const src = new DataSource([key], { data }, { timeout: 50 })
    const items = collect(src)
    expect(items.map((it) => it.index)).toEqual([0, 1, 2, 3])
    expect(items.map((it) => it.position)).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]])
    expect(items[1].slices).toEqual([{ start: 0, stop: 1 }, { start: 1, stop: 2 }])
    expect(items[3].frames.data.shape).toEqual([1, 1, 3, 4])
    expect(Array.from(items[3].frames.data.data)).toEqual(arange(12, 36))
    expect(items[0].maxshape).toEqual([2, 2])
  })

  test('datasets and interleaved datasets in one source', () => {
    const key = addDataset(file, '/key', { shape: [6], values: ones(6) })
    const stack = addDataset(file, '/stack', { shape: [6, 2], values: arange(12) })
    const parts = [0, 1].map((k) => addDataset(file, `/part${k}`, { shape: [3], values: [k, k + 2, k + 4] }))
    const items = collect(new DataSource([key], { stack }, { timeout: 50, interleaved: { odin: parts } }))
    expect(items).toHaveLength(6)
    items.forEach((it, i) => {
      expect(Object.keys(it.frames)).toEqual(['stack', 'odin'])
      expect(Array.from(it.frames.stack.data)).toEqual([2 * i, 2 * i + 1])
      expect(it.frames.stack.shape).toEqual([1, 2])
      expect(Array.from(it.frames.odin.data)).toEqual([i])
      expect(it.slices).toEqual([{ start: i, stop: i + 1 }])
    })
  })

  test('no data to follow is an error', () => {
    const key = addDataset(file, '/key', { shape: [2] })
    expect(() => new DataSource([key], null)).toThrow('No data specified to follow!')
    expect(() => new DataSource([key], {})).toThrow('No data specified to follow!')
  })

  test('shards split one scan: every index exactly once', async () => {
    const key = addDataset(file, '/key', { shape: [25], values: ones(25) })
    const data = addDataset(file, '/data', { shape: [25, 2], values: arange(50) })
    const shards = [0, 1, 2].map((index) => new DataSource([key], { data }, { timeout: 50, shard: { index, count: 3 } }))
    const got = await Promise.all(shards.map((s) => collectAsync(s)))
    got.forEach((items, s) => items.forEach((it) => {
      expect(it.index % 3).toBe(s)
      expect(Array.from(it.frames.data.data)).toEqual([2 * it.index, 2 * it.index + 1])
    }))
    expect(got.flat().map((it) => it.index).sort((a, b) => a - b)).toEqual(arange(25))
    expect(() => new DataSource([key], { data }, { shard: { index: 3, count: 3 } })).toThrow(/shard/)
  })

  test('async iteration gives the same items', async () => {
    const key = addDataset(file, '/key', { shape: [3, 4], values: ones(12) })
    const a = addDataset(file, '/a', { shape: [3, 4, 5], dtype: 'float32', values: arange(60) })
    const b = addDataset(file, '/b', { shape: [3, 4], dtype: 'uint16', values: arange(12) })
    const sync = collect(new DataSource([key], { a, b }, { timeout: 50 }))
    const asyncItems = await collectAsync(new DataSource([key], { a, b }, { timeout: 50 }))
    expect(asyncItems).toEqual(sync)
    expect(sync).toHaveLength(12)
    expect(sync[7].frames.b.data[0]).toBe(7)
    expect(sync[7].frames.a.shape).toEqual([1, 1, 5])
  })
})

describe('write-back helpers (swmr_tools create_dataset / append_data)', () => {
  let file: File
  beforeEach(() => {
    file = newFile('out')
  })
  afterEach(() => file.close())

  test('createOutputDataset: shape, maxshape and default chunks', () => {
    const big = createOutputDataset(file, '/big', { data: new Float64Array(400 * 500), shape: [400, 500] }, [40, 60])
    expect(big.shape).toEqual([1, 1, 400, 500])
    expect(big.maxshape).toEqual([40, 60, 400, 500])
    expect(big.chunks).toEqual([1, 1, 400, 500])
    expect(big.dtype).toBe('float64')
    const small = createOutputDataset(file, '/small', { data: new Int32Array([7]), shape: [1] }, [40, 60])
    expect(small.shape).toEqual([1, 1, 1])
    expect(small.maxshape).toEqual([40, 60, 1])
    expect(small.chunks).toEqual([40, 60, 1])
    expect(Array.from(small.read())).toEqual([7])
    const unlimited = createOutputDataset(file, '/u', { data: new Float32Array(3), shape: [3] }, [null, 4])
    expect(unlimited.maxshape).toEqual([null, 4, 3])
    expect(unlimited.chunks).toEqual([1, 4, 3])
  })

  test('appendData grows the dataset to the slices and writes', () => {
    const first = { data: new Float64Array(20), shape: [4, 5] }
    const ds = createOutputDataset(file, '/out', first, [2, 3])
    appendData(ds, [{ start: 1, stop: 2 }, { start: 2, stop: 3 }], { data: Float64Array.from(arange(20)), shape: [4, 5] })
    expect(ds.shape).toEqual([2, 3, 4, 5])
    expect(ds.maxshape).toEqual([2, 3, 4, 5])
    const back = ds.read({ start: [1, 2, 0, 0], count: [1, 1, 4, 5] })
    expect(Array.from(back)).toEqual(arange(20))
    expect(() => appendData(ds, [{ start: 0, stop: 1 }], first)).toThrow(/dimensions/)
  })
})

describe('files written by h5py (swmr_tools test_using_h5py)', () => {
  const h5 = filePath('h5py')
  beforeAll(async () => {
    const py = spawnPython(`
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f["complete"] = np.ones(10, dtype=np.int32)
    inc = np.zeros(10, dtype=np.int32); inc[:5] = 1
    f["incomplete"] = inc
    data = np.arange(2 * 3 * 4 * 5, dtype=np.int32).reshape(2, 3, 4, 5)
    f.create_dataset("data", data=data, chunks=(1, 1, 4, 5), compression="gzip", compression_opts=6, shuffle=True)
    f["keys"] = np.ones((2, 3), dtype=np.int32)
print("done")
`, [h5])
    await py.waitFor('done')
    await py.exited
    expect(fs.existsSync(h5)).toBe(true)
  })

  test('multiple keys (complete × first 5) → 5; two complete keys → 10', () => {
    const f = File.open(h5, { swmr: false })
    try {
      const kf = new KeyFollower([f.dataset('complete'), f.dataset('incomplete')], { timeout: 100 })
      expect(kf.scanRank).toBe(1)
      expect(collect(kf)).toHaveLength(5)
      expect(collect(new KeyFollower([f.dataset('complete'), f.dataset('complete')], { timeout: 100 }))).toHaveLength(10)
    } finally {
      f.close()
    }
  })

  test('deflate + shuffle chunked frames: every frame (1,1,4,5) == arange(20) + 20*i', async () => {
    const f = File.open(h5, { swmr: false })
    try {
      const data = f.dataset('data')
      expect(data.filters.map((x) => x.name)).toEqual(expect.arrayContaining([expect.stringMatching(/shuffle/i), expect.stringMatching(/deflate/i)]))
      const items = collect(new DataSource([f.dataset('keys')], { data }, { timeout: 100 }))
      const asyncItems = await collectAsync(new DataSource([f.dataset('keys')], { data }, { timeout: 100 }))
      expect(items).toHaveLength(6)
      for (const list of [items, asyncItems])
        list.forEach((it, i) => {
          expect(it.frames.data.shape).toEqual([1, 1, 4, 5])
          expect(Array.from(it.frames.data.data)).toEqual(arange(20, 20 * i))
        })
    } finally {
      f.close()
    }
  })

  test('use case: sum each frame along its rows, write the results back', () => {
    const f = File.open(h5, { swmr: false })
    const out = newFile('usecase')
    try {
      const src = new DataSource([f.dataset('keys')], { data: f.dataset('data') }, { timeout: 100 })
      let result = null
      for (const it of src) {
        expect(it.maxshape).toEqual([2, 3])
        const frame = it.frames.data.data
        const sums = new Float64Array(4)
        for (let r = 0; r < 4; r++) for (let c = 0; c < 5; c++) sums[r] += Number(frame[r * 5 + c])
        const shaped = { data: sums, shape: [4] }
        result ??= src.createDataset(out, '/result', shaped)
        src.appendData(result, it.slices, shaped)
      }
      expect(result!.shape).toEqual([2, 3, 4])
      expect(result!.maxshape).toEqual([2, 3, 4])
      const at = (p: number[]) => result!.read({ start: p, count: [1, 1, 1] })[0]
      expect(at([1, 2, 3])).toBe(115 + 116 + 117 + 118 + 119)
      expect(at([0, 1, 0])).not.toBe(0)
    } finally {
      out.close()
      f.close()
    }
  })
})
