// zstd (HDF5 filter 32015, one zstd frame per chunk) and blosc (32001, a blosc buffer per chunk, any
// inner codec and shuffle), as NSLS-II and odin-data write: written by h5swmr with its built-in
// filters (no plugin on the path), read back through the direct path (decoded on the pool, off the
// HDF5 lock) and through H5Dread (our filters), whole, frame by frame and as regions.
import * as path from 'node:path'
import * as h5 from '../../lib'
import { tmpDir } from '../helpers/processes'
import { COMPARE_FIXTURE, compareGroups, node, python, withoutPlugins } from './helpers'

const COMPARE = COMPARE_FIXTURE
const dir = tmpDir('h5swmr-codecs-')
const file = path.join(dir, 'codecs.h5')

const DTYPES = ['uint8', 'uint16', 'int32', 'float32', 'float64']
const FRAMES = [[37, 41], [64, 64]]
const BLOSC_CODECS = ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd']
const SHUFFLES = ['none', 'byte', 'bit']
const ZSTD_CASES = DTYPES.length * FRAMES.length * 2
const BLOSC_CASES = DTYPES.length * FRAMES.length * BLOSC_CODECS.length * SHUFFLES.length
const COUNT = 3

// Written in a child process with no plugin on the HDF5 plugin path: our filters do the writing.
const WRITE = `
const [file, spec] = process.argv.slice(1)
const { dtypes, frames, codecs, shuffles, count } = JSON.parse(spec)
const arrays = { uint8: Uint8Array, uint16: Uint16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }
const f = h5.File.create(file)
let seed = 1
function values(dtype, n) {
  // Detector-like: mostly small counts, a few large ones.
  const a = new arrays[dtype](n)
  let x = seed++ * 2654435761 >>> 0
  for (let i = 0; i < n; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; const r = x >>> 4; a[i] = r % 16 === 0 ? r % 200 : r % 4 }
  return a
}
function add(group, name, dtype, frame, options) {
  const shape = [count, ...frame]
  const data = values(dtype, shape.reduce((a, b) => a * b, 1))
  f.createDataset('/' + group + '/' + name, { dtype, shape, chunks: [1, ...frame], ...options }).write(null, data)
  if (!f.has('/orig/' + name)) f.createDataset('/orig/' + name, { dtype, shape }).write(null, data)
}
for (const dtype of dtypes) for (const frame of frames) {
  for (const level of [1, 9]) add('zstd', dtype + '_' + frame.join('x') + '_l' + level, dtype, frame, { compression: 'zstd', compressionLevel: level })
  for (const codec of codecs) for (const shuffle of shuffles)
    add('blosc', dtype + '_' + frame.join('x') + '_' + codec + '_' + shuffle, dtype, frame, { compression: 'blosc', bloscCompressor: codec, bloscShuffle: shuffle })
}
f.close()
const info = h5.File.libraryInfo()
console.log(JSON.stringify({ zstd: info.zstdFilter, blosc: info.bloscFilter }))
`

beforeAll(async () => {
  // /orig holds an uncompressed twin per case (zstd and blosc names differ).
  const spec = { dtypes: DTYPES, frames: FRAMES, codecs: BLOSC_CODECS, shuffles: SHUFFLES, count: COUNT }
  const lines = await node(WRITE, [file, JSON.stringify(spec)], withoutPlugins(dir))
  expect(JSON.parse(lines[lines.length - 1])).toEqual({ zstd: 'builtin', blosc: 'builtin' })
})

test(`${ZSTD_CASES} zstd and ${BLOSC_CASES} blosc datasets (every inner codec and shuffle): direct == H5Dread == the data`, () => {
  const r = compareGroups(h5, file, ['zstd', 'blosc'], 'orig')
  expect(r.problems).toEqual([])
  expect(r.checked).toBe(ZSTD_CASES + BLOSC_CASES)
  expect(r.framePaths).toEqual({ direct: COUNT * (ZSTD_CASES + BLOSC_CASES), hdf5: 0 })
  expect(r.reasons).toEqual({})
})

test('and the same through H5Dread in a process with no plugin (our filters decode)', async () => {
  const lines = await node(
    `const { compareGroups } = require(process.argv[1])
     const r = compareGroups(h5, process.argv[2], ['zstd', 'blosc'], 'orig')
     const info = h5.File.libraryInfo()
     console.log(JSON.stringify({ ...r, zstd: info.zstdFilter, blosc: info.bloscFilter }))`,
    [COMPARE, file],
    withoutPlugins(dir),
  )
  expect(JSON.parse(lines[lines.length - 1])).toMatchObject({
    zstd: 'builtin',
    blosc: 'builtin',
    checked: ZSTD_CASES + BLOSC_CASES,
    problems: [],
  })
})

test('the stored parameters are the plugins\' (hdf5plugin reads them): zstd {level}, blosc {2, 2, type size, chunk bytes, level, shuffle, codec}', () => {
  const f = h5.File.open(file, { swmr: false })
  expect(f.dataset('/zstd/uint16_64x64_l9').filters.map((x) => [x.id, x.cdValues])).toEqual([[32015, [9]]])
  const blosc = f.dataset('/blosc/float32_37x41_zstd_bit').filters
  expect(blosc.map((x) => [x.id, x.cdValues])).toEqual([[32001, [2, 2, 4, 37 * 41 * 4, 5, 2, 5]]])
  expect(f.dataset('/blosc/uint8_64x64_lz4_byte').filters[0].cdValues).toEqual([2, 2, 1, 4096, 5, 1, 1])
  f.close()
})

test('regions and strided reads of zstd and blosc frames', async () => {
  const f = h5.File.open(file, { swmr: false })
  for (const name of ['/zstd/float64_37x41_l1', '/blosc/uint16_64x64_zstd_bit', '/blosc/int32_37x41_blosclz_none']) {
    const ds = f.dataset(name)
    const [, h, w] = ds.shape
    const whole = ds.read({ start: [1, 0, 0], count: [1, h, w] })
    const region = { start: [1, 3, 5], count: [1, 7, 11] }
    expect(ds.readPlan(region).path).toBe('direct')
    const expected = Array.from({ length: 77 }, (_, k) => whole[(3 + Math.floor(k / 11)) * w + 5 + (k % 11)])
    expect(Array.from(ds.read(region) as ArrayLike<number>)).toEqual(expected)
    expect(Array.from((await ds.readAsync(region)) as ArrayLike<number>)).toEqual(expected)
    const strided = { start: [1, 0, 0], count: [1, Math.ceil(h / 2), Math.ceil(w / 3)], step: [1, 2, 3] }
    expect(ds.readPlan(strided).path).toBe('hdf5')
    const got = ds.read(strided) as ArrayLike<number>
    const cols = Math.ceil(w / 3)
    expect(Array.from(got)).toEqual(Array.from({ length: got.length }, (_, k) => whole[Math.floor(k / cols) * 2 * w + (k % cols) * 3]))
  }
  f.close()
})

test("h5py with Debian's blosc plugin reads our blosc files: every codec and shuffle, the same data", async () => {
  const lines = await python(
    `import sys, json, h5py, numpy
with h5py.File(sys.argv[1], 'r') as f:
    names = list(f['blosc'])
    bad = [n for n in names if not numpy.array_equal(f['blosc'][n][()], f['orig'][n][()])]
print(json.dumps({'checked': len(names), 'bad': bad}))`,
    [file],
  )
  expect(JSON.parse(lines[lines.length - 1])).toEqual({ checked: BLOSC_CASES, bad: [] })
})

test('our zstd chunks are plain zstd frames: the zstd library (python3-zstandard) decodes each to the data', async () => {
  const lines = await python(
    `import sys, json, h5py, numpy, zstandard
with h5py.File(sys.argv[1], 'r') as f:
    names = list(f['zstd'])
    bad = []
    for n in names:
        d, orig = f['zstd'][n], f['orig'][n][()]
        for i in range(d.shape[0]):
            raw = d.id.read_direct_chunk((i,) + (0,) * (d.ndim - 1))[1]
            if zstandard.ZstdDecompressor().decompress(raw) != orig[i].tobytes(): bad.append(f'{n}[{i}]')
print(json.dumps({'checked': len(names), 'bad': bad}))`,
    [file],
  )
  expect(JSON.parse(lines[lines.length - 1])).toEqual({ checked: ZSTD_CASES, bad: [] })
})

describe('modes we cannot decode are H5_FILTER_UNAVAILABLE, naming the filter and the mode', () => {
  const odd = path.join(dir, 'modes.h5')
  beforeAll(async () => {
    // A blosc chunk whose header names a codec no blosc has (format 7), and a bitshuffle dataset
    // asking for compression 7; written past the filters (no plugin on the path: the parameters are
    // stored as given).
    await python(
      `import sys, h5py, numpy
with h5py.File(sys.argv[1], 'w') as f:
    d = f.create_dataset('blosc', shape=(2, 64), dtype='u2', chunks=(1, 64), compression=32001,
                         compression_opts=(2, 2, 2, 128, 5, 1, 1), allow_unknown_filter=True)
    b = f.create_dataset('bitshuffle7', shape=(2, 64), dtype='u2', chunks=(1, 64), compression=32008,
                         compression_opts=(0, 5, 2, 0, 7), allow_unknown_filter=True)
    b.id.write_direct_chunk((0, 0), bytes(100))
print('ok')`,
      [odd],
      withoutPlugins(dir),
    )
    // Chunk 0 of /blosc: a real blosc (lz4) buffer from our writer, its codec bits set to 7.
    const src = path.join(dir, 'one-blosc.h5')
    const w = h5.File.create(src)
    w.createDataset('/x', { dtype: 'uint16', shape: [1, 64], chunks: [1, 64], compression: 'blosc' }).write(null, Uint16Array.from({ length: 64 }, (_, i) => i % 5))
    w.close()
    await python(
      `import sys, h5py
with h5py.File(sys.argv[2], 'r') as g:
    chunk = bytearray(g['x'].id.read_direct_chunk((0, 0))[1])
chunk[2] = (chunk[2] & 0x1f) | (7 << 5)
with h5py.File(sys.argv[1], 'r+') as f:
    f['blosc'].id.write_direct_chunk((0, 0), bytes(chunk))
print('ok')`,
      [odd, src],
      withoutPlugins(dir),
    )
  })

  test('a blosc chunk in a codec no blosc has: direct path, H5_FILTER_UNAVAILABLE naming blosc and the codec', async () => {
    const f = h5.File.open(odd, { swmr: false })
    const ds = f.dataset('/blosc')
    const sel = { start: [0, 0], count: [1, 64] }
    expect(ds.readPlan(sel).path).toBe('direct')
    expect(() => ds.read(sel)).toThrow(expect.objectContaining({ code: 'H5_FILTER_UNAVAILABLE', message: expect.stringMatching(/chunk 0 .*blosc chunk uses codec \(unknown, format 7\), which this libblosc cannot decode \(it has .*lz4/) }))
    await expect(ds.readAsync(sel)).rejects.toMatchObject({ code: 'H5_FILTER_UNAVAILABLE' })
    f.close()
  })

  test('bitshuffle with compression 7: readPlan says why, and H5Dread through our filter is H5_FILTER_UNAVAILABLE with the plugin path', async () => {
    const f = h5.File.open(odd, { swmr: false })
    const ds = f.dataset('/bitshuffle7')
    expect(ds.readPlan({ start: [0, 0], count: [1, 64] })).toEqual({
      path: 'hdf5',
      reason: expect.stringContaining('filter 32008 (bitshuffle) with compression 7 has no built-in decoder'),
    })
    f.close()
    // (With Debian 12's plugin on the path the read "succeeds": bitshuffle 0.3.5 takes any unknown
    // compression for none. Our filter refuses it.)
    const lines = await node(
      `const f = h5.File.open(process.argv[1], { swmr: false })
       try { f.dataset('/bitshuffle7').read({ start: [0, 0], count: [1, 64] }); console.log(JSON.stringify({ read: true })) }
       catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`,
      [odd],
      withoutPlugins(dir),
    )
    const r = JSON.parse(lines[lines.length - 1])
    expect(r.code).toBe('H5_FILTER_UNAVAILABLE')
    expect(r.message).toMatch(/compression 7 .*HDF5 plugin path searched: '.*no-plugins/s)
  })
})

describe('corrupt zstd and blosc chunks are H5_CORRUPT_CHUNK naming dataset and chunk', () => {
  const bad = path.join(dir, 'corrupt.h5')
  const CASES: Array<[string, number, RegExp]> = [
    ['/zstd', 1, /zstd (chunk does not decompress|frame says|chunk of \d+ bytes is not)/],
    ['/zstd', 2, /zstd frame says 8194 decoded bytes/],
    ['/zstd', 3, /zstd chunk (does not decompress|decompresses to)/],
    ['/blosc', 1, /blosc chunk's header .* does not fit/],
    ['/blosc', 2, /blosc header says 8194 decoded bytes/],
    ['/blosc', 3, /blosc chunk does not decompress|blosc chunk's header/],
  ]
  beforeAll(async () => {
    const w = h5.File.create(bad)
    const data = Uint16Array.from({ length: 4 * 4096 }, (_, i) => ((i * 7919) % 13 === 0 ? 900 : i % 3))
    w.createDataset('/zstd', { dtype: 'uint16', shape: [4, 64, 64], chunks: [1, 64, 64], compression: 'zstd' }).write(null, data)
    w.createDataset('/blosc', { dtype: 'uint16', shape: [4, 64, 64], chunks: [1, 64, 64], compression: 'blosc', bloscCompressor: 'zstd' }).write(null, data)
    w.close()
    // 1: cut in half; 2: a decoded size of 8194 in the header; 3: the compressed bytes garbled.
    await python(
      `import sys, h5py, struct
with h5py.File(sys.argv[1], 'r+') as f:
    z = f['zstd']; good = z.id.read_direct_chunk((0, 0, 0))[1]
    z.id.write_direct_chunk((1, 0, 0), good[:len(good) // 2])
    # A frame header with a 1-byte descriptor and 2-byte content size: rewrite the size.
    fhd = good[4]; assert fhd & 0x3 == 0 and (fhd >> 6) == 1, hex(fhd)
    single = (fhd >> 5) & 1; at = 5 + (0 if single else 1)
    z.id.write_direct_chunk((2, 0, 0), good[:at] + struct.pack('<H', 8194 - 256) + good[at + 2:])
    z.id.write_direct_chunk((3, 0, 0), good[:12] + bytes(255 - b for b in good[12:40]) + good[40:])
    b = f['blosc']; good = b.id.read_direct_chunk((0, 0, 0))[1]
    b.id.write_direct_chunk((1, 0, 0), good[:len(good) // 2])
    b.id.write_direct_chunk((2, 0, 0), good[:4] + struct.pack('<I', 8194) + good[8:])
    b.id.write_direct_chunk((3, 0, 0), good[:16] + bytes(255 - b for b in good[16:48]) + good[48:])
print('ok')`,
      [bad],
    )
  })

  test.each(CASES)('%s chunk %i', async (name, i, message) => {
    const f = h5.File.open(bad, { swmr: false })
    const ds = f.dataset(name)
    const sel = { start: [i, 0, 0], count: [1, 64, 64] }
    let err: (Error & { code?: string }) | null = null
    try {
      ds.read(sel)
    } catch (e) {
      err = e as Error & { code?: string }
    }
    expect(err?.code).toBe('H5_CORRUPT_CHUNK')
    expect(err?.message).toContain(`Corrupt chunk ${i} (at [${i}, 0, 0]) of '${name}'`)
    expect(err?.message).toMatch(message)
    await expect(ds.readAsync(sel)).rejects.toMatchObject({ code: 'H5_CORRUPT_CHUNK' })
    expect((ds.read({ start: [0, 0, 0], count: [1, 64, 64] }) as Uint16Array)[0]).toBe(900)
    f.close()
  })
})

test('frames of zeros (a dark frame: thousands to one) read through our H5Dread filters, not called corrupt', async () => {
  const zeros = path.join(dir, 'zeros.h5')
  const lines = await node(
    `const f = h5.File.create(process.argv[1])
     for (const [name, options] of [['bszstd', { compression: 'bszstd' }], ['zstd', { compression: 'zstd', compressionLevel: 19 }], ['blosc', { compression: 'blosc', bloscCompressor: 'zstd' }], ['bslz4', { compression: 'bslz4' }]])
       f.createDataset('/' + name, { dtype: 'uint16', shape: [2, 512, 512], chunks: [1, 512, 512], ...options }).write(null, new Uint16Array(2 * 512 * 512))
     f.close()
     const r = h5.File.open(process.argv[1], { swmr: false })
     const out = {}
     for (const name of ['bszstd', 'zstd', 'blosc', 'bslz4']) {
       const ds = r.dataset('/' + name)
       const viaHdf5 = ds.read(null, { path: 'hdf5' })
       const direct = ds.read()
       out[name] = [viaHdf5.every((v) => v === 0) && direct.every((v) => v === 0), ds.readStats.hdf5]
     }
     console.log(JSON.stringify(out))`,
    [zeros],
    withoutPlugins(dir),
  )
  expect(JSON.parse(lines[lines.length - 1])).toEqual({ bszstd: [true, 1], zstd: [true, 1], blosc: [true, 1], bslz4: [true, 1] })
})
