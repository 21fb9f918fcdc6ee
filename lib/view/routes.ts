// The view's routes: a fixed set, matched on the raw path, answering GET and HEAD only. Nothing in a
// request names a file, so nothing outside the one file and the page's own assets can be reached.
//
//   GET /                 the page (web/index.html), its scripts (/view.js, /view-*.js) and /view.css
//   GET /info             static facts (JSON): file, keys, data datasets, scan rank, maxshape, expected frames
//   GET /events           server-sent events (events.ts)
//   GET /frame/latest     the newest frame of data dataset `d`, region x,y,w,h reduced to at most ow×oh
//                         (bin=mean|max): raw float32 (little-endian), metadata in the X-Frame header (JSON)
//   GET /stats            per-frame sum, min, max of dataset `d` for indices [from, to): raw float64 triples,
//                         metadata in the X-Stats header
//   GET /tree             the file's groups and datasets (as `h5swmr ls --json`)
import * as fs from 'node:fs'
import type * as http from 'node:http'
import * as path from 'node:path'
import type { Dataset } from '../core/dataset'
import type { File } from '../core/file'
import { walk } from '../core/tree'
import type { EventStream } from './events'
import { binFrame, type BinMode } from './image'
import type { ViewState } from './state'

/** The page's files: a fixed list, read once at start (web/ next to dist/ and lib/ in the package). */
export const WEB_DIR = path.join(__dirname, '..', '..', 'web')

// The page, its style sheet and its scripts (every web/view*.js: ES modules the page loads without a
// bundler), each under its own name, read once when a view starts.
function readAssets(): Map<string, { type: string; body: Buffer }> {
  const list: Array<[string, string, string]> = [
    ['/', 'index.html', 'text/html; charset=utf-8'],
    ['/view.css', 'view.css', 'text/css; charset=utf-8'],
  ]
  for (const name of fs.readdirSync(WEB_DIR).filter((f) => /^view(-[a-z]+)?\.js$/.test(f)).sort())
    list.push([`/${name}`, name, 'text/javascript; charset=utf-8'])
  return new Map(list.map(([route, name, type]) => [route, { type, body: fs.readFileSync(path.join(WEB_DIR, name)) }]))
}

export const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

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

export function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer | Uint8Array, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.length), // bytes, not UTF-16 units
    'Cache-Control': 'no-store',
    ...headers,
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

const notFound = (res: http.ServerResponse) => send(res, 404, 'text/plain; charset=utf-8', 'not found\n')
const json = (res: http.ServerResponse, value: unknown) =>
  send(res, 200, 'application/json', JSON.stringify(value, (_, x) => (typeof x === 'bigint' ? x.toString() : x)))

export interface RouteContext {
  file: File
  datasets: Dataset[]
  state: ViewState
  events: EventStream
  /** Only answer requests for a loopback host name (the server listens on a loopback address). */
  loopbackOnly: boolean
}

/** The request handler of one view. */
export function router(ctx: RouteContext): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const { file, datasets, state, events } = ctx
  const assets = readAssets()

  // Data datasets are named by their position in the list given at start, never by path.
  const dataIndex = (q: URLSearchParams): string | null => {
    const text = q.get('d') ?? '0'
    if (!/^\d{1,6}$/.test(text)) return null
    const d = Number(text)
    return d < datasets.length ? datasets[d].path : null
  }

  const latestFrame = (res: http.ServerResponse, query: URLSearchParams) => {
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

  const stats = (res: http.ServerResponse, query: URLSearchParams) => {
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

  return (req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n')
    }
    // On a loopback address, only answer requests for a loopback name (a page elsewhere that
    // rebinds its DNS name to 127.0.0.1 cannot read the data).
    if (ctx.loopbackOnly && !LOOPBACK.has(hostOf(req.headers.host))) return send(res, 403, 'text/plain; charset=utf-8', 'forbidden host\n')
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
          return json(res, walk(file, '/', '/'))
        } catch (err) {
          return send(res, 500, 'text/plain; charset=utf-8', `${(err as Error).message.split('\n')[0]}\n`)
        }
      case '/events':
        return events.attach(req, res)
      case '/frame/latest':
        return latestFrame(res, query)
      case '/stats':
        return stats(res, query)
      default:
        return notFound(res)
    }
  }
}
