// pymodaq_data SWMR helpers (TestSWMRUtilityFunctions, TestSWMRUtilities, TestSWMRAttributeTracking),
// including the cases pymodaq gets wrong: a writer in another process, a missing file.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { collectDatasets, File, H5Error, isFileSwmrActive, openForReading, readSuperblockStatus, refreshCached, refreshDatasets } from '../lib'
import { spawnNode, spawnPython, spawnWriter, tmpDir } from './helpers/processes'

const dir = tmpDir('h5swmr-refresh-')
let n = 0
const fresh = (name: string) => path.join(dir, `${name}-${n++}.h5`)

/** A closed file with /data (and optionally the root swmr_active marker). */
function plainFile(attrs: Record<string, boolean> = {}): string {
  const p = fresh('plain')
  const f = File.create(p)
  f.createDataset('/data', { dtype: 'int32', shape: [3], maxshape: [null], chunks: [4] }).write(null, Int32Array.from([1, 2, 3]))
  for (const [k, v] of Object.entries(attrs)) f.setAttr(k, v)
  f.close()
  return p
}

function code(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    return (err as H5Error).code
  }
  return undefined
}

describe('openForReading', () => {
  test('plain file: isSwmr false, data readable; forced true/false', () => {
    const p = plainFile()
    const auto = openForReading(p)
    expect(auto.isSwmr).toBe(false)
    expect(auto.file.isSwmr).toBe(false)
    expect(Array.from(auto.file.dataset('/data').read())).toEqual([1, 2, 3])
    auto.file.close()
    const forced = openForReading(p, { swmr: true })
    expect(forced.isSwmr).toBe(true)
    expect(forced.file.isSwmr).toBe(true)
    forced.file.close()
    const off = openForReading(p, { swmr: false })
    expect(off.isSwmr).toBe(false)
    off.file.close()
    expect(code(() => openForReading(p, { swmr: 'yes' as unknown as boolean }))).toBe('ERR_INVALID_ARG')
  })

  test('root swmr_active marker: true → SWMR read; false (after finalize) → plain', () => {
    const on = openForReading(plainFile({ swmr_active: true }))
    expect(on.isSwmr).toBe(true)
    on.file.close()
    const off = openForReading(plainFile({ swmr_active: false }))
    expect(off.isSwmr).toBe(false)
    off.file.close()
  })

  test('same-process SWMR writer with the swmr_active marker → isSwmr true', () => {
    const p = fresh('same')
    const w = File.create(p)
    const d = w.createDataset('/data', { dtype: 'int32', shape: [1], maxshape: [null], chunks: [4] })
    w.setAttr('swmr_active', true)
    w.startSwmrWrite()
    d.write(null, Int32Array.from([5]))
    d.flush()
    try {
      const r = openForReading(p)
      expect(r.isSwmr).toBe(true)
      expect(Array.from(r.file.dataset('/data').read())).toEqual([5])
      r.file.close()
      expect(isFileSwmrActive(p)).toBe(true)
    } finally {
      w.close()
    }
  })

  test('foreign SWMR writer process (no marker): auto opens SWMR-read (pymodaq re-raises)', async () => {
    const p = fresh('foreign')
    const w = spawnWriter(p, { frames: 2, frameShape: [2, 2], stepped: true })
    await w.waitFor('ready')
    w.send('go')
    await w.waitFor('frame 0')
    // A plain open fails: the writer holds the file (what pymodaq's auto mode trips on).
    expect(code(() => File.open(p, { swmr: false, locking: false }))).toBe('H5_FILE_IN_USE')
    expect(readSuperblockStatus(p)).toEqual({ version: 3, offset: 0, writeAccess: true, swmrWriteAccess: true })
    const r = openForReading(p)
    try {
      expect(r.isSwmr).toBe(true)
      expect(r.file.dataset('/entry/keys/uid').shape).toEqual([1])
      expect(isFileSwmrActive(p)).toBe(true)
    } finally {
      r.file.close()
    }
    w.send('go')
    expect(await w.exited).toBe(0)
    // Writer gone, no marker: plain.
    expect(isFileSwmrActive(p)).toBe(false)
    const after = openForReading(p)
    expect(after.isSwmr).toBe(false)
    after.file.close()
  })

  test('foreign pymodaq-style h5py writer (swmr_active marker, swmr_mode): auto → SWMR-read, reads live data', async () => {
    const p = fresh('pymodaq')
    const py = spawnPython(`
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "w", libver="latest")
d = f.create_dataset("RawData/data", shape=(0, 3), maxshape=(None, 3), dtype="f8", chunks=(1, 3))
f.attrs["swmr_active"] = True
f.swmr_mode = True
d.resize((1, 3)); d[0] = [1, 2, 3]; d.flush()
print("ready", flush=True)
sys.stdin.readline()
d.resize((2, 3)); d[1] = [4, 5, 6]; d.flush()
print("grew", flush=True)
sys.stdin.readline()
f.close()
`, [p])
    await py.waitFor('ready')
    expect(isFileSwmrActive(p)).toBe(true)
    const r = openForReading(p)
    try {
      expect(r.isSwmr).toBe(true)
      expect(r.file.attrs.swmr_active).toBe(true) // an h5py bool (enum over int8) reads as a boolean
      const cache = collectDatasets(r.file.group('/RawData'))
      expect([...cache.keys()]).toEqual(['/RawData/data'])
      expect(cache.get('/RawData/data')!.shape).toEqual([1, 3])
      py.send('')
      await py.waitFor('grew')
      expect(refreshCached(cache)).toEqual(['/RawData/data'])
      expect(cache.get('/RawData/data')!.shape).toEqual([2, 3])
      expect(Array.from(cache.get('/RawData/data')!.read())).toEqual([1, 2, 3, 4, 5, 6])
      expect(refreshCached(cache)).toEqual([])
    } finally {
      r.file.close()
      py.send('')
    }
    expect(await py.exited).toBe(0)
  })

  test('foreign writer that has not started SWMR: auto throws H5_SWMR_NOT_ACTIVE; not "active"', async () => {
    const p = fresh('notyet')
    const node = spawnNode(`
const f = h5.File.create(process.argv[1])
f.createDataset('/data', { dtype: 'int32', shape: [1], maxshape: [null], chunks: [4] })
f.flush()
console.log('ready')
process.stdin.once('data', () => { f.close(); process.exit(0) })
`, [p])
    await node.waitFor('ready')
    try {
      expect(readSuperblockStatus(p)).toMatchObject({ writeAccess: true, swmrWriteAccess: false })
      expect(code(() => openForReading(p))).toBe('H5_SWMR_NOT_ACTIVE')
      expect(isFileSwmrActive(p)).toBe(false)
    } finally {
      node.send('')
    }
    expect(await node.exited).toBe(0)
  })

  test('a crashed SWMR writer leaves the SWMR flag: still "active", auto opens SWMR-read and reads what was flushed', async () => {
    const p = fresh('crashed')
    const w = spawnWriter(p, { frames: 5, frameShape: [2, 2], stepped: true })
    await w.waitFor('ready')
    w.send('go')
    w.send('go')
    await w.waitFor('frame 1')
    w.child.kill('SIGKILL') // a real crash: no atexit handlers, no close (process.exit would close cleanly)
    await w.exited
    expect(readSuperblockStatus(p)?.swmrWriteAccess).toBe(true)
    expect(isFileSwmrActive(p)).toBe(true)
    const r = openForReading(p)
    try {
      expect(r.isSwmr).toBe(true)
      expect(Array.from(r.file.dataset('/entry/keys/uid').read())).toEqual([1, 2])
    } finally {
      r.file.close()
    }
  })

  test('readSuperblockStatus: a closed file has clean flags; no signature → null', () => {
    expect(readSuperblockStatus(plainFile())).toEqual({ version: 3, offset: 0, writeAccess: false, swmrWriteAccess: false })
    const text = path.join(dir, 'text0.h5')
    fs.writeFileSync(text, 'x'.repeat(5000))
    expect(readSuperblockStatus(text)).toBeNull()
    expect(code(() => readSuperblockStatus(path.join(dir, 'nope.h5')))).toBe('ENOENT')
  })

  test('a missing file is ENOENT (pymodaq: "active"); a non-HDF5 file is H5_NOT_HDF5', () => {
    const missing = path.join(dir, 'missing.h5')
    for (const swmr of ['auto', true, false] as const) expect(code(() => openForReading(missing, { swmr }))).toBe('ENOENT')
    expect(code(() => isFileSwmrActive(missing))).toBe('ENOENT')
    const text = path.join(dir, 'text.h5')
    fs.writeFileSync(text, 'not hdf5\n'.repeat(100))
    expect(code(() => openForReading(text))).toBe('H5_NOT_HDF5')
    expect(code(() => isFileSwmrActive(text))).toBe('H5_NOT_HDF5')
  })
})

describe('collectDatasets / refreshDatasets / refreshCached', () => {
  const linked = fresh('links')
  const external = fresh('external')
  beforeAll(async () => {
    const py = spawnPython(`
import sys, h5py, numpy as np
with h5py.File(sys.argv[2], "w") as e:
    e["ext/data"] = np.arange(4)
with h5py.File(sys.argv[1], "w") as f:
    f["RawData/data1"] = np.zeros(3)
    f["RawData/sub/data2"] = np.zeros((2, 2))
    f.create_group("Empty")
    f["Links/soft_data"] = h5py.SoftLink("/RawData/data1")
    f["Links/soft_group"] = h5py.SoftLink("/RawData/sub")
    f["Links/loop"] = h5py.SoftLink("/Links")
    f["Links/dangling"] = h5py.SoftLink("/nowhere")
    f["Links/external"] = h5py.ExternalLink(sys.argv[2], "/ext/data")
print("done", flush=True)
`, [linked, external])
    await py.waitFor('done')
    await py.exited
  })

  test('absolute paths of every dataset under a group; empty group → empty map', () => {
    const f = File.open(linked, { swmr: false })
    try {
      const raw = collectDatasets(f.group('/RawData'))
      expect([...raw.keys()].sort()).toEqual(['/RawData/data1', '/RawData/sub/data2'])
      expect(raw.size).toBe(2)
      expect(raw.get('/RawData/sub/data2')!.shape).toEqual([2, 2])
      expect(raw.get('/RawData/data1')).toBe(f.dataset('/RawData/data1')) // the file's long-lived Dataset
      expect(collectDatasets(f.group('/Empty')).size).toBe(0)
      // Like h5py's visititems: soft and external links are not followed by default.
      expect([...collectDatasets(f).keys()].sort()).toEqual(['/RawData/data1', '/RawData/sub/data2'])
    } finally {
      f.close()
    }
  })

  test('followLinks: soft and external links are walked, loops and dangling links skipped', () => {
    const f = File.open(linked, { swmr: false })
    try {
      const all = collectDatasets(f.group('/Links'), { followLinks: true })
      expect([...all.keys()].sort()).toEqual(['/Links/external', '/Links/soft_data', '/Links/soft_group/data2'])
      expect(Array.from(all.get('/Links/external')!.read()).map(Number)).toEqual([0, 1, 2, 3])
    } finally {
      f.close()
    }
  })

  test('refreshDatasets and refreshCached follow a growing dataset written by another process', async () => {
    const p = fresh('grow')
    const w = spawnWriter(p, { frames: 2, frameShape: [2, 2], stepped: true })
    await w.waitFor('ready')
    w.send('go')
    await w.waitFor('frame 0')
    const { file, isSwmr } = openForReading(p)
    try {
      expect(isSwmr).toBe(true)
      const map = refreshDatasets(file)
      expect([...map.keys()].sort()).toEqual(['/entry/data/data', '/entry/finished', '/entry/keys/uid', '/entry/start_time', '/entry/title'])
      expect(map.get('/entry/data/data')!.shape[0]).toBe(1)
      w.send('go')
      await w.waitFor('frame 1')
      expect(refreshCached(map).sort()).toEqual(['/entry/data/data', '/entry/keys/uid'])
      expect(map.get('/entry/data/data')!.shape[0]).toBe(2)
      expect(Array.from(map.get('/entry/keys/uid')!.read())).toEqual([1, 2])
    } finally {
      file.close()
    }
    expect(await w.exited).toBe(0)
  })
})
