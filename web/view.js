// h5swmr view: the page. Plain browser JavaScript, served as is (no build step).
// State arrives over server-sent events (/events); the newest frame is fetched as raw float32
// (/frame/latest), reduced by the server to the region and size shown; one fetch at a time, and
// when it lands a newer frame may already be waiting: the newest wins, frames in between are skipped
// (the statistics still cover every frame: /stats).
// The page's parts are ES modules (view-util, view-state, view-image, view-plot), loaded without a
// bundler; this one is the page itself: status, progress, the file tree, the event stream, start.
import { $, sizeCanvas } from './view-util.js'
import { app, resetView, scale } from './view-state.js'
import { render, requestFrame, setupImageEvents } from './view-image.js'
import { drawGridMap, drawPlot, requestStats, resetStats, setupPlotEvents } from './view-plot.js'

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

// The scan's own description (its NeXus entry's title, start and end times, ...), as text.
function showMetadata(items) {
  const list = $('metadata')
  for (const { name, value } of items) {
    const dt = document.createElement('dt')
    const dd = document.createElement('dd')
    dt.textContent = name
    dd.textContent = value
    dd.title = value
    list.append(dt, dd)
  }
  list.hidden = items.length === 0
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
  showMetadata(app.info.metadata || [])
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
