import './dispose'
import * as posixPath from 'node:path/posix'
import { attributeValues, type ReferenceResolver } from './values'
import { Dataset, type DatasetOwner } from './dataset'
import { H5Error } from './errors'
import { inferTypeSpec, needsTypeSpec, type AttrValue, type DType, type TypeSpec } from './dtype'
import { native, type Dims, type NativeDataset, type NativeFile, type NativeMember, type NativeMetadataCacheInfo, type NativeRetryInfo, type NativeVirtualOptions } from './native'

export interface OpenOptions {
  /** Open with H5F_ACC_SWMR_READ (default true): follow a file another process is writing. */
  swmr?: boolean
  /**
   * HDF5 file locking for this file. `false` means a reader never blocks a writer from re-creating
   * the file (recommended for followers). Default: the library's (the HDF5_USE_FILE_LOCKING
   * environment variable, read when the library loads, overrides both).
   */
  locking?: boolean
  /**
   * Raw-data chunk cache size in bytes, on the file access list (it survives H5Drefresh). Default 0:
   * one-frame-per-chunk reads then go straight into your buffer (the default 1 MiB cache costs a copy).
   */
  chunkCacheBytes?: number
  /**
   * SWMR reads: attempts at a metadata read whose checksum fails before it is an `H5_CORRUPT` error.
   * Default 27 (HDF5's own default, 100, turns a damaged file into a stall of hours; see
   * docs/ROBUSTNESS.md for how 27 was measured).
   */
  metadataReadAttempts?: number
  /**
   * The HDF5 file driver. Default `'h5swmr'`: HDF5's sec2 (POSIX) driver, read-only, except that
   * the chunk bytes of a direct-path read are read after the HDF5 lock is released, so reads of
   * uncompressed frames on several threads run in parallel. `'sec2'`: HDF5's own, every byte read
   * under the lock (for comparison, or should the h5swmr driver ever misbehave).
   */
  driver?: 'h5swmr' | 'sec2'
}

export interface CreateOptions {
  /** Replace an existing file (default true); false fails if it exists. */
  overwrite?: boolean
  locking?: boolean
}

export interface DatasetOptions {
  /** A number type (`DType`), or any type h5py writes (`TypeSpec`: strings, compounds, complex, ...). */
  dtype: TypeSpec
  shape: number[]
  /** `null` (or Infinity) marks an unlimited dimension. Default: `shape`. */
  maxshape?: Dims
  /** Default: 1 along growing dimensions, the full extent along the others (one frame per chunk). */
  chunks?: number[]
  /**
   * 'deflate' (HDF5's gzip, with `compressionLevel`) or 'bslz4': bitshuffle + LZ4 (HDF5 filter 32008,
   * as DECTRIS Eiger detectors write; readable by h5py with hdf5plugin or Debian's `bitshuffle`), or
   * 'bszstd': bitshuffle + zstd (the same filter, as Jungfraujoch writes; `compressionLevel` is zstd's,
   * default 3; readable by h5py with hdf5plugin or bitshuffle >= 0.4), 'zstd' (HDF5 filter 32015, one
   * zstd frame per chunk; `compressionLevel` default 3) or 'blosc' (filter 32001, as odin-data writes:
   * `bloscCompressor`, `bloscShuffle`, `compressionLevel` 0-9, default 5). All are built in, so no plugin
   * is needed to write or read them; h5py reads them with hdf5plugin.
   */
  compression?: 'none' | 'deflate' | 'bslz4' | 'bszstd' | 'zstd' | 'blosc'
  compressionLevel?: number
  /** Byte shuffle before compression (default: on for deflate). */
  shuffle?: boolean
  /** 'bslz4' and 'bszstd' only: elements per bitshuffle block, a multiple of 8; 0 (default) = about 8 KiB. */
  bitshuffleBlockSize?: number
  /** 'blosc' only: the codec inside blosc (default 'lz4', as odin-data writes). */
  bloscCompressor?: 'blosclz' | 'lz4' | 'lz4hc' | 'snappy' | 'zlib' | 'zstd'
  /** 'blosc' only: shuffle before the codec (default 'byte'). */
  bloscShuffle?: 'none' | 'byte' | 'bit'
  fillValue?: number | bigint | boolean
  /**
   * Default true. `false` sets H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS: chunks reaching past the
   * dataset's edge are stored without the filters (some writers do this to save time).
   */
  filterEdgeChunks?: boolean
}

/**
 * A virtual dataset (HDF5 VDS): regions of source datasets, in this file (`file: '.'`) or others
 * (relative names are found next to this file), which need not exist yet; unmapped or missing parts
 * read as `fillValue`. A mapping whose vspace and srcspace both have an unlimited count grows with
 * its source, e.g. `vspace: { start: [i], stride: [n], count: [null] }` interleaves n sources.
 * '%' in a source name is HDF5's printf-style pattern; write '%%' for a literal one.
 */
export interface VirtualDatasetOptions {
  dtype: DType
  shape: number[]
  maxshape?: Dims
  fillValue?: number | bigint | boolean
  mappings: NativeVirtualOptions['mappings']
}

export interface LinkInfo {
  name: string
  /** Absolute path of the member in this file. */
  path: string
  linkType: 'hard' | 'soft' | 'external' | 'user'
  /**
   * What the link resolves to now; 'missing' for a dangling soft/external link, 'damaged' for a hard
   * link whose object cannot be read (a damaged file: hard links cannot dangle).
   */
  objectType: 'group' | 'dataset' | 'datatype' | 'missing' | 'damaged' | 'other'
  /** Soft link: path it points to; external link: object path in `targetFile`. */
  target?: string
  targetFile?: string
  /**
   * Identity of the object the link resolves to (file number and address): equal for every link to
   * the same object, so a walk can show each object once, as h5py's `visititems` does (a group may
   * hard-link to itself or an ancestor). Absent for a dangling link.
   */
  objectKey?: string
}

/** One object found by `visit()`: reached by hard links, each object once (as h5py's `visititems`). */
export interface VisitedObject {
  /** Absolute path of the first name HDF5 met it by. */
  path: string
  objectType: 'group' | 'dataset' | 'datatype' | 'other'
  /** Identity of the object (see `LinkInfo.objectKey`). */
  objectKey: string
}

export type { AttrValue } from './dtype'

function normalize(path: string, base = '/'): string {
  const joined = path.startsWith('/') ? path : posixPath.join(base, path)
  const p = posixPath.normalize(joined)
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p
}

// Numbers, booleans, strings and typed arrays as h5swmr always stored them; anything that needs a
// type spec (records, complex numbers, fixed strings, a spec given) through the typed writer.
function writeAttribute(nativeFile: NativeFile, path: string, name: string, value: AttrValue, dtype?: TypeSpec): void {
  const simpleSpec = dtype === undefined || (typeof dtype === 'string' && dtype !== 'string' && dtype !== 'complex64' && dtype !== 'complex128')
  const complex = typeof value === 'object' && value !== null && 're' in value && 'im' in value
  if (simpleSpec && !needsTypeSpec(value) && !complex) {
    nativeFile.writeAttr(path, name, value, dtype as DType | undefined)
    return
  }
  const scalar = !Array.isArray(value)
  const values = scalar ? [value] : (value as unknown[])
  if (!scalar && values.length === 0) throw new H5Error(`Cannot write an empty attribute '${name}'`, 'ERR_INVALID_ARG')
  nativeFile.writeAttrValues(path, name, value, dtype ?? inferTypeSpec(values), scalar)
}

/** A group in a file: a path with navigation helpers (no HDF5 id is held). */
export class Group {
  readonly file: File
  readonly path: string

  /** @internal */
  constructor(file: File, path: string) {
    this.file = file
    this.path = path
  }

  get name(): string {
    return this.path === '/' ? '/' : this.path.slice(this.path.lastIndexOf('/') + 1)
  }

  /** Members with their link type (hard, soft, external) and what each resolves to. */
  list(): LinkInfo[] {
    return this.file.list(this.path)
  }

  keys(): string[] {
    return this.list().map((m) => m.name)
  }

  /** Every object below this group by HDF5's own walk, as h5py's `visit` (see `File.visit`). */
  visit(): VisitedObject[] {
    return this.file.visit(this.path)
  }

  /** A member by relative or absolute path (soft and external links are followed). */
  get(path: string): Dataset | Group {
    return this.file.get(normalize(path, this.path))
  }

  dataset(path: string): Dataset {
    return this.file.dataset(normalize(path, this.path))
  }

  group(path: string): Group {
    return this.file.group(normalize(path, this.path))
  }

  has(path: string): boolean {
    return this.file.has(normalize(path, this.path))
  }

  /**
   * Attributes, read now, as h5py gives them: a scalar dataspace's one value, an array (flat, C order)
   * for others, null for an empty one. Numbers (BigInt past 2^53), booleans (h5py bools), strings
   * (fixed ones as h5py's bytes: up to the first NUL when null-terminated, else less trailing NULs;
   * UTF-8, invalid bytes as U+FFFD), records for compounds, `{ re, im }` for complex numbers, typed
   * arrays for sequences of numbers, Uint8Arrays for opaque data, Datasets and Groups for object
   * references, `{ dataset, path, selection }` for region references. Attributes of HDF5's time
   * class (which h5py does not read either) are left out.
   */
  get attrs(): Record<string, unknown> {
    return attributeValues(this.file._native().readAttrs(this.path), this.file._references())
  }

  /**
   * Writer: set an attribute (before startSwmrWrite), as h5py would store the value: a number
   * int64 when whole, float64 otherwise (or `dtype`); a bigint int64; a boolean h5py's bool; a string
   * variable-length UTF-8 (`dtype: { string: N }` for fixed); a typed array its own type; an array of
   * one kind of those a 1-D attribute; a record (plain object) a compound of its fields, an array of
   * records a 1-D compound; `{ re, im }` complex128. `dtype` (a DType or a TypeSpec) overrides.
   */
  setAttr(name: string, value: AttrValue, dtype?: TypeSpec): void {
    writeAttribute(this.file._native(), this.path, name, value, dtype)
  }

  createGroup(path: string): Group {
    return this.file.createGroup(normalize(path, this.path))
  }

  createDataset(path: string, options: DatasetOptions): Dataset {
    return this.file.createDataset(normalize(path, this.path), options)
  }

  createVirtualDataset(path: string, options: VirtualDatasetOptions): void {
    this.file.createVirtualDataset(normalize(path, this.path), options)
  }
}

/**
 * An open HDF5 file. Read side: `File.open(path, { swmr: true })`. Write side: `File.create(path)`
 * (libver >= 1.10 so SWMR works), create everything, then `startSwmrWrite()`.
 */
export class File extends Group {
  #native: NativeFile
  #datasets = new Map<string, Dataset>()
  #byKey = new Map<string, Dataset>()
  /** What this file's Datasets may ask of it (instead of reaching into it). */
  /** References in values resolve to this file's own Datasets and Groups (null when nothing is there). */
  #references: ReferenceResolver<Dataset | Group> = {
    object: (path) => {
      const type = this.#native.objectType(path)
      return type === 'dataset' ? this.dataset(path) : type === 'group' ? new Group(this, path) : null
    },
  }
  #owner: DatasetOwner = {
    references: this.#references,
    writeAttr: (path, name, value, dtype) => writeAttribute(this.#native, path, name, value, dtype),
    forget: (ds) => {
      for (const [p, d] of this.#datasets) if (d === ds) this.#datasets.delete(p)
      if (this.#byKey.get(ds.objectKey) === ds) this.#byKey.delete(ds.objectKey)
    },
  }

  private constructor(nativeFile: NativeFile, filePath: string) {
    super(undefined as unknown as File, '/')
    ;(this as { file: File }).file = this
    this.#native = nativeFile
    this.filePath = filePath
  }

  /** Path of the file on disk. */
  readonly filePath: string

  /** Open for reading; SWMR read unless `swmr: false`. */
  static open(filePath: string, options: OpenOptions = {}): File {
    const opts = { swmr: true, ...options }
    return new File(new native.NativeFile(filePath, 'r', opts), filePath)
  }

  /** Create a file for writing (1.10 file format, ready for `startSwmrWrite()`). */
  static create(filePath: string, options: CreateOptions = {}): File {
    const mode = options.overwrite === false ? 'x' : 'w'
    return new File(new native.NativeFile(filePath, mode, options), filePath)
  }

  /** Open an existing file for writing; `swmr: true` opens it with H5F_ACC_SWMR_WRITE. */
  static openForWrite(filePath: string, options: { swmr?: boolean; locking?: boolean } = {}): File {
    return new File(new native.NativeFile(filePath, 'a', options), filePath)
  }

  /** Open HDF5 ids in this process, of every kind (for leak checks). */
  static openObjectCount(): number {
    return native.openObjectCount()
  }

  static libraryInfo() {
    return native.libraryInfo()
  }

  /** File on disk (the Group `path` of a file is '/'). */
  override get name(): string {
    return '/'
  }

  /** True when opened for SWMR reading or writing in SWMR mode. */
  get isSwmr(): boolean {
    const info = this.#native.info()
    return info.swmrRead || info.swmrWriting
  }

  /** The HDF5 file driver the file was opened with: `'h5swmr'` (reads) or `'sec2'`. */
  get driver(): string {
    return this.#native.info().driver
  }

  get writable(): boolean {
    return this.#native.info().writable
  }

  get closed(): boolean {
    return this.#native.info().closed
  }

  override list(path = '/'): LinkInfo[] {
    const base = normalize(path)
    return this.#native.list(base).map((m: NativeMember) => ({ ...m, path: posixPath.join(base, m.name) }))
  }

  /**
   * Every object below `path` reached by hard links, each once, in name order: HDF5's own walk
   * (`H5Ovisit`, as h5py's `visititems`; the start itself is not listed, and whether a link back to it
   * is followed depends on the release, as in h5py). Soft and external links are not followed. A file
   * whose structure is damaged fails here with `H5_CORRUPT` as a whole, where walking it group by
   * group can reach libhdf5's crashes; `checkFile` walks this way first for that reason.
   */
  override visit(path = '/'): VisitedObject[] {
    const base = normalize(path)
    return this.#native.visit(base).map((o) => ({ ...o, path: posixPath.join(base, o.path) }))
  }

  /** Identity of the object at `path` (see `LinkInfo.objectKey`), or null when nothing resolves there. */
  objectKey(path: string): string | null {
    return this.#native.objectKey(normalize(path))
  }

  override has(path: string): boolean {
    return this.#native.objectType(normalize(path)) !== null
  }

  override get(path: string): Dataset | Group {
    const p = normalize(path)
    const type = this.#native.objectType(p)
    if (type === 'dataset') return this.dataset(p)
    if (type === 'group') return new Group(this, p)
    if (type === null) throw new H5Error(`No object '${p}' in '${this.filePath}'`, 'H5_NOT_FOUND')
    throw new H5Error(`'${p}' in '${this.filePath}' is a ${type}, not a group or dataset`, 'H5_NOT_A_DATASET')
  }

  /**
   * The dataset at `path`: the same Dataset object (one HDF5 id) while it stays open, also when it
   * is reached by another path (a soft link). H5Drefresh on one id while a second id of the same
   * dataset is open makes reads through it return wrong data, so there is only ever one.
   */
  override dataset(path: string): Dataset {
    const p = normalize(path)
    let ds = this.#datasets.get(p)
    if (!ds) {
      const type = this.#native.objectType(p)
      if (type === null) throw new H5Error(`No dataset '${p}' in '${this.filePath}'`, 'H5_NOT_FOUND')
      if (type !== 'dataset') throw new H5Error(`'${p}' in '${this.filePath}' is a ${type}, not a dataset`, 'H5_NOT_A_DATASET')
      const opened = new Dataset(this, p, this.#native.openDataset(p), this.#owner)
      const same = opened.objectKey ? this.#byKey.get(opened.objectKey) : undefined
      if (same) {
        opened._release()
        ds = same
      } else {
        ds = opened
        if (ds.objectKey) this.#byKey.set(ds.objectKey, ds)
      }
      this.#datasets.set(p, ds)
    }
    return ds
  }

  override group(path: string): Group {
    const p = normalize(path)
    const type = this.#native.objectType(p)
    if (type === null) throw new H5Error(`No group '${p}' in '${this.filePath}'`, 'H5_NOT_FOUND')
    if (type !== 'group') throw new H5Error(`'${p}' in '${this.filePath}' is a ${type}, not a group`, 'H5_NOT_A_GROUP')
    return new Group(this, p)
  }

  override createGroup(path: string): Group {
    const p = normalize(path)
    this.#native.createGroup(p)
    return new Group(this, p)
  }

  override createDataset(path: string, options: DatasetOptions): Dataset {
    const p = normalize(path)
    return this.#created(p, this.#native.createDataset(p, options))
  }

  /**
   * Create a virtual dataset. Not opened here: HDF5 1.14 opens the sources to learn its extent, and
   * a source another process still has open for writing refuses that; open it (SWMR) to read it.
   */
  override createVirtualDataset(path: string, options: VirtualDatasetOptions): void {
    this.#native.createVirtualDataset(normalize(path), options)
  }

  #created(p: string, nativeDataset: NativeDataset): Dataset {
    const ds = new Dataset(this, p, nativeDataset, this.#owner)
    this.#datasets.set(p, ds)
    if (ds.objectKey) this.#byKey.set(ds.objectKey, ds)
    return ds
  }

  /** Writer: switch to SWMR mode. Create every group, dataset and attribute before this. */
  startSwmrWrite(): void {
    this.#native.startSwmrWrite()
  }

  /** Writer: flush everything (H5Fflush). */
  flush(): void {
    this.#native.flush()
  }

  /** SWMR metadata read retries so far, per metadata kind and power-of-ten bin. */
  retryInfo(): NativeRetryInfo {
    return this.#native.retryInfo()
  }

  /** HDF5's metadata cache of this file: its size now and its bound, bytes (what a long follow holds). */
  metadataCacheInfo(): NativeMetadataCacheInfo {
    return this.#native.metadataCacheInfo()
  }

  /** Close the file and its datasets. Reads already in flight finish first; later use is H5_CLOSED. */
  close(): void {
    this.#native.close()
    this.#datasets.clear()
    this.#byKey.clear()
  }

  [Symbol.dispose](): void {
    this.close()
  }

  /** @internal */
  _native(): NativeFile {
    return this.#native
  }

  /** @internal */
  _references(): ReferenceResolver<Dataset | Group> {
    return this.#references
  }
}
