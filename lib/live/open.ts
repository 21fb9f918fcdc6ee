// Opening a file that may be under a live SWMR writer: pymodaq_data's open_h5_file_for_reading
// (h5modules/swmr.py) for Node, the superblock's status flags read straight from the file, and
// whether a writer has it. (core/collect.ts has pymodaq's dataset helpers.)
import * as fs from 'node:fs'
import { File } from '../core/file'
import { fileSystemError, H5Error } from '../core/errors'
import { pause, runAsync, runSync, type Steps } from './steps'
import { now } from './timing'

export interface OpenForReadingOptions {
  /**
   * `true`: open SWMR-read. `false`: plain read. `'auto'` (default): SWMR-read when a writer is
   * live — whether that writer is this process or another one — else plain.
   */
  swmr?: boolean | 'auto'
  /**
   * HDF5 file locking for the open. Default: the library default for `swmr: true|false`; `false`
   * for `'auto'` (a plain open with locking then still detects a writer through the superblock
   * status flags, and never blocks a writer from re-opening the file).
   */
  locking?: boolean
  /**
   * Milliseconds to keep retrying while the file is not there yet (`ENOENT`), not yet a complete
   * HDF5 file, or held by a writer that has not started SWMR (`H5_SWMR_NOT_ACTIVE`, `H5_LOCKED`).
   * The last error is thrown when the time is up. Default 0 (no retry). The synchronous
   * `openForReading` blocks the thread while it waits; `openForReadingAsync` does not.
   */
  waitFor?: number
  /** Milliseconds between retries while waiting (default 50). */
  retryInterval?: number
  /** Ends a wait at once (the last error is thrown). */
  signal?: AbortSignal
}

export interface OpenForReadingResult {
  file: File
  /** True when the returned handle was opened SWMR-read. */
  isSwmr: boolean
}

export interface SuperblockStatus {
  /** Superblock version (SWMR needs 3). */
  version: number
  /** Byte offset of the superblock (0 unless the file has a user block). */
  offset: number
  /** Consistency flag bit 0: a writer has (or had, if it crashed) the file open. v2/v3 only. */
  writeAccess: boolean
  /** Consistency flag bit 2: that writer is (or was) in SWMR mode. v3 only. */
  swmrWriteAccess: boolean
}

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])

/**
 * Read the superblock's file-consistency flags straight from the file (no HDF5 open, so neither
 * locks nor this process's other handles on the file get in the way). These are the flags HDF5
 * checks on open, and `h5clear -s` clears after a crash. `null` when no HDF5 signature is found;
 * a missing file throws `ENOENT`.
 */
export function readSuperblockStatus(filePath: string): SuperblockStatus | null {
  let fd: number
  try {
    fd = fs.openSync(filePath, 'r')
  } catch (err) {
    throw fileSystemError('Cannot open', filePath, err as NodeJS.ErrnoException)
  }
  try {
    const stat = fs.fstatSync(fd)
    if (stat.isDirectory()) throw fileSystemError('Cannot open', filePath, Object.assign(new Error(), { code: 'EISDIR' }))
    const size = stat.size
    const buf = Buffer.alloc(12)
    // HDF5 looks for the signature at 0, 512, 1024, 2048, ... (after a user block).
    for (let offset = 0; offset + buf.length <= size; offset = offset === 0 ? 512 : offset * 2) {
      if (fs.readSync(fd, buf, 0, buf.length, offset) < buf.length) break
      if (!buf.subarray(0, 8).equals(SIGNATURE)) continue
      const version = buf[8]
      const flags = version >= 2 ? buf[11] : 0
      return { version, offset, writeAccess: (flags & 0x01) !== 0, swmrWriteAccess: version >= 3 && (flags & 0x04) !== 0 }
    }
    return null
  } finally {
    fs.closeSync(fd)
  }
}

function isTruthyAttr(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0 && isTruthyAttr(v[0])
  if (typeof v === 'bigint') return v !== 0n
  if (typeof v === 'string') return v.length > 0 && v.toLowerCase() !== 'false' && v !== '0'
  return Boolean(v)
}

function rootSwmrActive(file: File): boolean {
  return isTruthyAttr(file.attrs.swmr_active)
}

function isWriterBusy(err: unknown): boolean {
  return err instanceof H5Error && (err.code === 'H5_FILE_IN_USE' || err.code === 'H5_LOCKED')
}

/**
 * HDF5 shares one open file per process: a second open of a file this process already has open
 * must use the same locking setting, or it fails with "file locking flag values don't match"
 * (a generic H5_OPEN_FAILED). When the caller left `locking` unset, retry with the library default,
 * which is what a writer in this process normally used.
 */
function openWithLocking(filePath: string, swmr: boolean, locking: boolean | undefined, explicit: boolean): { file: File; locking: boolean | undefined } {
  try {
    return { file: File.open(filePath, { swmr, locking }), locking }
  } catch (err) {
    if (explicit || locking === undefined || !(err instanceof H5Error) || !/file locking flag values don't match/.test(err.message)) throw err
    return { file: File.open(filePath, { swmr }), locking: undefined }
  }
}

/**
 * pymodaq `open_h5_file_for_reading`. Auto mode:
 * 0. if the superblock says a SWMR writer has the file (`readSuperblockStatus`), open SWMR-read;
 * 1. a plain open (`locking: false` unless given); if it succeeds and the root attribute
 *    `swmr_active` (pymodaq writers' marker) is truthy, reopen SWMR-read;
 * 2. if the plain open fails because a writer holds the file (`H5_FILE_IN_USE`, or `H5_LOCKED`
 *    when locking is on) — the case pymodaq gets wrong for a writer in another process — open
 *    SWMR-read. If that fails too, its error is thrown (e.g. `H5_SWMR_NOT_ACTIVE`: a writer has the
 *    file open but has not started SWMR yet).
 * A missing file is `ENOENT`; other errors are thrown as they are.
 */
export function openForReading(filePath: string, options: OpenForReadingOptions = {}): OpenForReadingResult {
  return runSync(openSteps(filePath, options))
}

/** `openForReading` that waits (with `waitFor`) without blocking the event loop. */
export function openForReadingAsync(filePath: string, options: OpenForReadingOptions = {}): Promise<OpenForReadingResult> {
  return runAsync(openSteps(filePath, options), options.signal)
}

// Try to open; while the file is not ready yet and `waitFor` allows, sleep and try again.
function* openSteps(filePath: string, options: OpenForReadingOptions): Steps<OpenForReadingResult> {
  const deadline = now() + (options.waitFor ?? 0)
  for (;;) {
    try {
      return openOnce(filePath, options)
    } catch (err) {
      if (!isNotReadyYet(err) || now() >= deadline || options.signal?.aborted) throw err
      yield pause(Math.min(options.retryInterval ?? 50, Math.max(0, deadline - now())))
    }
  }
}

/** Failures a reader that started before its writer sees, and that go away once the writer is in SWMR mode. */
function isNotReadyYet(err: unknown): boolean {
  if (!(err instanceof H5Error)) return false
  return ['ENOENT', 'H5_SWMR_NOT_ACTIVE', 'H5_LOCKED', 'H5_NOT_HDF5', 'H5_TRUNCATED'].includes(err.code)
}

function openOnce(filePath: string, options: OpenForReadingOptions): OpenForReadingResult {
  const swmr = options.swmr ?? 'auto'
  if (swmr === true) return { file: File.open(filePath, { swmr: true, locking: options.locking }), isSwmr: true }
  if (swmr === false) return { file: File.open(filePath, { swmr: false, locking: options.locking }), isSwmr: false }
  if (swmr !== 'auto') throw new H5Error(`swmr must be true, false or 'auto', got ${String(swmr)}`, 'ERR_INVALID_ARG')
  const explicit = options.locking !== undefined
  let locking: boolean | undefined = options.locking ?? false
  if (readSuperblockStatus(filePath)?.swmrWriteAccess)
    return { file: openWithLocking(filePath, true, locking, explicit).file, isSwmr: true }
  let plain: File
  try {
    ;({ file: plain, locking } = openWithLocking(filePath, false, locking, explicit))
  } catch (err) {
    if (!isWriterBusy(err)) throw err
    return { file: openWithLocking(filePath, true, locking, explicit).file, isSwmr: true }
  }
  let active: boolean
  try {
    active = rootSwmrActive(plain)
  } catch (err) {
    plain.close()
    throw err
  }
  if (!active) return { file: plain, isSwmr: false }
  plain.close()
  return { file: File.open(filePath, { swmr: true, locking }), isSwmr: true }
}

/**
 * pymodaq `is_file_swmr_active`, without its false positives: true when a SWMR writer holds the
 * file (another process included: the superblock's SWMR-write flag, or a plain open refused while a
 * SWMR open works) or the root `swmr_active` attribute is truthy. A SWMR writer that crashed leaves
 * the flag set, so it still counts (as for HDF5 itself, until `h5clear -s`). A missing file
 * throws `ENOENT` (pymodaq says "active"); a file held by a writer that has not started SWMR is
 * false; other failures (not HDF5, permissions) throw.
 */
export function isFileSwmrActive(filePath: string): boolean {
  const status = readSuperblockStatus(filePath)
  if (status?.swmrWriteAccess) return true
  let file: File
  try {
    file = openWithLocking(filePath, false, false, false).file
  } catch (err) {
    if (!isWriterBusy(err)) throw err
    try {
      openWithLocking(filePath, true, false, false).file.close()
      return true
    } catch (err2) {
      if (err2 instanceof H5Error && err2.code === 'H5_SWMR_NOT_ACTIVE') return false
      throw err2
    }
  }
  try {
    return rootSwmrActive(file)
  } finally {
    file.close()
  }
}
