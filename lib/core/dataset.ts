import * as fs from 'node:fs'
import './dispose'
import { H5Error } from './errors'
import { arrayConstructor, recordsOf } from './dtype'
import { native } from './native'
import { attributeValues, elements, valueOf, type IntegerStyle, type NativeValues, type ReferenceResolver, type TypeDescription } from './values'
import type { AnyTypedArray, ChunkCache, Dims, NativeDataset, NativeDatasetInfo, NativeFilter, NativeVirtualMapping, ReadStats } from './native'
import type { AttrValue, TypeSpec } from './dtype'
import type { File } from './file'

/**
 * @internal What a Dataset needs of the file that opened it, handed in by that File: attribute writes
 * through the file's native handle, and forgetting a closed dataset (so the file hands out a new one).
 */
export interface DatasetOwner {
  writeAttr(path: string, name: string, value: AttrValue, dtype?: TypeSpec): void
  forget(ds: Dataset): void
  /** References in values resolve to the file's own objects. */
  references: ReferenceResolver<unknown>
}

/**
 * A hyperslab: per dimension a start, a count and an optional step (default 1). Omit the selection
 * to read the whole dataset.
 */
export interface Selection {
  start: number[]
  count: number[]
  step?: number[]
}

/**
 * How a read gets its data. 'direct': the stored chunks are fetched under the HDF5 lock (a few
 * microseconds each) and decoded outside it, on h5swmr's decode pool, straight into your array;
 * reads in flight decode in parallel. 'hdf5': H5Dread does everything, filters included, one call at
 * a time in the process. The direct path is taken when the selection is made of whole chunks (e.g.
 * one frame per chunk), every filter has a built-in decoder (deflate, shuffle, bitshuffle with or
 * without LZ4, LZ4) and the stored type needs no conversion; a chunk not written yet (fill value)
 * sends that read through HDF5. Both give the same bytes.
 */
export type ReadPath = 'direct' | 'hdf5'

export interface ReadPlan {
  path: ReadPath
  /** Why the read goes through HDF5 ('' for 'direct'). */
  reason: string
}

export interface ReadOptions {
  /** 'auto' (default) picks the path as described in `ReadPath`; 'hdf5' always uses H5Dread. */
  path?: 'auto' | 'hdf5'
}

export interface ReadManyOptions extends ReadOptions {
  /** Reads kept in flight (decoding in parallel); default: the decode pool's thread count. */
  concurrency?: number
  /**
   * Reuse arrays: each yielded array is only valid until the loop asks for the next one, then it
   * is read into again (`concurrency + 1` arrays in all). Saves a fresh allocation (and its page
   * faults) per frame, which at full speed costs more than decoding a compressed frame.
   */
  recycle?: boolean
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

/**
 * A dataset, held through one long-lived HDF5 id: `refresh()` (H5Drefresh) and the reads after it
 * go through the same id, which is what SWMR readers need to see new data. Get it from
 * `file.dataset(path)`; the file hands out one Dataset per path.
 */
export class Dataset {
  readonly file: File
  readonly path: string
  /**
   * Element type: a `DType` for numbers ('uint16', 'float64', 'bool', ...; an enum its base integer,
   * a bitfield an unsigned integer, an array of numbers its element's), 'complex64' / 'complex128',
   * or 'string', 'compound', 'vlen', 'array', 'opaque', 'reference', 'region_reference'. `type`
   * describes it in full; the README's type table says what each reads as.
   */
  readonly dtype: string
  /**
   * 'integer' | 'float' | 'bool' | 'enum' | 'bitfield' | 'complex' | 'array' (reads fill a typed array),
   * 'string' | 'compound' | 'vlen' | 'opaque' | 'reference' (reads give values), or what an
   * unsupported type is (reads are H5_UNSUPPORTED_TYPE errors).
   */
  readonly typeClass: string
  /** The stored type in full: members of compounds, string encoding and padding, enum names, ... */
  readonly type: TypeDescription
  /** Reads fill typed arrays (numbers, complex numbers, arrays of those); else they give values. */
  readonly typed: boolean
  /** Typed-array elements per dataset element: 1, 2 for complex numbers, the size of an array type. */
  readonly elementSize: number
  /** An empty (H5S_NULL) dataspace, h5py's `Empty`: it has no value, and reads give null. */
  readonly empty: boolean
  /** Upper bound per dimension; `null` = unlimited. */
  readonly maxshape: Dims
  readonly chunks: number[] | null
  readonly layout: NativeDatasetInfo['layout']
  readonly filters: NativeFilter[]
  readonly fillValue: number | bigint | boolean | null
  /** Name of the typed array class reads return. */
  readonly arrayType: string
  /** @internal Object identity (file number + address), to keep one id per dataset whatever the path. */
  readonly objectKey: string
  /** Bytes per element as stored in the file (what `readRaw` returns per element). */
  readonly storedSize: number
  #native: NativeDataset
  #owner: DatasetOwner
  #shape: number[]

  /** @internal */
  constructor(file: File, path: string, nativeDataset: NativeDataset, owner: DatasetOwner) {
    const info = nativeDataset.info()
    this.file = file
    this.path = path
    this.dtype = info.dtype
    this.typeClass = info.typeClass
    this.type = nativeDataset.valueType()
    this.typed = info.supported
    this.elementSize = info.elements
    this.empty = info.empty
    this.maxshape = info.maxshape
    this.chunks = info.chunks
    this.layout = info.layout
    this.filters = info.filters
    this.fillValue = info.fillValue
    this.arrayType = info.arrayType
    this.objectKey = info.objectKey
    this.storedSize = info.storedSize
    this.#native = nativeDataset
    this.#owner = owner
    this.#shape = info.shape
  }

  get name(): string {
    return this.path.slice(this.path.lastIndexOf('/') + 1)
  }

  /** Current extent as of the last `refresh()`/`extend()` (or open). */
  get shape(): number[] {
    return this.#shape.slice()
  }

  get ndim(): number {
    return this.#shape.length
  }

  /** Number of elements in the current extent. */
  get size(): number {
    return this.#shape.reduce((a, b) => a * b, 1)
  }

  /**
   * Attributes, read now, as h5py gives them (see `Group.attrs`): numbers (BigInt past 2^53),
   * strings, booleans (h5py bools), records, references..., an array for a non-scalar dataspace.
   */
  get attrs(): Record<string, unknown> {
    return attributeValues(this.#native.readAttrs(), this.#owner.references)
  }

  /** Writer: set an attribute (before startSwmrWrite); see `Group.setAttr` for how values are stored. */
  setAttr(name: string, value: AttrValue, dtype?: TypeSpec): void {
    this.#owner.writeAttr(this.path, name, value, dtype)
  }

  /**
   * H5Drefresh on this dataset's id, then re-read the extent. Returns true if the shape changed.
   * Call it once per poll, even when you expect the same shape: without it a SWMR reader keeps a
   * stale chunk index and reads fill values for frames already flushed.
   */
  refresh(): boolean {
    const shape = this.#native.refresh()
    const changed = !sameShape(shape, this.#shape)
    this.#shape = shape
    return changed
  }

  /** Elements a selection covers (the whole current extent when omitted). */
  selectionSize(selection?: Selection | null): number {
    const counts = selection ? selection.count : this.#shape
    return counts.reduce((a, b) => a * b, 1)
  }

  /** A new typed array sized for `selection`, of the type reads fill (typed datasets only). */
  allocate(selection?: Selection | null): AnyTypedArray {
    this.#mustBeTyped('allocate')
    return new (arrayConstructor(this.arrayType))(this.selectionSize(selection) * this.elementSize)
  }

  /**
   * Read a hyperslab (or everything). Numbers, complex numbers (interleaved re, im) and arrays of
   * them fill a new typed array in place (`T` defaults to that). Every other type gives values as
   * h5py does, in C order: an array of strings, of records (compounds), of typed arrays (sequences),
   * of Uint8Arrays (opaque), of Datasets and Groups (references)... The one value for a scalar
   * dataspace. An empty (H5S_NULL) dataset reads as null. Say what you expect: `ds.read<string[]>()`.
   */
  read<T = AnyTypedArray>(selection?: Selection | null, options?: ReadOptions): T {
    if (this.empty) return null as T
    if (!this.typed) return valueOf(this.#values(selection), this.#owner.references) as T
    return this.#native.readInto(selection ?? null, this.#uninitialized(selection), options) as unknown as T
  }

  /**
   * A compound's members as columns: for each field (default: all), a typed array of the selection's
   * values where the member is a number (interleaved for complex; flat for arrays of numbers),
   * else an array of its values. HDF5 reads only the fields asked for. The fast way to a table.
   */
  readFields(fields?: string[] | null, selection?: Selection | null): Record<string, unknown> {
    return this.#columns(this.#typedValues(this.#native.readValues(selection ?? null, fields ?? undefined), fields))
  }

  /** `readFields` on h5swmr's decode pool. */
  async readFieldsAsync(fields?: string[] | null, selection?: Selection | null): Promise<Record<string, unknown>> {
    return this.#columns(this.#typedValues(await this.#native.readValuesAsync(selection ?? null, fields ?? undefined), fields))
  }

  /**
   * A selection's elements as plain JS values, whatever the type: numbers (BigInt for 64-bit
   * integers), booleans, `{ re, im }`, strings, records, typed arrays (array and sequence elements),
   * ...; an array in C order, the one value for a scalar dataspace, null for an empty one. For
   * printing and small data; `read` is the fast way to numbers.
   */
  readValues(selection?: Selection | null): unknown {
    if (this.empty) return null
    if (!this.typed) return this.read(selection)
    const column = this.read<AnyTypedArray>(selection)
    const count = column.length / this.elementSize
    const values = { type: this.type, count, scalar: this.ndim === 0 && !selection, empty: false, columns: column }
    return valueOf(values, this.#owner.references)
  }

  /** An enum's members (name → value), as the file stores them; null for other types. */
  get enumMembers(): Record<string, number | bigint> | null {
    return this.type.enumMembers ?? null
  }

  /** @internal Every element of a selection, never a lone scalar (frames of strings, records...). */
  _readElements(selection: Selection | null): unknown[] {
    return elements(this.#values(selection), this.#owner.references)
  }

  /** @internal `_readElements` on the decode pool. */
  async _readElementsAsync(selection: Selection | null): Promise<unknown[]> {
    return elements(this.#typedValues(await this.#native.readValuesAsync(selection, undefined)), this.#owner.references)
  }

  #values(selection?: Selection | null): NativeValues {
    return this.#typedValues(this.#native.readValues(selection ?? null, undefined))
  }

  // The addon's values with their type: this dataset's, or the compound members `fields`, in that order.
  #typedValues(values: Omit<NativeValues, 'type'>, fields?: string[] | null): NativeValues {
    if (!fields) return { ...values, type: this.type }
    const members = fields.map((name) => this.type.members!.find((m) => m.name === name)!)
    return { ...values, type: { ...this.type, members, size: members.reduce((a, m) => a + m.type.size, 0) } }
  }

  #columns(values: NativeValues): Record<string, unknown> {
    if (values.type.kind !== 'compound') throw this._error('ERR_INVALID_ARG', `readFields needs a compound type, not ${this.typeClass}`)
    const columns = (values.columns ?? {}) as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const m of values.type.members!) {
      const column = columns[m.name]
      const numeric = ArrayBuffer.isView(column) && m.type.kind !== 'opaque' && m.type.kind !== 'bool'
      out[m.name] = numeric ? column : elements({ ...values, type: m.type, columns: column, scalar: false }, this.#owner.references)
    }
    return out
  }

  #mustBeTyped(what: string): void {
    if (!this.typed)
      throw this._error(this.type.kind === 'unsupported' ? 'H5_UNSUPPORTED_TYPE' : 'H5_BAD_BUFFER',
        this.type.kind === 'unsupported'
          ? `Cannot read: datatype '${this.dtype}' is not supported`
          : `${what}: '${this.typeClass}' values do not go into a typed array (use read())`)
  }

  /**
   * The stored bytes of each element of a selection, without conversion (file byte order, any
   * datatype, strings and compounds included): `selectionSize * storedSize` bytes.
   */
  readRaw(selection?: Selection | null, options?: ReadOptions): Uint8Array {
    const bytes = this.selectionSize(selection) * this.storedSize
    return this.#native.readInto(selection ?? null, new Uint8Array(bytes), { ...options, raw: true })
  }

  // A V8-owned array whose every byte the read overwrites, so skip the zero-fill (as Buffer.allocUnsafe).
  #uninitialized(selection?: Selection | null): AnyTypedArray {
    this.#mustBeTyped('read')
    const n = this.selectionSize(selection) * this.elementSize
    const ctor = arrayConstructor(this.arrayType) as unknown as {
      new (buffer: ArrayBuffer, offset: number, length: number): AnyTypedArray
      BYTES_PER_ELEMENT: number
    }
    const bytes = n * ctor.BYTES_PER_ELEMENT
    if (bytes < 4096) return this.allocate(selection)
    return new ctor(Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer, 0, n)
  }

  /**
   * @internal A new array for `selection` that a read is about to fill completely: not zero-filled
   * when large (for FrameReader/DataSource, whose frames HDF5 overwrites byte for byte).
   */
  _allocateForRead(selection?: Selection | null): AnyTypedArray {
    return this.#uninitialized(selection)
  }

  /** Read into the caller's typed array (of `arrayType`, exactly the selection's size) and return it. */
  readInto<T extends AnyTypedArray>(selection: Selection | null | undefined, out: T, options?: ReadOptions): T {
    return this.#native.readInto(selection ?? null, out, options)
  }

  /**
   * Like `read`, on h5swmr's decode pool: the event loop never waits for the disk, and reads in
   * flight at the same time decode in parallel (direct path).
   */
  readAsync<T = AnyTypedArray>(selection?: Selection | null, options?: ReadOptions): Promise<T> {
    if (this.empty) return Promise.resolve(null as T)
    if (!this.typed) {
      return this.#native.readValuesAsync(selection ?? null, undefined).then((v) => valueOf(this.#typedValues(v), this.#owner.references) as T)
    }
    return this.#native.readIntoAsync(selection ?? null, this.#uninitialized(selection), options) as unknown as Promise<T>
  }

  readIntoAsync<T extends AnyTypedArray>(selection: Selection | null | undefined, out: T, options?: ReadOptions): Promise<T> {
    return this.#native.readIntoAsync(selection ?? null, out, options)
  }

  /**
   * Read each selection in turn, keeping up to `concurrency` reads in flight (so that many frames
   * decode at once), and yield the arrays in the selections' order. Stopping early (break) lets the
   * reads in flight finish and drops them.
   */
  async *readMany(selections: Iterable<Selection | null>, options: ReadManyOptions = {}): AsyncGenerator<AnyTypedArray> {
    const { concurrency: wanted, recycle: wantRecycle = false, ...readOptions } = options
    const recycle = wantRecycle && this.typed // values (strings, records) are never read into
    const concurrency = Math.max(1, Math.floor(wanted ?? native.decodeThreads()))
    const pending = selections[Symbol.iterator]()
    const inFlight: Promise<AnyTypedArray>[] = []
    const spare: AnyTypedArray[] = [] // recycle: arrays the consumer has finished with
    let exhausted = false
    const fill = () => {
      while (!exhausted && inFlight.length < concurrency) {
        const next = pending.next()
        if (next.done) {
          exhausted = true
          break
        }
        const size = this.selectionSize(next.value) * this.elementSize
        const reuse = recycle ? spare.findIndex((a) => a.length === size) : -1
        const read = reuse >= 0
          ? this.readIntoAsync(next.value, spare.splice(reuse, 1)[0], readOptions)
          : this.readAsync<AnyTypedArray>(next.value, readOptions)
        read.catch(() => {}) // a failure surfaces when its turn comes, not as an unhandled rejection
        inFlight.push(read)
      }
    }
    try {
      fill()
      while (inFlight.length > 0) {
        const array = await inFlight.shift()!
        fill() // keep the pool busy while the consumer works on this one
        yield array
        if (recycle) spare.push(array)
      }
    } finally {
      await Promise.allSettled(inFlight)
    }
  }

  /** `readMany` over frames `start` to `end` (exclusive) along the first dimension. */
  readFrames(start = 0, end = this.#shape[0] ?? 0, options: ReadManyOptions = {}): AsyncGenerator<AnyTypedArray> {
    const rest = this.#shape.slice(1)
    const selections = function* () {
      for (let i = start; i < end; i++) yield { start: [i, ...rest.map(() => 0)], count: [1, ...rest] }
    }
    return this.readMany(selections(), options)
  }

  /** Which path a read of `selection` takes, and why (see `ReadPath`); `raw` for `readRaw`. */
  readPlan(selection?: Selection | null, options: { raw?: boolean } = {}): ReadPlan {
    return this.#native.readPlan(selection ?? null, { raw: options.raw === true })
  }

  readPath(selection?: Selection | null, options: { raw?: boolean } = {}): ReadPath {
    return this.readPlan(selection, options).path
  }

  /** Reads completed per path since this dataset was opened (all reads, sync and async). */
  get readStats(): ReadStats {
    return this.#native.readStats()
  }

  /**
   * The raw-data chunk cache this dataset's id reads through, as HDF5 reports it: `File.open`'s
   * `chunkCacheBytes` (0 by default), never HDF5's own default (1 MiB before 2.0, 8 MiB since).
   */
  get chunkCache(): ChunkCache {
    return this.#native.chunkCache()
  }

  /**
   * For a virtual dataset (`layout === 'virtual'`): which region maps to which source dataset, with
   * the selections on both sides. `null` for other layouts.
   */
  /**
   * A path to the file this dataset's data is in, for watching its writer: on Linux
   * `/proc/self/fd/N` of the descriptor it is read through (the target of an external link, not the
   * file it was opened by; the same inode even if the path is renamed or replaced), else that file's
   * path; null when there is no one file to watch (a virtual dataset: its writes land in its sources).
   */
  get watchPath(): string | null {
    const fd = this.#native.fileDescriptor()
    if (fd >= 0 && process.platform === 'linux' && fs.existsSync(`/proc/self/fd/${fd}`)) return `/proc/self/fd/${fd}`
    return this.layout === 'virtual' ? null : fd >= 0 ? this.file.filePath : null
  }

  virtualMapping(): NativeVirtualMapping[] | null {
    return this.#native.virtualMapping()
  }

  /** Writer: set a new extent (within maxshape). */
  extend(shape: number[]): void {
    this.#shape = this.#native.extend(shape)
  }

  /**
   * Writer: write at a hyperslab. Numbers from a typed array (HDF5 converts from its type; complex
   * numbers and arrays of numbers from one of the dataset's `arrayType`, interleaved / flat); every
   * other type from values: an array of the selection's size of strings, records (or, for a
   * compound, columns: `{ field: array }`), sequences..., or the one value of a one-element selection.
   */
  write(selection: Selection | null | undefined, data: AnyTypedArray | unknown): void {
    if (this.typed && ArrayBuffer.isView(data)) {
      this.#native.write(selection ?? null, data as AnyTypedArray)
      return
    }
    const columns = this.type.kind === 'compound' && typeof data === 'object' && data !== null && !Array.isArray(data) &&
      this.type.members!.every((m) => ArrayBuffer.isView((data as Record<string, unknown>)[m.name]) || Array.isArray((data as Record<string, unknown>)[m.name]))
    this.#native.writeValues(selection ?? null, columns ? recordsOf(data as Record<string, ArrayLike<unknown>>) : data)
  }

  /** Writer: flush this dataset's data and metadata so SWMR readers can see it (H5Dflush). */
  flush(): void {
    this.#native.flush()
  }

  /** @internal Close a duplicate id without touching the file's bookkeeping. */
  _release(): void {
    this.#native.close()
  }

  /** Release the HDF5 id (after reads already in flight finish). Further use is an H5_CLOSED error. */
  close(): void {
    this.#native.close()
    this.#owner.forget(this)
  }

  [Symbol.dispose](): void {
    this.close()
  }

  /** @internal For errors raised in TypeScript about this dataset. */
  _error(code: string, message: string): H5Error {
    return new H5Error(`${message} ('${this.path}' in '${this.file.filePath}')`, code)
  }
}
