// A second process writes in SWMR mode, flushing frame by frame; the reader refreshes and sees the
// shape grow and every frame's true contents, never fill values for a frame whose flush completed.
import * as path from 'node:path'
import { File } from '../../lib'
import { checkFrame } from '../../lib/simulate'
import { spawnWriter, tmpDir } from '../helpers/processes'

const dir = tmpDir()

test('lock-step: after each flushed frame the reader sees the new extent and the exact frame', async () => {
  const file = path.join(dir, 'step.h5')
  const frames = 12
  const w = spawnWriter(file, { frames, frameShape: [16, 24], stepped: true })
  await w.waitFor('ready')
  const f = File.open(file, { swmr: true, locking: false })
  const data = f.dataset('/entry/data/data')
  const keys = f.dataset('/entry/keys/uid')
  expect(data.shape).toEqual([0, 16, 24])
  expect(data.maxshape).toEqual([null, 16, 24])
  for (let i = 0; i < frames; i++) {
    w.send('go')
    await w.waitFor(`frame ${i}`)
    expect(data.refresh()).toBe(true)
    keys.refresh()
    expect(data.shape).toEqual([i + 1, 16, 24])
    expect(keys.read({ start: [i], count: [1] })[0]).toBe(i + 1)
    // every frame so far, not only the newest
    for (let j = 0; j <= i; j++) {
      const frame = data.read({ start: [j, 0, 0], count: [1, 16, 24] })
      expect(checkFrame(frame, j)).toBe(true)
    }
  }
  expect(await w.exited).toBe(0)
  f.close()
})

test('free-running writer at full speed: every frame whose key is set reads back exactly', async () => {
  const file = path.join(dir, 'fast.h5')
  const frames = 400
  const w = spawnWriter(file, { frames, frameShape: [64, 64], dtype: 'uint32' })
  await w.waitFor('ready')
  const f = File.open(file, { swmr: true, locking: false })
  const data = f.dataset('/entry/data/data')
  const keys = f.dataset('/entry/keys/uid')
  const finished = f.dataset('/entry/finished')
  const frame = new Uint32Array(64 * 64)
  let next = 0
  let bad = 0
  let polls = 0
  const deadline = Date.now() + 30000
  while (next < frames && Date.now() < deadline) {
    polls++
    keys.refresh()
    const n = keys.shape[0]
    if (n > next) {
      const tail = keys.read({ start: [next], count: [n - next] }) as Int32Array
      let ready = next
      for (const k of tail) {
        if (k === 0) break
        ready++
      }
      if (ready > next) data.refresh()
      for (; next < ready; next++) {
        await data.readIntoAsync({ start: [next, 0, 0], count: [1, 64, 64] }, frame)
        if (!checkFrame(frame, next)) bad++
      }
    }
    await new Promise((r) => setTimeout(r, 1))
  }
  expect(next).toBe(frames)
  expect(bad).toBe(0)
  expect(polls).toBeGreaterThan(1)
  expect(await w.exited).toBe(0)
  finished.refresh()
  expect(finished.read()[0]).toBe(1)
  f.close()
})

test('pre-sized datasets: a new extent is not data — unwritten frames read as fill until flushed', async () => {
  const file = path.join(dir, 'presized.h5')
  const w = spawnWriter(file, { frames: 5, frameShape: [8, 8], presize: true, stepped: true })
  await w.waitFor('ready')
  const f = File.open(file, { swmr: true, locking: false })
  const data = f.dataset('/entry/data/data')
  expect(data.shape).toEqual([5, 8, 8])
  const sel = (i: number) => ({ start: [i, 0, 0], count: [1, 8, 8] })
  expect(Array.from(data.read(sel(2)) as Uint16Array).every((v) => v === 0)).toBe(true)
  for (let i = 0; i < 5; i++) {
    w.send('go')
    await w.waitFor(`frame ${i}`)
    data.refresh() // the extent never changes, but without refresh the chunk index is stale
    expect(checkFrame(data.read(sel(i)), i)).toBe(true)
    if (i < 4) expect(Array.from(data.read(sel(i + 1)) as Uint16Array).every((v) => v === 0)).toBe(true)
  }
  await w.exited
  f.close()
})
