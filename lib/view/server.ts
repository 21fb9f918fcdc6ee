// `h5swmr view`: a small HTTP server (node:http) for one file being written: it follows the scan with
// a DataSource into a ViewState (state.ts), and serves the page and its data (routes.ts) with an
// event stream of the state (events.ts). This file is the lifecycle: start, listen, follow, close.
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import type { Dataset } from '../core/dataset'
import { H5Error } from '../core/errors'
import type { File } from '../core/file'
import { DataSource } from '../follow/data-source'
import { scanMetadata } from '../nexus/discover'
import { EventStream } from './events'
import { LOOPBACK, router, send } from './routes'
import { followInto, ViewState } from './state'

export { WEB_DIR } from './routes'

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
  // The scan's entry: the top-level group the data is in (NeXus: /entry); its strings describe the scan.
  const entry = `/${options.data[0].split('/').filter(Boolean)[0] ?? ''}`
  const state = new ViewState(options.label ?? path.basename(file.filePath), keys, datasets, source.scanRank, source.maxshape, {
    finished: options.finished ?? null,
    timeout,
    metadata: entry !== '/' && file.has(entry) ? scanMetadata(file, entry) : [],
  })
  const host = options.host ?? '127.0.0.1'
  const events = new EventStream(state)
  const handle = router({ file, datasets, state, events, loopbackOnly: LOOPBACK.has(host) })
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
    events.close()
    const e = err as NodeJS.ErrnoException
    throw new H5Error(`cannot listen on ${host}:${options.port ?? 0}: ${e.message}`, e.code ?? 'ERR_LISTEN')
  }
  const addr = server.address() as AddressInfo
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  const url = `http://${host === 'localhost' ? 'localhost' : urlHost}:${addr.port}/`

  // The final state goes out at once.
  const followed = followInto(state, source, { signal: stop.signal }).then(() => events.push())

  let closing: Promise<void> | null = null
  const close = () =>
    (closing ??= (async () => {
      stop.abort()
      await followed
      events.close()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    })())

  return { url, state, server, followed, close }
}
