// Shared CLI parts: argument parsing, progress lines on stderr (only on a TTY), numbers, shapes, errors.
import { Dataset } from '../core/dataset'
import { H5Error } from '../core/errors'
import { Group } from '../core/file'

/** -h/--help, for every command's parseArgs options. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h', default: false } } as const

/**
 * After parseArgs: with --help, print `help` and return true (the command is done). Otherwise check
 * there are `names.length` positionals at most and the first `required` of them (`names` say what
 * they are in the usage error).
 */
export function helpOrCheck(values: { help?: boolean }, positionals: string[], help: string, names: string[], required = names.length): boolean {
  if (values.help) {
    process.stdout.write(help)
    return true
  }
  if (positionals.length < required || positionals.length > names.length) {
    const expected = names.map((n, i) => (i < required ? n : `[${n}]`)).join(' ')
    throw usage(names.length === 1 && required === 1 ? `expected exactly one ${names[0]} (see --help)` : `expected ${expected} (see --help)`)
  }
  return false
}

/** The options of commands that follow a scan: what to follow (default: what the file says), and for how long. */
export const SCAN_OPTIONS = {
  keys: { type: 'string', multiple: true },
  data: { type: 'string', multiple: true },
  finished: { type: 'string' },
  timeout: { type: 'string', default: '10' },
  wait: { type: 'string', default: '10' },
  ...HELP_OPTION,
} as const

/** A duration option given in `unit` ('seconds' or 'milliseconds'), in milliseconds; >= 0. */
export function durationOption(text: string | undefined, name: string, unit: 'seconds' | 'milliseconds'): number {
  const n = Number(text) * (unit === 'seconds' ? 1000 : 1)
  if (!(n >= 0)) throw usage(`--${name} must be ${unit}, got '${text}'`)
  return n
}

export class Progress {
  readonly enabled: boolean
  #last = 0

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.enabled = Boolean(stream.isTTY)
    this.stream = stream
  }

  private stream: NodeJS.WriteStream

  /** Redraw the status line, at most ~10 times a second unless `force`. */
  update(text: string, force = false): void {
    if (!this.enabled) return
    const now = Date.now()
    if (!force && now - this.#last < 100) return
    this.#last = now
    const width = this.stream.columns || 100
    this.stream.write(`\r\x1b[2K${text.slice(0, width - 1)}`)
  }

  done(): void {
    if (this.enabled) this.stream.write('\r\x1b[2K')
  }
}

export function bar(done: number, total: number | null, width = 24): string {
  if (!total || !Number.isFinite(total)) return ''
  const f = Math.max(0, Math.min(1, done / total))
  const full = Math.round(f * width)
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%`
}

export function shape(dims: ReadonlyArray<number | null>): string {
  return `[${dims.map((d) => (d === null ? '∞' : d)).join(', ')}]`
}

export function parseShape(text: string, what: string): number[] {
  const parts = text.split(/[x,×]/).map((s) => s.trim())
  const dims = parts.map(Number)
  if (!parts.length || dims.some((d) => !Number.isInteger(d) || d < 1)) throw usage(`${what} must look like 512x512, got '${text}'`)
  return dims
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export function usage(message: string): H5Error {
  return new H5Error(message, 'ERR_USAGE')
}

/** One clear line: the message (first line) and the code. */
export function errorLine(command: string, err: unknown): string {
  if (err instanceof H5Error || (err instanceof Error && 'code' in err)) {
    const e = err as Error & { code?: string }
    return `h5swmr ${command}: ${e.message.split('\n')[0]} (${e.code})`
  }
  return `h5swmr ${command}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`
}

/**
 * A value as `ls --values` prints it, on one line: strings quoted, records `{a: 1, b: "x"}`, arrays and
 * typed arrays `[1, 2, 3]` (the first `limit` elements, then `…`), bigints as integers, complex numbers
 * `1+2i`, references `-> /path`; `empty` for an empty dataspace.
 */
export function formatValue(v: unknown, limit = 16): string {
  if (v === null || v === undefined) return 'empty'
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (v instanceof Dataset || v instanceof Group) return `-> ${v.path}`
  const list = (items: ArrayLike<unknown>): string => {
    const shown = Array.from({ length: Math.min(items.length, limit) }, (_, i) => formatValue(items[i], limit))
    return `[${shown.join(', ')}${items.length > limit ? `, … (${items.length})` : ''}]`
  }
  if (ArrayBuffer.isView(v)) return list(v as unknown as ArrayLike<unknown>)
  if (Array.isArray(v)) return list(v)
  const o = v as Record<string, unknown>
  if (typeof o.re === 'number' && typeof o.im === 'number' && Object.keys(o).length === 2) return `${o.re}${o.im < 0 || Object.is(o.im, -0) ? '-' : '+'}${Math.abs(o.im)}i`
  if ('selection' in o && typeof o.path === 'string') return `region of ${o.path}`
  return `{${Object.entries(o).map(([k, x]) => `${k}: ${formatValue(x, limit)}`).join(', ')}}`
}

/** JSON.stringify's replacer for values: bigints as strings, typed arrays as arrays, the file's objects as { $ref: path }. */
export function jsonValue(_key: string, x: unknown): unknown {
  if (typeof x === 'bigint') return x.toString()
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<unknown>, (e) => (typeof e === 'bigint' ? e.toString() : e))
  if (x instanceof Dataset || x instanceof Group) return { $ref: x.path }
  return x
}
