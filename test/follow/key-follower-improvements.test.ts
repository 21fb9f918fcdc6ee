// Where KeyFollower does better than swmr_tools 0.9: one test per improvement.
import { KeyFollower, type File } from '../../lib'
import { addDataset, collect, collectAsync, newFile, ones, prefix, setAll, setFlat, warnings } from './helpers'

let file: File
beforeEach(() => {
  file = newFile()
})
afterEach(() => file.close())

test('incremental: a poll reads only from the last known max to the extent, not the whole key', () => {
  const n = 20_000
  const k = addDataset(file, '/k', { shape: [n], maxshape: [null], chunks: [1024], values: ones(n) })
  const kf = new KeyFollower([k], { timeout: 50 })
  expect(kf.refresh()).toBe(true)
  expect(kf.currentMax).toBe(n - 1)
  const after = kf.stats.keyElementsRead
  expect(after).toBeGreaterThanOrEqual(n)
  // A poll with nothing new: the last known key (re-checked) plus the index-0 sample.
  expect(kf.refresh()).toBe(false)
  expect(kf.stats.keyElementsRead - after).toBe(2)
  // 100 new keys: reads 1 + 100 (+ the sample), not n + 100 as swmr_tools does.
  k.extend([n + 100])
  setAll(k, ones(n + 100))
  const before = kf.stats.keyElementsRead
  expect(kf.refresh()).toBe(true)
  expect(kf.currentMax).toBe(n + 99)
  expect(kf.stats.keyElementsRead - before).toBe(1 + 101)
})

test('incremental with pre-sized keys: each poll reads a bounded window, not the rest of the scan', () => {
  const n = 1_000_000
  const k = addDataset(file, '/k', { shape: [n], chunks: [65536] })
  for (let i = 0; i < 10; i++) setFlat(k, i, 1)
  const kf = new KeyFollower([k], { timeout: 50 })
  kf.refresh()
  expect(kf.currentMax).toBe(9)
  const before = kf.stats.keyElementsRead
  kf.refresh()
  expect(kf.stats.keyElementsRead - before).toBeLessThanOrEqual(1024 + 1)
})

test('skipGapsAfter on pre-sized keys: the look-ahead past the frontier is bounded', () => {
  const n = 1_000_000
  const k = addDataset(file, '/k', { shape: [n], chunks: [65536] })
  for (let i = 0; i < 10; i++) setFlat(k, i, 1)
  setFlat(k, 12, 1)
  const kf = new KeyFollower([k], { timeout: 50, skipGapsAfter: 0 })
  kf.refresh()
  expect(kf.currentMax).toBe(12)
  expect(kf.skipped).toEqual([10, 11])
  const before = kf.stats.keyElementsRead
  kf.refresh()
  expect(kf.stats.keyElementsRead - before).toBeLessThanOrEqual(1 + 1024 + 65536)
})

test('an empty (size-0) key dataset means "no keys yet" (swmr_tools raises on argmax)', () => {
  const k = addDataset(file, '/k', { shape: [0], maxshape: [null], chunks: [16] })
  const other = addDataset(file, '/other', { shape: [3], values: ones(3) })
  const kf = new KeyFollower([k, other], { timeout: 50, onWarning: () => {} })
  expect(collect(kf)).toEqual([])
  expect(kf.timedOut).toBe(true)
  expect(kf.refresh()).toBe(false)
  k.extend([2])
  setAll(k, [1, 1])
  kf.reset()
  expect(collect(kf)).toEqual([0, 1])
})

test('keys going back to zero: no bogus index, no hang; later keys are picked up again', () => {
  const k = addDataset(file, '/k', { shape: [4], maxshape: [null], chunks: [4], values: ones(4) })
  const w = warnings()
  const kf = new KeyFollower([k], { timeout: 100, onWarning: w.handler })
  const got: number[] = []
  for (const i of kf) {
    got.push(i)
    if (i === 2) setAll(k, [1, 0, 0, 0]) // the writer clears keys after 0..3 were seen
  }
  // swmr_tools yields 0,1,2,3 then 4 (past the new max) and hangs forever.
  expect(got).toEqual([0, 1, 2, 3])
  expect(kf.timedOut).toBe(true)
  expect(kf.currentMax).toBe(0)
  expect(kf.stats.rescans).toBeGreaterThanOrEqual(1)
  expect(w.list.some((m) => /went back/.test(m))).toBe(true)
  // The writer re-fills and goes on: only the new indices come out.
  k.extend([6])
  setAll(k, ones(6))
  expect(collect(kf)).toEqual([4, 5])
})

test('a key extent that shrinks is re-verified, and refresh() reports the lower max', () => {
  const k = addDataset(file, '/k', { shape: [10], maxshape: [null], chunks: [4], values: ones(10) })
  const kf = new KeyFollower([k], { timeout: 50, onWarning: () => {} })
  expect(kf.refresh()).toBe(true)
  expect(kf.currentMax).toBe(9)
  k.extend([5])
  expect(kf.refresh()).toBe(true)
  expect(kf.currentMax).toBe(4)
  expect(kf.stats.rescans).toBe(1)
})

test('a key whose first element is cleared is noticed by the index-0 sample', () => {
  const k = addDataset(file, '/k', { shape: [10], values: ones(10) })
  const kf = new KeyFollower([k], { timeout: 50, onWarning: () => {} })
  kf.refresh()
  setFlat(k, 0, 0)
  expect(kf.refresh()).toBe(true)
  expect(kf.currentMax).toBe(-1)
})

test('a true scalar finished dataset (shape ()) works (swmr_tools raises)', () => {
  const k = addDataset(file, '/k', { shape: [5], values: prefix(5, 2) })
  const f = addDataset(file, '/finished', { shape: [] })
  expect(f.shape).toEqual([])
  const kf = new KeyFollower([k], { timeout: 5000, pollInterval: 10, finishedDataset: f })
  expect(kf.isFinished()).toBe(false)
  expect(kf.finished).toBe(false)
  setAll(f, [1])
  const t0 = performance.now()
  expect(collect(kf)).toEqual([0, 1])
  expect(performance.now() - t0).toBeLessThan(1000)
  expect(kf.finished).toBe(true)
  expect(kf.timedOut).toBe(false)
})

test('skipGapsAfter: a gap open that long is skipped and reported; off by default', () => {
  const k = addDataset(file, '/k', { shape: [5], values: [1, 1, 0, 1, 1] })
  const plain = new KeyFollower([k], { timeout: 150 })
  expect(collect(plain)).toEqual([0, 1])
  expect(plain.skipped).toEqual([])

  const kf = new KeyFollower([k], { timeout: 400, pollInterval: 10, skipGapsAfter: 50 })
  const t0 = performance.now()
  expect(kf.next().value).toBe(0)
  expect(kf.next().value).toBe(1)
  expect(kf.next().value).toBe(3) // after the gap stayed open for 50 ms
  const ms = performance.now() - t0
  expect(ms).toBeGreaterThanOrEqual(50)
  expect(ms).toBeLessThan(400) // skipped before the timeout
  expect(kf.skipped).toEqual([2])
  expect(kf.next().value).toBe(4)
  expect(kf.next().done).toBe(true)
  expect(kf.currentMax).toBe(4)
})

test('skipGapsAfter: a gap that fills in time is not skipped; trailing unset keys are not a gap', () => {
  const k = addDataset(file, '/k', { shape: [6], values: [1, 0, 1, 0, 0, 0] })
  const kf = new KeyFollower([k], { timeout: 100, pollInterval: 10, skipGapsAfter: 10_000 })
  expect(kf.next().value).toBe(0)
  setFlat(k, 1, 1)
  expect(collect(kf)).toEqual([1, 2])
  expect(kf.skipped).toEqual([])
  expect(kf.currentMax).toBe(2)
})

test('skipGapsAfter: once the finished flag is seen, remaining gaps are skipped at once', () => {
  const k = addDataset(file, '/k', { shape: [6], values: [1, 0, 0, 1, 0, 1] })
  const f = addDataset(file, '/finished', { shape: [1], values: [1] })
  const kf = new KeyFollower([k], { timeout: 5000, pollInterval: 10, skipGapsAfter: 60_000, finishedDataset: f })
  const t0 = performance.now()
  expect(collect(kf)).toEqual([0, 3, 5])
  expect(performance.now() - t0).toBeLessThan(1000)
  expect(kf.skipped).toEqual([1, 2, 4])
  expect(kf.finished).toBe(true)
})

test('the poll interval is separate from the timeout', () => {
  const k = addDataset(file, '/k', { shape: [3] })
  const kf = new KeyFollower([k], { timeout: 300, pollInterval: 100 })
  expect(kf.pollInterval).toBe(100)
  expect(new KeyFollower([k], { timeout: 300 }).pollInterval).toBe(15)
  expect(new KeyFollower([k], { timeout: Infinity }).pollInterval).toBe(500)
  expect(collect(kf)).toEqual([])
  expect(kf.stats.polls).toBeGreaterThanOrEqual(2) // ~300/100 (+1 for the check at once); 300/15 with the default
  expect(kf.stats.polls).toBeLessThanOrEqual(4)
})

test('an AbortSignal ends an async wait at once', async () => {
  const k = addDataset(file, '/k', { shape: [3], values: [1, 0, 0] })
  const ac = new AbortController()
  const kf = new KeyFollower([k], { timeout: 10_000, signal: ac.signal })
  const t0 = performance.now()
  setTimeout(() => ac.abort(), 50)
  expect(await collectAsync(kf)).toEqual([0])
  const ms = performance.now() - t0
  expect(ms).toBeLessThan(400)
  expect(kf.aborted).toBe(true)
  expect(kf.timedOut).toBe(false)
  expect(kf.next().done).toBe(true) // stays ended while the signal is aborted
})

test('an aborted signal ends the sync iterator before it waits', () => {
  const k = addDataset(file, '/k', { shape: [3], values: ones(3) })
  const ac = new AbortController()
  const kf = new KeyFollower([k], { timeout: 10_000, signal: ac.signal })
  const got: number[] = []
  for (const i of kf) {
    got.push(i)
    if (i === 1) ac.abort() // checked between polls/steps: the sync iterator cannot be interrupted while blocked
  }
  expect(got).toEqual([0, 1])
  expect(kf.aborted).toBe(true)
})

test('async iteration never blocks the event loop while waiting', async () => {
  const k = addDataset(file, '/k', { shape: [4], values: [1, 1, 0, 0] })
  const kf = new KeyFollower([k], { timeout: 300, pollInterval: 20 })
  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  setTimeout(() => setAll(k, ones(4)), 100)
  try {
    expect(await collectAsync(kf)).toEqual([0, 1, 2, 3])
  } finally {
    clearInterval(timer)
  }
  expect(kf.timedOut).toBe(true)
  expect(ticks).toBeGreaterThanOrEqual(10) // ~400 ms of waiting at 10 ms a tick (slack for load)
  // refreshAsync reads off the loop too
  expect(await kf.refreshAsync()).toBe(false)
})

test('sync and async calls on one follower do not overlap', async () => {
  const k = addDataset(file, '/k', { shape: [2] })
  const kf = new KeyFollower([k], { timeout: 100 })
  const p = kf.nextAsync()
  expect(() => kf.next()).toThrow(/async call is still running/)
  expect((await p).done).toBe(true)
  expect(kf.next().done).toBe(true)
})

test('64-bit and float keys', () => {
  const a = addDataset(file, '/a', { shape: [4], dtype: 'int64', values: [5, 6, 0, 8] })
  const b = addDataset(file, '/b', { shape: [4], dtype: 'float32', values: [0.5, 1, 1, 1] })
  expect(collect(new KeyFollower([a, b], { timeout: 50 }))).toEqual([0, 1])
})
