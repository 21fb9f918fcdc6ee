// Walking a file's tree shows each object once, by identity, as h5py's visititems and h5dump do: a
// group that hard-links to itself or to an ancestor (legal HDF5) is listed once, wherever the tree
// is walked (ls, the view's tree, collectDatasets, NeXus discovery), with no depth limit deciding.
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { collectDatasets, File } from '../../lib'
import { discoverScan } from '../../lib/nexus'
import { walk, type TreeNode } from '../../lib/core/tree'
import { PYTHON, tmpDir } from '../helpers/processes'

const dir = tmpDir()
const file = path.join(dir, 'cycles.h5')
const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'index.js')

beforeAll(() => {
  // /entry/self -> /entry, /entry/data/up -> /entry (an ancestor), /entry/data/frames also at /entry/again.
  const r = spawnSync(PYTHON, ['-c', `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    e = f.create_group("entry")
    e.attrs["NX_class"] = "NXentry"
    d = e.create_group("data")
    d.attrs["NX_class"] = "NXdata"
    d["frames"] = np.arange(24, dtype="u2").reshape(2, 3, 4)
    e["self"] = e
    d["up"] = e
    e["again"] = d["frames"]
    f["top"] = f["/"]
# h5py's own walk: each object once
with h5py.File(sys.argv[1], "r") as f:
    seen = []
    f.visititems(lambda name, obj: seen.append(name))
    print(len(seen), sorted(seen))
`, file], { encoding: 'utf8' })
  expect(r.stderr).toBe('')
  // h5py visits 3 objects: entry, entry/data, entry/data/frames (under their first names).
  expect(r.stdout.trim()).toBe("3 ['entry', 'entry/again', 'entry/data']")
})

function paths(node: TreeNode, out: string[] = []): string[] {
  out.push(`${node.kind} ${node.path}`)
  node.children?.forEach((c) => paths(c, out))
  return out
}

test('the tree shows each group and dataset once; later links to them name where they are shown', () => {
  using f = File.open(file)
  const tree = walk(f, '/', '/', { attrs: true })
  const lines = paths(tree)
  expect(lines).toEqual([
    'group /',
    'group /entry',
    'dataset /entry/again',
    'group /entry/data',
    'link /entry/data/frames',
    'link /entry/data/up',
    'link /entry/self',
    'link /top',
  ])
  const data = tree.children![0].children!.find((c) => c.name === 'data')!
  expect(data.children!.find((c) => c.name === 'frames')!.link).toBe('= /entry/again (dataset, shown there)')
  expect(data.children!.find((c) => c.name === 'up')!.link).toBe('= /entry (group, shown there)')
  expect(tree.children!.find((c) => c.name === 'top')!.link).toBe('= / (group, shown there)')
  // Started below the root, the start itself counts as met.
  expect(paths(walk(f, '/entry', 'entry'))).toContain('link /entry/self')
})

test("File.visit: HDF5's own walk, each object once under its first name, as h5py's visititems", () => {
  using f = File.open(file)
  expect(f.visit().map((o) => [o.path, o.objectType])).toEqual([
    ['/entry', 'group'],
    ['/entry/again', 'dataset'],
    ['/entry/data', 'group'],
  ])
  expect(new Set(f.visit().map((o) => o.objectKey)).size).toBe(3)
  expect(f.visit().find((o) => o.path === '/entry/again')!.objectKey).toBe(f.objectKey('/entry/data/frames'))
  // From a group: whether HDF5 counts the start as seen depends on the release (1.10 only when more
  // than one link names it: 'up/data' comes back); h5py's visit on the same libhdf5 is the reference.
  const r = spawnSync(PYTHON, ['-c', `
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    seen = []
    f["entry/data"].visit(seen.append)
    print("\\n".join(seen))
`, file], { encoding: 'utf8' })
  expect(r.stderr).toBe('')
  const theirs = r.stdout.trim().split('\n').map((n) => `/entry/data/${n}`)
  expect(theirs.slice(0, 2)).toEqual(['/entry/data/frames', '/entry/data/up'])
  expect(f.group('/entry/data').visit().map((o) => o.path)).toEqual(theirs)
  expect(() => f.visit('/nope')).toThrow(expect.objectContaining({ code: 'H5_NOT_FOUND' }))
})

test('h5swmr ls lists a self-linked group once (text and JSON)', () => {
  const r = spawnSync(process.execPath, [CLI, 'ls', file], { encoding: 'utf8' })
  expect(r.status).toBe(0)
  expect(r.stdout.split('\n').filter((l) => /\bself\b/.test(l))).toEqual([expect.stringContaining('self  = /entry (group, shown there)')])
  expect(r.stdout.split('\n').length).toBeLessThan(12)
  const json = JSON.parse(spawnSync(process.execPath, [CLI, 'ls', file, '--json'], { encoding: 'utf8' }).stdout)
  expect(paths(json.tree)).toHaveLength(8)
})

test('collectDatasets: each dataset once, under its first name, as h5py visititems; followLinks too', () => {
  using f = File.open(file)
  expect([...collectDatasets(f).keys()]).toEqual(['/entry/again'])
  expect([...collectDatasets(f, { followLinks: true }).keys()]).toEqual(['/entry/again'])
  expect([...collectDatasets(f.group('/entry/data')).keys()]).toEqual(['/entry/data/frames'])
  // Two paths, one object: the same long-lived Dataset.
  expect(f.dataset('/entry/data/frames')).toBe(f.dataset('/entry/again'))
  expect(f.objectKey('/entry/self')).toBe(f.objectKey('/entry'))
  expect(f.objectKey('/nothing')).toBeNull()
})

test('NeXus discovery walks a self-linked file without repeating groups', () => {
  using f = File.open(file)
  const found = discoverScan(f)
  expect(found.entry).toBe('/entry')
})
