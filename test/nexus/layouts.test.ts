// Real beamline layouts: virtual datasets (Odin), Eiger master files with external links, Diamond
// NeXus scans — static files and live ones written by other processes; every frame checked.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { VirtualFrameReader, File, resolveVirtualFrame, type DataSource } from '../../lib'
import { EigerFrames, discoverScan, followScan } from '../../lib/nexus'
import { checkFrame } from '../../lib/simulate'
import { PYTHON, spawnProcess, tmpDir } from '../helpers/processes'

const dir = tmpDir()
const BEAMLINE = path.join(__dirname, '..', 'fixtures', 'beamline.py')
const EIGER_WRITER = path.join(__dirname, '..', 'fixtures', 'eiger-writer.js')
let n = 0
const sub = () => {
  const d = path.join(dir, `case-${n++}`)
  fs.mkdirSync(d)
  return d
}

async function python(kind: string, out: string, kw: object = {}) {
  const p = spawnProcess(PYTHON, [BEAMLINE, kind, out, JSON.stringify(kw)])
  expect(await p.exited).toBe(0)
}

describe('virtual datasets', () => {
  test('static: frames resolve to their sources and read the same as through the VDS', async () => {
    const out = path.join(sub(), 'vds.h5')
    await python('vds_static', out)
    const f = File.open(out, { swmr: false })
    for (const name of ['interleaved', 'concatenated']) {
      const vds = f.dataset(`/entry/data/${name}`)
      expect(vds.layout).toBe('virtual')
      const mapping = vds.virtualMapping()!
      expect(mapping).toHaveLength(2)
      const at = resolveVirtualFrame(vds, mapping, 7)!
      if (name === 'interleaved') expect(at).toMatchObject({ file: path.join(path.dirname(out), 'vsrc1.h5'), dataset: 'data', index: 3 })
      else expect(at).toMatchObject({ file: path.join(path.dirname(out), 'vsrc0.h5'), index: 7 })
      // interleaved: frame i is written with pattern i; concatenated re-orders them
      const direct = vds.read() as Uint16Array
      const reader = VirtualFrameReader.tryCreate(vds)!
      for (let i = 0; i < 20; i++) {
        const viaSource = reader.readFrame(i)
        expect(Array.from(viaSource.data as Uint16Array)).toEqual(Array.from(direct.subarray(i * 20, (i + 1) * 20)))
        const expectIndex = name === 'interleaved' ? i : (i % 10) * 2 + Math.floor(i / 10)
        expect(checkFrame(viaSource.data, expectIndex)).toBe(true)
        expect(viaSource.position).toEqual([i])
      }
      reader.close()
    }
    f.close()
  })

  test('live: an Odin-like writer fills two source files; the follower reads every frame from its source', async () => {
    const out = path.join(sub(), 'top.h5')
    const w = spawnProcess(PYTHON, [BEAMLINE, 'vds_live', out, JSON.stringify({ per: 15, rate: 300 })])
    await w.waitFor('ready')
    const top = File.open(out, { swmr: true, locking: false })
    const { source, discovery } = followScan(top, { timeout: 3000, pollInterval: 2 })
    expect(discovery.data).toEqual([expect.objectContaining({ path: '/entry/data/data', kind: 'virtual', rule: 'NXdata@signal' })])
    expect(discovery.keys.map((k) => k.path)).toEqual(['/entry/keys/uid'])
    const seen: number[] = []
    for await (const item of source) {
      expect(checkFrame(item.frames['/entry/data/data'].data, item.index)).toBe(true)
      seen.push(item.index)
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(source.isScanFinished()).toBe(true)
    await w.exited
    // The source files the DataSource opened are its to close; the top file is ours.
    const before = File.openObjectCount()
    source.close()
    expect(File.openObjectCount()).toBeLessThan(before)
    top.close()
    expect(File.openObjectCount()).toBe(0)
  })
})

// Start an Eiger-style writer (3 files of 10 frames) and follow it with `source`: the indices seen,
// each frame checked.
async function followEigerWriter(source: DataSource, master: string, options = {}): Promise<number[]> {
  const w = spawnProcess(process.execPath, [EIGER_WRITER, master, JSON.stringify({ files: 3, per: 10, rateHz: 300, ...options })])
  const seen: number[] = []
  for await (const item of source) {
    expect(checkFrame(item.frames['/entry/data'].data, item.index)).toBe(true)
    seen.push(item.index)
  }
  expect(await w.exited).toBe(0)
  return seen
}

describe('Eiger master files', () => {
  test('static, with and without image_nr ranges: one frame sequence across the data files', async () => {
    for (const ranges of [true, false]) {
      const d = sub()
      const master = path.join(d, 'xtal_master.h5')
      await python('eiger_master', master, { n_files: 3, per: 8 })
      const w = spawnProcess(process.execPath, [EIGER_WRITER, master, JSON.stringify({ files: 3, per: 8, rateHz: 1000, ranges })])
      expect(await w.exited).toBe(0)
      const f = File.open(master, { swmr: false })
      const eiger = new EigerFrames(f)
      expect(eiger.expectedFrames()).toBe(24)
      expect(eiger.available()).toBe(24)
      expect(eiger.locate(17)).toMatchObject({ index: 1, link: '/entry/data/data_000003' })
      for (let i = 0; i < 24; i++) expect(checkFrame(eiger.readFrame(i).data, i)).toBe(true)
      eiger.close()
      f.close()
    }
  })

  test('live: data files appear one by one; following without keys gets every frame and says so', async () => {
    const d = sub()
    const master = path.join(d, 'live_master.h5')
    await python('eiger_master', master, { n_files: 3, per: 10 })
    const f = File.open(master, { swmr: false })
    const { source, keyless, discovery, eiger } = followScan(f, { timeout: 3000, pollInterval: 2 })
    expect(keyless).toBe(true)
    expect(discovery.notes.join()).toMatch(/no key datasets: following falls back to the growth of the data/)
    expect(discovery.data[0]).toMatchObject({ kind: 'eiger', path: '/entry/data' })
    expect(await followEigerWriter(source, master)).toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(source.isScanFinished()).toBe(true) // nimages reached
    for (const e of eiger) e.close()
    f.close()
    expect(File.openObjectCount()).toBe(0)
  })

  test('live, with image_nr_high stale (0, as created): the extent of the file being written decides', async () => {
    const d = sub()
    const master = path.join(d, 'stale_master.h5')
    await python('eiger_master', master, { n_files: 3, per: 10 })
    const f = File.open(master, { swmr: false })
    const { source, eiger: followed } = followScan(f, { timeout: 3000, pollInterval: 2 })
    expect(await followEigerWriter(source, master, { staleHigh: true })).toEqual(Array.from({ length: 30 }, (_, i) => i))
    for (const e of followed) e.close()
    // Complete now, opened afresh: high < low is still not believed; each file is as long as it is.
    const again = File.open(master, { swmr: false })
    const eiger = new EigerFrames(again)
    expect(eiger.available()).toBe(30)
    expect(eiger.files.map((x) => x.capacity)).toEqual([null, null, null])
    expect(eiger.locate(25)).toMatchObject({ index: 5, link: '/entry/data/data_000003' })
    eiger.close()
    again.close()
    f.close()
    expect(File.openObjectCount()).toBe(0)
  })

  test('a data file that never appears: waited for, then H5_NOT_FOUND naming it', async () => {
    const d = sub()
    const master = path.join(d, 'gone_master.h5')
    await python('eiger_master', master, { n_files: 2, per: 4 })
    const f = File.open(master, { swmr: false })
    const eiger = new EigerFrames(f)
    expect(eiger.available()).toBe(0)
    const t0 = Date.now()
    await expect(eiger.waitForFrame(0, 300)).rejects.toMatchObject({
      code: 'H5_NOT_FOUND',
      message: expect.stringContaining(path.join(d, 'gone_data_000001.h5')),
    })
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290)
    f.close()
  })
})

test('Diamond NeXus scan: keys, finished flag, scan shape and data discovered, with the rule for each', async () => {
  const out = path.join(sub(), 'i22-1234.nxs')
  await python('diamond', out)
  const f = File.open(out, { swmr: true })
  const found = discoverScan(f)
  expect(found.entry).toBe('/entry')
  expect(found.keys).toEqual([{ path: '/entry/diamond_scan/keys/pilatus_uid', rule: 'diamond_scan/keys' }])
  expect(found.finished).toEqual({ path: '/entry/diamond_scan/scan_finished', rule: 'diamond_scan/scan_finished' })
  expect(found.scanShape).toEqual([3, 4])
  expect(found.scanRank).toBe(2)
  // NXdata signal and NXdetector data are the same dataset (a soft link): found once
  expect(found.data).toEqual([{ path: '/entry/pilatus/data', rule: 'NXdata@signal', label: '/entry/pilatus/data', kind: 'dataset' }])
  const { source } = followScan(f, { timeout: 500 })
  const items = [...source]
  expect(items.map((i) => i.position)).toEqual(Array.from({ length: 12 }, (_, i) => [Math.floor(i / 4), i % 4]))
  items.forEach((item) => expect(checkFrame(item.frames['/entry/pilatus/data'].data, item.index)).toBe(true))
  expect(source.isScanFinished()).toBe(true)
  f.close()
})

test('our own simulator files are discovered too', async () => {
  const { simulateScan } = await import('../../lib/simulate')
  const out = path.join(sub(), 'sim.h5')
  await simulateScan(out, { frames: 6, scanShape: [2, 3], frameShape: [4, 4], detectors: 2 })
  const f = File.open(out)
  const found = discoverScan(f)
  expect(found.keys.map((k) => k.path)).toEqual(['/entry/keys/uid', '/entry/keys/uid2'])
  expect(found.finished?.path).toBe('/entry/finished')
  expect(found.data.map((d) => d.path)).toEqual(['/entry/data/data', '/entry/data2/data'])
  f.close()
})
