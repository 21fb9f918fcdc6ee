// Every type h5py reads, value by value against h5py on the same machine: a corpus written by this
// release's h5py (test/fixtures/types/make-types.py: each type x contiguous, compact, chunked, gzip;
// scalar, empty, zero-size, 1-D, 2-D, big-endian; hyperslabs; attributes of each kind), read through
// h5swmr's public API, sync and async, and compared in one canonical form (the script's docstring).
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { Dataset, File, Group } from '../../lib'
import type { RegionSelection } from '../../lib/core/values'
import { canon, canonRead } from '../fixtures/types/canonical'
import { PYTHON, tmpDir } from '../helpers/processes'

const dir = tmpDir()
const file = path.join(dir, 'types.h5')

interface Entry {
  h5py: unknown
  correct?: unknown
  shape?: number[] | null
}
interface Expected {
  datasets: Record<string, Entry>
  attrs: Record<string, Entry>
  slices: Array<{ path: string; start: number[]; count: number[]; step: number[]; h5py: unknown }>
  nativeComplex: boolean
  library: { h5py: string; hdf5: string }
}

let expected: Expected

beforeAll(() => {
  const r = spawnSync(PYTHON, [path.join(__dirname, '..', 'fixtures', 'types', 'make-types.py'), file], { encoding: 'utf8', maxBuffer: 64 << 20 })
  if (r.status !== 0) throw new Error(`make-types.py failed: ${r.stderr}`)
  expected = JSON.parse(r.stdout) as Expected
})

function want(e: Entry): unknown {
  return e.correct !== undefined ? e.correct : e.h5py
}

test('the corpus has every type, and h5py read it (where it can)', () => {
  const paths = Object.keys(expected.datasets)
  expect(paths.length).toBeGreaterThan(150)
  for (const kind of ['fixed_spacepad_utf8', 'vlen_utf8/gzip', 'compound_nested/compact', 'complex128_be/chunked', 'enum/contiguous', 'array_i2/gzip',
    'vlen_int', 'opaque/contiguous', 'refs/chunked', 'regionrefs/compact', 'bitfield_b16be', 'empty_str', 'num_be_u8/gzip'])
    expect(paths).toContain(`/${kind}`)
  const unread = Object.entries(expected.datasets).filter(([, e]) => typeof e.h5py === 'string' && (e.h5py as string).startsWith('error:') && e.correct === undefined)
  expect(unread).toEqual([])
})

test('every dataset reads as h5py reads it (or, where h5py is wrong or refuses, as stored)', () => {
  using f = File.open(file)
  const mismatches: Array<{ path: string; ours: unknown; want: unknown }> = []
  for (const [p, e] of Object.entries(expected.datasets)) {
    const ds = f.dataset(p)
    const ours = canonRead(ds, ds.read())
    const w = want(e)
    if (JSON.stringify(ours) !== JSON.stringify(w)) mismatches.push({ path: p, ours, want: w })
    if (e.shape) expect({ p, shape: ds.shape }).toEqual({ p, shape: e.shape })
  }
  expect(mismatches).toEqual([])
})

test('readAsync gives the same values as read, for every dataset', async () => {
  using f = File.open(file)
  for (const p of Object.keys(expected.datasets)) {
    const ds = f.dataset(p)
    expect({ p, value: canonRead(ds, await ds.readAsync()) }).toEqual({ p, value: canonRead(ds, ds.read()) })
  }
})

test('hyperslabs with steps read as numpy slices them', () => {
  using f = File.open(file)
  for (const s of expected.slices) {
    const ds = f.dataset(s.path)
    const value = ds.read({ start: s.start, count: s.count, step: s.step })
    const ours = canonRead(ds, value, s.count)
    expect({ path: s.path, value: ours }).toEqual({ path: s.path, value: s.h5py })
  }
})

test('every attribute reads as h5py gives it', () => {
  using f = File.open(file)
  const mismatches: Array<{ name: string; ours: unknown; want: unknown }> = []
  for (const [key, e] of Object.entries(expected.attrs)) {
    const [objPath, name] = key.split('@')
    const attrs = f.get(objPath).attrs
    expect(Object.keys(attrs)).toContain(name)
    const ours = canon(attrs[name])
    if (JSON.stringify(ours) !== JSON.stringify(want(e))) mismatches.push({ name: key, ours, want: want(e) })
  }
  expect(mismatches).toEqual([])
})

test('types are described: compounds, strings, enums, arrays, references', () => {
  using f = File.open(file)
  const nested = f.dataset('/compound_nested/contiguous')
  expect(nested.dtype).toBe('compound')
  expect(nested.typed).toBe(false)
  expect(nested.type.members!.map((m) => [m.name, m.type.dtype])).toEqual([['id', 'int64'], ['inner', 'compound'], ['tags', 'string'], ['ok', 'bool'], ['c', 'complex64']])
  const s = f.dataset('/fixed_spacepad_utf8').type
  expect([s.kind, s.variable, s.encoding, s.padding, s.length]).toEqual(['string', false, 'utf-8', 'spacepad', 6])
  expect(f.dataset('/vlen_ascii/contiguous').type).toMatchObject({ kind: 'string', variable: true, encoding: 'ascii' })
  const e = f.dataset('/enum/contiguous')
  expect([e.dtype, e.typeClass, e.typed]).toEqual(['int16', 'enum', true])
  expect(e.enumMembers).toEqual({ NEG: -1, ZERO: 0, BIG: 300 })
  const a = f.dataset('/array_i2/contiguous')
  expect([a.dtype, a.typeClass, a.elementSize, a.arrayType]).toEqual(['int16', 'array', 6, 'Int16Array'])
  const c = f.dataset('/complex128_be/contiguous')
  expect([c.dtype, c.typeClass, c.elementSize, c.arrayType]).toEqual(['complex128', 'complex', 2, 'Float64Array'])
  expect(f.dataset('/compound_not_complex/contiguous').dtype).toBe('compound')
  expect(f.dataset('/refs/contiguous').type.kind).toBe('reference')
  expect(f.dataset('/regionrefs/contiguous').type.kind).toBe('region_reference')
  expect(f.dataset('/bitfield_b16be')).toMatchObject({ dtype: 'uint16', typeClass: 'bitfield', typed: true })
})

test('readFields: one typed array per numeric member, values for the rest; only the fields asked for are read', async () => {
  using f = File.open(file)
  const ds = f.dataset('/compound/chunked')
  const records = ds.read<Array<Record<string, unknown>>>()
  const all = ds.readFields()
  expect(Object.keys(all)).toEqual(['x', 'y', 'name', 'v'])
  // (constructor names: the addon makes its arrays in Node's realm, not jest's)
  expect([all.x, all.y, all.v].map((c) => (c as object).constructor.name)).toEqual(['Float64Array', 'Int32Array', 'Float32Array']) // v: 3 per record, flat
  expect(all.name).toEqual(records.map((r) => r.name))
  expect(Array.from(all.y as Int32Array)).toEqual(records.map((r) => r.y))
  const two = ds.readFields(['y', 'x'], { start: [1], count: [3] })
  expect(Object.keys(two)).toEqual(['y', 'x'])
  expect(Array.from(two.x as Float64Array)).toEqual(records.slice(1, 4).map((r) => r.x))
  expect(await ds.readFieldsAsync(['y'])).toEqual({ y: all.y })
  expect(() => ds.readFields(['nope'])).toThrow(expect.objectContaining({ code: 'H5_NOT_FOUND' }))
  expect(() => f.dataset('/vlen_int').readFields()).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }))
})

test('references resolve to the file\'s own objects; a region reads back what it points at', () => {
  using f = File.open(file)
  const refs = f.dataset('/refs/contiguous').read<unknown[]>()
  expect(refs[0]).toBe(f.dataset('/vlen_int'))
  expect(refs[1]).toBeInstanceOf(Group)
  expect((refs[1] as Group).path).toBe('/group')
  expect(refs[3]).toBeNull()
  const [slab] = f.dataset('/regionrefs/contiguous').read<Array<{ dataset: Dataset; selection: RegionSelection }>>()
  expect(slab.dataset).toBe(f.dataset('/grid'))
  // grid.regionref[1:3, 0:5:2], as HDF5 keeps it: one block of 2 rows, 3 times every 2 columns.
  const sel = slab.selection
  expect(sel).toMatchObject({ type: 'hyperslab', shape: [5, 6], start: [1, 0], stride: [1, 2], count: [1, 3], block: [2, 1] })
  const grid = Array.from(slab.dataset.read() as Int32Array)
  const picked: number[] = []
  for (let r = sel.start![0]; r < sel.start![0] + sel.block![0]; r++)
    for (let k = 0; k < sel.count![1]; k++) picked.push(grid[r * 6 + sel.start![1] + k * sel.stride![1]])
  expect(picked).toEqual([6, 8, 10, 12, 14, 16])
})

test('typed arrays and values are the caller\'s: a second read does not alias the first', () => {
  using f = File.open(file)
  const ds = f.dataset('/vlen_int')
  const a = ds.read<Int32Array[]>()
  const b = ds.read<Int32Array[]>()
  a[3][0] = 99
  expect(b[3][0]).toBe(-5)
  expect(a[3].buffer).not.toBe(b[3].buffer)
})

test('HDF5 2.0\'s own complex class reads as complex numbers, where the library has it', () => {
  // h5py >= 3.16 built on HDF5 >= 2 (Debian testing) writes it; older libraries do not have the class.
  const major = Number(File.libraryInfo().version.split('.')[0])
  expect(expected.nativeComplex).toBe(major >= 2)
  if (major < 2) return
  using f = File.open(file)
  const ds = f.dataset('/native_complex')
  expect([ds.dtype, ds.typeClass]).toEqual(['complex128', 'complex'])
  expect(Array.from(ds.read() as Float64Array)).toEqual([1, 2, 0, -3.5, 4, 0])
})
