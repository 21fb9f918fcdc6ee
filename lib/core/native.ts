// The only module that touches the addon: loads it and declares its (thin, 1:1) surface.
import * as path from 'node:path'
import { H5Error } from './errors'
import type { NativeValues, TypeDescription } from './values'

export type Dims = Array<number | null> // null = unlimited (maxshape only)

export interface NativeSelection {
  start: number[]
  count: number[]
  step?: number[]
}

/** Reads completed per path; chunks of direct reads whose bytes were read outside the HDF5 lock. */
export interface ReadStats {
  direct: number
  hdf5: number
  chunksReadOutsideLock: number
}

/** The raw-data chunk cache a dataset id reads through (H5Pget_chunk_cache on its access list). */
export interface ChunkCache {
  bytes: number
  slots: number
  w0: number
}

export interface NativeFileInfo {
  path: string
  writable: boolean
  swmrRead: boolean
  swmrWriting: boolean
  driver: string
  closed: boolean
  released: boolean
}

export interface NativeFilter {
  id: number
  name: string
  cdValues: number[]
  optional: boolean
  available: boolean
}

export interface NativeDatasetInfo {
  path: string
  /** Identity of the object (file number and address): equal for two paths to the same dataset. */
  objectKey: string
  dtype: string
  typeClass: string
  /** Reads fill typed arrays. */
  supported: boolean
  /** Reads give values of some kind (every type h5py reads). */
  readable: boolean
  /** Typed-array elements per dataset element. */
  elements: number
  arrayType: string
  shape: number[]
  /** An H5S_NULL dataspace (h5py's Empty): no value at all, not even a scalar. */
  empty: boolean
  maxshape: Dims
  layout: 'chunked' | 'contiguous' | 'compact' | 'virtual' | 'unknown'
  chunks: number[] | null
  filters: NativeFilter[]
  fillValue: number | bigint | boolean | null
  storedSize: number
}

/** One attribute as the addon reads it: its values, or why its type cannot be read. */
export type NativeAttr = NativeValues | { unsupported: string }

export interface NativeVisited {
  path: string
  objectType: 'group' | 'dataset' | 'datatype' | 'other'
  objectKey: string
}

export interface NativeMember {
  name: string
  linkType: 'hard' | 'soft' | 'external' | 'user'
  objectType: 'group' | 'dataset' | 'datatype' | 'missing' | 'damaged' | 'other'
  target?: string
  targetFile?: string
  /** Identity of what the link resolves to (absent when it resolves to nothing). */
  objectKey?: string
}

export interface NativeRetryInfo {
  attempts: number
  bins: number
  retries: number[][]
}

/** HDF5's metadata cache of one file, bytes (H5Fget_mdc_size): its current bound, what it holds. */
export interface NativeMetadataCacheInfo {
  maxSize: number
  currentSize: number
  entries: number
  configuredMaxSize: number
}

export interface NativeCreateOptions {
  dtype: unknown
  shape: number[]
  maxshape?: Dims
  chunks?: number[]
  compression?: 'none' | 'deflate' | 'bslz4' | 'bszstd' | 'zstd' | 'blosc'
  compressionLevel?: number
  shuffle?: boolean
  bitshuffleBlockSize?: number
  bloscCompressor?: 'blosclz' | 'lz4' | 'lz4hc' | 'snappy' | 'zlib' | 'zstd'
  bloscShuffle?: 'none' | 'byte' | 'bit'
  fillValue?: number | bigint | boolean
}

export interface NativeReadOptions {
  /** 'hdf5' turns the direct-chunk path off for this read (default 'auto'). */
  path?: 'auto' | 'hdf5'
  /** The stored bytes of each element, into a Uint8Array (any datatype, no conversion). */
  raw?: boolean
}

export interface NativeReadPlan {
  path: 'direct' | 'hdf5'
  /** Why a read takes the HDF5 path; '' for 'direct'. */
  reason: string
}

export type AnyTypedArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array

/** A dataspace selection as the VDS mapping describes it (`null` in count = unlimited). */
export interface NativeSpaceSelection {
  type: 'all' | 'hyperslab' | 'none' | 'points' | 'irregular' | 'unknown'
  dims: Dims
  maxdims: Dims
  start?: number[]
  stride?: Dims
  count?: Dims
  block?: Dims
}

export interface NativeVirtualMapping {
  /** Source file name as stored ('.' = this file); may contain printf-style patterns. */
  file: string
  dataset: string
  vspace: NativeSpaceSelection
  srcspace: NativeSpaceSelection
}

export interface NativeDataset {
  virtualMapping(): NativeVirtualMapping[] | null
  /** The descriptor of the file the data is in (an external link's target), -1 if none to watch. */
  fileDescriptor(): number
  close(): void
  info(): NativeDatasetInfo
  shape(): number[]
  refresh(): number[]
  readInto<T extends AnyTypedArray>(sel: NativeSelection | null, out: T, options?: NativeReadOptions): T
  readIntoAsync<T extends AnyTypedArray>(sel: NativeSelection | null, out: T, options?: NativeReadOptions): Promise<T>
  readPlan(sel: NativeSelection | null, options?: NativeReadOptions): NativeReadPlan
  readStats(): ReadStats
  chunkCache(): ChunkCache
  readAttrs(): Record<string, NativeAttr>
  valueType(): TypeDescription
  readValues(sel: NativeSelection | null, fields: string[] | undefined): Omit<NativeValues, 'type'>
  readValuesAsync(sel: NativeSelection | null, fields: string[] | undefined): Promise<Omit<NativeValues, 'type'>>
  extend(shape: number[]): number[]
  write(sel: NativeSelection | null, data: AnyTypedArray): void
  writeValues(sel: NativeSelection | null, values: unknown): void
  flush(): void
}

export interface NativeFile {
  close(): void
  info(): NativeFileInfo
  startSwmrWrite(): void
  flush(): void
  openDataset(path: string): NativeDataset
  retryInfo(): NativeRetryInfo
  metadataCacheInfo(): NativeMetadataCacheInfo
  list(path: string): NativeMember[]
  objectType(path: string): 'group' | 'dataset' | 'datatype' | null
  objectKey(path: string): string | null
  visit(path: string): NativeVisited[]
  createGroup(path: string): void
  readAttrs(path: string): Record<string, NativeAttr>
  writeAttr(path: string, name: string, value: unknown, dtype?: string): void
  writeAttrValues(path: string, name: string, values: unknown, spec: unknown, scalar: boolean): void
  createDataset(path: string, options: NativeCreateOptions): NativeDataset
  createVirtualDataset(path: string, options: NativeVirtualOptions): void
}

/** A regular hyperslab; `count` null = unlimited (the mapping grows with its source). */
export interface NativeHyperslab {
  start: number[]
  stride?: number[]
  count: Dims
  block?: number[]
}

export interface NativeVirtualOptions {
  dtype: string
  shape: number[]
  maxshape?: Dims
  fillValue?: number | bigint | boolean
  mappings: {
    file: string
    dataset: string
    vspace: NativeHyperslab
    srcShape: number[]
    srcMaxshape?: Dims
    srcspace: NativeHyperslab
  }[]
}

export interface NativeLibraryInfo {
  version: string
  headerVersion: string
  threadsafe: boolean
  fileLockingOption: boolean
  /** Where HDF5 filter 32008 comes from: a plugin on the HDF5 plugin path, or ours built in. */
  bitshuffleFilter: 'plugin' | 'builtin' | 'unavailable'
  /** The same for HDF5 filters 32015 (zstd) and 32001 (blosc). */
  zstdFilter: 'plugin' | 'builtin' | 'unavailable'
  bloscFilter: 'plugin' | 'builtin' | 'unavailable'
  /** The bitshuffle implementation the decoders use on this CPU. */
  bitshuffleKernel: 'reference' | 'scalar' | 'sse2' | 'avx2'
  inflate: 'libdeflate' | 'zlib'
  decodeThreads: number
  /**
   * How malloc serves the memory of new frames (glibc): frames up to `mmapThreshold` bytes from its
   * heap, up to `trimThreshold` bytes of freed memory kept for the next ones (binding/read/memory.h);
   * `tuned: false` with the reason where it was left alone.
   */
  frameMemory: { tuned: boolean; mmapThreshold?: number; trimThreshold?: number; reason?: string }
}

/** The decoders on plain buffers, for tests (not part of the public API). */
export interface NativeDecodeTesting {
  kernels(): string[]
  setBitshuffleKernel(name: string): void
  bitshuffle(kernel: string, direction: 'shuffle' | 'unshuffle', bytes: Uint8Array, elemSize: number, blockSize: number): Uint8Array
  bslz4Encode(bytes: Uint8Array, elemSize: number, blockSize: number, codec?: 'lz4' | 'zstd', zstdLevel?: number): Uint8Array
  decodeChunk(filters: Array<{ id: number; cd: number[] }>, mask: number, bytes: Uint8Array, decodedBytes: number | Uint8Array): Uint8Array
  peakConcurrentDecodes(reset?: boolean): number
  awaitConcurrentDecodes(n: number, timeoutMs?: number): void
  setFetchBatchBytes(bytes: number): number
  /** glibc mallinfo2: bytes malloc has handed out (heap and mmapped chunks) and keeps free for later. */
  mallocInUse(): { known: boolean; inUse: number; keptFree: number }
}

/** inotify on some files (one descriptor), for the synchronous followers (see lib/live/watch.ts). */
export interface NativeFileWatch {
  /** Block until the file is written or `ms` pass; true when written. */
  wait(ms: number): boolean
  /** True if the file was written since the last wait or drain. */
  drain(): boolean
  close(): void
}

export interface NativeAddon {
  NativeFile: new (path: string, mode: 'r' | 'a' | 'w' | 'x', options: object) => NativeFile
  NativeFileWatch: new (paths: string[]) => NativeFileWatch
  setErrorClass(cls: typeof H5Error): void
  openObjectCount(): number
  libraryInfo(): NativeLibraryInfo
  decodeThreads(): number
  setDecodeThreads(n: number): void
  _testing: NativeDecodeTesting
}

function load(): NativeAddon {
  const root = path.join(__dirname, '..', '..')  // dist/core/ -> the package
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node-gyp-build')(root) as NativeAddon
  } catch (err) {
    const reason = (err as Error).message
    const hint = /libhdf5/.test(reason)
      ? 'The HDF5 shared library could not be loaded. Install it (Debian/Ubuntu: apt-get install libhdf5-103-1 ' +
        'or libhdf5-dev; Fedora: dnf install hdf5; macOS: brew install hdf5; conda: conda install -c conda-forge hdf5).'
      : /liblz4|libdeflate/.test(reason)
      ? 'A decompression library could not be loaded. Install it (Debian/Ubuntu: apt-get install liblz4-1 libdeflate0; ' +
        'Fedora: dnf install lz4-libs libdeflate; macOS: brew install lz4 libdeflate), or rebuild with `npm rebuild h5swmr`.'
      : 'No usable build of the addon was found in build/Release or prebuilds/. Build it with ' +
        '`npm rebuild h5swmr` (needs cmake, a C++ compiler and libhdf5-dev; `bash scripts/setup.sh` installs them on Debian/Ubuntu).'
    throw new Error(`h5swmr: cannot load the native addon: ${reason}\n${hint}`)
  }
}

export const native: NativeAddon = load()
native.setErrorClass(H5Error)
