// `h5swmr view`: a small HTTP server (node:http) for one file being written. It follows the scan
// with a DataSource into a ViewState and serves a fixed set of routes; nothing in a request names
// a file, so nothing outside the one file and the page's own assets can be reached.
//
//   GET /                 the page (web/index.html), /view.js, /view.css
//   GET /info             static facts (JSON): file, keys, data datasets, scan rank, maxshape, expected frames
//   GET /events           server-sent events: `state` (a ViewSnapshot) at most ~10 times a second while
//                         frames arrive, and once a second otherwise
//   GET /frame/latest     the newest frame of data dataset `d`, region x,y,w,h reduced to at most ow×oh
//                         (bin=mean|max): raw float32 (little-endian), metadata in the X-Frame header (JSON)
//   GET /stats            per-frame sum, min, max of dataset `d` for indices [from, to): raw float64 triples,
//                         metadata in the X-Stats header
//   GET /tree             the file's groups and datasets (as `h5swmr ls --json`)
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { walk } from '../tree'
import type { Dataset } from '../dataset'
import { H5Error } from '../errors'
import type { File } from '../file'
import { DataSource } from '../follow/data-source'
import { binFrame, type BinMode } from './image'
import { followInto, ViewState } from './state'

/** The page's files: a fixed list, read once at start (web/ next to dist/ and lib/ in the package). */
export const WEB_DIR = path.join(__dirname, '..', '..', 'web')
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/view.js': { file: 'view.js', type: 'text/javascript; charset=utf-8' },
  '/view.css': { file: 'view.css', type: 'text/css; charset=utf-8' },
}

export interface ViewOptions {
  /** Key datasets (paths in `file`). */
  keys: string[]
  /** Data datasets; the first one is shown by default. */
  data: string[]
  finished?: string | null
  /** Milliseconds without a new frame before the page says 'timed out' (following goes on). Default 10 000. */
  timeout?: number
  /** Milliseconds between key polls. Default 20. */
  pollInterval?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0: any free port. */
  port?: number
  /** Shown on the page (default: the file's name). */
  label?: string
}

export interface ViewServer {
  readonly url: string
  readonly state: ViewState
  readonly server: http.Server
  /** Resolves when the follow ends (finished flag, error, or close()). */
  readonly followed: Promise<void>
  /** Stop following, end every connection and stop listening. The file stays open (the caller closes it). */
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

function hostOf(header: string | undefined): string {
  if (!header) return ''
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(header)
  return (m ? m[1] : header).toLowerCase()
}

function intParam(q: URLSearchParams, name: string, fallback: number): number {
  const v = q.get(name)
  if (v === null || v === '') return fallback
  const n = Number(v)
  return Number.isFinite(n) ? Math.floor(n) : fallback
}

/** Start following `file` and serving the page. */
export async function startView(file: File, options: ViewOptions): Promise<ViewServer> {
  if (!options.data.length) throw new H5Error('view: no data datasets given', 'ERR_USAGE')
  if (!options.keys.length) throw new H5Error('view: no key datasets given', 'ERR_USAGE')
  const keys = options.keys.map((p) => file.dataset(p))
  const datasets: Dataset[] = options.data.map((p) => file.dataset(p))
  const finishedDataset = options.finished ? file.dataset(options.finished) : null
  const timeout = options.timeout ?? 10_000
  const stop = new AbortController()
  const source = new DataSource(keys, Object.fromEntries(datasets.map((d) => [d.path, d])), {
    timeout,
    pollInterval: options.pollInterval ?? 20,
    finishedDataset,
    signal: stop.signal,
    reuseBuffers: true,
  })
  const state = new ViewState(options.label ?? path.basename(file.filePath), keys, datasets, source.scanRank, source.maxshape, {
    finished: options.finished ?? null,
    timeout,
  })
  const assets = new Map(Object.entries(ASSETS).map(([route, a]) => [route, { type: a.type, body: fs.readFileSync(path.join(WEB_DIR, a.file)) }]))
  const host = options.host ?? '127.0.0.1'
  const loopbackOnly = LOOPBACK.has(host)

  // Server-sent events: push a snapshot when the state moved, at most every 100 ms, and a heartbeat each second.
  const clients = new Set<http.ServerResponse>()
  let sentVersion = -1
  let timer: NodeJS.Timeout | null = null
  let lastPush = 0
  const push = () => {
    timer = null
    lastPush = Date.now()
    const snap = state.snapshot()
    sentVersion = snap.version
    const msg = `event: state\ndata: ${JSON.stringify(snap)}\n\n`
    for (const c of clients) c.write(msg)
  }
  const schedule = () => {
    if (timer || !clients.size) return
    timer = setTimeout(push, Math.max(0, 100 - (Date.now() - lastPush)))
  }
  const unsubscribe = state.onChange(schedule)
  const heartbeat = setInterval(() => {
    if (clients.size && (state.version !== sentVersion || Date.now() - lastPush >= 900)) push()
  }, 1000)

  const send = (res: http.ServerResponse, status: number, type: string, body: string | Buffer | Uint8Array, headers: Record<string, string> = {}) => {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': String(body.length),
      'Cache-Control': 'no-store',
      ...headers,
    })
    res.end(res.req.method === 'HEAD' ? undefined : body)
  }
  const notFound = (res: http.ServerResponse) => send(res, 404, 'text/plain; charset=utf-8', 'not found\n')
  const json = (res: http.ServerResponse, value: unknown) =>
    send(res, 200, 'application/json', JSON.stringify(value, (_, x) => (typeof x === 'bigint' ? x.toString() : x)))

  // Data datasets are named by their position in the list given at start, never by path.
  const dataIndex = (q: URLSearchParams): string | null => {
    const text = q.get('d') ?? '0'
    if (!/^\d{1,6}$/.test(text)) return null
    const d = Number(text)
    return d < datasets.length ? datasets[d].path : null
  }

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n')
    }
    // On a loopback address, only answer requests for a loopback name (a page elsewhere that
    // rebinds its DNS name to 127.0.0.1 cannot read the data).
    if (loopbackOnly && !LOOPBACK.has(hostOf(req.headers.host))) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden host\n')
    const raw = req.url ?? '/'
    const q = raw.indexOf('?')
    // The route is the raw path, matched exactly: no decoding, no normalisation, so `..`, `%2e%2e`,
    // `//` or a trailing slash never reach anything but a 404.
    const route = q >= 0 ? raw.slice(0, q) : raw
    const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '')

    const asset = assets.get(route)
    if (asset) {
      const headers: Record<string, string> = {}
      if (route === '/') headers['Content-Security-Policy'] = "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
      return send(res, 200, asset.type, asset.body, headers)
    }
    switch (route) {
      case '/info':
        return json(res, state.info)
      case '/tree':
        try {
          return json(res, walk(file, '/', '/', false))
        } catch (err) {
          return send(res, 500, 'text/plain; charset=utf-8', `${(err as Error).message.split('\n')[0]}\n`)
        }
      case '/events': {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' })
        if (req.method === 'HEAD') return res.end()
        res.write('retry: 1000\n\n')
        const snap = state.snapshot()
        res.write(`event: state\ndata: ${JSON.stringify(snap)}\n\n`)
        clients.add(res)
        req.on('close', () => clients.delete(res))
        return
      }
      case '/frame/latest': {
        const label = dataIndex(query)
        if (label === null) return notFound(res)
        const latest = state.latest.get(label)
        if (!latest) return send(res, 204, 'application/octet-stream', Buffer.alloc(0), { 'X-Frame': 'null' })
        const mode: BinMode = query.get('bin') === 'max' ? 'max' : 'mean'
        const region = { x: intParam(query, 'x', 0), y: intParam(query, 'y', 0), w: intParam(query, 'w', latest.cols), h: intParam(query, 'h', latest.rows) }
        const b = binFrame(latest.data, latest.rows, latest.cols, region, intParam(query, 'ow', 512), intParam(query, 'oh', 512), mode)
        const meta = {
          index: latest.index,
          position: latest.position,
          frameShape: latest.frameShape,
          rows: latest.rows,
          cols: latest.cols,
          width: b.width,
          height: b.height,
          binX: b.binX,
          binY: b.binY,
          bin: mode,
          region: b.region,
          sum: latest.sum,
          min: latest.min,
          max: latest.max,
        }
        return send(res, 200, 'application/octet-stream', new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength), { 'X-Frame': JSON.stringify(meta) })
      }
      case '/stats': {
        const label = dataIndex(query)
        if (label === null) return notFound(res)
        const series = state.stats.get(label)!
        const from = Math.max(0, intParam(query, 'from', 0))
        const to = Math.min(series.length, intParam(query, 'to', series.length))
        const data = series.range(from, to)
        const frame = state.info.data[datasets.findIndex((d) => d.path === label)].frameShape
        const meta = { from, to: Math.max(from, to), fields: ['sum', 'min', 'max'], pixels: frame.reduce((a, b) => a * b, 1) }
        return send(res, 200, 'application/octet-stream', new Uint8Array(data.buffer, data.byteOffset, data.byteLength), { 'X-Stats': JSON.stringify(meta) })
      }
      default:
        return notFound(res)
    }
  }

  const server = http.createServer((req, res) => {
    try {
      handle(req, res)
    } catch (err) {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `${(err as Error).message.split('\n')[0]}\n`)
      else res.destroy()
    }
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (err) {
    // e.g. EADDRINUSE: nothing may keep the process alive
    unsubscribe()
    clearInterval(heartbeat)
    const e = err as NodeJS.ErrnoException
    throw new H5Error(`cannot listen on ${host}:${options.port ?? 0}: ${e.message}`, e.code ?? 'ERR_LISTEN')
  }
  const addr = server.address() as AddressInfo
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  const url = `http://${host === 'localhost' ? 'localhost' : urlHost}:${addr.port}/`

  const followed = followInto(state, source, { signal: stop.signal }).then(() => {
    // The final state goes out at once.
    if (timer) clearTimeout(timer)
    push()
  })

  let closing: Promise<void> | null = null
  const close = () =>
    (closing ??= (async () => {
      stop.abort()
      await followed
      unsubscribe()
      clearInterval(heartbeat)
      if (timer) clearTimeout(timer)
      for (const c of clients) c.end()
      clients.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    })())

  return { url, state, server, followed, close }
}
