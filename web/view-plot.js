// h5swmr view: the statistics panel: per-frame sum, min, max of every frame (/stats), as a line
// plot over the scan or a map over its grid.
import { $, dpr, fmt, lut, niceTicks, sizeCanvas } from './view-util.js'
import { app } from './view-state.js'

export function resetStats() {
  app.stats = { n: 0, pixels: 1, sum: new Float64Array(0), min: new Float64Array(0), max: new Float64Array(0) }
}

export function growStats(n) {
  const st = app.stats
  if (st.sum.length >= n) return
  const cap = Math.max(n, st.sum.length * 2, 1024)
  for (const k of ['sum', 'min', 'max']) {
    const a = new Float64Array(cap).fill(NaN)
    a.set(st[k])
    st[k] = a
  }
}

export async function requestStats() {
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

export function statValue(i) {
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

export const isDone = (i) => i < app.stats.n && !Number.isNaN(app.stats.sum[i])
/** The newest point: from the last state event, or the statistics when they are already further. */
export const currentIndex = () => Math.max(app.snap && app.snap.latest ? app.snap.latest.index : -1, app.stats.n - 1)

// 1-D scans: a line over the scan index; 2-D (and higher) scans: an image over the grid.
export const plotGeom = { kind: null }
export function drawPlot() {
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

export function drawStatGrid(ctx, c, [rows, cols], lo, hi, latest) {
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

export function setupPlotEvents() {
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
export function drawGridMap() {
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
