// Ports of swmr_tools 0.9 tests/test_KeyFollower.py (mocks replaced by real datasets in a file this
// process writes) plus the cases observed with the real code in python-peers.md.
import { KeyFollower, type File } from '../../lib'
import { addDataset, collect, newFile, ones, prefix, setAll, setFlat, warnings } from './helpers'

const T = 100 // timeout (ms) for the upstream ports: poll every 5 ms

let file: File
beforeEach(() => {
  file = newFile()
})
afterEach(() => file.close())

describe('KeyFollower (swmr_tools test_KeyFollower)', () => {
  test('first frame: every key must be non-zero', () => {
    const k = [1, 2, 3].map((i) => addDataset(file, `/k${i}`, { shape: [10] }))
    const kf = new KeyFollower(k, { timeout: T })
    expect(kf.scanRank).toBe(1)
    expect(kf.maxshape).toEqual([10])
    expect(collect(kf)).toEqual([])
    setFlat(k[0], 0, 1)
    setFlat(k[1], 0, 1)
    kf.reset()
    expect(collect(kf)).toEqual([])
    setFlat(k[2], 0, 1)
    kf.reset()
    expect(collect(kf)).toEqual([0])
    setFlat(k[0], 1, 1)
    setFlat(k[1], 1, 1)
    kf.reset()
    expect(collect(kf)).toEqual([0])
    setFlat(k[2], 1, 1)
    kf.reset()
    expect(collect(kf)).toEqual([0, 1])
    expect(kf.timedOut).toBe(true)
  })

  test('first frame, jagged keys: a shorter key is zero-padded', () => {
    const k1 = addDataset(file, '/k1', { shape: [2] })
    const k2 = addDataset(file, '/k2', { shape: [2] })
    const k3 = addDataset(file, '/k3', { shape: [1], maxshape: [2] })
    const kf = new KeyFollower([k1, k2, k3], { timeout: T })
    expect(kf.maxshape).toEqual([2])
    expect(kf.scanRank).toBe(1)
    expect(collect(kf)).toEqual([])
    setFlat(k1, 0, 1)
    setFlat(k2, 0, 1)
    kf.reset()
    expect(collect(kf)).toEqual([])
    setFlat(k3, 0, 1)
    setAll(k1, [1, 1])
    setAll(k2, [1, 1])
    kf.reset()
    expect(collect(kf)).toEqual([0]) // k3 has one element: index 1 is padded with zero
  })

  test('jagged keys of sizes 3 and 5, in either order: 3 keys', () => {
    const a = addDataset(file, '/a', { shape: [3], maxshape: [null], chunks: [4], values: ones(3) })
    const b = addDataset(file, '/b', { shape: [5], maxshape: [null], chunks: [4], values: ones(5) })
    expect(collect(new KeyFollower([a, b], { timeout: T }))).toEqual([0, 1, 2])
    expect(collect(new KeyFollower([b, a], { timeout: T }))).toEqual([0, 1, 2])
  })

  test('iterates a complete (5,10,1,1) key: scan rank 2, 50 keys', () => {
    const k = addDataset(file, '/k', { shape: [5, 10, 1, 1], values: ones(50) })
    const kf = new KeyFollower([k], { timeout: T })
    expect(kf.scanRank).toBe(2)
    expect(kf.maxshape).toEqual([5, 10])
    expect(collect(kf)).toHaveLength(50)
  })

  test('iterates an incomplete key (2.5 rows): 25 keys', () => {
    const k = addDataset(file, '/k', { shape: [5, 10, 1, 1], values: prefix(50, 25) })
    expect(collect(new KeyFollower([k], { timeout: T }))).toHaveLength(25)
  })

  test('multiple incomplete keys: complete × incomplete → 25', () => {
    const a = addDataset(file, '/a', { shape: [5, 10, 1, 1], values: ones(50) })
    const b = addDataset(file, '/b', { shape: [5, 10, 1, 1], values: prefix(50, 25) })
    expect(collect(new KeyFollower([a, b], { timeout: T }))).toHaveLength(25)
  })

  test('multiple keys from a NeXus keys group → 25', () => {
    addDataset(file, '/entry/keys/a', { shape: [5, 10, 1, 1], values: ones(50) })
    addDataset(file, '/entry/keys/b', { shape: [5, 10, 1, 1], values: prefix(50, 25) })
    const keys = file.list('/entry/keys').map((m) => file.dataset(m.path))
    expect(keys).toHaveLength(2)
    expect(collect(new KeyFollower(keys, { timeout: T }))).toHaveLength(25)
  })

  test('snake-scan gap: a zero at the start of row 2 stops it at 20', () => {
    const v = prefix(50, 30)
    v[20] = 0
    const k = addDataset(file, '/k', { shape: [5, 10, 1, 1], values: v })
    const kf = new KeyFollower([k], { timeout: T })
    expect(collect(kf)).toHaveLength(20)
    expect(kf.currentMax).toBe(19)
  })

  test('keys [1,1,0,1,1] give 0 and 1, then the timeout', () => {
    const k = addDataset(file, '/k', { shape: [5], values: [1, 1, 0, 1, 1] })
    const kf = new KeyFollower([k], { timeout: T })
    expect(collect(kf)).toEqual([0, 1])
    expect(kf.timedOut).toBe(true)
  })

  test('NaN and negative keys count as set', () => {
    const k = addDataset(file, '/k', { shape: [4], dtype: 'float64', values: [NaN, -1, 2, 0] })
    expect(collect(new KeyFollower([k], { timeout: T }))).toEqual([0, 1, 2])
  })

  test('2-D keys flatten in C order', () => {
    const k = addDataset(file, '/k', { shape: [2, 3], values: [1, 1, 1, 1, 0, 1] })
    expect(collect(new KeyFollower([k], { timeout: T }))).toEqual([0, 1, 2, 3])
  })

  test('all-zero keys and an empty key list yield nothing and stop at the timeout', () => {
    const k = addDataset(file, '/k', { shape: [4] })
    const kf = new KeyFollower([k], { timeout: T })
    expect(collect(kf)).toEqual([])
    expect(kf.timedOut).toBe(true)
    const none = new KeyFollower([], { timeout: T })
    expect(collect(none)).toEqual([])
    expect(none.timedOut).toBe(true)
  })

  test('reads updates: growth seen mid-iteration → 50', () => {
    const k = addDataset(file, '/k', { shape: [5, 10, 1, 1], values: prefix(50, 26) })
    const kf = new KeyFollower([k], { timeout: T })
    const got: number[] = []
    for (const i of kf) {
      got.push(i)
      if (i === 25) setAll(k, ones(50))
    }
    expect(got).toHaveLength(50)
    expect(got).toEqual([...Array(50).keys()])
  })

  test('refresh / currentMax / areKeysComplete: 25, then 49', () => {
    const k = addDataset(file, '/k', { shape: [5, 10, 1, 1], values: prefix(50, 26) })
    const kf = new KeyFollower([k], { timeout: T })
    expect(kf.refresh()).toBe(true)
    expect(kf.getCurrentMax()).toBe(25)
    expect(kf.currentMax).toBe(25)
    expect(kf.areKeysComplete()).toBe(false)
    expect(kf.refresh()).toBe(false)
    setAll(k, ones(50))
    expect(kf.refresh()).toBe(true)
    expect(kf.getCurrentMax()).toBe(49)
    expect(kf.areKeysComplete()).toBe(true)
  })

  test('key dataset resized mid-scan (2,10,1,1) → (5,10,1,1): 50', () => {
    const k = addDataset(file, '/k', { shape: [2, 10, 1, 1], maxshape: [5, 10, 1, 1], chunks: [1, 10, 1, 1], values: ones(20) })
    const kf = new KeyFollower([k], { timeout: T })
    const got: number[] = []
    for (const i of kf) {
      got.push(i)
      if (i === 19) {
        k.extend([5, 10, 1, 1])
        setAll(k, ones(50))
      }
    }
    expect(got).toEqual([...Array(50).keys()])
  })

  test('rank rule: trailing maxshape-1 dimensions are stripped; (1,) has rank 0', () => {
    const a = addDataset(file, '/a', { shape: [3, 1], maxshape: [null, 1], chunks: [1, 1] })
    expect(new KeyFollower([a], { timeout: T }).scanRank).toBe(1)
    const b = addDataset(file, '/b', { shape: [1] })
    const kb = new KeyFollower([b], { timeout: T })
    expect(kb.scanRank).toBe(0)
    expect(kb.maxshape).toEqual([])
    const c = addDataset(file, '/c', { shape: [2, 2, 1, 1], maxshape: [null, 2, 1, 1], chunks: [1, 2, 1, 1] })
    const kc = new KeyFollower([c], { timeout: T })
    expect(kc.maxshape).toEqual([null, 2])
    expect(kc.areKeysComplete()).toBe(false) // unlimited: never complete (swmr_tools raises TypeError)
  })

  test('keys of different rank are an error; a maxshape mismatch only warns', () => {
    const a = addDataset(file, '/a', { shape: [10] })
    const b = addDataset(file, '/b', { shape: [2, 5] })
    expect(() => new KeyFollower([a, b], { timeout: T })).toThrow('Key datasets must have the same rank!')
    const c = addDataset(file, '/c', { shape: [8] })
    const w = warnings()
    const kf = new KeyFollower([a, c], { timeout: T, onWarning: w.handler })
    expect(kf.maxshape).toEqual([10])
    expect(w.list).toEqual(['Max shape not consistent in keys'])
  })

  test('finished dataset: isFinished() semantics; a 4-element flag is ignored with a warning', () => {
    const k = addDataset(file, '/k', { shape: [10] })
    const f = addDataset(file, '/finished', { shape: [1] })
    const kf = new KeyFollower([k], { timeout: 10_000, finishedDataset: f })
    expect(kf.isFinished()).toBe(false)
    expect(kf.finished).toBe(false)
    setAll(f, [1])
    expect(kf.isFinished()).toBe(false) // first sighting: not yet (one more key poll follows)
    expect(kf.finished).toBe(true)
    expect(kf.isFinished()).toBe(true)

    const f4 = addDataset(file, '/finished4', { shape: [4], values: [1, 1, 1, 1] })
    const w = warnings()
    const kf4 = new KeyFollower([k], { timeout: 10_000, finishedDataset: f4, onWarning: w.handler })
    expect(kf4.isFinished()).toBe(false)
    expect(kf4.isFinished()).toBe(false)
    expect(kf4.finished).toBe(false)
    expect(w.list).toHaveLength(1) // warned once (swmr_tools warns on every poll)
    expect(w.list[0]).toMatch(/non-singular/)
  })

  test("polling (wake: 'poll'), the finished flag ends a wait after two poll intervals, as swmr_tools; waking on writes, at once", () => {
    const k = addDataset(file, '/k', { shape: [10], values: prefix(10, 3) })
    const f = addDataset(file, '/finished', { shape: [1], values: [1] })
    const woken = new KeyFollower([k], { timeout: 2000, finishedDataset: f })
    const t1 = performance.now()
    expect(collect(woken)).toEqual([0, 1, 2])
    expect(woken.finished).toBe(true)
    expect(woken.wakeStats.waits).toBe(0) // the flag is read before the first wait
    expect(performance.now() - t1).toBeLessThan(100)
    const kf = new KeyFollower([k], { timeout: 2000, finishedDataset: f, wake: 'poll' })
    const t0 = performance.now()
    expect(collect(kf)).toEqual([0, 1, 2])
    const ms = performance.now() - t0
    expect(kf.finished).toBe(true)
    expect(kf.timedOut).toBe(false)
    expect(ms).toBeGreaterThanOrEqual(2 * 100 - 5)
    expect(ms).toBeLessThan(1000)
  })

  test('after the finished flag is first seen, the keys are polled once more', () => {
    const k = addDataset(file, '/k', { shape: [4], values: [1, 1, 0, 0] })
    const f = addDataset(file, '/finished', { shape: [1], values: [1] })
    const kf = new KeyFollower([k], { timeout: 5000, pollInterval: 10, finishedDataset: f })
    expect(kf.next().value).toBe(0)
    expect(kf.next().value).toBe(1)
    const polls = kf.stats.polls
    expect(kf.next().done).toBe(true)
    expect(kf.stats.polls - polls).toBe(2) // poll, sleep, flag seen → poll again, sleep, finished
    expect(kf.finished).toBe(true)
  })

  test('finished stays set across reset (sticky), timedOut is cleared', () => {
    const k = addDataset(file, '/k', { shape: [3], values: ones(3) })
    const f = addDataset(file, '/finished', { shape: [1] })
    const kf = new KeyFollower([k], { timeout: T, finishedDataset: f })
    expect(collect(kf)).toEqual([0, 1, 2])
    expect(kf.timedOut).toBe(true)
    expect(kf.finished).toBe(false)
    setAll(f, [1])
    kf.reset()
    expect(kf.timedOut).toBe(false)
    expect(collect(kf)).toEqual([0, 1, 2])
    expect(kf.finished).toBe(true)
    expect(kf.timedOut).toBe(false)
    setAll(f, [0])
    setAll(k, [1, 1, 0])
    kf.reset()
    expect(collect(kf)).toEqual([0, 1])
    expect(kf.finished).toBe(true)
    expect(kf.timedOut).toBe(false)
  })

  test('the timeout counts from the start of a wait; known keys are handed out with no I/O', () => {
    const k = addDataset(file, '/k', { shape: [20], values: prefix(20, 10) })
    const kf = new KeyFollower([k], { timeout: 150 })
    expect(kf.next().value).toBe(0) // one poll reads the ready prefix
    const polls = kf.stats.polls
    const reads = kf.stats.keyReads
    for (let i = 1; i < 10; i++) expect(kf.next().value).toBe(i)
    expect(kf.stats.polls).toBe(polls)
    expect(kf.stats.keyReads).toBe(reads)
    const t0 = performance.now()
    expect(kf.next().done).toBe(true)
    const ms = performance.now() - t0
    expect(ms).toBeGreaterThanOrEqual(150)
    expect(ms).toBeLessThan(150 + 400) // at most one poll interval late; slack for a loaded CI box
    // checked at once, then every timeout/20 (swmr_tools: 20 reads for a 1 s timeout)
    expect(kf.stats.polls - polls).toBeGreaterThanOrEqual(10)
    expect(kf.stats.polls - polls).toBeLessThanOrEqual(22)
  })
})
