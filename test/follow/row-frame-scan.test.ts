// Ports of swmr_tools tests/test_RowKeyFollower.py, test_FrameReader.py and test_swmrtools_utils.py
// (position/slice helpers), plus FrameReader's retry and buffer variants.
import { convertStackToGrid, FrameReader, getPosition, getPositionSnake, getRowSlice, H5Error, RowKeyFollower, scanRankOf, unravelIndex, ravelIndex, type File } from '../../lib'
import { addDataset, arange, collect, collectAsync, newFile, ones, prefix } from './helpers'

let file: File
beforeEach(() => {
  file = newFile()
})
afterEach(() => file.close())

describe('RowKeyFollower (swmr_tools test_RowKeyFollower)', () => {
  test('complete (5,10,1,1): scan rank 2, maxshape [5,10], 5 rows', () => {
    const k = addDataset(file, '/k', { shape: [5, 10, 1, 1], values: ones(50) })
    const rf = new RowKeyFollower([k], { timeout: 100 })
    expect(rf.scanRank).toBe(2)
    expect(rf.maxshape).toEqual([5, 10])
    expect(collect(rf)).toEqual([9, 19, 29, 39, 49])
  })

  test('2.5 rows: [9, 19]; the partial row is never yielded', () => {
    const k = addDataset(file, '/k', { shape: [5, 10, 1, 1], values: prefix(50, 25) })
    expect(collect(new RowKeyFollower([k], { timeout: 100 }))).toEqual([9, 19])
  })

  test('maxshape (None,None,1,1) with rowSize 10: maxshape [null,null], [9..49]', () => {
    const k = addDataset(file, '/k', { shape: [5, 10, 1, 1], maxshape: [null, null, 1, 1], chunks: [1, 10, 1, 1], values: ones(50) })
    const rf = new RowKeyFollower([k], { timeout: 100, rowSize: 10 })
    expect(rf.maxshape).toEqual([null, null])
    expect(collect(rf)).toEqual([9, 19, 29, 39, 49])
    expect(() => new RowKeyFollower([k], { timeout: 100 })).toThrow(/Row size must be defined/)
  })

  test('resuming after a stop mid-row keeps the row boundaries; async iteration; reset', async () => {
    const v = prefix(50, 25)
    const k = addDataset(file, '/k', { shape: [5, 10, 1, 1], values: v })
    const rf = new RowKeyFollower([k], { timeout: 50 })
    expect(collect(rf)).toEqual([9, 19])
    for (let i = 25; i < 50; i++) v[i] = 1
    k.write(null, Int32Array.from(v))
    expect(await collectAsync(rf)).toEqual([29, 39, 49])
    rf.reset()
    expect(collect(rf)).toEqual([9, 19, 29, 39, 49])
  })
})

describe('FrameReader (swmr_tools test_FrameReader)', () => {
  test('scalar frames: arange(10), scan rank 1', () => {
    const ds = addDataset(file, '/d', { shape: [10], values: arange(10) })
    const fr = new FrameReader(ds, 1)
    for (let i = 0; i < 10; i++) {
      const f = fr.readFrame(i)
      expect(Array.from(f.data)).toEqual([i])
      expect(f.shape).toEqual([1])
      expect(f.position).toEqual([i])
      expect(f.slices).toEqual([{ start: i, stop: i + 1 }])
      expect(f.index).toBe(i)
    }
  })

  test('row frames: (10,10), frame i == row i', () => {
    const ds = addDataset(file, '/d', { shape: [10, 10], values: arange(100) })
    const fr = new FrameReader(ds, 1)
    for (let i = 0; i < 10; i++) {
      const f = fr.readFrame(i)
      expect(f.shape).toEqual([1, 10])
      expect(Array.from(f.data)).toEqual(arange(10, i * 10))
    }
  })

  test('image frames: (10,10,20), frame i == image i', () => {
    const ds = addDataset(file, '/d', { shape: [10, 10, 20], dtype: 'float64', values: arange(2000) })
    const fr = new FrameReader(ds, 1)
    expect(fr.frameShape).toEqual([10, 20])
    for (let i = 0; i < 10; i++) {
      const f = fr.readFrame(i)
      expect(f.data).toBeInstanceOf(Float64Array)
      expect(f.shape).toEqual([1, 10, 20])
      expect(Array.from(f.data)).toEqual(arange(200, i * 200))
    }
  })

  test('grid of images: (3,10,10,20), scan rank 2, 30 frames in C order', () => {
    const ds = addDataset(file, '/d', { shape: [3, 10, 10, 20], chunks: [1, 1, 10, 20], values: arange(6000) })
    const fr = new FrameReader(ds, 2)
    for (let i = 0; i < 30; i++) {
      const f = fr.readFrame(i)
      const [r, c] = [Math.floor(i / 10), i % 10]
      expect(f.position).toEqual([r, c])
      expect(f.shape).toEqual([1, 1, 10, 20])
      expect(f.slices).toEqual([{ start: r, stop: r + 1 }, { start: c, stop: c + 1 }])
      expect(f.data[0]).toBe((r * 10 + c) * 200)
      expect(Array.from(f.data)).toEqual(arange(200, i * 200))
    }
  })

  test('readFrameInto reuses the caller buffer; readFrameAsync and readFrameIntoAsync', async () => {
    const ds = addDataset(file, '/d', { shape: [4, 3, 2], values: arange(24) })
    const fr = new FrameReader(ds, 1)
    const buf = fr.allocateFrame()
    expect(buf).toBeInstanceOf(Int32Array)
    expect(buf.length).toBe(6)
    const f = fr.readFrameInto(2, buf)
    expect(f.data).toBe(buf)
    expect(Array.from(buf)).toEqual(arange(6, 12))
    const a = await fr.readFrameAsync(3)
    expect(Array.from(a.data)).toEqual(arange(6, 18))
    const b = await fr.readFrameIntoAsync(1, buf)
    expect(b.data).toBe(buf)
    expect(Array.from(buf)).toEqual(arange(6, 6))
    expect(() => fr.readFrameInto(0, new Int32Array(5))).toThrow(expect.objectContaining({ code: 'H5_BAD_BUFFER' }))
  })

  test('an index beyond the stored shape: refresh, short wait, retry, then H5_OUT_OF_RANGE', async () => {
    const ds = addDataset(file, '/d', { shape: [2, 4, 3], values: arange(24) })
    const fr = new FrameReader(ds, 2, { retryDelay: 30 })
    const t0 = performance.now()
    let err: unknown
    try {
      fr.readFrame(8)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(H5Error)
    expect((err as H5Error).code).toBe('H5_OUT_OF_RANGE')
    expect((err as H5Error).message).toMatch(/frame 8 is beyond the scan shape \[2, 4\]/)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(29)
    await expect(fr.readFrameAsync(8)).rejects.toMatchObject({ code: 'H5_OUT_OF_RANGE' })
    expect(() => fr.readFrame(-1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }))
    expect(() => new FrameReader(ds, 4)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }))
  })

  test('scan rank 0: the whole dataset is frame 0', () => {
    const ds = addDataset(file, '/d', { shape: [2, 3], values: arange(6) })
    const fr = new FrameReader(ds, 0)
    const f = fr.readFrame(0)
    expect(f.shape).toEqual([2, 3])
    expect(f.position).toEqual([])
    expect(Array.from(f.data)).toEqual(arange(6))
  })
})

describe('scan helpers (swmr_tools test_swmrtools_utils)', () => {
  test('scanRankOf', () => {
    expect(scanRankOf([5, 10, 1, 1])).toBe(2)
    expect(scanRankOf([null, 1])).toBe(1)
    expect(scanRankOf([1])).toBe(0)
    expect(scanRankOf([])).toBe(0)
    expect(scanRankOf([1, 5, 1])).toBe(2)
  })

  test('getPosition / unravelIndex / ravelIndex', () => {
    expect(getPosition(0, [2, 3, 4, 5], 2)).toEqual([0, 0])
    expect(getPosition(5, [2, 3, 4, 5], 2)).toEqual([1, 2])
    expect(() => getPosition(6, [2, 3, 4, 5], 2)).toThrow(expect.objectContaining({ code: 'H5_OUT_OF_RANGE' }))
    for (let i = 0; i < 24; i++) expect(ravelIndex(unravelIndex(i, [2, 3, 4]), [2, 3, 4])).toBe(i)
    expect(unravelIndex(0, [])).toEqual([])
  })

  test('getRowSlice', () => {
    const shape = [3, 4, 5, 6, 7, 8]
    const row = (p: number[]) => [...p.map((v) => ({ start: v, stop: v + 1 })), { start: 0, stop: 6 }]
    expect(getRowSlice(5, shape, 4)).toEqual(row([0, 0, 0]))
    expect(getRowSlice(359, shape, 4)).toEqual(row([2, 3, 4]))
    expect(getRowSlice(4, shape, 4)).toEqual(row([0, 0, 0]))
    expect(getRowSlice(354, shape, 4)).toEqual(row([2, 3, 4]))
  })

  test('getPositionSnake matches a reference snake stepper', () => {
    const check = (shape: number[], rank: number) => {
      const scan = shape.slice(0, rank)
      // Reference: walk the grid one step at a time, reversing a dimension's direction each time
      // the dimension above it steps.
      const pos = scan.map(() => 0)
      const dir = scan.map(() => 1)
      const total = scan.reduce((a, b) => a * b, 1)
      for (let i = 0; i < total; i++) {
        expect(getPositionSnake(i, shape, rank)).toEqual(pos)
        let d = rank - 1
        while (d >= 0) {
          const next = pos[d] + dir[d]
          if (d > 0 && (next < 0 || next >= scan[d])) {
            dir[d] = -dir[d]
            d--
            continue
          }
          pos[d] = next
          break
        }
      }
    }
    check([3, 4, 5, 4, 8, 8], 4)
    check([3, 3, 3], 3)
  })

  test('convertStackToGrid (raster and snake)', () => {
    const s = (i: number) => [{ start: i, stop: i + 1 }]
    const g = (r: number, c: number) => [{ start: r, stop: r + 1 }, { start: c, stop: c + 1 }]
    expect(convertStackToGrid(s(3), [3, 4])).toEqual(g(0, 3))
    expect(convertStackToGrid(s(9), [3, 4])).toEqual(g(2, 1))
    expect(convertStackToGrid(s(9), [3, 4], true)).toEqual(g(2, 1))
    expect(convertStackToGrid(s(7), [3, 4], true)).toEqual(g(1, 0))
    expect(convertStackToGrid(s(6), [3, 4], true)).toEqual(g(1, 1))
    expect(convertStackToGrid([...s(6), { start: 0, stop: 4 }], [3, 4])).toEqual([...g(1, 2), { start: 0, stop: 4 }])
  })
})
