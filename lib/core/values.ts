// Values of every type h5py reads, from the addon's columns (binding/api/values.h: one typed array
// per numeric leaf, an array of strings, an object of columns per compound) to what a JS user gets:
// strings, records, typed arrays, references resolved to the file's objects. Elements are made here,
// in JS, where making many small objects of one shape is fast.
import type { AnyTypedArray } from './native'

/** A stored datatype as h5swmr describes it (`Dataset.type`). */
export interface TypeDescription {
  kind:
    | 'integer' | 'float' | 'bool' | 'enum' | 'bitfield' | 'complex' | 'string' | 'compound' | 'array'
    | 'vlen' | 'opaque' | 'reference' | 'region_reference' | 'unsupported'
  /** 'int16', 'float64', 'complex64', 'bool', 'string', 'compound', 'array', 'vlen', 'opaque', 'reference', ... */
  dtype: string
  /** Bytes of one element as read into memory. */
  size: number
  signed?: boolean
  /** Strings: variable length, the stored encoding, the padding rule of fixed ones and their length in bytes. */
  variable?: boolean
  encoding?: 'ascii' | 'utf-8'
  padding?: 'nullterm' | 'nullpad' | 'spacepad'
  length?: number
  /** Enums: member name → value. */
  enumMembers?: Record<string, number | bigint>
  /** Compounds: members in order. */
  members?: Array<{ name: string; type: TypeDescription }>
  /** Arrays and variable-length sequences: the element type; arrays: their dimensions. */
  base?: TypeDescription
  dims?: number[]
  /** Opaque: its tag. */
  tag?: string
  /** Unsupported: what the type is; `damaged` when no writer makes such a type (reads are H5_CORRUPT). */
  unsupported?: string
  damaged?: boolean
}

/** What the addon returns for a value read (a dataset's reads leave the type to its Dataset). */
export interface NativeValues {
  type: TypeDescription
  count: number
  scalar: boolean
  empty: boolean
  columns: unknown
}

/** A selection in a dataset, as a region reference points at it. */
export interface RegionSelection {
  type: 'all' | 'none' | 'hyperslab' | 'blocks' | 'points' | 'unknown'
  /** The extent of the dataset's dataspace the selection is in. */
  shape: number[]
  /** hyperslab (HDF5's regular hyperslab: start, stride, count, block per dimension). */
  start?: number[]
  stride?: number[]
  count?: number[]
  block?: number[]
  /** blocks: each block's first and last (inclusive) coordinates. */
  blocks?: Array<{ start: number[]; end: number[] }>
  /** points: each point's coordinates. */
  points?: number[][]
}

/** How references are resolved (to the file's own Dataset and Group objects). */
export interface ReferenceResolver<T> {
  object(path: string): T | null
}

/** A region reference, resolved: the dataset, and the selection in it. */
export interface RegionReference<T> {
  dataset: T | null
  path: string
  selection: RegionSelection | null
}

/** An attribute reference (HDF5 1.12+ files), resolved: the object and the attribute's name. */
export interface AttributeReference<T> {
  object: T | null
  path: string
  attribute: string
}

/** A complex number (`complex64`, `complex128`) inside a record, an attribute or a sequence. */
export interface Complex {
  re: number
  im: number
}

/**
 * Integers as typed arrays hold them (BigInt for 64-bit), or as attributes give them: numbers, with
 * BigInt only past 2^53 (as h5swmr's attributes always have).
 */
export type IntegerStyle = 'typed' | 'number'

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

function integer(v: number | bigint, style: IntegerStyle): number | bigint {
  if (style === 'number' && typeof v === 'bigint' && v <= MAX_SAFE && v >= -MAX_SAFE) return Number(v)
  return v
}

function product(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1)
}

/** Elements per dataset element in a column of this type (arrays hold several). */
function per(type: TypeDescription): number {
  return type.kind === 'array' ? product(type.dims!) : 1
}

/** Element `i` of a column of `type`. */
export function element<T>(type: TypeDescription, column: unknown, i: number, refs: ReferenceResolver<T>, style: IntegerStyle): unknown {
  switch (type.kind) {
    case 'integer':
    case 'enum':
    case 'bitfield':
      return integer((column as AnyTypedArray)[i], style)
    case 'float':
      return (column as Float64Array)[i]
    case 'bool':
      return (column as Uint8Array)[i] !== 0
    case 'complex': {
      const c = column as Float64Array
      return { re: c[2 * i], im: c[2 * i + 1] } satisfies Complex
    }
    case 'string':
      return (column as string[])[i]
    case 'compound': {
      const record: Record<string, unknown> = {}
      const columns = column as Record<string, unknown>
      for (const m of type.members!) record[m.name] = element(m.type, columns[m.name], i, refs, style)
      return record
    }
    case 'array':
      return slice(type.base!, column, i * per(type), per(type), refs, style)
    case 'vlen': {
      const inner = (column as unknown[])[i]
      return slice(type.base!, inner, 0, length(type.base!, inner), refs, style)
    }
    case 'opaque': {
      const bytes = column as Uint8Array
      return bytes.subarray(i * type.size, (i + 1) * type.size)
    }
    case 'reference':
    case 'region_reference':
      return reference((column as unknown[])[i], refs)
    default:
      return undefined
  }
}

// How many elements of `type` a column holds.
function length(type: TypeDescription, column: unknown): number {
  if (type.kind === 'compound') {
    const first = type.members![0]
    return first ? length(first.type, (column as Record<string, unknown>)[first.name]) : 0
  }
  const n = (column as { length: number }).length
  return type.kind === 'complex' ? n / 2 : type.kind === 'opaque' ? n / type.size : type.kind === 'array' ? n / per(type) : n
}

// `count` elements of `type` from element `from`: a typed array view where numbers allow it (the
// elements of an array member or a sequence), else an array of elements.
function slice<T>(type: TypeDescription, column: unknown, from: number, count: number, refs: ReferenceResolver<T>, style: IntegerStyle): unknown {
  if (ArrayBuffer.isView(column) && (type.kind === 'integer' || type.kind === 'float' || type.kind === 'enum' || type.kind === 'bitfield')) {
    return (column as AnyTypedArray).subarray(from, from + count)
  }
  if (type.kind === 'complex') return (column as Float64Array).subarray(2 * from, 2 * (from + count))
  const out = new Array(count)
  for (let k = 0; k < count; k++) out[k] = element(type, column, from + k, refs, style)
  return out
}

function reference<T>(value: unknown, refs: ReferenceResolver<T>): unknown {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return refs.object(value)
  const v = value as { path: string; selection?: RegionSelection | null; attribute?: string }
  if (v.attribute !== undefined) return { object: refs.object(v.path), path: v.path, attribute: v.attribute } satisfies AttributeReference<T>
  return { dataset: refs.object(v.path), path: v.path, selection: v.selection ?? null } satisfies RegionReference<T>
}

// Element i of a column, as a function made once per read: the per-element work is then a typed-array
// or array load, not a switch on the type for every element and field.
function accessor<T>(type: TypeDescription, column: unknown, refs: ReferenceResolver<T>, style: IntegerStyle): (i: number) => unknown {
  switch (type.kind) {
    case 'float':
    case 'string': {
      const c = column as ArrayLike<unknown>
      return (i) => c[i]
    }
    case 'integer':
    case 'enum':
    case 'bitfield': {
      const c = column as ArrayLike<number | bigint>
      return style === 'typed' ? (i) => c[i] : (i) => integer(c[i], style)
    }
    case 'bool': {
      const c = column as Uint8Array
      return (i) => c[i] !== 0
    }
    case 'compound': {
      const columns = column as Record<string, unknown>
      const names = type.members!.map((m) => m.name)
      const fields = type.members!.map((m) => accessor(m.type, columns[m.name], refs, style))
      const n = names.length
      return (i) => {
        const record: Record<string, unknown> = {}
        for (let k = 0; k < n; k++) record[names[k]] = fields[k](i)
        return record
      }
    }
    default:
      return (i) => element(type, column, i, refs, style)
  }
}

/** Every element of a value read, in C order. */
export function elements<T>(values: NativeValues, refs: ReferenceResolver<T>, style: IntegerStyle = 'typed'): unknown[] {
  const out = new Array(values.count)
  if (values.count === 0) return out
  const at = accessor(values.type, values.columns, refs, style)
  for (let i = 0; i < values.count; i++) out[i] = at(i)
  return out
}

/**
 * A value read as h5py gives it: null for an empty (H5S_NULL) dataspace, the one element for a
 * scalar dataspace, else an array of elements (flat, C order).
 */
export function valueOf<T>(values: NativeValues, refs: ReferenceResolver<T>, style: IntegerStyle = 'typed'): unknown {
  if (values.empty) return null
  const all = elements(values, refs, style)
  return values.scalar ? all[0] : all
}

/**
 * Attributes as h5py gives them: the one value of a scalar dataspace, an array (flat, C order) for
 * any other, null for an empty one; integers as numbers (BigInt past 2^53). Attributes whose type
 * h5swmr cannot read (HDF5's time class) are left out.
 */
export function attributeValues<T>(raw: Record<string, NativeValues | { unsupported: string }>, refs: ReferenceResolver<T>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, values] of Object.entries(raw)) {
    if ('unsupported' in values) continue
    out[name] = valueOf(values, refs, 'number')
  }
  return out
}
