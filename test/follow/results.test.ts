// Results written back per shard (ResultsWriter, follow --output) and joined as virtual datasets in
// scan order (shard 0 automatically, or h5swmr join), read by us and by h5py while the shards write.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { File, H5Error, ResultsWriter, VirtualFrameReader, joinResults, shardResultsPath } from '../../lib'
import { spawnNode, spawnProcess, spawnPython, spawnWriter, tmpDir } from '../helpers/processes'

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'index.js')
const dir = tmpDir('h5swmr-results-')

function codeOf(f: () => unknown): string | undefined {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(H5Error)
    return (e as H5Error).code
  }
  return undefined
}

test('shard files are named next to the join', () => {
  expect(shardResultsPath('/d/res.h5', { index: 2, count: 8 })).toBe('/d/res.shard2-of-8.h5')
  expect(shardResultsPath('out', { index: 0, count: 2 })).toBe('out.shard0-of-2.h5')
})

test('one writer, no shard: scalars, bigints, 1-D and shaped results, each in its own dataset, fill where a frame is missing', () => {
  const p = path.join(dir, 'plain.h5')
  const w = new ResultsWriter(p, { source: 'scan.h5', scanShape: [2, null] })
  expect(w.path).toBe(p)
  expect(w.joinPath).toBeNull()
  for (const i of [0, 1, 3]) // frame 2 never processed
    w.append(i, { sum: i * 1.5, count: BigInt(i), profile: Float32Array.of(i, i + 1), 'roi/image': { data: Uint16Array.of(i, i, i, i, i, i), shape: [2, 3] } })
  expect(w.frames).toBe(3)
  expect(codeOf(() => w.append(3, { sum: 1, count: 1n, profile: new Float32Array(2), 'roi/image': { data: new Uint16Array(6), shape: [2, 3] } }))).toBe('ERR_INVALID_ARG')
  expect(codeOf(() => w.append(4, { sum: 1 }))).toBe('ERR_INVALID_ARG')
  expect(codeOf(() => w.append(5, { sum: 1, count: 1n, profile: new Float32Array(2), 'roi/image': { data: new Uint16Array(5), shape: [2, 3] } }))).toBe('ERR_INVALID_ARG')
  w.close()
  const f = File.open(p, { swmr: false })
  try {
    expect(Array.from(f.dataset('index').read() as BigInt64Array)).toEqual([0n, 1n, -1n, 3n])
    expect(Array.from(f.dataset('results/sum').read() as Float64Array)).toEqual([0, 1.5, NaN, 4.5])
    expect(f.dataset('results/count').dtype).toBe('int64')
    expect(f.dataset('results/profile').shape).toEqual([4, 2])
    expect(f.dataset('results/roi/image').shape).toEqual([4, 2, 3])
    expect(f.dataset('results/roi/image').dtype).toBe('uint16')
    expect(Array.from(f.dataset('results/roi/image').read({ start: [3, 0, 0], count: [1, 2, 3] }) as Uint16Array)).toEqual([3, 3, 3, 3, 3, 3])
    expect(f.attrs.source).toBe('scan.h5')
    expect(Array.from(f.attrs.scan_shape as ArrayLike<number>, Number)).toEqual([2, -1])
  } finally {
    f.close()
  }
})

test('an index not of this shard, or not increasing, is ERR_INVALID_ARG and writes nothing', () => {
  const w = new ResultsWriter(path.join(dir, 'order.h5'), { shard: { index: 1, count: 3 }, join: false })
  try {
    expect(w.path).toBe(path.join(dir, 'order.shard1-of-3.h5'))
    expect(codeOf(() => w.append(0, { x: 1 }))).toBe('ERR_INVALID_ARG')
    w.append(4, { x: 1 })
    expect(codeOf(() => w.append(1, { x: 1 }))).toBe('ERR_INVALID_ARG')
    expect(codeOf(() => w.append(4, { x: 1 }))).toBe('ERR_INVALID_ARG')
    expect(codeOf(() => w.append(5, { x: 1 }))).toBe('ERR_INVALID_ARG')
    expect(w.frames).toBe(1)
  } finally {
    w.close()
  }
})

test('createVirtualDataset: a strided unlimited mapping per source grows with the sources; a bad mapping is ERR_INVALID_ARG with the HDF5 stack, nothing left open', () => {
  const before = File.openObjectCount()
  for (const k of [0, 1]) {
    const s = File.create(path.join(dir, `src${k}.h5`))
    const ds = s.createDataset('v', { dtype: 'int32', shape: [3], maxshape: [null], chunks: [4] })
    ds.write(null, Int32Array.from([0, 1, 2], (j) => 10 * (2 * j + k)))
    s.close()
  }
  const f = File.create(path.join(dir, 'vds.h5'))
  try {
    const mapping = (k: number) => ({
      file: `src${k}.h5`, dataset: '/v',
      vspace: { start: [k], stride: [2], count: [null], block: [1] },
      srcShape: [0], srcMaxshape: [null], srcspace: { start: [0], count: [null] },
    })
    f.createVirtualDataset('joined', { dtype: 'int32', shape: [0], maxshape: [null], fillValue: -1, mappings: [mapping(0), mapping(1)] })
    let err: H5Error | null = null
    try {
      f.createVirtualDataset('bad', { dtype: 'int32', shape: [4], mappings: [{ ...mapping(0), vspace: { start: [9], count: [1] }, srcShape: [4], srcMaxshape: undefined, srcspace: { start: [0], count: [1] } }] })
    } catch (e) {
      err = e as H5Error
    }
    expect(err).toBeInstanceOf(H5Error)
    expect(err!.code).toBe('ERR_INVALID_ARG')
    expect(err!.message).toMatch(/mappings\[0\]\.vspace reaches past dimension 0 \(size 4\)/)
    expect(codeOf(() => f.createVirtualDataset('bad2', { dtype: 'int32', shape: [4], mappings: [{ ...mapping(0), vspace: { start: [0, 0], count: [1, 1] } }] }))).toBe('ERR_INVALID_ARG')
    // HDF5's own checks (a source selection of another size) keep its stack in the message
    let hdf5: H5Error | null = null
    try {
      f.createVirtualDataset('bad3', { dtype: 'int32', shape: [4], mappings: [{ ...mapping(0), vspace: { start: [0], count: [2] }, srcShape: [4], srcMaxshape: undefined, srcspace: { start: [0], count: [3] } }] })
    } catch (e) {
      hdf5 = e as H5Error
    }
    expect(hdf5).toBeInstanceOf(H5Error)
    expect(hdf5!.message).toMatch(/HDF5 error stack:[\s\S]*H5Pset_virtual/)
  } finally {
    f.close()
  }
  const r = File.open(path.join(dir, 'vds.h5'), { swmr: false })
  try {
    const v = r.dataset('joined')
    expect(v.shape).toEqual([6])
    expect(Array.from(v.read() as Int32Array)).toEqual([0, 10, 20, 30, 40, 50])
  } finally {
    r.close()
  }
  expect(File.openObjectCount()).toBe(before)
})

// Every frame's sum, from the simulator's pattern, as h5py reads the scan.
const SUMS = `
import h5py, json, sys, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    d = f['/entry/data/data']
    print(json.dumps([float(d[i].astype(np.float64).sum()) for i in range(d.shape[0])]))
`

test('three `follow --shard i/3 --output` of one live scan: shard 0 joins them; the join reads in scan order while they write (h5py) and after, every frame once with its statistics', async () => {
  const scan = path.join(dir, 'live.h5')
  const out = path.join(dir, 'live-results.h5')
  const frames = 120
  // 2 s of writing: time for the watcher to see the join grow even on a loaded machine.
  const w = spawnWriter(scan, { frames, frameShape: [16, 16], rateHz: 60 })
  const followers = [0, 1, 2].map((i) =>
    spawnProcess(process.execPath, [CLI, 'follow', scan, '--output', out, '--timeout', '3', '--wait', '5', '--shard', `${i}/3`]),
  )
  // While they write: h5py follows the join (SWMR, refresh) and checks each index it sees is its row.
  const watcher = spawnPython(`
import h5py, json, os, sys, time, numpy as np
p = sys.argv[1]
deadline = time.time() + 20
while not os.path.exists(p) and time.time() < deadline: time.sleep(0.02)
time.sleep(0.2)
f = h5py.File(p, 'r', swmr=True)
d = f['index']
polls = []
while time.time() < deadline:
    d.refresh()
    a = d[()]
    polls.append([int(a.shape[0]), int((a >= 0).sum()), bool((a[a >= 0] == np.arange(a.shape[0])[a >= 0]).all())])
    if a.shape[0] >= ${frames} and (a >= 0).all(): break
    time.sleep(0.05)
print(json.dumps(polls))
`, [out])
  const codes = await Promise.all(followers.map((f) => f.exited))
  expect(await w.exited).toBe(0)
  expect(codes).toEqual([0, 0, 0])
  expect(followers[0].lines.join('\n')).toMatch(new RegExp(`results of 40 frames in .*live-results\\.shard0-of-3\\.h5, joined in .*live-results\\.h5`))
  expect(await watcher.exited).toBe(0)
  const polls = JSON.parse(watcher.lines[0]) as [number, number, boolean][]
  expect(polls.every(([, , ok]) => ok)).toBe(true)
  expect(polls.some(([n]) => n > 0 && n < frames)).toBe(true) // seen growing, not only complete
  expect(polls[polls.length - 1]).toEqual([frames, frames, true])

  // After: h5py and we read the join; sums match the frames h5py reads from the scan.
  const sums = spawnPython(SUMS, [scan])
  expect(await sums.exited).toBe(0)
  const expected = JSON.parse(sums.lines[0]) as number[]
  const py = spawnPython(`
import h5py, json, sys
with h5py.File(sys.argv[1], 'r') as f:
    print(json.dumps({'index': f['index'][()].tolist(), 'sum': f['results/entry/data/data/sum'][()].tolist(), 'virtual': f['index'].is_virtual}))
`, [out])
  expect(await py.exited).toBe(0)
  const got = JSON.parse(py.lines[0])
  expect(got.virtual).toBe(true)
  expect(got.index).toEqual(Array.from({ length: frames }, (_, i) => i))
  expect(got.sum).toEqual(expected)
  const f = File.open(out, { swmr: false })
  try {
    expect(Array.from(f.dataset('index').read() as BigInt64Array, Number)).toEqual(got.index)
    expect(Array.from(f.dataset('results/entry/data/data/max').read() as Float64Array)).toHaveLength(frames)
    expect(f.dataset('results/entry/data/data/min').virtualMapping()).toHaveLength(3)
  } finally {
    f.close()
  }
})

test.each([
  ['4×6 grid scan, 3 shards: the join is shaped like the scan', [4, 6], [4, 6]],
  ['4×5 grid scan, 3 shards (5 columns do not divide among 3): the join is flat, in scan order', [4, 5], [20]],
])('%s', async (_what, scanShape, joinShape) => {
  const scan = path.join(dir, `grid-${scanShape.join('x')}.h5`)
  const out = path.join(dir, `grid-${scanShape.join('x')}-results.h5`)
  const total = scanShape[0] * scanShape[1]
  const w = spawnWriter(scan, { scanShape, frameShape: [4, 4], rateHz: 200 })
  const followers = [0, 1, 2].map((i) => spawnProcess(process.execPath, [CLI, 'follow', scan, '--output', out, '--timeout', '3', '--wait', '5', '--shard', `${i}/3`]))
  expect(await Promise.all(followers.map((f) => f.exited))).toEqual([0, 0, 0])
  expect(await w.exited).toBe(0)
  const py = spawnPython(`
import h5py, json, sys, numpy as np
with h5py.File(sys.argv[1], 'r') as r, h5py.File(sys.argv[2], 'r') as s:
    d = s['/entry/data/data']
    sums = np.array([float(d[np.unravel_index(i, d.shape[:2])].astype(np.float64).sum()) for i in range(${total})])
    print(json.dumps({'shape': list(r['index'].shape), 'index': r['index'][()].ravel().tolist(), 'sumsOk': bool(np.array_equal(r['results/entry/data/data/sum'][()].ravel(), sums)), 'shard0': list(h5py.File(sys.argv[3], 'r')['index'].shape)}))
`, [out, scan, shardResultsPath(out, { index: 0, count: 3 })])
  expect(await py.exited).toBe(0)
  const got = JSON.parse(py.lines[0])
  expect(got.shape).toEqual(joinShape)
  expect(got.index).toEqual(Array.from({ length: total }, (_, i) => i))
  expect(got.sumsOk).toBe(true)
  expect(got.shard0).toEqual(joinShape.length === 2 ? [4, 2] : [7])
  // Joined again from the shard files alone (h5swmr join), the same layout.
  const again = path.join(dir, `grid-${scanShape.join('x')}-again.h5`)
  joinResults(again, [2, 1, 0].map((i) => shardResultsPath(out, { index: i, count: 3 })))
  const f = File.open(again, { swmr: false })
  try {
    expect(f.dataset('index').shape).toEqual(joinShape)
    expect(Array.from(f.dataset('index').read() as BigInt64Array, Number)).toEqual(got.index)
  } finally {
    f.close()
  }
})

test('h5swmr join: shards in any order, from another folder; shards missing, doubled or of different counts are refused', async () => {
  const sub = path.join(dir, 'join')
  fs.mkdirSync(sub)
  const made = [0, 1].map((i) => {
    const w = new ResultsWriter(path.join(sub, 'r.h5'), { shard: { index: i, count: 2 }, join: false })
    for (let k = i; k < 7; k += 2) w.append(k, { v: k * k })
    w.close()
    return w.path
  })
  const other = new ResultsWriter(path.join(sub, 'x.h5'), { shard: { index: 1, count: 3 }, join: false })
  other.append(1, { v: 0 })
  other.close()
  const out = path.join(dir, 'joined-elsewhere.h5')
  const j = spawnProcess(process.execPath, [CLI, 'join', out, made[1], made[0]])
  expect(await j.exited).toBe(0)
  expect(j.lines.join('\n')).toMatch(/join: 2 shards into .*: index, v/)
  const f = File.open(out, { swmr: false })
  try {
    expect(Array.from(f.dataset('results/v').read() as Float64Array)).toEqual([0, 1, 4, 9, 16, 25, 36])
  } finally {
    f.close()
  }
  for (const [files, message] of [
    [[made[0]], /shard 1 of 2 not given/],
    [[made[0], made[0]], /are both shard 0/],
    [[made[0], other.path], /shard 1 of 3, the others of 2/],
    [[path.join(dir, 'vds.h5')], /is not a shard's results/],
  ] as const) {
    let err: H5Error | null = null
    try {
      joinResults(path.join(dir, 'never.h5'), files)
    } catch (e) {
      err = e as H5Error
    }
    expect(err?.code).toBe('ERR_INVALID_ARG')
    expect(err?.message).toMatch(message)
  }
  const bad = spawnProcess(process.execPath, [CLI, 'join', out])
  expect(await bad.exited).not.toBe(0)
  expect(bad.stderr).toMatch(/ERR_USAGE/)
})

test("a '%' in the file or result name: escaped in the join's mappings (HDF5 reads '%' there as a pattern), read back through HDF5 and through the sources", () => {
  const out = path.join(dir, 'pct%d.h5')
  const writers = [0, 1].map((i) => new ResultsWriter(out, { shard: { index: i, count: 2 } }))
  for (let k = 0; k < 6; k++) writers[k % 2].append(k, { 'a%b': k * 10 })
  for (const w of writers) w.close()
  const f = File.open(out, { swmr: false })
  try {
    const vds = f.dataset('results/a%b')
    expect(Array.from(vds.read() as Float64Array)).toEqual([0, 10, 20, 30, 40, 50])
    const reader = VirtualFrameReader.tryCreate(vds)!
    expect(reader.locate(3)).toMatchObject({ file: path.join(dir, 'pct%d.shard1-of-2.h5'), dataset: '/results/a%b', index: 1 })
    expect(Array.from(reader.readFrame(5).data as Float64Array)).toEqual([50])
    reader.close()
  } finally {
    f.close()
  }
})

test("the library: a processing callback's typed-array results from followers started as a Kubernetes Indexed Job (shard 'auto'), joined by shard 0", async () => {
  const scan = path.join(dir, 'k8s.h5')
  const out = path.join(dir, 'k8s-results.h5')
  const w = spawnWriter(scan, { frames: 30, frameShape: [4, 6], rateHz: 200 })
  // The shard comes from JOB_COMPLETION_INDEX with H5SWMR_SHARD_COUNT, as a manifest would set them.
  const procs = [0, 1].map((i) => spawnNode(`
const [scan, out] = process.argv.slice(1)
;(async () => {
  const { file } = await h5.openForReadingAsync(scan, { swmr: 'auto', locking: false, waitFor: 5000 })
  const src = new h5.DataSource([file.dataset('/entry/keys/uid')], { d: file.dataset('/entry/data/data') }, { timeout: 2000, pollInterval: 5, shard: 'auto', finishedDataset: file.dataset('/entry/finished') })
  const results = new h5.ResultsWriter(out, { shard: 'auto' })
  for await (const item of src) {
    const frame = item.frames.d.data
    const rows = new Float64Array(4)
    for (let r = 0; r < 4; r++) for (let c = 0; c < 6; c++) rows[r] += Number(frame[r * 6 + c])
    results.append(item.index, { rowSums: rows })
  }
  results.close()
  file.close()
  console.log(results.frames)
})().catch((e) => { console.error(e); process.exit(1) })
`, [scan, out], { JOB_COMPLETION_INDEX: String(i), H5SWMR_SHARD_COUNT: '2' }))
  expect(await w.exited).toBe(0)
  expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0])
  expect(procs.map((p) => p.lines[0])).toEqual(['15', '15'])
  const py = spawnPython(`
import h5py, json, sys, numpy as np
with h5py.File(sys.argv[1], 'r') as r, h5py.File(sys.argv[2], 'r') as s:
    got = r['results/rowSums'][()]
    want = s['/entry/data/data'][()].astype(np.float64).sum(axis=2)
    print(json.dumps([got.shape == want.shape, bool(np.array_equal(got, want)), r['index'][()].tolist() == list(range(30))]))
`, [out, scan])
  expect(await py.exited).toBe(0)
  expect(JSON.parse(py.lines[0])).toEqual([true, true, true])
  // Our readers follow a virtual dataset through its sources: the same rows, frame by frame.
  const f = File.open(out, { swmr: false })
  try {
    const vds = f.dataset('results/rowSums')
    const reader = VirtualFrameReader.tryCreate(vds)!
    expect(reader).not.toBeNull()
    expect(reader.locate(7)).toMatchObject({ file: path.join(dir, 'k8s-results.shard1-of-2.h5'), index: 3 })
    const whole = vds.read() as Float64Array
    for (let i = 0; i < 30; i++) expect(Array.from(reader.readFrame(i).data as Float64Array)).toEqual(Array.from(whole.subarray(i * 4, i * 4 + 4)))
    reader.close()
  } finally {
    f.close()
  }
})
