// Every dtype round-trips writer -> reader, through hyperslabs of 1-4 dimensions, with steps.
import * as path from 'node:path'
import { File, type AnyTypedArray, type DType } from '../../lib'
import { tmpDir } from '../helpers/processes'

const dir = tmpDir()

const cases: Array<{ dtype: DType; make: (n: number) => AnyTypedArray; arrayType: string }> = [
  { dtype: 'int8', make: (n) => Int8Array.from({ length: n }, (_, i) => (i % 256) - 128), arrayType: 'Int8Array' },
  { dtype: 'uint8', make: (n) => Uint8Array.from({ length: n }, (_, i) => i % 256), arrayType: 'Uint8Array' },
  { dtype: 'int16', make: (n) => Int16Array.from({ length: n }, (_, i) => i * 37 - 30000), arrayType: 'Int16Array' },
  { dtype: 'uint16', make: (n) => Uint16Array.from({ length: n }, (_, i) => (i * 977) % 65536), arrayType: 'Uint16Array' },
  { dtype: 'int32', make: (n) => Int32Array.from({ length: n }, (_, i) => i * 100003 - 2 ** 30), arrayType: 'Int32Array' },
  { dtype: 'uint32', make: (n) => Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) % 2 ** 32), arrayType: 'Uint32Array' },
  { dtype: 'int64', make: (n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 9007199254740993n - 2n ** 62n), arrayType: 'BigInt64Array' },
  { dtype: 'uint64', make: (n) => BigUint64Array.from({ length: n }, (_, i) => 2n ** 63n + BigInt(i) * 12345678901n), arrayType: 'BigUint64Array' },
  { dtype: 'float32', make: (n) => Float32Array.from({ length: n }, (_, i) => i / 3 - 100), arrayType: 'Float32Array' },
  { dtype: 'float64', make: (n) => Float64Array.from({ length: n }, (_, i) => Math.PI * i - 1e10), arrayType: 'Float64Array' },
  // float16 reads widen to float32; these values are exact in half precision.
  { dtype: 'float16', make: (n) => Float32Array.from({ length: n }, (_, i) => (i % 2048) * 0.5 - 256), arrayType: 'Float32Array' },
  { dtype: 'bool', make: (n) => Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)), arrayType: 'Uint8Array' },
]

// Reference slicing of a C-order array (what the hyperslab must return).
function slice(src: AnyTypedArray, shape: number[], start: number[], count: number[], step: number[]): unknown[] {
  const out: unknown[] = []
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1))
  const walk = (d: number, offset: number) => {
    if (d === shape.length) {
      out.push(src[offset])
      return
    }
    for (let k = 0; k < count[d]; k++) walk(d + 1, offset + (start[d] + k * step[d]) * strides[d])
  }
  walk(0, 0)
  return out
}

const shapes: Array<{ shape: number[]; start: number[]; count: number[]; step: number[] }> = [
  { shape: [50], start: [3], count: [10], step: [4] },
  { shape: [12, 9], start: [1, 2], count: [5, 3], step: [2, 3] },
  { shape: [6, 7, 8], start: [0, 1, 2], count: [3, 3, 3], step: [2, 2, 2] },
  { shape: [3, 4, 5, 6], start: [1, 0, 1, 0], count: [2, 2, 2, 3], step: [1, 3, 2, 2] },
]

describe.each(cases)('$dtype', ({ dtype, make, arrayType }) => {
  const file = path.join(dir, `${dtype}.h5`)
  const total = 3 * 4 * 5 * 6

  beforeAll(() => {
    const f = File.create(file)
    for (const s of shapes) {
      const n = s.shape.reduce((a, b) => a * b, 1)
      const ds = f.createDataset(`/d${s.shape.length}`, { dtype, shape: s.shape, chunks: s.shape.map((x) => Math.max(1, Math.ceil(x / 2))) })
      ds.write(null, make(n))
    }
    f.createDataset('/scalar', { dtype, shape: [] }).write(null, make(2).subarray(1, 2))
    f.close()
  })

  test.each(shapes)('hyperslab of $shape', (s) => {
    const f = File.open(file, { swmr: false })
    const ds = f.dataset(`/d${s.shape.length}`)
    expect(ds.dtype).toBe(dtype)
    expect(ds.arrayType).toBe(arrayType)
    expect(ds.shape).toEqual(s.shape)
    const n = s.shape.reduce((a, b) => a * b, 1)
    const all = ds.read()
    expect(all.constructor.name).toBe(arrayType)
    expect(Array.from(all as ArrayLike<unknown>)).toEqual(Array.from(make(n) as ArrayLike<unknown>))
    const sel = { start: s.start, count: s.count, step: s.step }
    const part = ds.read(sel)
    expect(Array.from(part as ArrayLike<unknown>)).toEqual(slice(make(n), s.shape, s.start, s.count, s.step))
    f.close()
  })

  test('scalar dataset', () => {
    const f = File.open(file, { swmr: true })
    const ds = f.dataset('/scalar')
    expect(ds.shape).toEqual([])
    expect(Array.from(ds.read() as ArrayLike<unknown>)).toEqual([make(2)[1]])
    f.close()
  })

  test('readInto reuses the caller buffer and readAsync agrees', async () => {
    const f = File.open(file)
    const ds = f.dataset('/d4')
    const sel = { start: [0, 0, 0, 0], count: [3, 4, 5, 6] }
    const buf = ds.allocate(sel)
    const same = ds.readInto(sel, buf)
    expect(same).toBe(buf)
    const viaAsync = await ds.readAsync(sel)
    expect(Array.from(viaAsync as ArrayLike<unknown>)).toEqual(Array.from(buf as ArrayLike<unknown>))
    expect(buf.length).toBe(total)
    f.close()
  })
})

test('HDF5 converts on write (Float64Array into uint16) and reads natively', () => {
  const file = path.join(dir, 'convert.h5')
  const f = File.create(file)
  const ds = f.createDataset('/x', { dtype: 'uint16', shape: [4] })
  ds.write(null, new Float64Array([1, 2, 65535, 7]))
  expect(Array.from(ds.read() as Uint16Array)).toEqual([1, 2, 65535, 7])
  f.close()
})
