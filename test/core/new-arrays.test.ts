// Arrays that reads make new (read, readAsync, readFrames, DataSource without reuseBuffers) are the
// caller's for good: every one its own memory, untouched by later reads, also after the garbage
// collector has freed others (whose memory malloc then hands out again). And how malloc is asked to
// serve that memory (binding/read/memory.h): told by libraryInfo, left alone when the environment
// says how.
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import * as v8 from 'node:v8'
import * as vm from 'node:vm'
import { DataSource, File, type AnyTypedArray } from '../../lib'
import { checkFrame, simulateScan } from '../../lib/simulate'
import { tmpDir } from '../helpers/processes'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

const dir = tmpDir()
const file = path.join(dir, 'frames.h5')
const FRAMES = 40

beforeAll(async () => {
  await simulateScan(file, { frames: FRAMES, frameShape: [128, 160], compression: 'bslz4' }) // 40 KiB frames
})

function distinct(arrays: AnyTypedArray[]): boolean {
  return new Set(arrays.map((a) => a.buffer)).size === arrays.length
}

test('every new array is its own, and stays as read while the collector frees others and later reads reuse their memory', async () => {
  using f = File.open(file)
  const ds = f.dataset('/entry/data/data')
  const sel = (i: number) => ({ start: [i, 0, 0], count: [1, 128, 160] })
  const kept: AnyTypedArray[] = []
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < FRAMES; i++) {
      const a = i % 2 ? await ds.readAsync(sel(i)) : ds.read(sel(i))
      if (i % 8 === round) kept.push(a) // keep a few, drop the rest
    }
    gc()
  }
  for await (const a of ds.readFrames(0, FRAMES, { concurrency: 4 })) kept.push(a)
  const source = new DataSource([f.dataset('/entry/keys/uid')], { data: ds }, { timeout: 1000, finishedDataset: f.dataset('/entry/finished'), concurrency: 3 })
  for await (const item of source) kept.push(item.frames.data.data as AnyTypedArray)
  gc()
  for (let i = 0; i < FRAMES; i++) ds.read(sel(i)) // memory freed above is handed out again here
  expect(kept.length).toBe(5 * 5 + 2 * FRAMES)
  expect(distinct(kept)).toBe(true)
  // Each still holds its frame: frames 0..39 in order for the last 80, the round's picks before.
  const expected = [...[0, 1, 2, 3, 4].flatMap((round) => [...Array(FRAMES).keys()].filter((i) => i % 8 === round)), ...[...Array(FRAMES).keys()], ...[...Array(FRAMES).keys()]]
  kept.forEach((a, k) => expect({ k, ok: checkFrame(a, expected[k]) }).toEqual({ k, ok: true }))
})

test('malloc keeps frame memory for the next frames (glibc), unless the environment says how', () => {
  const glibc = Boolean((process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime)
  const info = File.libraryInfo().frameMemory
  expect(info.tuned).toBe(glibc)
  if (glibc) expect(info).toEqual({ tuned: true, mmapThreshold: 32 << 20, trimThreshold: 256 << 20 })
  const probe = (env: Record<string, string>) =>
    JSON.parse(spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(require(${JSON.stringify(path.join(__dirname, '..', '..', 'dist'))}).File.libraryInfo().frameMemory))`], { env: { ...process.env, ...env }, encoding: 'utf8' }).stdout)
  expect(probe({ MALLOC_TRIM_THRESHOLD_: '1048576' })).toMatchObject({ tuned: false, reason: expect.stringContaining('MALLOC_TRIM_THRESHOLD_') })
  expect(probe({ H5SWMR_MALLOC_TUNING: '0' })).toMatchObject({ tuned: false, reason: 'H5SWMR_MALLOC_TUNING=0' })
})
