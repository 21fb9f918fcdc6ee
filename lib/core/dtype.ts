import type { AnyTypedArray } from './native'

/**
 * Element types a dataset can hold. 64-bit integers read as BigInt64Array/BigUint64Array. float16 is
 * widened by HDF5 to float32 on read (a Float32Array), since JS has no Float16Array in Node 20.
 * 'bool' is h5py's bool (an enum over int8) and reads as a Uint8Array of 0/1; other enums read as
 * their base integer type.
 */
export type DType =
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'float16' | 'float32' | 'float64' | 'bool'

type TypedArrayConstructor<T extends AnyTypedArray = AnyTypedArray> = { new (length: number): T }

const ARRAY_TYPES: Record<string, TypedArrayConstructor> = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
}

export function arrayConstructor(arrayType: string): TypedArrayConstructor {
  const ctor = ARRAY_TYPES[arrayType]
  if (!ctor) throw new Error(`no typed array for ${arrayType}`)
  return ctor
}

/** The typed array a read of this dtype fills (and a write of it takes without conversion). */
export function arrayTypeOf(dtype: DType): string {
  switch (dtype) {
    case 'int8': return 'Int8Array'
    case 'uint8': case 'bool': return 'Uint8Array'
    case 'int16': return 'Int16Array'
    case 'uint16': return 'Uint16Array'
    case 'int32': return 'Int32Array'
    case 'uint32': return 'Uint32Array'
    case 'int64': return 'BigInt64Array'
    case 'uint64': return 'BigUint64Array'
    case 'float16': case 'float32': return 'Float32Array'
    case 'float64': return 'Float64Array'
  }
}

const DTYPE_OF_ARRAY: Record<string, DType> = {
  Int8Array: 'int8', Uint8Array: 'uint8', Uint8ClampedArray: 'uint8', Int16Array: 'int16', Uint16Array: 'uint16',
  Int32Array: 'int32', Uint32Array: 'uint32', BigInt64Array: 'int64', BigUint64Array: 'uint64',
  Float32Array: 'float32', Float64Array: 'float64',
}

/** The dtype that stores a typed array's elements as they are (undefined for other objects). */
export function dtypeOfArray(data: unknown): DType | undefined {
  return data && ArrayBuffer.isView(data) ? DTYPE_OF_ARRAY[data.constructor.name] : undefined
}

/**
 * A type to write, as h5py would write it: a `DType`; 'string' (variable-length UTF-8, h5py's `str`);
 * 'complex64' / 'complex128' (h5py's {r, i} compound); `{ string: N }` (fixed, N bytes of UTF-8,
 * null-padded; `encoding: 'ascii'` as numpy's `S` dtype); `{ compound: { field: TypeSpec, ... } }`
 * (packed, in the order given); `{ array: TypeSpec, shape }` (a fixed-size array per element);
 * `{ vlen: TypeSpec }` (a sequence of any length per element).
 */
export type TypeSpec =
  | DType
  | 'string'
  | 'complex64'
  | 'complex128'
  | { string: number; encoding?: 'utf-8' | 'ascii' }
  | { compound: { [field: string]: TypeSpec } }
  | { array: TypeSpec; shape: number[] }
  | { vlen: TypeSpec }

/**
 * What an attribute holds: numbers (BigInt past 2^53), strings, booleans, arrays of those, typed
 * arrays; records (plain objects: a compound), arrays of records, complex numbers `{ re, im }`.
 */
export type AttrValue =
  | number | bigint | boolean | string | number[] | bigint[] | boolean[] | string[] | ArrayLike<number>
  | Record<string, unknown> | Array<Record<string, unknown>>

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v)
}

function isComplex(v: unknown): boolean {
  return isRecord(v) && Object.keys(v).length === 2 && typeof v.re === 'number' && typeof v.im === 'number'
}

/**
 * The type h5py would give a value (for attributes): a string 'string', a number 'float64' ('int64'
 * when every number is a whole one), a bigint 'int64', a boolean 'bool', `{ re, im }` 'complex128',
 * a typed array an array of its type, a record a compound of its fields' types.
 */
export function inferTypeSpec(values: unknown[]): TypeSpec {
  const first = values[0]
  if (isComplex(first)) return 'complex128'
  if (isRecord(first)) {
    const compound: Record<string, TypeSpec> = {}
    for (const key of Object.keys(first)) compound[key] = inferTypeSpec(values.map((v) => (v as Record<string, unknown>)[key]))
    return { compound }
  }
  if (ArrayBuffer.isView(first)) {
    const dtype = dtypeOfArray(first)
    if (!dtype) throw new TypeError('cannot store a DataView')
    const lengths = new Set(values.map((v) => (v as ArrayLike<unknown>).length))
    return lengths.size === 1 ? { array: dtype, shape: [(first as unknown as ArrayLike<unknown>).length] } : { vlen: dtype }
  }
  if (typeof first === 'string') return 'string'
  if (typeof first === 'boolean') return 'bool'
  if (typeof first === 'bigint') return 'int64'
  if (typeof first === 'number') return values.every((v) => Number.isSafeInteger(v)) ? 'int64' : 'float64'
  throw new TypeError(`cannot infer an HDF5 type for ${typeof first}`)
}

/** True when a value needs a type beyond numbers, booleans and strings (records, complex numbers). */
export function needsTypeSpec(value: unknown): boolean {
  return isRecord(value) || (Array.isArray(value) && value.length > 0 && isRecord(value[0]))
}

/** Columns (one array per field) to records, for writing a compound. */
export function recordsOf(columns: Record<string, ArrayLike<unknown>>): Array<Record<string, unknown>> {
  const names = Object.keys(columns)
  const n = names.length ? columns[names[0]].length : 0
  const out = new Array(n)
  for (let i = 0; i < n; i++) {
    const r: Record<string, unknown> = {}
    for (const k of names) r[k] = columns[k][i]
    out[i] = r
  }
  return out
}
