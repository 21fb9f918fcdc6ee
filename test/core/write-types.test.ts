// Strings, compounds, complex numbers, arrays and sequences written by h5swmr (datasets and
// attributes), read back by this release's h5py (test/fixtures/types/dump-values.py) and by h5swmr:
// the same values, and the HDF5 types h5py itself writes for them.
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { File } from '../../lib'
import { PYTHON, tmpDir } from '../helpers/processes'

const dir = tmpDir()
const DUMP = path.join(__dirname, '..', 'fixtures', 'types', 'dump-values.py')

function h5pyValues(file: string): { datasets: Record<string, unknown>; attrs: Record<string, unknown> } {
  const r = spawnSync(PYTHON, [DUMP, file], { encoding: 'utf8', maxBuffer: 64 << 20 })
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout)
}

function h5dumpType(file: string, object: string): string {
  const r = spawnSync('h5dump', ['-H', '-d', object, file], { encoding: 'utf8' })
  return r.stdout.replace(/\s+/g, ' ')
}

const records = [
  { id: 1, x: 0.5, name: 'alpha', label: 'a', c: { re: 1, im: -1 }, v: new Float32Array([1, 2, 3]) },
  { id: -2, x: 1e300, name: 'βeta ☃', label: 'bb', c: { re: 0, im: 2.5 }, v: new Float32Array([4, 5, 6]) },
  { id: 3, x: -0, name: '', label: '', c: { re: -3, im: 0 }, v: new Float32Array([7, 8, 9]) },
]
const recordType = {
  compound: {
    id: 'int32', x: 'float64', name: 'string', label: { string: 4 }, c: 'complex64', v: { array: 'float32', shape: [3] },
  },
} as const

test('datasets of strings, records, complex numbers, arrays and sequences: h5py reads back what was written', () => {
  const file = path.join(dir, 'written.h5')
  {
    using f = File.create(file)
    f.createDataset('/strings', { dtype: 'string', shape: [4] }).write(null, ['hello', 'wörld', '', 'µm ☃'])
    f.createDataset('/title', { dtype: 'string', shape: [] }).write(null, 'A scan title')
    f.createDataset('/fixed', { dtype: { string: 8 }, shape: [3] }).write(null, ['ab', 'exactly8', 'ü'])
    f.createDataset('/fixed_ascii', { dtype: { string: 4, encoding: 'ascii' }, shape: [2] }).write(null, ['abcd', 'x'])
    const rec = f.createDataset('/records', { dtype: recordType, shape: [3], maxshape: [null], chunks: [2], compression: 'deflate' })
    rec.write(null, records)
    const cols = f.createDataset('/columns', { dtype: { compound: { a: 'uint16', b: 'float32', s: 'string' } }, shape: [3] })
    cols.write(null, { a: new Uint16Array([1, 2, 65535]), b: new Float32Array([0.5, -1, 2]), s: ['x', 'y', 'z'] })
    f.createDataset('/complex', { dtype: 'complex128', shape: [2] }).write(null, new Float64Array([1, 2, -3, 0.5]))
    f.createDataset('/complex64', { dtype: 'complex64', shape: [2] }).write(null, [{ re: 1, im: 1 }, { re: 2, im: -2 }])
    f.createDataset('/arrays', { dtype: { array: 'int16', shape: [2, 2] }, shape: [2] }).write(null, new Int16Array([1, 2, 3, 4, 5, 6, 7, 8]))
    f.createDataset('/seqs', { dtype: { vlen: 'int32' }, shape: [3] }).write(null, [new Int32Array([1, 2]), [], [3, 4, 5]])
    f.createDataset('/bools', { dtype: 'bool', shape: [2] }).write(null, new Uint8Array([1, 0]))
  }
  const py = h5pyValues(file)
  expect(py.datasets['/strings']).toEqual(['hello', 'wörld', '', 'µm ☃'])
  expect(py.datasets['/title']).toBe('A scan title')
  expect(py.datasets['/fixed']).toEqual(['ab', 'exactly8', 'ü'])
  expect(py.datasets['/fixed_ascii']).toEqual(['abcd', 'x'])
  expect(py.datasets['/records']).toEqual(records.map((r) => ({ ...r, c: { re: r.c.re, im: r.c.im }, v: Array.from(r.v), x: Object.is(r.x, -0) ? -0 : r.x })))
  expect(py.datasets['/columns']).toEqual([{ a: 1, b: 0.5, s: 'x' }, { a: 2, b: -1, s: 'y' }, { a: 65535, b: 2, s: 'z' }])
  expect(py.datasets['/complex']).toEqual([{ re: 1, im: 2 }, { re: -3, im: 0.5 }])
  expect(py.datasets['/complex64']).toEqual([{ re: 1, im: 1 }, { re: 2, im: -2 }])
  expect(py.datasets['/arrays']).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]])
  expect(py.datasets['/seqs']).toEqual([[1, 2], [], [3, 4, 5]])
  expect(py.datasets['/bools']).toEqual([true, false])
  // The types h5py writes for the same values.
  expect(h5dumpType(file, '/strings')).toContain('H5T_STRING { STRSIZE H5T_VARIABLE; STRPAD H5T_STR_NULLTERM; CSET H5T_CSET_UTF8; CTYPE H5T_C_S1; }')
  expect(h5dumpType(file, '/fixed')).toContain('H5T_STRING { STRSIZE 8; STRPAD H5T_STR_NULLPAD; CSET H5T_CSET_UTF8; CTYPE H5T_C_S1; }')
  expect(h5dumpType(file, '/complex')).toContain('H5T_COMPOUND { H5T_IEEE_F64LE "r"; H5T_IEEE_F64LE "i"; }')

  // And h5swmr reads back the same values.
  using f = File.open(file)
  expect(f.dataset('/strings').read()).toEqual(['hello', 'wörld', '', 'µm ☃'])
  expect(f.dataset('/title').read()).toBe('A scan title')
  const back = f.dataset('/records').read<Array<Record<string, unknown>>>()
  expect(back.map((r) => ({ ...r, v: Array.from(r.v as Float32Array) }))).toEqual(records.map((r) => ({ ...r, v: Array.from(r.v) })))
  expect(f.dataset('/complex64').dtype).toBe('complex64')
  expect(Array.from(f.dataset('/complex64').read() as Float32Array)).toEqual([1, 1, 2, -2])
})

test('writes check what they are given: a clear, coded error', () => {
  using f = File.create(path.join(dir, 'bad.h5'))
  const s = f.createDataset('/s', { dtype: { string: 3 }, shape: [2] })
  expect(() => s.write(null, ['toolong', 'a'])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG', message: expect.stringContaining('at most 3 bytes') }))
  expect(() => s.write(null, ['a'])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }))
  expect(() => s.write(null, [1, 2])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG', message: expect.stringContaining('expected a string') }))
  const r = f.createDataset('/r', { dtype: { compound: { a: 'uint8', b: 'string' } }, shape: [1] })
  expect(() => r.write(null, [{ a: 1 }])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG', message: expect.stringContaining("field 'b'") }))
  expect(() => r.write(null, [{ a: 256, b: 'x' }])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG', message: expect.stringContaining('uint8') }))
  expect(() => f.createDataset('/v', { dtype: 'string', shape: [1] }).write(null, ['nul\0inside'])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }))
  expect(() => f.createDataset('/x', { dtype: { nope: 1 } as never, shape: [1] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }))
})

test('attributes of strings (fixed and variable), records, complex numbers: as h5py writes and reads them', () => {
  const file = path.join(dir, 'attrs.h5')
  {
    using f = File.create(file)
    const g = f.createGroup('/entry')
    g.setAttr('title', 'Scan 42')
    g.setAttr('units', ' ', { string: 1, encoding: 'ascii' })
    g.setAttr('start_time', '2026-12-04T10:00:00', { string: 19 })
    g.setAttr('axes', ['x', 'y'])
    g.setAttr('record', { a: 1, b: 2.5, s: 'text', ok: true })
    g.setAttr('records', [{ a: 1, b: 2 }, { a: 3, b: 4.5 }])
    g.setAttr('z', { re: 1, im: -2 })
    g.setAttr('typed', { n: 7 }, { compound: { n: 'uint8' } })
  }
  const py = h5pyValues(file).attrs
  expect(py['/entry@title']).toBe('Scan 42')
  expect(py['/entry@units']).toBe(' ')
  expect(py['/entry@start_time']).toBe('2026-12-04T10:00:00')
  expect(py['/entry@axes']).toEqual(['x', 'y'])
  expect(py['/entry@record']).toEqual({ a: 1, b: 2.5, s: 'text', ok: true })
  expect(py['/entry@records']).toEqual([{ a: 1, b: 2 }, { a: 3, b: 4.5 }])
  expect(py['/entry@z']).toEqual({ re: 1, im: -2 })
  expect(py['/entry@typed']).toEqual({ n: 7 })
  using f = File.open(file)
  expect(f.group('/entry').attrs).toEqual({
    title: 'Scan 42', units: ' ', start_time: '2026-12-04T10:00:00', axes: ['x', 'y'], record: { a: 1, b: 2.5, s: 'text', ok: true },
    records: [{ a: 1, b: 2 }, { a: 3, b: 4.5 }], z: { re: 1, im: -2 }, typed: { n: 7 },
  })
})
