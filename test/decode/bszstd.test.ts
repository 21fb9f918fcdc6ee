// Bitshuffle-zstd: filter 32008 with compression 3 (cd_values[4]) and a zstd level (cd_values[5]), as
// PSI's Jungfraujoch and NSLS-II write. The chunk is bitshuffle's blocked format (12-byte header, per
// block a big-endian length and a zstd frame, the last count % 8 elements raw). Written by h5swmr with
// its built-in filter (no plugin on the path: Debian 12's bitshuffle 0.3.5 has no zstd), read back
// through the direct path and H5Dread; regions decode only their blocks; corrupt blocks are
// H5_CORRUPT_CHUNK.
import * as path from 'node:path'
import * as h5 from '../../lib'
import { H5Error } from '../../lib'
import { native } from '../../lib/core/native'
import { tmpDir } from '../helpers/processes'
import { node, pluginDir, python, withoutPlugins } from './helpers'

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'bslz4-cases.js')
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fixture = require(FIXTURE) as { cases(): unknown[] }
const CASES = fixture.cases().length
const dir = tmpDir('h5swmr-bszstd-')
const casesFile = path.join(dir, 'cases.h5')
const t = native._testing

test(`written with the built-in filter: ${CASES} cases (every element size, odd frames, block sizes) through both paths`, async () => {
  const lines = await node(
    `const cases = require(process.argv[1])
     cases.writeCases(h5, process.argv[2], 'bszstd')
     console.log(JSON.stringify(cases.verifyCases(h5, process.argv[2], 'bszstd')))`,
    [FIXTURE, casesFile],
    withoutPlugins(dir),
  )
  expect(JSON.parse(lines[lines.length - 1])).toEqual({ filter: 'builtin', checked: CASES, problems: [] })
})

test('the chunks are bitshuffle-LZ4 framing with zstd blocks: decodeChunk agrees, the level is stored', async () => {
  const f = h5.File.open(casesFile, { swmr: false })
  const ds = f.dataset('/bszstd/uint16_64x64_b0')
  expect(ds.filters[0].cdValues.slice(2)).toEqual([2, 0, 3, 3])
  const frame = ds.read({ start: [1, 0, 0], count: [1, 64, 64] }) as Uint16Array
  const bytes = new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength)
  // Our encoder's chunk, decoded by the pipeline the direct path uses.
  const chunk = t.bslz4Encode(bytes, 2, 0, 'zstd', 3)
  expect(Buffer.from(chunk.subarray(0, 12)).readBigUInt64BE(0)).toBe(8192n)
  const decoded = t.decodeChunk([{ id: 32008, cd: [0, 5, 2, 0, 3, 3] }], 0, chunk, 8192)
  expect(Buffer.from(decoded).equals(Buffer.from(bytes))).toBe(true)
  // Each block is a zstd frame (magic 0xFD2FB528, little-endian) after its 4-byte length.
  expect(Buffer.from(chunk.subarray(16, 20)).readUInt32LE(0)).toBe(0xfd2fb528)
  f.close()
})

test('regions of a bitshuffle-zstd frame read direct and equal the frame cut out', () => {
  const f = h5.File.open(casesFile, { swmr: false })
  for (const name of ['uint16_64x64_b0', 'float64_33x65_b64', 'uint8_64x64_b8', 'uint64_33x65_b1024']) {
    const ds = f.dataset(`/bszstd/${name}`)
    const [, h, w] = ds.shape
    const whole = ds.read({ start: [2, 0, 0], count: [1, h, w] })
    for (const [y, x, rh, rw] of [[0, 0, 1, 1], [3, 5, 7, 11], [h - 4, w - 6, 4, 6], [h - 1, 0, 1, w]]) {
      const sel = { start: [2, y, x], count: [1, rh, rw] }
      expect(ds.readPlan(sel)).toEqual({ path: 'direct', reason: '' })
      const region = ds.read(sel)
      const expected = Array.from({ length: rh * rw }, (_, k) => whole[(y + Math.floor(k / rw)) * w + x + (k % rw)])
      expect(Array.from(region as ArrayLike<number | bigint>)).toEqual(expected)
    }
  }
  f.close()
})

describe('corrupt bitshuffle-zstd chunks', () => {
  const file = path.join(dir, 'corrupt.h5')
  const MESSAGES = [
    '',
    /bitshuffle-zstd block \d+ (claims|does not decompress)|ends \d+ bytes before/,
    /bitshuffle-zstd header says 8194 decoded bytes, the chunk holds 8192/,
    /bitshuffle-zstd block 0 claims 2147483647 compressed bytes/,
    /bitshuffle-zstd block 0 does not decompress to 8192 bytes/,
  ]
  beforeAll(async () => {
    await node(
      `const f = h5.File.create(process.argv[1])
       const d = f.createDataset('/bszstd', { dtype: 'uint16', shape: [5, 64, 64], chunks: [1, 64, 64], compression: 'bszstd' })
       d.write(null, Uint16Array.from({ length: 5 * 4096 }, (_, i) => (i * 7919) % 13 === 0 ? 900 : i % 3))
       f.close()`,
      [file],
      withoutPlugins(dir),
    )
    // Chunk i holds corruption i, written past the filter (h5py's write_direct_chunk needs no plugin).
    await python(
      `import sys, h5py, struct
with h5py.File(sys.argv[1], 'r+') as f:
    d = f['bszstd']
    good = d.id.read_direct_chunk((0, 0, 0))[1]
    total, block = struct.unpack('>QI', good[:12])
    bad = [good[:len(good) // 2],
           struct.pack('>QI', total + 2, block) + good[12:],
           good[:12] + struct.pack('>I', 0x7fffffff) + good[16:],
           good[:16] + bytes(255 - b for b in good[16:40]) + good[40:]]
    for i, chunk in enumerate(bad):
        d.id.write_direct_chunk((i + 1, 0, 0), chunk)
print('ok')`,
      [file],
    )
  })

  test.each([1, 2, 3, 4])('chunk %i: H5_CORRUPT_CHUNK naming dataset and chunk, sync and async', async (i) => {
    const f = h5.File.open(file, { swmr: false })
    const ds = f.dataset('/bszstd')
    const sel = { start: [i, 0, 0], count: [1, 64, 64] }
    let err: H5Error | null = null
    try {
      ds.read(sel)
    } catch (e) {
      err = e as H5Error
    }
    expect(err).toBeInstanceOf(H5Error)
    expect(err!.code).toBe('H5_CORRUPT_CHUNK')
    expect(err!.message).toContain(`Corrupt chunk ${i} (at [${i}, 0, 0]) of '/bszstd'`)
    expect(err!.message).toMatch(MESSAGES[i])
    await expect(ds.readAsync(sel)).rejects.toMatchObject({ code: 'H5_CORRUPT_CHUNK' })
    // A region in a corrupt block fails too; the good frame still reads.
    await expect(ds.readAsync({ start: [i, 0, 0], count: [1, 2, 2] })).rejects.toMatchObject({ code: 'H5_CORRUPT_CHUNK' })
    expect((ds.read({ start: [0, 0, 0], count: [1, 64, 64] }) as Uint16Array)[0]).toBe(900)
    f.close()
  })
})

describe('with the system bitshuffle plugin on the path', () => {
  // Whether the plugin itself writes bitshuffle-zstd: h5py writes with it, and the stored chunk must
  // decode as zstd blocks (Debian 12's 0.3.5 predates zstd: it refuses, or stores plain bitshuffle).
  async function pluginDoesZstd(): Promise<boolean> {
    const lines = await python(
      `import sys, h5py, numpy
data = (numpy.arange(4096, dtype='u2') % 7).reshape(1, 64, 64)
try:
    with h5py.File(sys.argv[1], 'w') as f:
        d = f.create_dataset('x', data=data, chunks=(1, 64, 64), compression=32008, compression_opts=(0, 3))
        print(d.id.read_direct_chunk((0, 0, 0))[1].hex())
except Exception as e:
    print('refused')`,
      [path.join(dir, 'plugin-zstd.h5')],
      { HDF5_PLUGIN_PATH: pluginDir() },
    )
    const out = lines[lines.length - 1]
    if (out === 'refused') return false
    try {
      const decoded = t.decodeChunk([{ id: 32008, cd: [0, 5, 2, 0, 3] }], 0, Buffer.from(out, 'hex'), 8192)
      return Array.from(new Uint16Array(decoded.buffer, decoded.byteOffset, 4096)).every((v, i) => v === i % 7)
    } catch {
      return false
    }
  }

  test('H5Dread decodes bitshuffle-zstd either way: the plugin where it does zstd, else ours in its place', async () => {
    const plugin = await pluginDoesZstd()
    const lines = await node(
      `const f = h5.File.open(process.argv[1], { swmr: false })
       const before = h5.File.libraryInfo().bitshuffleFilter
       const ds = f.dataset('/bszstd/int16_33x65_b64')
       const orig = f.dataset('/orig/int16_33x65_b64').read()
       const viaHdf5 = ds.read(null, { path: 'hdf5' })
       const same = Buffer.compare(Buffer.from(viaHdf5.buffer), Buffer.from(orig.buffer)) === 0
       console.log(JSON.stringify({ before, after: h5.File.libraryInfo().bitshuffleFilter, same }))`,
      [casesFile],
      { HDF5_PLUGIN_PATH: pluginDir() },
    )
    expect(JSON.parse(lines[lines.length - 1])).toEqual({ before: 'plugin', after: plugin ? 'plugin' : 'builtin', same: true })
  })

  test('h5py reads our bitshuffle-zstd files where its plugin does zstd (Debian 13 on); where it does not, it reads back its own', async () => {
    if (!(await pluginDoesZstd())) {
      // A plugin without zstd (Debian 12's bitshuffle 0.3.5) stores something else under the zstd
      // label, which it reads back itself (what our reader mirrors, next test). Reading *our* zstd
      // chunks with it is not asked for: it over-reads its own buffer (AddressSanitizer sees it).
      const lines = await python(
        `import sys, h5py, numpy\nwith h5py.File(sys.argv[1], 'r') as f: print(numpy.array_equal(f['x'][()].ravel(), numpy.arange(4096) % 7))`,
        [path.join(dir, 'plugin-zstd.h5')],
        { HDF5_PLUGIN_PATH: pluginDir() },
      )
      expect(lines[lines.length - 1]).toBe('True')
      return
    }
    const lines = await python(
      `import sys, json, h5py, numpy
with h5py.File(sys.argv[1], 'r') as f:
    names = list(f['bszstd'])
    bad = [n for n in names if not numpy.array_equal(f['bszstd'][n][()], f['orig'][n][()])]
print(json.dumps({'checked': len(names), 'bad': bad}))`,
      [casesFile],
      { HDF5_PLUGIN_PATH: pluginDir() },
    )
    expect(JSON.parse(lines[lines.length - 1])).toEqual({ checked: CASES, bad: [] })
  })

  test("h5py's own 'zstd' file reads as h5py reads it, even from a plugin that predates zstd (plain bitshuffle labelled zstd)", async () => {
    await pluginDoesZstd() // writes plugin-zstd.h5 with h5py and the plugin
    const f = h5.File.open(path.join(dir, 'plugin-zstd.h5'), { swmr: false })
    const ds = f.dataset('/x')
    expect(ds.filters[0].cdValues.slice(2)).toEqual([2, 0, 3])
    const expected = Array.from({ length: 4096 }, (_, i) => i % 7)
    expect(ds.readPlan({ start: [0, 0, 0], count: [1, 64, 64] }).path).toBe('direct')
    expect(Array.from(ds.read() as Uint16Array)).toEqual(expected)
    expect(Array.from(ds.read(null, { path: 'hdf5' }) as Uint16Array)).toEqual(expected)
    expect(Array.from(ds.read({ start: [0, 10, 10], count: [1, 1, 3] }) as Uint16Array)).toEqual(expected.slice(650, 653))
    f.close()
  })
})
