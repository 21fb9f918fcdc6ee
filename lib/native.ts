// The only module that touches the addon: loads it and declares its (thin, 1:1) surface.
import * as path from 'node:path'
import { H5Error } from './errors'

export type Dims = Array<number | null> // null = unlimited (maxshape only)

export interface NativeSelection {
  start: number[]
  count: number[]
  step?: number[]
}

export interface NativeFileInfo {
  path: string
  writable: boolean
  swmrRead: boolean
  swmrWriting: boolean
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
  supported: boolean
  arrayType: string
  shape: number[]
  maxshape: Dims
  layout: 'chunked' | 'contiguous' | 'compact' | 'virtual' | 'unknown'
  chunks: number[] | null
  filters: NativeFilter[]
  fillValue: number | bigint | boolean | null
}

export interface NativeMember {
  name: string
  linkType: 'hard' | 'soft' | 'external' | 'user'
  objectType: 'group' | 'dataset' | 'datatype' | 'missing' | 'other'
  target?: string
  targetFile?: string
}

export interface NativeRetryInfo {
  attempts: number
  bins: number
  retries: number[][]
}

export interface NativeCreateOptions {
  dtype: string
  shape: number[]
  maxshape?: Dims
  chunks?: number[]
  compression?: 'none' | 'deflate'
  compressionLevel?: number
  shuffle?: boolean
  fillValue?: number | bigint | boolean
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
  close(): void
  info(): NativeDatasetInfo
  shape(): number[]
  refresh(): number[]
  readInto<T extends AnyTypedArray>(sel: NativeSelection | null, out: T): T
  readIntoAsync<T extends AnyTypedArray>(sel: NativeSelection | null, out: T): Promise<T>
  readAttrs(): Record<string, unknown>
  extend(shape: number[]): number[]
  write(sel: NativeSelection | null, data: AnyTypedArray): void
  flush(): void
}

export interface NativeFile {
  close(): void
  info(): NativeFileInfo
  startSwmrWrite(): void
  flush(): void
  openDataset(path: string): NativeDataset
  retryInfo(): NativeRetryInfo
  list(path: string): NativeMember[]
  objectType(path: string): 'group' | 'dataset' | 'datatype' | null
  createGroup(path: string): void
  readAttrs(path: string): Record<string, unknown>
  writeAttr(path: string, name: string, value: unknown, dtype?: string): void
  createDataset(path: string, options: NativeCreateOptions): NativeDataset
}

export interface NativeAddon {
  NativeFile: new (path: string, mode: 'r' | 'a' | 'w' | 'x', options: object) => NativeFile
  setErrorClass(cls: typeof H5Error): void
  openObjectCount(): number
  libraryInfo(): { version: string; headerVersion: string; threadsafe: boolean; fileLockingOption: boolean }
}

function load(): NativeAddon {
  const root = path.join(__dirname, '..')
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node-gyp-build')(root) as NativeAddon
  } catch (err) {
    const reason = (err as Error).message
    const hint = /libhdf5/.test(reason)
      ? 'The HDF5 shared library could not be loaded. Install it (Debian/Ubuntu: apt-get install libhdf5-103-1 ' +
        'or libhdf5-dev; Fedora: dnf install hdf5; macOS: brew install hdf5; conda: conda install -c conda-forge hdf5).'
      : 'No usable build of the addon was found in build/Release or prebuilds/. Build it with ' +
        '`npm rebuild h5swmr` (needs cmake, a C++ compiler and libhdf5-dev; `bash scripts/setup.sh` installs them on Debian/Ubuntu).'
    throw new Error(`h5swmr: cannot load the native addon: ${reason}\n${hint}`)
  }
}

export const native: NativeAddon = load()
native.setErrorClass(H5Error)
