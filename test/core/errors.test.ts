// Each error code comes from a real situation, is an H5Error with a stable code, carries HDF5's
// error stack where HDF5 failed, and HDF5 never prints anything on its own.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { File, H5Error } from '../../lib'
import { spawnNode, spawnPython, tmpDir } from '../helpers/processes'

const dir = tmpDir()

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(H5Error)
    return (err as H5Error).code
  }
  throw new Error('expected an error')
}

function errorOf(fn: () => unknown): H5Error {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(H5Error)
    return err as H5Error
  }
  throw new Error('expected an error')
}

// A writer process holding `file` open for writing, before or after startSwmrWrite().
const HOLDER = `
  const [file, mode] = process.argv.slice(1)
  const f = h5.File.create(file)
  f.createDataset('/x', { dtype: 'uint8', shape: [0], maxshape: [null], chunks: [16] })
  f.flush()
  if (mode === 'swmr') f.startSwmrWrite()
  console.log('ready')
  process.stdin.on('data', () => process.exit(0))
  process.stdin.on('end', () => process.exit(0))
`

let plain: string
beforeAll(() => {
  plain = path.join(dir, 'plain.h5')
  const f = File.create(plain)
  f.createDataset('/entry/data', { dtype: 'uint16', shape: [4, 5] }).write(null, new Uint16Array(20).fill(3))
  f.close()
})

test('ENOENT: a missing file', () => {
  const err = errorOf(() => File.open(path.join(dir, 'missing.h5')))
  expect(err.code).toBe('ENOENT')
  expect(err.message).toContain('missing.h5')
})

test('H5_NOT_HDF5: a file that is not HDF5, with the HDF5 stack in the message', () => {
  const txt = path.join(dir, 'notes.txt')
  fs.writeFileSync(txt, 'this is not an HDF5 file\n'.repeat(100))
  const err = errorOf(() => File.open(txt))
  expect(err.code).toBe('H5_NOT_HDF5')
  expect(err.message).toContain('file signature not found')
  expect(err.message).toContain('HDF5 error stack')
  expect(err.hdf5Stack.length).toBeGreaterThan(0)
  expect(err.hdf5Stack.some((f) => f.function === 'H5Fopen')).toBe(true)
})

test('H5_NOT_FOUND: a path that does not exist inside the file', () => {
  const f = File.open(plain)
  expect(codeOf(() => f.dataset('/entry/nope'))).toBe('H5_NOT_FOUND')
  expect(codeOf(() => f.dataset('/no/such/group/data'))).toBe('H5_NOT_FOUND')
  expect(codeOf(() => f.get('/entry/nope'))).toBe('H5_NOT_FOUND')
  expect(codeOf(() => f.list('/nope'))).toBe('H5_NOT_FOUND')
  expect(codeOf(() => f.group('/entry/data'))).toBe('H5_NOT_A_GROUP')
  f.close()
})

describe('a writer process holding the file', () => {
  test('H5_LOCKED (SWMR reader, default locking) and H5_SWMR_NOT_ACTIVE (locking off) before startSwmrWrite', async () => {
    const file = path.join(dir, 'held.h5')
    const w = spawnNode(HOLDER, [file, 'plain'])
    await w.waitFor('ready')
    const locked = errorOf(() => File.open(file, { swmr: true }))
    expect(locked.code).toBe('H5_LOCKED')
    expect(locked.message).toContain('unable to lock file')
    const notActive = errorOf(() => File.open(file, { swmr: true, locking: false }))
    expect(notActive.code).toBe('H5_SWMR_NOT_ACTIVE')
    w.send('quit')
    expect(await w.exited).toBe(0)
  })

  test('H5_FILE_IN_USE: a plain (non-SWMR) read of a file open for SWMR writing; SWMR read works', async () => {
    const file = path.join(dir, 'swmr-held.h5')
    const w = spawnNode(HOLDER, [file, 'swmr'])
    await w.waitFor('ready')
    expect(codeOf(() => File.open(file, { swmr: false, locking: false }))).toBe('H5_FILE_IN_USE')
    const ok = File.open(file, { swmr: true, locking: false })
    expect(ok.dataset('/x').shape).toEqual([0])
    ok.close()
    w.send('quit')
    await w.exited
  })

  test('a crashed SWMR writer: SWMR read still opens, plain read is H5_FILE_IN_USE', async () => {
    const file = path.join(dir, 'crashed.h5')
    const w = spawnNode(HOLDER, [file, 'swmr'])
    await w.waitFor('ready')
    w.kill()
    await w.exited
    expect(codeOf(() => File.open(file, { swmr: false }))).toBe('H5_FILE_IN_USE')
    const f = File.open(file, { swmr: true })
    expect(f.dataset('/x').shape).toEqual([0])
    f.close()
  })
})

// A deflate dataset (h5py, v1 object headers without checksums) whose filter id is patched to
// 32099, which no library or plugin provides.
const MISSING_FILTER = `import h5py, numpy, struct, sys
p = sys.argv[1]
with h5py.File(p, 'w') as f:
    f.create_dataset('d', data=numpy.arange(1000, dtype='u2'), chunks=(100,), compression='gzip')
b = bytearray(open(p, 'rb').read())
i = b.find(b'deflate\\x00')
assert struct.unpack('<H', b[i-8:i-6])[0] == 1
b[i-8:i-6] = struct.pack('<H', 32099)
open(p, 'wb').write(b)
print('ok')`

test('H5_FILTER_UNAVAILABLE names the filter and the plugin path searched', async () => {
  const file = path.join(dir, 'nofilter.h5')
  const py = spawnPython(MISSING_FILTER, [file])
  expect(await py.exited).toBe(0)
  const f = File.open(file, { swmr: false })
  const ds = f.dataset('/d')
  expect(ds.filters.map((x) => x.id)).toEqual([32099])
  expect(ds.filters[0].available).toBe(false)
  const err = errorOf(() => ds.read())
  expect(err.code).toBe('H5_FILTER_UNAVAILABLE')
  expect(err.message).toContain('filter 32099')
  expect(err.message).toMatch(/plugin path searched: '[^']*plugins/)
  expect(err.message).toContain('HDF5_PLUGIN_PATH')
  await expect(ds.readAsync()).rejects.toMatchObject({ code: 'H5_FILTER_UNAVAILABLE' })
  f.close()
})

test('H5_BAD_SELECTION and H5_BAD_BUFFER: out of range, wrong rank, zero step, wrong type or size', () => {
  const f = File.open(plain)
  const ds = f.dataset('/entry/data')
  expect(codeOf(() => ds.read({ start: [4, 0], count: [1, 5] }))).toBe('H5_BAD_SELECTION')
  expect(codeOf(() => ds.read({ start: [0, 0], count: [2, 3], step: [4, 1] }))).toBe('H5_BAD_SELECTION')
  expect(codeOf(() => ds.read({ start: [0], count: [1] }))).toBe('H5_BAD_SELECTION')
  expect(codeOf(() => ds.read({ start: [0, 0], count: [1, 1], step: [0, 1] }))).toBe('H5_BAD_SELECTION')
  expect(codeOf(() => ds.read({ start: [-1, 0], count: [1, 1] }))).toBe('H5_BAD_SELECTION')
  expect(codeOf(() => ds.readInto(null, new Float32Array(20)))).toBe('H5_BAD_BUFFER')
  expect(codeOf(() => ds.readInto(null, new Uint16Array(19)))).toBe('H5_BAD_BUFFER')
  f.close()
})

test('H5_UNSUPPORTED_TYPE names what the type is (a 16-byte integer, which h5py refuses too); compounds and strings read', async () => {
  const file = path.join(dir, 'types.h5')
  const py = spawnPython(
    `import h5py, numpy, sys\nfrom h5py import h5t, h5s, h5d\nwith h5py.File(sys.argv[1], 'w') as f:\n` +
      `    f['c'] = numpy.zeros(3, dtype=[('a', 'i4'), ('b', 'f8')])\n    f['s'] = numpy.array([b'ab', b'cd'])\n` +
      `    t = h5t.STD_I64LE.copy()\n    t.set_size(16)\n    h5d.create(f.id, b'wide', t, h5s.create_simple((2,)))\n` +
      `    try:\n        f['wide'][()]\n        print('h5py read it')\n    except Exception as e:\n        print('h5py refused')\n`,
    [file],
  )
  expect(await py.exited).toBe(0)
  expect(py.lines).toEqual(['h5py refused'])
  const f = File.open(file)
  const c = f.dataset('/c')
  expect(c.dtype).toBe('compound')
  expect(c.shape).toEqual([3])
  expect(c.read()).toEqual([{ a: 0, b: 0 }, { a: 0, b: 0 }, { a: 0, b: 0 }])
  expect(f.dataset('/s').read()).toEqual(['ab', 'cd'])
  const wide = f.dataset('/wide')
  expect(wide.typeClass).toBe('integer of 16 bytes')
  const err = errorOf(() => wide.read())
  expect(err.code).toBe('H5_UNSUPPORTED_TYPE')
  expect(err.message).toContain('integer of 16 bytes')
  await expect(wide.readAsync()).rejects.toMatchObject({ code: 'H5_UNSUPPORTED_TYPE' })
  f.close()
})

test('H5_CLOSED: using a closed file or dataset', async () => {
  const f = File.open(plain)
  const ds = f.dataset('/entry/data')
  f.close()
  expect(codeOf(() => ds.read())).toBe('H5_CLOSED')
  expect(codeOf(() => ds.refresh())).toBe('H5_CLOSED')
  expect(codeOf(() => f.dataset('/entry/data'))).toBe('H5_CLOSED')
  expect(() => ds.readAsync()).toThrow(expect.objectContaining({ code: 'H5_CLOSED' }))
  f.close() // closing twice is fine
})

test('H5_READ_ONLY and H5_SWMR_RESTRICTED: writes the file mode does not allow', () => {
  const f = File.open(plain)
  expect(codeOf(() => f.dataset('/entry/data').write(null, new Uint16Array(20)))).toBe('H5_READ_ONLY')
  expect(codeOf(() => f.createGroup('/g'))).toBe('H5_READ_ONLY')
  expect(codeOf(() => f.setAttr('a', 1))).toBe('H5_READ_ONLY')
  f.close()
  const w = File.create(path.join(dir, 'restricted.h5'))
  w.createDataset('/d', { dtype: 'uint8', shape: [0], maxshape: [null] })
  w.startSwmrWrite()
  expect(codeOf(() => w.createDataset('/e', { dtype: 'uint8', shape: [1] }))).toBe('H5_SWMR_RESTRICTED')
  expect(codeOf(() => w.setAttr('late', 1))).toBe('H5_SWMR_RESTRICTED')
  w.close()
})

test('HDF5 prints nothing by itself, on the main thread or on pool threads', async () => {
  const lzf = path.join(dir, 'nofilter.h5')
  const p = spawnNode(
    `const [dir, lzf] = process.argv.slice(1)
     for (const bad of [dir + '/missing.h5', __filename, '/etc/hostname']) { try { h5.File.open(bad) } catch {} }
     const f = h5.File.open(lzf, { swmr: false })
     try { f.dataset('/d').read() } catch {}
     Promise.allSettled([1, 2, 3, 4].map(() => f.dataset('/d').readAsync())).then((r) => {
       console.log(r.map((x) => x.status + ':' + (x.reason && x.reason.code)).join(','))
     })`,
    [dir, lzf],
  )
  const line = await p.waitFor(/rejected/)
  expect(line).toBe(Array(4).fill('rejected:H5_FILTER_UNAVAILABLE').join(','))
  await p.exited
  expect(p.stderr).toBe('')
})

describe('damaged files', () => {
  let scan: string
  beforeAll(async () => {
    scan = path.join(dir, 'scan.h5')
    const { simulateScan } = await import('../../lib/simulate')
    await simulateScan(scan, { frames: 8, frameShape: [16, 16] })
  })

  test('H5_TRUNCATED says both sizes', () => {
    const bytes = fs.readFileSync(scan)
    const cut = path.join(dir, 'cut.h5')
    fs.writeFileSync(cut, bytes.subarray(0, 3000))
    const err = errorOf(() => File.open(cut, { swmr: false }))
    expect(err.code).toBe('H5_TRUNCATED')
    expect(err.message).toContain(`ends at byte ${bytes.length} but it has 3000 bytes`)
    // SWMR opens: HDF5 1.10 checks the end of file too; 1.14 no longer does (a live writer may have
    // allocated past what is on disk), and the damage shows at the first read instead.
    const [major, minor] = File.libraryInfo().version.split('.').map(Number)
    if (major === 1 && minor < 13) expect(errorOf(() => File.open(cut)).code).toBe('H5_TRUNCATED')
  })

  test('H5_CORRUPT names the object and the kind of metadata, and fails fast in SWMR mode', () => {
    const bytes = Buffer.from(fs.readFileSync(scan))
    // Flip a bit inside the data's chunk index header (extensible array, signature EAHD).
    const at = bytes.indexOf('EAHD')
    expect(at).toBeGreaterThan(0)
    bytes[at + 6] ^= 0x10
    const flipped = path.join(dir, 'flipped.h5')
    fs.writeFileSync(flipped, bytes)
    const f = File.open(flipped, { swmr: true })
    expect(f.retryInfo().attempts).toBe(27) // the bounded default, not HDF5's 100
    const ds = f.dataset('/entry/data/data')
    const t0 = performance.now()
    const err = errorOf(() => ds.read({ start: [0, 0, 0], count: [1, 16, 16] }))
    const ms = performance.now() - t0
    expect(err.code).toBe('H5_CORRUPT')
    expect(err.message).toMatch(/^Cannot read '\/entry\/data\/data' in '.*flipped\.h5': corrupt extensible-array chunk index/)
    expect(ms).toBeLessThan(1000)
    f.close()
  })
})

test('H5_CORRUPT_CHUNK names the dataset and the chunk when a compressed chunk cannot be decoded', () => {
  const file = path.join(dir, 'badchunk.h5')
  const f = File.create(file)
  const ds = f.createDataset('/d', { dtype: 'uint16', shape: [2, 4096], chunks: [1, 4096], compression: 'deflate', compressionLevel: 1, shuffle: false })
  ds.write(null, Uint16Array.from({ length: 8192 }, (_, i) => (i * 7919) % 1000))
  f.close()
  const bytes = Buffer.from(fs.readFileSync(file))
  // The second chunk's zlib stream (header 78 01 at level 1): garble its body.
  const first = bytes.indexOf(Buffer.from([0x78, 0x01]))
  const second = bytes.indexOf(Buffer.from([0x78, 0x01]), first + 2)
  expect(second).toBeGreaterThan(first)
  bytes.fill(0xff, second + 2, second + 200)
  fs.writeFileSync(file, bytes)
  const r = File.open(file, { swmr: true }).dataset('/d')
  expect(Array.from(r.read({ start: [0, 0], count: [1, 4] }) as Uint16Array)).toEqual([0, 919, 838, 757])
  // our own decoder (the direct path) ...
  const direct = errorOf(() => r.read({ start: [1, 0], count: [1, 4096] }))
  expect(direct.code).toBe('H5_CORRUPT_CHUNK')
  expect(direct.message).toMatch(/^Corrupt chunk 1 \(at \[1, 0\]\) of '\/d' in '.*badchunk\.h5': deflate stream is corrupt/)
  // ... and HDF5's filter pipeline
  const viaHdf5 = errorOf(() => r.read({ start: [1, 0], count: [1, 4096] }, { path: 'hdf5' }))
  expect(viaHdf5.code).toBe('H5_CORRUPT_CHUNK')
  expect(viaHdf5.message).toMatch(/^Cannot read '\/d' in '.*badchunk\.h5': corrupt compressed chunk \[1, 0\]/)
  r.file.close()
})
