// The bitshuffle kernels against the definition, bit for bit, and against Debian's bitshuffle
// (Python module, the same code as its HDF5 plugin): every element size and tail length.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { native } from '../../lib/core/native'
import { tmpDir } from '../helpers/processes'
import { python, randomBytes, same } from './helpers'

const t = native._testing
const BEST = native.libraryInfo().bitshuffleKernel
afterEach(() => t.setBitshuffleKernel(BEST)) // tests that switch kernels put the best one back
const ELEMENT_SIZES = [1, 2, 3, 4, 5, 6, 8, 10, 16]
// Element counts: empty, below one group of 8, tails of every length, SIMD widths +- 1, several blocks.
const COUNTS = [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000, 4096, 4097, 10007]
const BLOCK_SIZES = [0, 8, 64, 136, 1024]

test('this CPU runs the portable kernels and SSE2/AVX2 when it has them', () => {
  const kernels = t.kernels()
  expect(kernels).toEqual(expect.arrayContaining(['reference', 'scalar']))
  if (process.arch === 'x64') expect(kernels).toContain('sse2')
  expect(kernels).toContain(native.libraryInfo().bitshuffleKernel)
})

test.each(ELEMENT_SIZES)('every kernel matches the bit-by-bit reference, %i-byte elements', (elemSize) => {
  const kernels = t.kernels().filter((k) => k !== 'reference')
  let cases = 0
  for (const n of COUNTS) {
    const input = randomBytes(n * elemSize, n * 31 + elemSize)
    for (const block of BLOCK_SIZES) {
      const shuffled = t.bitshuffle('reference', 'shuffle', input, elemSize, block)
      expect(same(t.bitshuffle('reference', 'unshuffle', shuffled, elemSize, block), input)).toBe(true)
      for (const k of kernels) {
        const s = t.bitshuffle(k, 'shuffle', input, elemSize, block)
        if (!same(s, shuffled)) throw new Error(`${k} shuffle differs: ${elemSize}-byte x ${n}, block ${block}`)
        const u = t.bitshuffle(k, 'unshuffle', shuffled, elemSize, block)
        if (!same(u, input)) throw new Error(`${k} unshuffle differs: ${elemSize}-byte x ${n}, block ${block}`)
        cases++
      }
    }
  }
  expect(cases).toBe(COUNTS.length * BLOCK_SIZES.length * kernels.length)
})

test('a bit lands where the format says: element i, byte j, bit k -> row 8j+k, bit i', () => {
  // One set bit per case, 2-byte elements, one block of 16: row (8j+k) is 2 bytes long.
  for (let i = 0; i < 16; i++) {
    for (let bit = 0; bit < 16; bit++) {
      const input = new Uint8Array(32)
      input[2 * i + (bit >> 3)] = 1 << (bit & 7)
      for (const k of t.kernels()) {
        const out = t.bitshuffle(k, 'shuffle', input, 2, 16)
        const expected = new Uint8Array(32)
        expected[bit * 2 + (i >> 3)] = 1 << (i & 7)
        expect(Array.from(out)).toEqual(Array.from(expected))
      }
    }
  }
})

test('byte unshuffle (HDF5 filter 2) matches its definition for every element size, with leftover bytes', () => {
  for (const k of t.kernels()) {
    t.setBitshuffleKernel(k)
    for (const elemSize of [1, 2, 3, 4, 8, 16]) {
      for (const bytes of [0, 1, elemSize, 7, 16 * elemSize, 100 * elemSize + 3, 4099 * elemSize]) {
        const shuffled = randomBytes(bytes, bytes + elemSize)
        const n = Math.floor(bytes / elemSize)
        const expected = new Uint8Array(bytes)
        if (elemSize > 1 && n > 1) {
          for (let j = 0; j < elemSize; j++) for (let i = 0; i < n; i++) expected[i * elemSize + j] = shuffled[j * n + i]
          expected.set(shuffled.subarray(n * elemSize), n * elemSize)
        } else {
          expected.set(shuffled)
        }
        const got = t.decodeChunk([{ id: 2, cd: [elemSize] }], 0, shuffled, bytes)
        if (!same(got, expected)) throw new Error(`${k}: unshuffle of ${bytes} bytes, ${elemSize}-byte elements`)
      }
    }
  }
})

describe("Debian's bitshuffle module", () => {
  const dir = tmpDir('h5swmr-kernels-')
  const cases: Array<{ name: string; elemSize: number; block: number }> = []

  beforeAll(async () => {
    // Python writes: the input, bitshuffle.bitshuffle(), and bitshuffle.compress_lz4() (the blocks
    // of a 32008 chunk, without the 12-byte header).
    const lines = await python(
      `import sys, numpy, bitshuffle
rng = numpy.random.default_rng(7)
for dtype in ['u1', 'i2', 'u4', 'f8', 'S3', 'S10']:
    size = numpy.dtype(dtype).itemsize
    for n in [8, 13, 1000, 4099, 20000]:
        for block in [0, 64, 2048]:
            raw = (rng.poisson(2, n * size) % 256).astype('u1').tobytes()
            a = numpy.frombuffer(raw, dtype=dtype)
            name = f'{dtype}_{n}_{block}'
            open(f'{sys.argv[1]}/{name}.in', 'wb').write(raw)
            open(f'{sys.argv[1]}/{name}.shuf', 'wb').write(bitshuffle.bitshuffle(a, block).tobytes())
            open(f'{sys.argv[1]}/{name}.lz4', 'wb').write(bitshuffle.compress_lz4(a, block).tobytes())
            print(name, size, block)`,
      [dir],
    )
    for (const l of lines) {
      const [name, size, block] = l.split(' ')
      cases.push({ name, elemSize: Number(size), block: Number(block) })
    }
  })

  const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(dir, f)))

  test('our bitshuffle equals theirs, and our LZ4 blocks are byte-identical (same liblz4)', () => {
    expect(cases.length).toBe(6 * 5 * 3)
    for (const c of cases) {
      const input = read(`${c.name}.in`)
      for (const k of t.kernels()) {
        if (!same(t.bitshuffle(k, 'shuffle', input, c.elemSize, c.block), read(`${c.name}.shuf`)))
          throw new Error(`${k} differs from bitshuffle.bitshuffle for ${c.name}`)
      }
      const chunk = t.bslz4Encode(input, c.elemSize, c.block)
      expect(same(chunk.subarray(12), read(`${c.name}.lz4`))).toBe(true)
    }
  })

  test('their LZ4 blocks decode with ours, under every kernel', () => {
    for (const k of t.kernels()) {
      t.setBitshuffleKernel(k)
      for (const c of cases) {
        const input = read(`${c.name}.in`)
        const header = Buffer.alloc(12)
        header.writeBigUInt64BE(BigInt(input.length))
        const block = c.block || Math.max(128, Math.floor(8192 / c.elemSize / 8) * 8)
        header.writeUInt32BE(block * c.elemSize, 8)
        const chunk = new Uint8Array(Buffer.concat([header, read(`${c.name}.lz4`)]))
        const decoded = t.decodeChunk([{ id: 32008, cd: [0, 3, c.elemSize, c.block, 2] }], 0, chunk, input.length)
        if (!same(decoded, input)) throw new Error(`${k}: decoding bitshuffle's ${c.name}`)
        const unshuffled = t.decodeChunk([{ id: 32008, cd: [0, 3, c.elemSize, c.block, 0] }], 0, read(`${c.name}.shuf`), input.length)
        if (!same(unshuffled, input)) throw new Error(`${k}: unshuffling bitshuffle's ${c.name}`)
      }
    }
  })
})
