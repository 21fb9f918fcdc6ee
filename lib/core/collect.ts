// pymodaq_data's SWMR dataset helpers (h5modules/__init__.py): collect a file's datasets once, then
// refresh them per poll.
import type { Dataset } from './dataset'
import type { Group } from './file'

export interface CollectOptions {
  /**
   * Also walk soft and external links (pymodaq, through h5py's visititems, skips them). Dangling
   * links are skipped; an object already met (by identity) is not met again.
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
  // Each object once, by identity, as h5py's visititems (H5Ovisit) does: a group that links to itself
  // or an ancestor is not entered again, a dataset with two names is collected under the first.
  const seen = new Set<string>()
  const startKey = file.objectKey(group.path)
  if (startKey) seen.add(startKey)
  const walk = (path: string) => {
    for (const m of file.list(path)) {
      if (m.linkType !== 'hard' && !options.followLinks) continue
      if (m.objectType !== 'dataset' && m.objectType !== 'group') continue
      if (m.objectKey) {
        if (seen.has(m.objectKey)) continue
        seen.add(m.objectKey)
      }
      if (m.objectType === 'dataset') out.set(m.path, file.dataset(m.path))
      else walk(m.path)
    }
  }
  walk(group.path)
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
