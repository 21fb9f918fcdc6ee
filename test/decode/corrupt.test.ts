// Corrupt chunks: wrong sizes in headers, truncated chunks, garbage compressed streams. Every one is
// an H5_CORRUPT_CHUNK error naming the dataset and the chunk, never a crash or a write past the
// target (run under ASan/valgrind, see docs/DECODING.md); the dataset stays usable.
import * as path from 'node:path'
import * as zlib from 'node:zlib'
import { File, H5Error } from '../../lib'
import { native } from '../../lib/core/native'
import { tmpDir } from '../helpers/processes'
import { node, pluginDir, python, randomBytes, withoutPlugins } from './helpers'

const dir = tmpDir('h5swmr-corrupt-')
const file = path.join(dir, 'corrupt.h5')

// Frame i of each dataset holds corruption number i (frame 0 stays valid).
const BSLZ4_CASES = [
  'valid',
  'truncated to half',
  'header: decoded size + 2',
  'first block length 0x7fffffff',
  'header: block of 12 elements (not a multiple of 8)',
  'shorter than the header',
  'garbage in the first LZ4 block',
  'header: blocks of 8 elements (the chunk has one of 4096)',
  'header: decoded size 2^62',
]
const BSLZ4_MESSAGES = [
  '',
  /block \d+ claims|does not decompress|ends \d+ bytes before/,
  /header says 8194 decoded bytes, the chunk holds 8192/,
  /block 0 claims 2147483647 compressed bytes/,
  /block size 12 is not a multiple of 8/,
  /shorter than its 12-byte header/,
  /block 0 does not decompress/,
  /block 0 does not decompress to 16 bytes/,
  /header says 4611686018427387904 decoded bytes/,
]

beforeAll(async () => {
  await python(
    `import sys, h5py, numpy, struct
rng = numpy.random.default_rng(11)
data = rng.poisson(2, size=(9, 64, 64)).astype('u2')
with h5py.File(sys.argv[1], 'w') as f:
    d = f.create_dataset('bslz4', data=data, chunks=(1, 64, 64), compression=32008, compression_opts=(0, 2))
    good = d.id.read_direct_chunk((0, 0, 0))[1]
    total, block = struct.unpack('>QI', good[:12])
    bad = [good,
           good[:len(good) // 2],
           struct.pack('>QI', total + 2, block) + good[12:],
           good[:12] + struct.pack('>I', 0x7fffffff) + good[16:],
           struct.pack('>QI', total, 24) + good[12:],
           good[:5],
           good[:16] + bytes(255 - b for b in good[16:40]) + good[40:],
           struct.pack('>QI', total, 16) + good[12:],
           struct.pack('>QI', 2**62, block) + good[12:]]
    for i, chunk in enumerate(bad):
        d.id.write_direct_chunk((i, 0, 0), chunk)
    z = f.create_dataset('deflate', data=data[:3], chunks=(1, 64, 64), compression='gzip', shuffle=True)
    good = z.id.read_direct_chunk((0, 0, 0))[1]
    z.id.write_direct_chunk((1, 0, 0), good[:len(good) // 3])
    z.id.write_direct_chunk((2, 0, 0), bytes(len(good)))
    l = f.create_dataset('lz4', data=data[:4], chunks=(1, 64, 64), compression=32004, compression_opts=(1024,))
    good = l.id.read_direct_chunk((0, 0, 0))[1]
    l.id.write_direct_chunk((1, 0, 0), good[:len(good) - 10])
    l.id.write_direct_chunk((2, 0, 0), good[:8] + struct.pack('>I', 0) + good[12:])
    l.id.write_direct_chunk((3, 0, 0), good[:12] + struct.pack('>I', 100000) + good[16:])
print('ok')`,
    [file],
    { HDF5_PLUGIN_PATH: pluginDir() },
  )
})

// HDF5's byte shuffle (filter 2) of `bytes`, and an HDF5-LZ4 (32004) chunk of stored blocks.
function shuffled(bytes: Uint8Array, elemSize: number): Uint8Array {
  const n = bytes.length / elemSize
  const out = new Uint8Array(bytes.length)
  for (let j = 0; j < elemSize; j++) for (let i = 0; i < n; i++) out[j * n + i] = bytes[i * elemSize + j]
  return out
}

function storedLz4(bytes: Uint8Array, block: number): Uint8Array {
  const parts = [Buffer.alloc(12)]
  parts[0].writeBigUInt64BE(BigInt(bytes.length))
  parts[0].writeUInt32BE(block, 8)
  for (let p = 0; p < bytes.length; p += block) {
    const part = bytes.subarray(p, Math.min(p + block, bytes.length))
    const length = Buffer.alloc(4)
    length.writeUInt32BE(part.length)
    parts.push(length, Buffer.from(part))
  }
  return new Uint8Array(Buffer.concat(parts))
}

function frame(i: number) {
  return { start: [i, 0, 0], count: [1, 64, 64] }
}

function errorOf(fn: () => unknown): H5Error {
  try {
    fn()
  } catch (err) {
    return err as H5Error
  }
  throw new Error('no error')
}

test.each(BSLZ4_CASES.map((what, i) => [i, what] as const).slice(1))(
  'bitshuffle-LZ4 chunk %i (%s): H5_CORRUPT_CHUNK naming dataset and chunk, sync and async',
  async (i) => {
    const f = File.open(file, { swmr: false })
    const ds = f.dataset('/bslz4')
    const err = errorOf(() => ds.read(frame(i)))
    expect(err).toBeInstanceOf(H5Error)
    expect(err.code).toBe('H5_CORRUPT_CHUNK')
    expect(err.message).toContain(`Corrupt chunk ${i} (at [${i}, 0, 0]) of '/bslz4' in '${file}'`)
    expect(err.message).toMatch(BSLZ4_MESSAGES[i])
    await expect(ds.readAsync(frame(i))).rejects.toMatchObject({ code: 'H5_CORRUPT_CHUNK', message: err.message })
    // A read of several chunks fails the same way, and the dataset still reads its good frame.
    expect(errorOf(() => ds.read()).code).toBe('H5_CORRUPT_CHUNK')
    expect((ds.read(frame(0)) as Uint16Array).length).toBe(4096)
    f.close()
  },
)

test('deflate and LZ4 chunks: truncated, zeroed, block size 0, a block longer than the chunk', async () => {
  const f = File.open(file, { swmr: false })
  const cases: Array<[string, number, RegExp]> = [
    ['/deflate', 1, /deflate stream is corrupt|inflates to/],
    ['/deflate', 2, /deflate stream is corrupt/],
    ['/lz4', 1, /LZ4 block \d+ (claims|is cut off|does not decompress)/],
    ['/lz4', 2, /block size of 0/],
    ['/lz4', 3, /LZ4 block 0 claims 100000 bytes/],
  ]
  for (const [name, i, message] of cases) {
    const err = errorOf(() => f.dataset(name).read(frame(i)))
    expect(err.code).toBe('H5_CORRUPT_CHUNK')
    expect(err.message).toContain(`Corrupt chunk ${i} (at [${i}, 0, 0]) of '${name}'`)
    expect(err.message).toMatch(message)
    await expect(f.dataset(name).readAsync(frame(i))).rejects.toMatchObject({ code: 'H5_CORRUPT_CHUNK' })
  }
  expect((f.dataset('/deflate').read(frame(0)) as Uint16Array)[0]).toBeGreaterThanOrEqual(0)
  f.close()
})

test('through H5Dread, our built-in filter reports the same chunks as H5_CORRUPT_CHUNK', async () => {
  const lines = await node(
    `const f = h5.File.open(process.argv[1], { swmr: false })
     const ds = f.dataset('/bslz4')
     const codes = []
     for (let i = 0; i < 9; i++) {
       try { ds.read({ start: [i, 0, 0], count: [1, 64, 64] }, { path: 'hdf5' }); codes.push('ok') } catch (e) { codes.push(e.code) }
     }
     console.log(h5.File.libraryInfo().bitshuffleFilter, codes.join(','))`,
    [file],
    withoutPlugins(dir),
  )
  expect(lines).toEqual(['builtin ok,' + Array(8).fill('H5_CORRUPT_CHUNK').join(',')])
})

test('mutated chunks never crash a decoder: each decodes to exactly its size or is H5_CORRUPT_CHUNK', () => {
  const t = native._testing
  const input = new Uint8Array(4096 * 2)
  const values = new Uint16Array(input.buffer)
  for (let i = 0; i < values.length; i++) values[i] = (i * 7919) % 13 === 0 ? i : i % 3
  const chunks: Array<[Array<{ id: number; cd: number[] }>, Uint8Array]> = [
    [[{ id: 32008, cd: [0, 3, 2, 0, 2] }], t.bslz4Encode(input, 2, 0)],
    [[{ id: 32008, cd: [0, 3, 2, 64, 2] }], t.bslz4Encode(input, 2, 64)],
    [[{ id: 32008, cd: [0, 3, 2, 64, 0] }], t.bitshuffle('scalar', 'shuffle', input, 2, 64)],
    [[{ id: 2, cd: [2] }, { id: 1, cd: [1] }], new Uint8Array(zlib.deflateSync(shuffled(input, 2), { level: 1 }))],
    [[{ id: 32004, cd: [] }], storedLz4(input, 1000)],
  ]
  for (const [filters, good] of chunks) expect(Buffer.compare(t.decodeChunk(filters, 0, good, input.length), input)).toBe(0)
  let failures = 0
  let decoded = 0
  for (const [filters, good] of chunks) {
    for (let m = 0; m < 1500; m++) {
      const noise = randomBytes(16, m)
      const bad = new Uint8Array(good)
      let cut = bad
      switch (m % 4) {
        case 0: bad[noise[0] % bad.length] ^= 1 << (noise[1] % 8); break // one bit
        case 1: for (let k = 0; k < 4; k++) bad[(noise[k] * 131 + noise[k + 4]) % Math.min(bad.length, 64)] = noise[k + 8]; break // headers
        case 2: cut = bad.subarray(0, (noise[0] * 256 + noise[1]) % bad.length); break // truncated
        case 3: bad.set(noise, (noise[2] * 256 + noise[3]) % Math.max(1, bad.length - 16)); break // a run of garbage
      }
      for (const size of [input.length, input.length - 2, input.length + 16]) {
        try {
          const out = t.decodeChunk(filters, 0, new Uint8Array(cut), size)
          expect(out.length).toBe(size)
          decoded++
        } catch (err) {
          expect((err as H5Error).code).toBe('H5_CORRUPT_CHUNK')
          failures++
        }
      }
    }
  }
  expect(failures).toBeGreaterThan(2000)
  expect(decoded + failures).toBe(chunks.length * 1500 * 3)
})
