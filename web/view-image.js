// h5swmr view: the image panel: the newest frame (fetched reduced to the region shown), its
// colour scale and limits, zoom and pan, the cursor readout.
import { $, dpr, fmt, lut } from './view-util.js'
import { app, frameDims, resetView, scale } from './view-state.js'

export function visibleRegion() {
  const c = $('image')
  const s = scale()
  const { rows, cols } = frameDims()
  const x0 = Math.max(0, Math.floor(app.view.cx - c.width / 2 / s))
  const y0 = Math.max(0, Math.floor(app.view.cy - c.height / 2 / s))
  const x1 = Math.min(cols, Math.ceil(app.view.cx + c.width / 2 / s))
  const y1 = Math.min(rows, Math.ceil(app.view.cy + c.height / 2 / s))
  const w = Math.max(1, x1 - x0)
  const h = Math.max(1, y1 - y0)
  return { x: x0, y: y0, w, h, ow: Math.max(1, Math.ceil(w * s)), oh: Math.max(1, Math.ceil(h * s)) }
}

export const nextFrameTick = () => new Promise((r) => requestAnimationFrame(() => r()))

export async function requestFrame() {
  if (app.fetching) {
    app.again = true
    return
  }
  app.fetching = true
  try {
    for (let first = true; ; first = false) {
      if (!first) await nextFrameTick()
      app.again = false
      const r = visibleRegion()
      const q = new URLSearchParams({ d: app.d, x: r.x, y: r.y, w: r.w, h: r.h, ow: r.ow, oh: r.oh, bin: $('bin').value })
      const res = await fetch('/frame/latest?' + q, { cache: 'no-store' })
      if (res.status === 204) break
      if (!res.ok) throw new Error(`GET /frame/latest: ${res.status}`)
      const meta = JSON.parse(res.headers.get('X-Frame'))
      const data = new Float32Array(await res.arrayBuffer())
      app.image = { meta, data }
      if (app.view.frame !== `${meta.rows}x${meta.cols}`) {
        resetView() // the frame's size is not what the view was fitted to: fit, and fetch again
        app.again = true
      }
      render()
      const latest = app.snap && app.snap.latest
      if (!app.again && !(latest && latest.index > meta.index)) break
    }
  } catch (err) {
    console.warn(err)
  } finally {
    app.fetching = false
  }
}

export function computeLimits(data) {
  const log = $('scale').value === 'log'
  if ($('limits').value === 'fixed') {
    const lo = Number($('vmin').value)
    const hi = Number($('vmax').value)
    return [lo, hi > lo ? hi : lo + 1]
  }
  let lo = Infinity
  let hi = -Infinity
  for (let k = 0; k < data.length; k++) {
    const v = data[k]
    if (v !== v || (log && v <= 0)) continue
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  if (lo === Infinity) return log ? [1, 10] : [0, 1]
  if (!(hi > lo)) hi = log ? lo * 10 : lo + 1
  return [lo, hi]
}

/** Value → 0..255 colour index (NaN: -1). */
export function scaler(lo, hi) {
  if ($('scale').value === 'log') {
    const l0 = Math.log10(Math.max(lo, Number.MIN_VALUE))
    const span = Math.log10(Math.max(hi, Number.MIN_VALUE)) - l0 || 1
    return (v) => (v !== v ? -1 : v <= 0 ? 0 : Math.max(0, Math.min(255, Math.round(((Math.log10(v) - l0) / span) * 255))))
  }
  const span = hi - lo || 1
  return (v) => (v !== v ? -1 : Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255))))
}

export const offscreen = document.createElement('canvas')

export function render() {
  const c = $('image')
  const ctx = c.getContext('2d')
  ctx.fillStyle = '#0c0d10'
  ctx.fillRect(0, 0, c.width, c.height)
  if (!app.image) return
  $('image-empty').hidden = true
  const { meta, data } = app.image
  const [lo, hi] = (app.limits = computeLimits(data))
  if ($('limits').value === 'auto') {
    $('vmin').value = fmt(lo)
    $('vmax').value = fmt(hi)
  }
  const toIndex = scaler(lo, hi)
  const table = lut($('cmap').value)
  const img = new ImageData(meta.width, meta.height)
  const px = img.data
  for (let k = 0; k < data.length; k++) {
    const i = toIndex(data[k])
    if (i < 0) {
      px[k * 4 + 3] = 0
      continue
    }
    px[k * 4] = table[i * 3]
    px[k * 4 + 1] = table[i * 3 + 1]
    px[k * 4 + 2] = table[i * 3 + 2]
    px[k * 4 + 3] = 255
  }
  offscreen.width = meta.width
  offscreen.height = meta.height
  offscreen.getContext('2d').putImageData(img, 0, 0)
  const s = scale()
  const X = (x) => (x - app.view.cx) * s + c.width / 2
  const Y = (y) => (y - app.view.cy) * s + c.height / 2
  ctx.save()
  ctx.beginPath()
  ctx.rect(X(meta.region.x), Y(meta.region.y), meta.region.w * s, meta.region.h * s)
  ctx.clip()
  ctx.imageSmoothingEnabled = false
  ctx.drawImage(offscreen, X(meta.region.x), Y(meta.region.y), meta.width * meta.binX * s, meta.height * meta.binY * s)
  ctx.restore()
  c.dataset.frameIndex = meta.index
  c.dataset.region = `${meta.region.x},${meta.region.y},${meta.region.w},${meta.region.h}`
  drawColorbar(lo, hi)
  const shape = meta.frameShape.join('×')
  const pos = meta.position.length > 1 ? ` at [${meta.position.join(', ')}]` : '' // 1-D: the index is the position
  const zoom = meta.binX > 1 || meta.binY > 1 ? `shown reduced ${meta.binX}×${meta.binY} (${meta.bin})` : 'full resolution'
  $('frame-info').textContent = `frame #${meta.index}${pos} · ${shape} ${app.info ? app.info.data[app.d].dtype : ''} · ${zoom} · min ${fmt(meta.min)} max ${fmt(meta.max)}`
  showCursor()
}

export function drawColorbar(lo, hi) {
  const c = $('colorbar')
  const ctx = c.getContext('2d')
  const table = lut($('cmap').value)
  for (let i = 0; i < 256; i++) {
    const k = 255 - i
    ctx.fillStyle = `rgb(${table[k * 3]},${table[k * 3 + 1]},${table[k * 3 + 2]})`
    ctx.fillRect(0, i, c.width, 1)
  }
  $('cbar-max').textContent = fmt(hi)
  $('cbar-min').textContent = fmt(lo) + ($('scale').value === 'log' ? ' (log)' : '')
}

export function showCursor() {
  const out = $('cursor')
  if (!app.mouse || !app.image) return (out.textContent = '')
  const c = $('image')
  const s = scale()
  const fx = Math.floor(app.view.cx + (app.mouse.x - c.width / 2) / s)
  const fy = Math.floor(app.view.cy + (app.mouse.y - c.height / 2) / s)
  const { meta, data } = app.image
  const i = Math.floor((fx - meta.region.x) / meta.binX)
  const j = Math.floor((fy - meta.region.y) / meta.binY)
  if (fx < 0 || fy < 0 || fx >= meta.cols || fy >= meta.rows || i < 0 || j < 0 || i >= meta.width || j >= meta.height) return (out.textContent = '')
  const v = data[j * meta.width + i]
  const binned = meta.binX > 1 || meta.binY > 1 ? ` (${meta.bin} of ${meta.binX}×${meta.binY} px; zoom in for single pixels)` : ''
  out.textContent = `x ${fx}, y ${fy}: ${fmt(v)}${binned}`
}

// zoom (wheel), pan (drag), fit (double-click / button)
export function setupImageEvents() {
  const c = $('image')
  c.addEventListener('wheel', (e) => {
    e.preventDefault()
    const s0 = scale()
    const mx = e.offsetX * dpr()
    const my = e.offsetY * dpr()
    const fx = app.view.cx + (mx - c.width / 2) / s0
    const fy = app.view.cy + (my - c.height / 2) / s0
    const fit = s0 / app.view.zoom
    app.view.zoom = Math.max(1, Math.min(app.view.zoom * Math.exp(-e.deltaY * 0.0015), Math.max(1, 64 / fit)))
    const s1 = scale()
    app.view.cx = fx - (mx - c.width / 2) / s1
    app.view.cy = fy - (my - c.height / 2) / s1
    clampView()
    render()
    requestFrame()
  }, { passive: false })
  let drag = null
  c.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY }
    c.setPointerCapture(e.pointerId)
  })
  c.addEventListener('pointermove', (e) => {
    app.mouse = { x: e.offsetX * dpr(), y: e.offsetY * dpr() }
    if (drag) {
      const s = scale()
      app.view.cx -= ((e.clientX - drag.x) * dpr()) / s
      app.view.cy -= ((e.clientY - drag.y) * dpr()) / s
      drag = { x: e.clientX, y: e.clientY }
      clampView()
      render()
      requestFrame()
    } else showCursor()
  })
  const end = () => (drag = null)
  c.addEventListener('pointerup', end)
  c.addEventListener('pointercancel', end)
  c.addEventListener('pointerleave', () => {
    app.mouse = null
    showCursor()
  })
  const fit = () => {
    resetView()
    render()
    requestFrame()
  }
  c.addEventListener('dblclick', fit)
  $('reset').addEventListener('click', fit)
}

export function clampView() {
  const { rows, cols } = frameDims()
  app.view.cx = Math.max(0, Math.min(cols, app.view.cx))
  app.view.cy = Math.max(0, Math.min(rows, app.view.cy))
}

// ---- statistics: every frame's sum/min/max, fetched incrementally ----
