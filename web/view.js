// h5swmr view: the page. Plain browser JavaScript, served as is (no build step).
// State arrives over server-sent events (/events); the newest frame is fetched as raw float32
// (/frame/latest), reduced by the server to the region and size shown; one fetch at a time, and
// when it lands a newer frame may already be waiting: the newest wins, frames in between are skipped
// (the statistics still cover every frame: /stats).
'use strict'
;(() => {
  const $ = (id) => document.getElementById(id)

  // ---- colour maps: 10 stops each (matplotlib's), interpolated to 256 entries ----
  const STOPS = {
    viridis: ['440154', '482878', '3e4989', '31688e', '26828e', '1f9e89', '35b779', '6ece58', 'b5de2b', 'fde725'],
    inferno: ['000004', '1b0c41', '4a0c6b', '781c6d', 'a52c60', 'cf4446', 'ed6925', 'fb9b06', 'f7d13d', 'fcffa4'],
    magma: ['000004', '180f3d', '440f76', '721f81', '9e2f7f', 'cd4071', 'f1605d', 'fd9668', 'feca8d', 'fcfdbf'],
    gray: ['000000', 'ffffff'],
  }
  const luts = {}
  function lut(name) {
    if (luts[name]) return luts[name]
    const stops = (STOPS[name] || STOPS.viridis).map((h) => [0, 2, 4].map((k) => parseInt(h.slice(k, k + 2), 16)))
    const out = new Uint8ClampedArray(256 * 3)
    for (let i = 0; i < 256; i++) {
      const t = (i / 255) * (stops.length - 1)
      const k = Math.min(stops.length - 2, Math.floor(t))
      const f = t - k
      for (let c = 0; c < 3; c++) out[i * 3 + c] = stops[k][c] + (stops[k + 1][c] - stops[k][c]) * f
    }
    return (luts[name] = out)
  }

  // ---- numbers ----
  function fmt(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return '–'
    if (!Number.isFinite(v)) return String(v)
    const a = Math.abs(v)
    if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e')
    if (Number.isInteger(v)) return String(v)
    return String(Number(v.toPrecision(5)))
  }
  function niceTicks(lo, hi, n) {
    if (!(hi > lo)) return [lo]
    const raw = (hi - lo) / n
    const p = Math.pow(10, Math.floor(Math.log10(raw)))
    const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) || raw
    const ticks = []
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)))
    return ticks
  }
  const dpr = () => window.devicePixelRatio || 1
  function sizeCanvas(c) {
    const w = Math.max(1, Math.round(c.clientWidth * dpr()))
    const h = Math.max(1, Math.round(c.clientHeight * dpr()))
    if (c.width !== w || c.height !== h) {
      c.width = w
      c.height = h
      return true
    }
    return false
  }

  // ---- state ----
  const app = {
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

  function frameDims() {
    if (app.image) return { rows: app.image.meta.rows, cols: app.image.meta.cols }
    const shape = app.info ? app.info.data[app.d].frameShape : [1, 1]
    const cols = shape.length ? shape[shape.length - 1] : 1
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1)
    return { rows, cols }
  }

  function scale() {
    const c = $('image')
    const { rows, cols } = frameDims()
    return Math.min(c.width / cols, c.height / rows) * app.view.zoom
  }

  function resetView() {
    const { rows, cols } = frameDims()
    app.view = { cx: cols / 2, cy: rows / 2, zoom: 1, frame: `${rows}x${cols}` }
  }

  // ---- the image ----
  function visibleRegion() {
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

  const nextFrameTick = () => new Promise((r) => requestAnimationFrame(() => r()))

  async function requestFrame() {
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

  function computeLimits(data) {
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
  function scaler(lo, hi) {
    if ($('scale').value === 'log') {
      const l0 = Math.log10(Math.max(lo, Number.MIN_VALUE))
      const span = Math.log10(Math.max(hi, Number.MIN_VALUE)) - l0 || 1
      return (v) => (v !== v ? -1 : v <= 0 ? 0 : Math.max(0, Math.min(255, Math.round(((Math.log10(v) - l0) / span) * 255))))
    }
    const span = hi - lo || 1
    return (v) => (v !== v ? -1 : Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255))))
  }

  const offscreen = document.createElement('canvas')

  function render() {
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

  function drawColorbar(lo, hi) {
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

  function showCursor() {
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
  function setupImageEvents() {
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

  function clampView() {
    const { rows, cols } = frameDims()
    app.view.cx = Math.max(0, Math.min(cols, app.view.cx))
    app.view.cy = Math.max(0, Math.min(rows, app.view.cy))
  }

  // ---- statistics: every frame's sum/min/max, fetched incrementally ----
  function resetStats() {
    app.stats = { n: 0, pixels: 1, sum: new Float64Array(0), min: new Float64Array(0), max: new Float64Array(0) }
  }

  function growStats(n) {
    const st = app.stats
    if (st.sum.length >= n) return
    const cap = Math.max(n, st.sum.length * 2, 1024)
    for (const k of ['sum', 'min', 'max']) {
      const a = new Float64Array(cap).fill(NaN)
      a.set(st[k])
      st[k] = a
    }
  }

  async function requestStats() {
    if (app.statsFetching) {
      app.statsAgain = true
      return
    }
    app.statsFetching = true
    try {
      do {
        app.statsAgain = false
        const d = app.d
        const res = await fetch(`/stats?d=${d}&from=${app.stats.n}`, { cache: 'no-store' })
        if (!res.ok) throw new Error(`GET /stats: ${res.status}`)
        const meta = JSON.parse(res.headers.get('X-Stats'))
        const data = new Float64Array(await res.arrayBuffer())
        if (d !== app.d) continue
        growStats(meta.to)
        const st = app.stats
        st.pixels = meta.pixels
        for (let i = meta.from, k = 0; i < meta.to; i++, k += 3) {
          st.sum[i] = data[k]
          st.min[i] = data[k + 1]
          st.max[i] = data[k + 2]
        }
        st.n = Math.max(st.n, meta.to)
        drawPlot()
        drawGridMap()
      } while (app.statsAgain)
    } catch (err) {
      console.warn(err)
    } finally {
      app.statsFetching = false
    }
  }

  function statValue(i) {
    const st = app.stats
    switch ($('stat').value) {
      case 'mean':
        return st.sum[i] / st.pixels
      case 'max':
        return st.max[i]
      case 'min':
        return st.min[i]
      default:
        return st.sum[i]
    }
  }

  const isDone = (i) => i < app.stats.n && !Number.isNaN(app.stats.sum[i])
  /** The newest point: from the last state event, or the statistics when they are already further. */
  const currentIndex = () => Math.max(app.snap && app.snap.latest ? app.snap.latest.index : -1, app.stats.n - 1)

  // 1-D scans: a line over the scan index; 2-D (and higher) scans: an image over the grid.
  const plotGeom = { kind: null }
  function drawPlot() {
    const c = $('plot')
    sizeCanvas(c)
    const ctx = c.getContext('2d')
    ctx.clearRect(0, 0, c.width, c.height)
    const st = app.stats
    const grid = app.snap && app.snap.grid
    const k = dpr()
    ctx.font = `${11 * k}px system-ui, sans-serif`
    let lo = Infinity
    let hi = -Infinity
    for (let i = 0; i < st.n; i++) {
      const v = statValue(i)
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
    if (lo === Infinity) {
      plotGeom.kind = null
      return
    }
    if (!(hi > lo)) {
      hi = lo + Math.max(1, Math.abs(lo) * 0.01)
      lo = lo - Math.max(1, Math.abs(lo) * 0.01)
    }
    const latest = currentIndex()
    if (grid) return drawStatGrid(ctx, c, grid, lo, hi, latest)
    const m = { l: 64 * k, r: 10 * k, t: 8 * k, b: 20 * k }
    const W = c.width - m.l - m.r
    const H = c.height - m.t - m.b
    const N = Math.max(app.info.expected || 0, st.n, 2)
    const X = (i) => m.l + (i / (N - 1)) * W
    const Y = (v) => m.t + H - ((v - lo) / (hi - lo)) * H
    ctx.strokeStyle = '#2d323b'
    ctx.fillStyle = '#8a93a3'
    ctx.lineWidth = 1
    ctx.textAlign = 'right'
    ctx.textBaseline = 'middle'
    for (const t of niceTicks(lo, hi, 4)) {
      ctx.beginPath()
      ctx.moveTo(m.l, Y(t))
      ctx.lineTo(m.l + W, Y(t))
      ctx.stroke()
      ctx.fillText(fmt(t), m.l - 4 * k, Y(t))
    }
    ctx.textAlign = 'center'
    ctx.textBaseline = 'top'
    for (const t of niceTicks(0, N - 1, 5)) ctx.fillText(fmt(t), X(t), m.t + H + 4 * k)
    ctx.strokeStyle = '#5aa9ff'
    ctx.lineWidth = 1.5 * k
    ctx.beginPath()
    let pen = false
    if (st.n > W) {
      // more points than pixels: one vertical min-max stroke per pixel column
      for (let px = 0; px < W; px++) {
        const i0 = Math.floor((px / W) * (N - 1))
        const i1 = Math.min(st.n, Math.floor(((px + 1) / W) * (N - 1)) + 1)
        let a = Infinity
        let b = -Infinity
        for (let i = i0; i < i1; i++) {
          const v = statValue(i)
          if (v < a) a = v
          if (v > b) b = v
        }
        if (a === Infinity) continue
        ctx.moveTo(m.l + px, Y(a))
        ctx.lineTo(m.l + px, Y(b) - 0.5)
      }
    } else {
      for (let i = 0; i < st.n; i++) {
        const v = statValue(i)
        if (Number.isNaN(v)) {
          pen = false
          continue
        }
        if (pen) ctx.lineTo(X(i), Y(v))
        else ctx.moveTo(X(i), Y(v))
        pen = true
      }
    }
    ctx.stroke()
    if (latest >= 0 && isDone(latest)) {
      ctx.fillStyle = '#ffffff'
      ctx.beginPath()
      ctx.arc(X(latest), Y(statValue(latest)), 3 * k, 0, Math.PI * 2)
      ctx.fill()
    }
    Object.assign(plotGeom, { kind: 'line', m, W, N })
  }

  function drawStatGrid(ctx, c, [rows, cols], lo, hi, latest) {
    const k = dpr()
    const m = 4 * k
    const cell = Math.max(1, Math.min((c.width - 2 * m) / cols, (c.height - 2 * m - 14 * k) / rows))
    const ox = (c.width - cell * cols) / 2
    const oy = m
    const table = lut($('cmap').value)
    for (let r = 0; r < rows; r++)
      for (let q = 0; q < cols; q++) {
        const i = r * cols + q
        let fill = '#23272e'
        const v = isDone(i) ? statValue(i) : NaN
        if (!Number.isNaN(v)) {
          const t = Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255)))
          fill = `rgb(${table[t * 3]},${table[t * 3 + 1]},${table[t * 3 + 2]})`
        }
        ctx.fillStyle = fill
        ctx.fillRect(ox + q * cell, oy + r * cell, Math.ceil(cell), Math.ceil(cell))
      }
    if (latest >= 0) {
      // the current point: a white frame inside a dark one, visible on any colour
      const x = ox + (latest % cols) * cell
      const y = oy + Math.floor(latest / cols) * cell
      ctx.lineWidth = 3 * k
      ctx.strokeStyle = '#000000'
      ctx.strokeRect(x + 1.5 * k, y + 1.5 * k, cell - 3 * k, cell - 3 * k)
      ctx.lineWidth = k
      ctx.strokeStyle = '#ffffff'
      ctx.strokeRect(x + 1.5 * k, y + 1.5 * k, cell - 3 * k, cell - 3 * k)
    }
    ctx.fillStyle = '#8a93a3'
    ctx.textAlign = 'left'
    ctx.textBaseline = 'bottom'
    ctx.fillText(`${$('stat').value} over the ${rows}×${cols} grid: ${fmt(lo)} … ${fmt(hi)}`, ox, c.height - 2 * k)
    Object.assign(plotGeom, { kind: 'grid', ox, oy, cell, rows, cols })
  }

  function setupPlotEvents() {
    const c = $('plot')
    c.addEventListener('pointermove', (e) => {
      const x = e.offsetX * dpr()
      const y = e.offsetY * dpr()
      let i = -1
      if (plotGeom.kind === 'line') i = Math.round(((x - plotGeom.m.l) / plotGeom.W) * (plotGeom.N - 1))
      else if (plotGeom.kind === 'grid') {
        const q = Math.floor((x - plotGeom.ox) / plotGeom.cell)
        const r = Math.floor((y - plotGeom.oy) / plotGeom.cell)
        if (q >= 0 && r >= 0 && q < plotGeom.cols && r < plotGeom.rows) i = r * plotGeom.cols + q
      }
      $('plot-readout').textContent = i >= 0 && isDone(i) ? `#${i}: ${$('stat').value} ${fmt(statValue(i))}` : ''
    })
    c.addEventListener('pointerleave', () => ($('plot-readout').textContent = ''))
  }

  // Progress map for grid scans: done points, the current one outlined.
  function drawGridMap() {
    const c = $('gridmap')
    const grid = app.snap && app.snap.grid
    c.hidden = !grid
    if (!grid) return
    sizeCanvas(c)
    const ctx = c.getContext('2d')
    ctx.clearRect(0, 0, c.width, c.height)
    const [rows, cols] = grid
    const cell = Math.max(1, Math.min(c.width / cols, c.height / rows))
    const ox = (c.width - cell * cols) / 2
    const gap = cell >= 6 ? 1 : 0
    for (let r = 0; r < rows; r++)
      for (let q = 0; q < cols; q++) {
        const i = r * cols + q
        ctx.fillStyle = isDone(i) ? '#3d8bfd' : '#2a2e35'
        ctx.fillRect(ox + q * cell, r * cell, cell - gap, cell - gap)
      }
    const latest = currentIndex()
    if (latest >= 0) {
      ctx.fillStyle = '#ffffff'
      ctx.fillRect(ox + (latest % cols) * cell, Math.floor(latest / cols) * cell, cell - gap, cell - gap)
    }
  }

  // ---- progress ----
  const STATUS_TEXT = { waiting: 'waiting for frames', live: 'live', timedout: 'timed out', finished: 'finished', error: 'error', stopped: 'stopped' }

  function showStatus(status, title) {
    const b = $('status')
    b.dataset.status = status
    b.textContent = STATUS_TEXT[status] || status
    b.title = title || ''
  }

  function showProgress() {
    const s = app.snap
    if (!s) return
    let title = ''
    if (s.status === 'timedout') title = `no new frame for ${app.info.timeout / 1000} s; still polling`
    if (s.status === 'error') title = s.error
    showStatus(app.connected || s.status === 'finished' ? s.status : 'disconnected', title)
    if (s.status === 'error') $('status').textContent = `error: ${s.error}`
    $('frames').textContent = s.expected ? `${s.frames} / ${s.expected}` : `${s.frames} (open-ended scan)`
    $('bar-fill').style.width = s.expected ? `${Math.min(100, (100 * s.frames) / s.expected)}%` : s.frames ? '100%' : '0'
    $('rate').textContent = s.frames ? `${s.rate.toFixed(1)} frames/s (mean ${s.meanRate.toFixed(1)})` : '–'
    $('position').textContent = s.latest ? `#${s.latest.index}${s.latest.position.length > 1 ? ` at [${s.latest.position.join(', ')}]` : ''}` : '–'
    showSince()
  }

  function showSince() {
    const s = app.snap
    if (!s || s.sinceLast === null) return
    const ms = s.sinceLast + (app.connected ? performance.now() - app.snapAt : 0)
    $('since').textContent = ms < 60000 ? `${(ms / 1000).toFixed(1)} s ago` : `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s ago`
  }

  // ---- file tree ----
  function shapeText(dims) {
    return `[${dims.map((d) => (d === null ? '∞' : d)).join(', ')}]`
  }

  function treeNode(node) {
    const li = document.createElement('li')
    const name = document.createElement('span')
    name.textContent = node.kind === 'group' ? (node.name === '/' ? '/' : node.name + '/') : node.name
    li.append(name)
    const add = (cls, text) => {
      const s = document.createElement('span')
      s.className = cls
      s.textContent = ' ' + text
      li.append(s)
    }
    if (node.dataset) {
      const d = node.dataset
      if (d.growing) add('grow', '▲')
      const info = app.info
      if (info.keys.includes(node.path)) add('role', 'key')
      const di = info.data.findIndex((x) => x.path === node.path)
      if (di >= 0) add('role', di === app.d ? 'shown' : 'data')
      if (info.finished === node.path) add('role', 'finished flag')
      add('meta', `${d.dtype} ${shapeText(d.shape)}${d.growing ? ` of ${shapeText(d.maxshape)}` : ''}`)
      li.title = `${node.path}\nshape ${shapeText(d.shape)} max ${shapeText(d.maxshape)}${d.chunks ? ` chunks ${shapeText(d.chunks)}` : ''}${d.filters.length ? `\n${d.filters.join(' + ')}` : ''}`
    }
    if (node.link) add('link', node.link)
    if (node.children && node.children.length) {
      const ul = document.createElement('ul')
      for (const ch of node.children) ul.append(treeNode(ch))
      li.append(ul)
    }
    return li
  }

  async function loadTree() {
    app.treeAt = performance.now()
    try {
      const res = await fetch('/tree', { cache: 'no-store' })
      if (!res.ok) return
      const root = await res.json()
      const ul = document.createElement('ul')
      ul.append(treeNode(root))
      $('tree').replaceChildren(ul)
    } catch (err) {
      console.warn(err)
    }
  }

  // ---- wiring ----
  function onState(snap) {
    const before = app.snap
    app.snap = snap
    app.snapAt = performance.now()
    showProgress()
    if (snap.latest && (!app.image || snap.latest.index !== app.image.meta.index)) requestFrame()
    if (snap.maxIndex + 1 > app.stats.n) requestStats()
    else {
      drawGridMap()
      drawPlot()
    }
    const statusChanged = before && before.status !== snap.status
    if (statusChanged || (snap.status === 'live' && performance.now() - app.treeAt > 3000)) loadTree()
  }

  function connect() {
    const es = new EventSource('/events')
    es.addEventListener('state', (e) => {
      app.connected = true
      onState(JSON.parse(e.data))
    })
    es.addEventListener('error', () => {
      app.connected = false
      if (!app.snap || app.snap.status !== 'finished') showStatus('disconnected', 'the view server is not reachable (stopped?); retrying')
    })
  }

  async function main() {
    const res = await fetch('/info', { cache: 'no-store' })
    app.info = await res.json()
    $('file').textContent = app.info.file
    document.title = `h5swmr view: ${app.info.file}`
    if (app.info.data.length > 1) {
      $('data-label').hidden = false
      app.info.data.forEach((d, i) => $('data').append(new Option(d.path, String(i))))
      $('data').addEventListener('change', () => {
        app.d = Number($('data').value)
        app.image = null
        resetStats()
        resetView()
        requestFrame()
        requestStats()
        loadTree()
      })
    }
    resetView()
    for (const id of ['cmap', 'scale']) $(id).addEventListener('change', () => (render(), drawPlot()))
    $('bin').addEventListener('change', () => requestFrame())
    $('limits').addEventListener('change', () => {
      const fixed = $('limits').value === 'fixed'
      $('vmin').disabled = $('vmax').disabled = !fixed
      render()
    })
    for (const id of ['vmin', 'vmax']) $(id).addEventListener('input', () => render())
    $('stat').addEventListener('change', () => drawPlot())
    setupImageEvents()
    setupPlotEvents()
    const ro = new ResizeObserver(() => {
      const changed = sizeCanvas($('image'))
      render()
      drawPlot()
      drawGridMap()
      if (changed) requestFrame()
    })
    for (const id of ['image', 'plot', 'gridmap']) ro.observe($(id))
    sizeCanvas($('image'))
    setInterval(showSince, 200)
    loadTree()
    connect()
  }

  main().catch((err) => showStatus('error', String(err)))
})()
