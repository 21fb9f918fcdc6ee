// Small real-file fixtures for the follow tests: a file open for writing in this process, whose
// datasets the tests change between iterations (what swmr_tools' suite does with numpy mocks).
import * as path from 'node:path'
import { File, type Dataset } from '../../lib'
import type { DType } from '../../lib/core/dtype'
import type { Dims } from '../../lib/core/native'
import { tmpDir } from '../helpers/processes'

// Created when the test file loads (tmpDir registers its cleanup with afterAll).
const dir = tmpDir('h5swmr-follow-')
let n = 0

export function newFile(name = 'keys'): File {
  return File.create(path.join(dir, `${name}-${process.pid}-${n++}.h5`))
}

export function filePath(name = 'f'): string {
  return path.join(dir, `${name}-${process.pid}-${n++}.h5`)
}

export interface KeySpec {
  shape: number[]
  maxshape?: Dims
  dtype?: DType
  /** Flat (C-order) values; default all zero. */
  values?: ArrayLike<number>
  chunks?: number[]
}

export function addDataset(file: File, p: string, spec: KeySpec): Dataset {
  const ds = file.createDataset(p, {
    dtype: spec.dtype ?? 'int32',
    shape: spec.shape,
    maxshape: spec.maxshape ?? spec.shape,
    chunks: spec.chunks ?? (spec.shape.length && spec.shape.every((s) => s > 0) ? spec.shape : spec.shape.map(() => 1)),
    fillValue: 0,
  })
  if (spec.values) setAll(ds, spec.values)
  return ds
}

/** Overwrite the whole current extent with flat values. */
export function setAll(ds: Dataset, values: ArrayLike<number>): void {
  const out = ds.allocate()
  if (out.length !== values.length) throw new Error(`setAll: ${values.length} values for ${out.length} elements`)
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) for (let i = 0; i < out.length; i++) out[i] = BigInt(values[i])
  else for (let i = 0; i < out.length; i++) (out as Float64Array)[i] = values[i]
  ds.write(null, out)
}

/** Set flat (C-order) element `index` to `value`. */
export function setFlat(ds: Dataset, index: number, value: number): void {
  const shape = ds.shape
  const pos = new Array<number>(shape.length)
  let i = index
  for (let d = shape.length - 1; d >= 0; d--) {
    pos[d] = i % shape[d]
    i = Math.floor(i / shape[d])
  }
  const out = ds.allocate({ start: pos, count: shape.map(() => 1) })
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[0] = BigInt(value)
  else (out as Float64Array)[0] = value
  ds.write({ start: pos, count: shape.map(() => 1) }, out)
}

export function ones(n: number): number[] {
  return new Array<number>(n).fill(1)
}

/** Flat values: 1 for the first `count` elements, 0 after. */
export function prefix(n: number, count: number): number[] {
  return Array.from({ length: n }, (_, i) => (i < count ? 1 : 0))
}

export function arange(n: number, start = 0): number[] {
  return Array.from({ length: n }, (_, i) => i + start)
}

/** Collect a sync iterable into an array. */
export function collect<T>(it: Iterable<T>): T[] {
  return [...it]
}

export async function collectAsync<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const v of it) out.push(v)
  return out
}

/** A warnings sink for `onWarning`. */
export function warnings(): { list: string[]; handler: (m: string) => void } {
  const list: string[] = []
  return { list, handler: (m) => list.push(m) }
}
