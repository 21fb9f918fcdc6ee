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

/** What an attribute holds: numbers (BigInt past 2^53), strings, booleans, arrays of those. */
export type AttrValue = number | bigint | boolean | string | number[] | bigint[] | boolean[] | string[] | ArrayLike<number>
