// The walk `checkFile` runs in a child process of its own: open a file, then every group, link,
// attribute and dataset (each object once), reading every value h5swmr can read. Before each step it
// prints where it is, so a crash or a stall in libhdf5 can be placed; at the end, a summary. One JSON
// object per line on stdout. Run as: node walker.js FILE OPTIONS_JSON
import { H5Error } from '../core/errors'
import { File } from '../core/file'

export interface WalkOptions {
  swmr: boolean
  /** Datasets with more elements than this have their first element read only. */
  maxElements: number
}

export interface WalkProblem {
  path: string
  step: string
  code: string
  message: string
}

export interface WalkSummary {
  /** What was walked: objects, and of them groups, datasets; attributes and values read. */
  objects: number
  groups: number
  datasets: number
  attributes: number
  valuesRead: number
  /** The first 20 problems; `problemCount` counts all. */
  problems: WalkProblem[]
  problemCount: number
}

const MAX_PROBLEMS = 20

function say(line: object): void {
  process.stdout.write(JSON.stringify(line) + '\n')
}

function walk(path: string, options: WalkOptions): WalkSummary {
  const summary: WalkSummary = { objects: 0, groups: 0, datasets: 0, attributes: 0, valuesRead: 0, problems: [], problemCount: 0 }
  // A structure found damaged (a group that cannot be listed, an object that cannot be opened) ends
  // the walk, as it ends h5py's visititems (HDF5's H5Ovisit stops there): going on to its neighbours
  // is what reaches the crashes libhdf5 keeps behind the damage. Unreadable values do not.
  let stopped = false
  const attempt = (at: string, step: string, fn: () => void): boolean => {
    if (stopped) return false
    say({ at, step })
    try {
      fn()
      return true
    } catch (err) {
      const e = err as Error & { code?: string }
      summary.problemCount++
      if (step === 'list' || step === 'open' || step === 'visit') stopped = true
      if (summary.problems.length < MAX_PROBLEMS)
        summary.problems.push({ path: at, step, code: err instanceof H5Error || typeof e.code === 'string' ? String(e.code) : 'UNCODED', message: String(e.message).split('\n')[0] })
      return false
    }
  }
  let file: File | null = null
  if (!attempt('/', 'open', () => (file = File.open(path, { swmr: options.swmr, locking: false })))) return summary
  const f = file as unknown as File
  // First HDF5's own walk of the whole tree, as h5py's visititems: it holds the groups it is in, so a
  // structure that loops back on itself fails there as an error (CVE-2024-32609), where listing group
  // by group goes round the loop into libhdf5's crashes.
  attempt('/', 'visit', () => void f.visit('/'))
  const seen = new Set<string>()
  const attrs = (at: string, read: () => Record<string, unknown>) =>
    attempt(at, 'attributes', () => {
      summary.attributes += Object.keys(read()).length
    })
  const visit = (group: string) => {
    if (stopped) return
    summary.groups++
    summary.objects++
    attrs(group, () => f.group(group).attrs)
    let members: ReturnType<File['list']> = []
    if (!attempt(group, 'list', () => (members = f.list(group)))) return
    for (const m of members) {
      if (stopped) return
      if (m.objectKey) {
        if (seen.has(m.objectKey)) continue
        seen.add(m.objectKey)
      }
      // Links are not followed (as h5py's visititems): soft and external links are counted only.
      if (m.linkType !== 'hard') continue
      if (m.objectType === 'damaged') {
        attempt(m.path, 'open', () => {
          throw new H5Error(`the object '${m.path}' links to cannot be read (damaged)`, 'H5_CORRUPT')
        })
        return
      }
      if (m.objectType === 'group') visit(m.path)
      else if (m.objectType === 'dataset') {
        summary.datasets++
        summary.objects++
        let ds: ReturnType<File['dataset']> | null = null
        if (!attempt(m.path, 'open', () => (ds = f.dataset(m.path)))) continue
        const d = ds as unknown as ReturnType<File['dataset']>
        attrs(m.path, () => d.attrs)
        // A type h5swmr does not read (HDF5's time class) is no damage; an impossible one is (its read says so).
        if (d.type.kind === 'unsupported' && !d.type.damaged) continue
        const whole = d.size <= options.maxElements
        const first = d.ndim > 0 && d.size > 0 ? { start: d.shape.map(() => 0), count: d.shape.map(() => 1) } : null
        if (attempt(m.path, 'read', () => void d.read(whole ? null : first))) summary.valuesRead += whole ? d.size : 1
        attempt(m.path, 'close', () => d.close())
      } else summary.objects++
    }
  }
  const root = f.objectKey('/')
  if (root) seen.add(root)
  visit('/')
  stopped = false
  attempt('/', 'close', () => f.close())
  return summary
}

if (require.main === module) {
  const [, , path, json] = process.argv
  const options = JSON.parse(json ?? '{}') as WalkOptions
  say({ summary: walk(path, { swmr: options.swmr ?? false, maxElements: options.maxElements ?? 1 << 24 }) })
}
