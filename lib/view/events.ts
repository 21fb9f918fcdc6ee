// The view's event stream (GET /events, server-sent events): a `state` snapshot pushed when the
// state moved, at most every 100 ms, and a heartbeat snapshot each second while nothing moves.
import type * as http from 'node:http'
import type { ViewState } from './state'

export class EventStream {
  readonly #state: ViewState
  readonly #clients = new Set<http.ServerResponse>()
  #sentVersion = -1
  #timer: NodeJS.Timeout | null = null
  #lastPush = 0
  readonly #unsubscribe: () => void
  readonly #heartbeat: NodeJS.Timeout

  constructor(state: ViewState) {
    this.#state = state
    this.#unsubscribe = state.onChange(() => this.#schedule())
    this.#heartbeat = setInterval(() => {
      if (this.#clients.size && (state.version !== this.#sentVersion || Date.now() - this.#lastPush >= 900)) this.push()
    }, 1000)
  }

  /** A new client: the stream's headers, a retry hint and the current state at once. */
  attach(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    res.write('retry: 1000\n\n')
    res.write(message(this.#state.snapshot()))
    this.#clients.add(res)
    req.on('close', () => this.#clients.delete(res))
  }

  /** Send the current state to every client now (and cancel a scheduled push). */
  push(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    this.#lastPush = Date.now()
    const snap = this.#state.snapshot()
    this.#sentVersion = snap.version
    const msg = message(snap)
    for (const c of this.#clients) c.write(msg)
  }

  /** Stop the timers and end every client's stream. */
  close(): void {
    this.#unsubscribe()
    clearInterval(this.#heartbeat)
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    for (const c of this.#clients) c.end()
    this.#clients.clear()
  }

  #schedule(): void {
    if (this.#timer || !this.#clients.size) return
    this.#timer = setTimeout(() => this.push(), Math.max(0, 100 - (Date.now() - this.#lastPush)))
  }
}

function message(snapshot: unknown): string {
  return `event: state\ndata: ${JSON.stringify(snapshot)}\n\n`
}
