// Is someone writing this file? Read from the superblock's status flags the only way libhdf5 lets a
// reader see them: by which opens it refuses (plain opens are refused while write flags are set;
// SWMR opens only while a writer holds the file without SWMR).
import { File } from './file'
import { H5Error } from './errors'

export type WriteStatus =
  /** No writer flags: closed cleanly (or never opened for writing). */
  | 'closed'
  /** A writer has the file open in SWMR mode (or one crashed in SWMR mode): SWMR readers can follow it. */
  | 'swmr-writing'
  /** A writer has the file open without SWMR (or crashed): no reader can follow it safely. */
  | 'writing'

export function fileWriteStatus(path: string): WriteStatus {
  try {
    File.open(path, { swmr: false, locking: false }).close()
    return 'closed'
  } catch (err) {
    if (!(err instanceof H5Error) || err.code !== 'H5_FILE_IN_USE') throw err
  }
  try {
    File.open(path, { swmr: true, locking: false }).close()
    return 'swmr-writing'
  } catch (err) {
    if (err instanceof H5Error && err.code === 'H5_SWMR_NOT_ACTIVE') return 'writing'
    throw err
  }
}
