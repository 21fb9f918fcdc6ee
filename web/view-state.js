// h5swmr view: the page's state, shared by its parts, and the frame geometry it implies.
import { $ } from './view-util.js'

// ---- state ----
export const app = {
  info: null,
  snap: null,
  snapAt: 0,
  d: 0,
  image: null, // { meta, data: Float32Array }
  view: { cx: 0, cy: 0, zoom: 1, frame: null }, // centre in frame pixels; zoom relative to "fit"
  fetching: false,
  again: false,
  stats: { n: 0, pixels: 1, sum: new Float64Array(0), min: new Float64Array(0), max: new Float64Array(0) },
  statsFetching: false,
  statsAgain: false,
  limits: [0, 1],
  mouse: null,
  connected: false,
  treeAt: 0,
}

export function frameDims() {
  if (app.image) return { rows: app.image.meta.rows, cols: app.image.meta.cols }
  const shape = app.info ? app.info.data[app.d].frameShape : [1, 1]
  const cols = shape.length ? shape[shape.length - 1] : 1
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1)
  return { rows, cols }
}

export function scale() {
  const c = $('image')
  const { rows, cols } = frameDims()
  return Math.min(c.width / cols, c.height / rows) * app.view.zoom
}

export function resetView() {
  const { rows, cols } = frameDims()
  app.view = { cx: cols / 2, cy: rows / 2, zoom: 1, frame: `${rows}x${cols}` }
}

// ---- the image ----
