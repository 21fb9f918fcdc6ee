// The tree of a file's groups and datasets, with what a follower needs to know of each (extent,
// maxshape, chunks, filters, whether it can still grow): for `h5swmr ls` and the view's file tree.
import type { Dataset } from './dataset'
import type { File } from './file'

export interface TreeNode {
  name: string
  path: string
  kind: 'group' | 'dataset' | 'link'
  link?: string
  dataset?: {
    dtype: string
    shape: number[]
    maxshape: Array<number | null>
    chunks: number[] | null
    filters: string[]
    growing: boolean
  }
  attrs?: Record<string, unknown>
  /** With `values`: the dataset's value when it has at most that many elements (`Dataset.readValues`). */
  value?: unknown
  children?: TreeNode[]
}

export interface WalkOptions {
  /** Read every object's attributes. */
  attrs?: boolean
  /** Read the values of datasets with at most this many elements (0: none). */
  values?: number
}

function growing(ds: Dataset): boolean {
  return ds.maxshape.some((m, i) => m === null || m > ds.shape[i])
}

/**
 * The tree under `path`. Each object is shown once, where the walk (in name order) first meets it,
 * as h5py's `visititems` and h5dump do: a later hard link to the same group or dataset (a group may
 * link to itself or an ancestor, legally) is a `link` node naming the first path, never walked again.
 */
export function walk(file: File, path: string, name: string, options: WalkOptions = {}): TreeNode {
  const attrs = options.attrs ?? false
  const maxValues = options.values ?? 0
  const seen = new Map<string, string>() // object identity -> the path it was shown at
  const startKey = file.objectKey(path)
  if (startKey) seen.set(startKey, path)
  const group = (path: string, name: string): TreeNode => {
    const node: TreeNode = { name, path, kind: 'group', children: [] }
    if (attrs) node.attrs = file.group(path).attrs
    for (const m of file.list(path)) {
      const link = m.linkType === 'soft' ? `-> ${m.target}` : m.linkType === 'external' ? `-> ${m.targetFile}:${m.target}` : undefined
      const first = m.objectKey ? seen.get(m.objectKey) : undefined
      if (first !== undefined && (m.objectType === 'group' || m.objectType === 'dataset')) {
        node.children!.push({ name: m.name, path: m.path, kind: 'link', link: `${link ? `${link} ` : ''}= ${first} (${m.objectType}, shown there)` })
        continue
      }
      if (m.objectKey && m.linkType === 'hard') seen.set(m.objectKey, m.path)
      if (m.objectType === 'group' && m.linkType === 'hard') {
        node.children!.push(group(m.path, m.name))
      } else if (m.objectType === 'dataset') {
        if (m.objectKey) seen.set(m.objectKey, m.path)
        const ds = file.dataset(m.path)
        ds.refresh()
        node.children!.push({
          name: m.name,
          path: m.path,
          kind: 'dataset',
          link,
          dataset: {
            dtype: ds.dtype,
            shape: ds.shape,
            maxshape: ds.maxshape,
            chunks: ds.chunks,
            filters: ds.filters.map((f) => `${f.name || 'filter'}(${f.id})${f.available ? '' : ' unavailable'}`),
            growing: growing(ds),
          },
          attrs: attrs ? ds.attrs : undefined,
          value: maxValues > 0 && ds.size <= maxValues ? ds.readValues() : undefined,
        })
      } else {
        node.children!.push({ name: m.name, path: m.path, kind: 'link', link: `${link ?? ''} (${m.objectType})` })
      }
    }
    return node
  }
  return group(path, name)
}
