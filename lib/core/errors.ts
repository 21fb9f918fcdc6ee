/** One frame of the HDF5 error stack, innermost last. */
export interface Hdf5StackFrame {
  function: string
  description: string
  major: string
  minor: string
  file: string
  line: number
}

/** Stable error codes. HDF5-derived ones start with `H5_`; file-system ones keep their errno name. */
export type H5ErrorCode =
  | 'ENOENT'
  | 'EACCES'
  | 'EISDIR'
  | 'ENOTDIR'
  | 'ERR_USAGE'
  | 'ERR_INVALID_ARG'
  | 'H5_NOT_HDF5'
  | 'H5_NOT_FOUND'
  | 'H5_NOT_A_GROUP'
  | 'H5_NOT_A_DATASET'
  | 'H5_LOCKED'
  | 'H5_SWMR_NOT_ACTIVE'
  | 'H5_FILE_IN_USE'
  | 'H5_FILTER_UNAVAILABLE'
  | 'H5_BAD_SELECTION'
  | 'H5_BAD_BUFFER'
  | 'H5_UNSUPPORTED_TYPE'
  | 'H5_CLOSED'
  | 'H5_READ_ONLY'
  | 'H5_SWMR_RESTRICTED'
  | 'H5_SWMR_START_FAILED'
  | 'H5_TRUNCATED'
  | 'H5_CORRUPT'
  | 'H5_CORRUPT_CHUNK'
  | 'H5_OUT_OF_RANGE'
  | 'H5_OPEN_FAILED'
  | 'H5_READ_FAILED'
  | 'H5_WRITE_FAILED'
  | 'H5_REFRESH_FAILED'
  | 'H5_ERROR'

/**
 * Every failure of h5swmr. `code` is stable (switch on it); `message` names what was being done and,
 * where HDF5 failed, ends with HDF5's own error stack, which is also in `hdf5Stack`.
 */
export class H5Error extends Error {
  readonly code: H5ErrorCode
  readonly hdf5Stack: Hdf5StackFrame[]

  constructor(message: string, code: H5ErrorCode | string, hdf5Stack: Hdf5StackFrame[] = []) {
    super(message)
    this.name = 'H5Error'
    this.code = code as H5ErrorCode
    this.hdf5Stack = hdf5Stack
  }
}

const FILE_SYSTEM_WORDS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory, not an HDF5 file',
  ENOTDIR: 'a part of the path is not a directory',
}

/** @internal A failed file-system call on `path`, in plain words, coded by its errno name where we name it. */
export function fileSystemError(action: string, path: string, err: NodeJS.ErrnoException): H5Error {
  const code = err.code && err.code in FILE_SYSTEM_WORDS ? err.code : 'H5_OPEN_FAILED'
  return new H5Error(`${action} '${path}': ${FILE_SYSTEM_WORDS[code] ?? err.message}`, code)
}
