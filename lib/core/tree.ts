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
  children?: TreeNode[]
}

function growing(ds: Dataset): boolean {
  return ds.maxshape.some((m, i) => m === null || m > ds.shape[i])
}

export function walk(file: File, path: string, name: string, attrs: boolean, depth = 0): TreeNode {
  const node: TreeNode = { name, path, kind: 'group', children: [] }
  if (attrs) node.attrs = file.group(path).attrs
  if (depth > 32) return node
  for (const m of file.list(path)) {
    const link = m.linkType === 'soft' ? `-> ${m.target}` : m.linkType === 'external' ? `-> ${m.targetFile}:${m.target}` : undefined
    if (m.objectType === 'group' && m.linkType === 'hard') {
      node.children!.push(walk(file, m.path, m.name, attrs, depth + 1))
    } else if (m.objectType === 'dataset') {
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
      })
    } else {
      node.children!.push({ name: m.name, path: m.path, kind: 'link', link: `${link ?? ''} (${m.objectType})` })
    }
  }
  return node
}
