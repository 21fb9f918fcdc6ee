// discoverScan: find, in a NeXus/detector file, what a follower needs — key datasets, the finished
// flag, the data — from the conventions facilities write, and say which rule matched each.
import * as posixPath from 'node:path/posix'
import { Dataset } from '../core/dataset'
import { H5Error } from '../core/errors'
import type { File } from '../core/file'
import { DataSource, type DataSourceOptions } from '../follow/data-source'
import { datasetGrowth, GrowthFollower, type GrowingSource } from '../follow/growth-follower'
import { scanRankOf } from '../follow/scan'
import type { Dims } from '../core/native'
import { EigerFrames, eigerLinks } from './eiger'

export interface Found {
  path: string
  /** The convention that matched, e.g. 'diamond_scan/keys', 'NXdata@signal', 'Eiger external links'. */
  rule: string
}

export interface FoundData extends Found {
  /** Label for DataSource items: the dataset path, or the master's data group for Eiger. */
  label: string
  kind: 'dataset' | 'virtual' | 'eiger'
}

export interface ScanDiscovery {
  entry: string | null
  keys: Found[]
  finished: Found | null
  data: FoundData[]
  /** Scan shape: from `scan_shape` when recorded, else the keys' maxshape (`null` = unlimited). */
  scanShape: Dims | null
  scanRank: number | null
  /** Human-readable notes (what was not found, fallbacks taken). */
  notes: string[]
}

function str(v: unknown): string | null {
  const x = Array.isArray(v) ? v[0] : v
  return typeof x === 'string' ? x : null
}

function join(base: string, name: string): string {
  return posixPath.normalize(name.startsWith('/') ? name : posixPath.join(base, name))
}

function datasetsIn(file: File, group: string): string[] {
  return file.list(group).filter((m) => m.objectType === 'dataset').map((m) => m.path)
}

/** The NXentry to use: the root's @default, else the first NXentry, else /entry. */
function findEntry(file: File): string | null {
  const def = str(file.attrs.default)
  if (def && file.has(join('/', def))) return join('/', def)
  const groups = file.list('/').filter((m) => m.objectType === 'group')
  const nx = groups.find((m) => str(file.group(m.path).attrs.NX_class) === 'NXentry')
  if (nx) return nx.path
  return file.has('/entry') ? '/entry' : null
}

// Groups under `root` (hard links only, `depth` levels: NeXus puts what we look for near the top)
// with their NX_class; each group once, by identity (a group may link to itself or an ancestor).
function nxGroups(file: File, root: string, depth = 4): Array<{ path: string; cls: string | null }> {
  const out: Array<{ path: string; cls: string | null }> = []
  const seen = new Set<string>([file.objectKey(root) ?? ''])
  const walk = (p: string, d: number) => {
    for (const m of file.list(p)) {
      if (m.objectType !== 'group' || m.linkType !== 'hard') continue
      if (m.objectKey) {
        if (seen.has(m.objectKey)) continue
        seen.add(m.objectKey)
      }
      out.push({ path: m.path, cls: str(file.group(m.path).attrs.NX_class) })
      if (d > 1) walk(m.path, d - 1)
    }
  }
  walk(root, depth)
  return out
}

export function discoverScan(file: File): ScanDiscovery {
  const notes: string[] = []
  const entry = findEntry(file)
  const found: ScanDiscovery = { entry, keys: [], finished: null, data: [], scanShape: null, scanRank: null, notes }
  if (!entry) {
    notes.push('no NXentry group')
    return found
  }
  const at = (p: string) => join(entry, p)

  // Keys: Diamond GDA (diamond_scan/keys), older solstice_scan, areaDetector/Malcolm NDArrayUniqueId, ours.
  const keyRules: Array<[string, string, 'group' | 'dataset']> = [
    ['diamond_scan/keys', 'diamond_scan/keys', 'group'],
    ['solstice_scan/uniqueKeys', 'solstice_scan/uniqueKeys', 'dataset'],
    ['solstice_scan/keys', 'solstice_scan/keys', 'group'],
    ['NDAttributes/NDArrayUniqueId', 'areaDetector NDArrayUniqueId', 'dataset'],
    ['keys', 'entry/keys (h5swmr simulate)', 'group'],
  ]
  for (const [rel, rule, kind] of keyRules) {
    const p = at(rel)
    if (!file.has(p)) continue
    const isDataset = file.get(p) instanceof Dataset
    if (kind === 'group' && !isDataset) {
      const keys = datasetsIn(file, p).filter((d) => file.dataset(d).typeClass === 'integer')
      if (keys.length) found.keys = keys.map((path) => ({ path, rule }))
    } else if (kind === 'dataset' && isDataset) {
      found.keys = [{ path: p, rule }]
    }
    if (found.keys.length) break
  }
  if (!found.keys.length) notes.push('no key datasets: following falls back to the growth of the data itself')

  const finishedRules: Array<[string, string]> = [
    ['diamond_scan/scan_finished', 'diamond_scan/scan_finished'],
    ['solstice_scan/scan_finished', 'solstice_scan/scan_finished'],
    ['finished', 'entry/finished (h5swmr simulate)'],
  ]
  for (const [rel, rule] of finishedRules) {
    if (file.has(at(rel))) {
      found.finished = { path: at(rel), rule }
      break
    }
  }

  // Data: Eiger links, NXdata @signal, NXdetector/data.
  const seen = new Set<string>()
  const keyPaths = new Set(found.keys.map((k) => k.path))
  const add = (path: string, rule: string) => {
    const target = resolveLink(file, path)
    if (seen.has(target) || keyPaths.has(path) || keyPaths.has(target)) return
    seen.add(target)
    const ds = file.dataset(path)
    found.data.push({ path, rule, label: path, kind: ds.layout === 'virtual' ? 'virtual' : 'dataset' })
  }
  // NXdata signals first (they say what the scan's main data is), then NXdetector/data.
  const groups = nxGroups(file, entry)
  for (const g of groups) {
    if (eigerLinks(file, g.path).length) {
      found.data.push({ path: g.path, rule: 'Eiger external links (data_NNNNNN)', label: g.path, kind: 'eiger' })
    } else if (g.cls === 'NXdata') {
      const signal = str(file.group(g.path).attrs.signal)
      const p = signal ? join(g.path, signal) : null
      if (p && file.has(p) && file.get(p) instanceof Dataset) add(p, 'NXdata@signal')
    }
  }
  for (const g of groups) {
    const p = join(g.path, 'data')
    if (g.cls === 'NXdetector' && file.has(p) && file.get(p) instanceof Dataset) add(p, 'NXdetector/data')
  }
  if (!found.data.length && eigerLinks(file).length)
    found.data.push({ path: '/entry/data', rule: 'Eiger external links (data_NNNNNN)', label: '/entry/data', kind: 'eiger' })
  if (!found.data.length && file.has(at('data/data'))) add(at('data/data'), 'entry/data/data')
  if (!found.data.length) notes.push('no data found (no NXdata @signal, NXdetector/data or Eiger links)')

  // Scan shape and rank.
  const scanShapePath = ['diamond_scan/scan_shape', 'solstice_scan/scan_shape'].map(at).find((p) => file.has(p))
  if (scanShapePath) {
    found.scanShape = Array.from(file.dataset(scanShapePath).read() as ArrayLike<number | bigint>, Number)
    found.scanRank = found.scanShape.length
  } else if (found.keys.length) {
    const k = file.dataset(found.keys[0].path)
    found.scanRank = scanRankOf(k.maxshape)
    found.scanShape = k.maxshape.slice(0, found.scanRank)
  }
  const rankPath = ['diamond_scan/scan_rank', 'solstice_scan/scan_rank'].map(at).find((p) => file.has(p))
  if (rankPath) found.scanRank = Number(file.dataset(rankPath).read()[0])
  return found
}

// Where a soft link points (for de-duplicating NXdata signals that link to detector data).
function resolveLink(file: File, path: string): string {
  const parent = posixPath.dirname(path)
  const name = posixPath.basename(path)
  const m = file.list(parent).find((x) => x.name === name)
  if (m?.linkType === 'soft' && m.target) return join(parent, m.target)
  if (m?.linkType === 'external') return `${m.targetFile}:${m.target}`
  return path
}

/** A scan's descriptive metadata: a name and its value as text. */
export interface ScanMetadataItem {
  name: string
  value: string
}

const METADATA_LIMIT = 20

/**
 * What a scan says about itself, as text: the one-string datasets directly in its NeXus entry (title,
 * start_time, end_time, experiment_identifier, program_name, ...) and the entry's string
 * attributes, at most 20, in name order. Values that cannot be read are left out.
 */
export function scanMetadata(file: File, entry: string): ScanMetadataItem[] {
  const out: ScanMetadataItem[] = []
  const text = (v: unknown): string | null => {
    const x = Array.isArray(v) && v.length === 1 ? v[0] : v
    if (typeof x === 'string') return x
    if (typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean') return String(x)
    return null
  }
  try {
    for (const [name, v] of Object.entries(file.group(entry).attrs)) {
      const t = text(v)
      if (t !== null && typeof (Array.isArray(v) ? v[0] : v) === 'string' && name !== 'NX_class' && name !== 'default') out.push({ name: `@${name}`, value: t })
    }
    for (const m of file.list(entry)) {
      if (out.length >= METADATA_LIMIT) break
      if (m.objectType !== 'dataset') continue
      const ds = file.dataset(m.path)
      if (ds.size !== 1 || ds.empty || ds.typeClass !== 'string') continue
      try {
        const t = text(ds.readValues())
        if (t !== null) out.push({ name: m.name, value: t })
      } catch {
        // unreadable here (damaged, a filter missing): not metadata we can show
      }
    }
  } catch {
    return out
  }
  return out.slice(0, METADATA_LIMIT)
}

export interface FollowScanResult {
  source: DataSource
  discovery: ScanDiscovery
  /** True when there were no keys and frames are handed out as the data grows. */
  keyless: boolean
  /** Eiger frame sequences opened for the scan (close them when done). */
  eiger: EigerFrames[]
}

/**
 * A DataSource for whatever `discoverScan` found: keys (and the finished flag) when the file has
 * them; otherwise a GrowthFollower over the first data source (Eiger: expected = nimages × ntrigger).
 */
export function followScan(file: File, options: DataSourceOptions = {}): FollowScanResult {
  const discovery = discoverScan(file)
  if (!discovery.data.length) throw new H5Error(`Nothing to follow in '${file.filePath}': ${discovery.notes.join('; ')}`, 'H5_NOT_FOUND')
  const eiger: EigerFrames[] = []
  const datasets: Record<string, Dataset | EigerFrames> = {}
  for (const d of discovery.data) {
    if (d.kind === 'eiger') {
      const frames = new EigerFrames(file, { group: d.path, retryDelay: options.retryDelay })
      eiger.push(frames)
      datasets[d.label] = frames
    } else {
      datasets[d.label] = file.dataset(d.path)
    }
  }
  const finishedDataset = options.finishedDataset ?? (discovery.finished ? file.dataset(discovery.finished.path) : null)
  if (discovery.keys.length) {
    const keys = discovery.keys.map((k) => file.dataset(k.path))
    return { source: new DataSource(keys, datasets, { ...options, finishedDataset }), discovery, keyless: false, eiger }
  }
  const first = discovery.data[0]
  const growing: GrowingSource = first.kind === 'eiger' ? eiger[0] : datasetGrowth(file.dataset(first.path))
  const expected = first.kind === 'eiger' ? eiger[0].expectedFrames() : null
  const follower = new GrowthFollower(growing, { ...options, expected })
  return { source: new DataSource(null, datasets, { ...options, follower }), discovery, keyless: true, eiger }
}
