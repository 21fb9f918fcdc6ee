// Files written by other software, read through both paths: bitshuffle's own regression file
// (test/fixtures/bitshuffle), Eiger-style bitshuffle files from h5py with the Debian plugin (LZ4 and no-compression
// modes), h5py deflate+shuffle files, LZ4 (32004) files with blocks stored uncompressed, chunks
// stored with their filter skipped, and the cases that must stay on H5Dread.
import * as path from 'node:path'
import * as h5 from '../../lib'
import { tmpDir } from '../helpers/processes'
import { bitshuffleCdMeaning, node, pluginDir, python, withoutPlugins } from './helpers'

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'compare-datasets.js')
type Comparison = {
  filter: string
  checked: number
  problems: string[]
  framePaths: { direct: number; hdf5: number }
  reasons: Record<string, number>
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compareGroups } = require(FIXTURE) as {
  compareGroups(lib: typeof h5, file: string, groups: string[], orig: string): Comparison
}

const dir = tmpDir('h5swmr-interop-')

// compareGroups in a fresh process where HDF5 finds no plugin: H5Dread then uses our filter.
async function compareWithoutPlugins(file: string, groups: string[], orig: string): Promise<Comparison> {
  const lines = await node(
    `const { compareGroups } = require(process.argv[1])
     console.log(JSON.stringify(compareGroups(h5, process.argv[2], JSON.parse(process.argv[3]), process.argv[4])))`,
    [FIXTURE, file, JSON.stringify(groups), orig],
    withoutPlugins(dir),
  )
  return JSON.parse(lines[lines.length - 1])
}

describe("bitshuffle's regression file (bitshuffle 0.1.3, fixed-length strings of 1 to 10 bytes)", () => {
  // Shipped by Debian 12's bitshuffle package, no longer by 0.5.2's: kept in test/fixtures.
  const file = () => path.join(__dirname, '..', 'fixtures', 'bitshuffle', 'regression_0.1.3.h5')

  test('stored bytes are identical through the direct path and H5Dread with the plugin', () => {
    const r = compareGroups(h5, file(), ['compressed'], 'origional')
    expect(r.problems).toEqual([])
    expect(r.checked).toBe(21)
    const f = h5.File.open(file(), { swmr: false })
    const ds = f.dataset('/compressed/a3_a')
    expect(ds.filters[0].cdValues).toEqual([0, 1, 3, 64, 2])
    expect(ds.readPlan({ start: [0], count: ds.shape })).toEqual({ path: 'hdf5', reason: 'the datatype is not supported' })
    expect(ds.readPlan({ start: [0], count: ds.shape }, { raw: true }).path).toBe('direct')
    // Parts of chunks: direct too (the blocks they need), the same bytes as H5Dread.
    const part = { start: [70], count: [9] }
    expect(ds.readPlan(part, { raw: true })).toEqual({ path: 'direct', reason: '' })
    expect(Buffer.from(ds.readRaw(part)).equals(Buffer.from(ds.readRaw(part, { path: 'hdf5' })))).toBe(true)
    f.close()
  })

  test('and through H5Dread with our built-in filter', async () => {
    const r = await compareWithoutPlugins(file(), ['compressed'], 'origional')
    expect(r).toMatchObject({ filter: 'builtin', checked: 21, problems: [] })
  })
})

describe('Eiger-style files from h5py with the Debian bitshuffle plugin', () => {
  const file = path.join(dir, 'eiger.h5')
  beforeAll(async () => {
    await python(
      `import sys, h5py, numpy
rng = numpy.random.default_rng(3)
with h5py.File(sys.argv[1], 'w') as f:
    for dtype in ['u1', 'u2', 'i2', 'u4', 'i4', 'f4', 'u8', 'f8']:
        for shape, block in [((4, 257, 263), 0), ((3, 64, 64), 0), ((3, 31, 17), 256), ((2, 1, 5), 0), ((2, 100, 100), 16)]:
            data = rng.poisson(0.5, size=shape).astype(dtype)
            data[..., ::97] = 200
            name = dtype + '_' + 'x'.join(map(str, shape)) + '_b' + str(block)
            chunks = (1,) + shape[1:]
            f.create_dataset('lz4/' + name, data=data, chunks=chunks, compression=32008, compression_opts=(block, 2))
            f.create_dataset('bitshuffle/' + name, data=data, chunks=chunks, compression=32008, compression_opts=(block, 0))
            f.create_dataset('orig/' + name, data=data)
print('ok')`,
      [file],
      { HDF5_PLUGIN_PATH: pluginDir() },
    )
  })

  test('LZ4 and no-compression bitshuffle: direct == H5Dread (plugin) == the data, frame by frame', () => {
    const r = compareGroups(h5, file, ['lz4', 'bitshuffle'], 'orig')
    expect(r.problems).toEqual([])
    expect(r.checked).toBe(80)
    expect(r.framePaths).toEqual({ direct: 2 * 8 * (4 + 3 + 3 + 2 + 2), hdf5: 0 })
    const f = h5.File.open(file, { swmr: false })
    // The plugin's own version leads the cd_values (0.3 on Debian 12, 0.5 on 13): compare the meaning.
    expect(bitshuffleCdMeaning(f.dataset('/lz4/u2_4x257x263_b0').filters[0].cdValues)).toEqual({ elementSize: 2, blockSize: 0, compression: 2 })
    expect(bitshuffleCdMeaning(f.dataset('/bitshuffle/u4_3x31x17_b256').filters[0].cdValues)).toEqual({ elementSize: 4, blockSize: 256, compression: 0 })
    f.close()
  })

  test('the same through our built-in filter', async () => {
    const r = await compareWithoutPlugins(file, ['lz4', 'bitshuffle'], 'orig')
    expect(r).toMatchObject({ filter: 'builtin', checked: 80, problems: [] })
  })
})

describe('deflate, byte shuffle and LZ4 files from h5py', () => {
  const file = path.join(dir, 'deflate-lz4.h5')
  beforeAll(async () => {
    await python(
      `import sys, h5py, numpy
rng = numpy.random.default_rng(5)
with h5py.File(sys.argv[1], 'w') as f:
    def add(group, name, data, chunks, **kw):
        f.create_dataset(group + '/' + name, data=data, chunks=chunks, **kw)
        f.create_dataset('orig/' + name, data=data)
    for dtype in ['u1', 'i2', 'u4', 'f8', 'i8']:
        data = rng.poisson(3, size=(3, 37, 41)).astype(dtype)
        for level in [1, 6, 9]:
            for shuffle in [True, False]:
                add('deflate', f'{dtype}_l{level}_s{int(shuffle)}', data, (1, 37, 41), compression='gzip', compression_opts=level, shuffle=shuffle)
        add('shuffle', f'{dtype}_only', data, (1, 37, 41), shuffle=True)
        # LZ4 in 1 KiB blocks; the last frame is random, so its blocks are stored uncompressed
        noisy = data.copy(); noisy[-1] = numpy.frombuffer(rng.bytes(noisy[-1].nbytes), dtype).reshape(noisy[-1].shape)
        add('lz4', f'{dtype}_1k', noisy, (1, 37, 41), compression=32004, compression_opts=(1024,))
        add('lz4', f'{dtype}_default', noisy, (1, 37, 41), compression=32004)
    # Frames made of several chunks (tiles), and chunks holding several frames
    tiles = rng.poisson(1, size=(3, 128, 96)).astype('u2')
    add('tiles', 'u2_32x48', tiles, (1, 32, 48), compression='gzip', shuffle=True)
    add('tiles', 'u2_rows', tiles, (1, 16, 96), compression='gzip', shuffle=True)
    add('tiles', 'u2_columns', tiles, (1, 128, 24), compression='gzip')
    add('stacks', 'u2_2frames', rng.poisson(1, size=(4, 64, 64)).astype('u2'), (2, 64, 64), compression='gzip')
print('ok')`,
      [file],
      { HDF5_PLUGIN_PATH: pluginDir() },
    )
  })

  test('direct == H5Dread == the data; multi-chunk frames and frames of multi-frame chunks read direct', () => {
    const r = compareGroups(h5, file, ['deflate', 'shuffle', 'lz4', 'tiles', 'stacks'], 'orig')
    expect(r.problems).toEqual([])
    expect(r.checked).toBe(5 * 6 + 5 + 5 * 2 + 3 + 1)
    expect(r.framePaths).toEqual({ direct: 3 * (5 * 6 + 5 + 5 * 2 + 3) + 4, hdf5: 0 })
    expect(r.reasons).toEqual({})
  })

  test('the random LZ4 frame really has stored-uncompressed blocks', async () => {
    const lines = await python(
      `import sys, h5py, struct
with h5py.File(sys.argv[1], 'r') as f:
    d = f['lz4/u4_1k']
    for i in range(3):
        mask, raw = d.id.read_direct_chunk((i, 0, 0))
        total, block = struct.unpack('>QI', raw[:12]); pos, done, stored = 12, 0, 0
        while done < total:
            size = min(block, total - done); n = struct.unpack('>I', raw[pos:pos + 4])[0]
            stored += n == size; pos += 4 + n; done += size
        print(i, block, stored > 0)`,
      [file],
      { HDF5_PLUGIN_PATH: pluginDir() },
    )
    expect(lines).toEqual(['0 1024 False', '1 1024 False', '2 1024 True'])
  })
})

describe('chunks stored with their filter skipped (filter mask)', () => {
  const file = path.join(dir, 'masked.h5')
  beforeAll(async () => {
    await python(
      `import sys, h5py, numpy
with h5py.File(sys.argv[1], 'w') as f:
    data = numpy.arange(3 * 16 * 16, dtype='u2').reshape(3, 16, 16)
    for group, kw in [('bslz4', dict(compression=32008, compression_opts=(0, 2))), ('deflate', dict(compression='gzip', shuffle=True))]:
        d = f.create_dataset(group + '/frames', shape=data.shape, dtype='u2', chunks=(1, 16, 16), **kw)
        d[0] = data[0]; d[2] = data[2]
        d.id.write_direct_chunk((1, 0, 0), data[1].tobytes(), filter_mask=0xFFFFFFFF)
        f.create_dataset('orig/frames', data=data) if group == 'bslz4' else None
    print(f['bslz4/frames'].id.read_direct_chunk((1, 0, 0))[0], f['deflate/frames'].id.read_direct_chunk((1, 0, 0))[0])`,
      [file],
      { HDF5_PLUGIN_PATH: pluginDir() },
    )
  })

  test('both paths honour the mask', () => {
    for (const group of ['bslz4', 'deflate']) {
      const r = compareGroups(h5, file, [group], 'orig')
      expect(r.problems).toEqual([])
      expect(r.framePaths).toEqual({ direct: 3, hdf5: 0 })
    }
  })
})

describe('what stays on H5Dread', () => {
  const file = path.join(dir, 'hdf5-only.h5')
  beforeAll(async () => {
    await python(
      `import sys, h5py, numpy
with h5py.File(sys.argv[1], 'w') as f:
    data = numpy.arange(2 * 8 * 8, dtype='u2').reshape(2, 8, 8)
    f.create_dataset('big_endian', data=data.astype('>u2'), chunks=(1, 8, 8), compression=32008, compression_opts=(0, 2))
    f.create_dataset('half', data=data.astype('f2'), chunks=(1, 8, 8), compression='gzip')
    f.create_dataset('fletcher', data=data, chunks=(1, 8, 8), fletcher32=True)
    f.create_dataset('contiguous', data=data)
    f.create_dataset('partial', shape=(4, 8, 8), dtype='u2', chunks=(1, 8, 8), compression='gzip', fillvalue=7)
    f['partial'][1] = data[1]
print('ok')`,
      [file],
      { HDF5_PLUGIN_PATH: pluginDir() },
    )
  })

  test('type conversions, filters without a built-in decoder, other layouts, steps, partial chunks, unwritten chunks', () => {
    const f = h5.File.open(file, { swmr: false })
    const frame = { start: [1, 0, 0], count: [1, 8, 8] }
    const expected = Uint16Array.from({ length: 64 }, (_, i) => 64 + i)
    const be = f.dataset('/big_endian')
    expect(be.readPlan(frame)).toEqual({ path: 'hdf5', reason: expect.stringContaining('needs converting') })
    expect(Array.from(be.read(frame) as Uint16Array)).toEqual(Array.from(expected))
    // Stored bytes need no conversion: big-endian bytes, decoded by the direct path.
    expect(be.readPlan(frame, { raw: true }).path).toBe('direct')
    const raw = be.readRaw(frame)
    expect(Array.from(raw.subarray(0, 4))).toEqual([0, 64, 0, 65])
    expect(be.readStats).toEqual({ direct: 1, hdf5: 1, chunksReadOutsideLock: 1 })
    expect(f.dataset('/half').readPlan(frame).reason).toContain('needs converting')
    expect(Array.from(f.dataset('/half').read(frame) as Float32Array)).toEqual(Array.from(expected))
    expect(f.dataset('/fletcher').readPlan(frame).reason).toContain('filter 3')
    expect(Array.from(f.dataset('/fletcher').read(frame) as Uint16Array)).toEqual(Array.from(expected))
    expect(f.dataset('/contiguous').readPlan(frame).reason).toContain('contiguous')
    const partial = f.dataset('/partial')
    // Part of a compressed chunk: direct (decoded whole, the part copied out).
    expect(partial.readPlan({ start: [1, 0, 0], count: [1, 4, 8] })).toEqual({ path: 'direct', reason: '' })
    expect(Array.from(partial.read({ start: [1, 2, 3], count: [1, 2, 4] }) as Uint16Array)).toEqual([83, 84, 85, 86, 91, 92, 93, 94])
    expect(f.dataset('/fletcher').readPlan({ start: [1, 0, 0], count: [1, 4, 8] }).reason).toContain('filter 3')
    expect(partial.readPlan({ start: [0, 0, 0], count: [2, 8, 8], step: [2, 1, 1] }).reason).toContain('step')
    // Frame 1 written: direct. Frames 0 and 3 never written: the plan says direct, the read finds no
    // chunk and H5Dread supplies the fill value.
    expect(Array.from(partial.read(frame) as Uint16Array)).toEqual(Array.from(expected))
    expect(partial.readPath({ start: [3, 0, 0], count: [1, 8, 8] })).toBe('direct')
    expect(Array.from(partial.read({ start: [3, 0, 0], count: [1, 8, 8] }) as Uint16Array)).toEqual(Array(64).fill(7))
    const all = partial.read() as Uint16Array
    expect(all[0]).toBe(7)
    expect(all[64]).toBe(64)
    expect(partial.readStats).toEqual({ direct: 2, hdf5: 2, chunksReadOutsideLock: 2 })
    f.close()
  })
})
