// pymodaq_data's SWMR dataset helpers (h5modules/__init__.py): collect a file's datasets once, then
// refresh them per poll.
import * as posixPath from 'node:path/posix'
import type { Dataset } from './dataset'
import type { Group } from './file'

export interface CollectOptions {
  /**
   * Also walk soft and external links (pymodaq, through h5py's visititems, skips them). Dangling
   * links are skipped; a link back to a group already being walked is not re-entered.
   */
  followLinks?: boolean
}

/**
 * pymodaq `collect_datasets`: every dataset under `group`, recursively, keyed by absolute path
 * (`/RawData/sub/data2`); the values are the file's long-lived Dataset objects. Hard links only,
 * unless `followLinks`.
 */
export function collectDatasets(group: Group, options: CollectOptions = {}): Map<string, Dataset> {
  const out = new Map<string, Dataset>()
  const file = group.file
  const active = new Set<string>()
  const walk = (path: string, depth: number) => {
    if (depth > 64) return
    active.add(path)
    for (const m of file.list(path)) {
      if (m.linkType !== 'hard' && !options.followLinks) continue
      if (m.objectType === 'dataset') {
        out.set(m.path, file.dataset(m.path))
      } else if (m.objectType === 'group') {
        if (m.linkType === 'soft' && m.target) {
          const target = posixPath.normalize(m.target.startsWith('/') ? m.target : posixPath.join(path, m.target))
          if ([...active].some((a) => target === a || a.startsWith(target.endsWith('/') ? target : target + '/'))) continue
        }
        walk(m.path, depth + 1)
      }
    }
    active.delete(path)
  }
  walk(group.path, 0)
  return out
}

/** pymodaq `refresh_cached`: H5Drefresh every dataset of a `collectDatasets` map (the fast path per poll). Returns the paths whose shape changed. */
export function refreshCached(datasets: Map<string, Dataset>): string[] {
  const changed: string[] = []
  for (const [path, ds] of datasets) if (ds.refresh()) changed.push(path)
  return changed
}

/** pymodaq `refresh_datasets`: walk `group` again and refresh every dataset (one-shot use). Returns the map. */
export function refreshDatasets(group: Group, options: CollectOptions = {}): Map<string, Dataset> {
  const map = collectDatasets(group, options)
  refreshCached(map)
  return map
}
