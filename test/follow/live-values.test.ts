// Data that is not numbers, followed live: an h5py writer in its own process grows a per-frame
// timestamp (fixed-length strings, ASCII and UTF-8) and a per-frame compound record (with a string
// member) in SWMR mode, flushing each frame; GrowthFollower hands out frames as the data grows and
// DataSource reads them, sync and async, each value as the writer wrote it. Variable-length data
// (vlen strings, sequences) is outside SWMR's scope in HDF5 (its global heap is not flushed with the
// dataset: a reader can see the new extent and an empty string), so live data uses fixed lengths;
// h5swmr's own writer refuses variable-length writes once SWMR writing has started.
import { DataSource, File, GrowthFollower, datasetGrowth, type DataSourceItem } from '../../lib'
import { spawnPython } from '../helpers/processes'
import { collectAsync, filePath } from './helpers'

const FRAMES = 40

// Frame i: time "2026-12-04T10:00:00.iii", stamp "frame-iii ✓", record {index: i, x: i / 4, name: "n<i>", ok: i % 2 == 0}.
const WRITER = `
import sys, time, h5py, numpy as np
path, frames = sys.argv[1], int(sys.argv[2])
rec = np.dtype([("index", "<i8"), ("x", "<f8"), ("name", "S8"), ("ok", "?")])
with h5py.File(path, "w", libver="latest") as f:
    t = f.create_dataset("entry/time", shape=(0,), maxshape=(None,), dtype="S23", chunks=(8,))
    s = f.create_dataset("entry/stamp", shape=(0,), maxshape=(None,), dtype=h5py.string_dtype("utf-8", 16), chunks=(8,))
    r = f.create_dataset("entry/record", shape=(0,), maxshape=(None,), dtype=rec, chunks=(8,))
    f.swmr_mode = True
    print("ready", flush=True)
    for i in range(frames):
        for d in (t, s, r):
            d.resize((i + 1,))
        t[i] = b"2026-12-04T10:00:00.%03d" % i
        s[i] = ("frame-%03d ✓" % i).encode()
        r[i] = (i, i / 4, b"n%d" % i, i % 2 == 0)
        for d in (t, s, r):
            d.flush()
        time.sleep(0.01)
print("done", flush=True)
`

function expectFrame(item: DataSourceItem, i: number): void {
  expect(item.index).toBe(i)
  expect(item.frames.time.data).toEqual([`2026-12-04T10:00:00.${String(i).padStart(3, '0')}`])
  expect(item.frames.stamp.data).toEqual([`frame-${String(i).padStart(3, '0')} ✓`])
  expect(item.frames.record.data).toEqual([{ index: BigInt(i), x: i / 4, name: `n${i}`, ok: i % 2 === 0 }])
  expect(item.frames.record.shape).toEqual([1])
}

async function follow(async: boolean): Promise<void> {
  const file = filePath(async ? 'values-async' : 'values-sync')
  const w = spawnPython(WRITER, [file, String(FRAMES)])
  await w.waitFor('ready')
  using f = File.open(file, { swmr: true })
  const time = f.dataset('/entry/time')
  const follower = new GrowthFollower(datasetGrowth(time), { expected: FRAMES, timeout: 10000, pollInterval: 20 })
  const source = new DataSource(null, { time, stamp: f.dataset('/entry/stamp'), record: f.dataset('/entry/record') }, { follower, reuseBuffers: true })
  let items: DataSourceItem[]
  let seenGrowing = false
  if (async) {
    items = await collectAsync(source)
  } else {
    items = []
    for (const item of source) {
      if (time.shape[0] < FRAMES) seenGrowing = true
      items.push(item)
    }
  }
  expect(items).toHaveLength(FRAMES)
  items.forEach((item, i) => expectFrame(item, i))
  if (!async) expect(seenGrowing).toBe(true) // followed while written, not read after
  expect(follower.finished).toBe(true)
  expect(await w.exited).toBe(0)
}

test('strings and records grow live: GrowthFollower + DataSource, for-of', () => follow(false))
test('strings and records grow live: GrowthFollower + DataSource, for await', () => follow(true))

test('h5swmr\'s writer refuses variable-length data once SWMR writing has started (HDF5 cannot show it to readers)', () => {
  using f = File.create(filePath('vlen-swmr'))
  const v = f.createDataset('/v', { dtype: 'string', shape: [0], maxshape: [null], chunks: [4] })
  const fixed = f.createDataset('/fixed', { dtype: { string: 8 }, shape: [0], maxshape: [null], chunks: [4] })
  f.startSwmrWrite()
  v.extend([1])
  expect(() => v.write(null, ['x'])).toThrow(expect.objectContaining({ code: 'H5_SWMR_RESTRICTED' }))
  fixed.extend([1])
  fixed.write(null, ['ok'])
  expect(fixed.read()).toEqual(['ok'])
})
