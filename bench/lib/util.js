// Small helpers shared by the benchmark cases: statistics, timing, child processes, logging.
'use strict'
const { spawn } = require('node:child_process')
const readline = require('node:readline')

/** Median of a list of numbers (the mean of the middle two for an even count). */
function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return null
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** min / median / max of a list, `null`s when empty. */
function summary(xs) {
  const s = xs.filter((x) => Number.isFinite(x))
  if (s.length === 0) return { min: null, median: null, max: null, n: 0 }
  return { min: Math.min(...s), median: median(s), max: Math.max(...s), n: s.length }
}

/** Percentile (nearest rank) of an already sorted list. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

/** Monotonic seconds. */
function seconds() {
  return Number(process.hrtime.bigint()) / 1e9
}

/** Wall-clock milliseconds since the epoch, sub-millisecond (comparable across processes). */
function wallMs() {
  return performance.timeOrigin + performance.now()
}

let quietLog = false
function setQuiet(q) {
  quietLog = q
}
/** Progress goes to stderr, so that `--json` keeps stdout clean. */
function log(...args) {
  if (!quietLog) process.stderr.write(args.join(' ') + '\n')
}

/**
 * Spawn a child and collect its stdout lines. `onLine(line, child)` sees each line as it arrives.
 * Resolves with { code, signal, stdout, stderr, lines } (never rejects on a non-zero exit).
 */
function runChild(cmd, args, { onLine, env, cwd, timeoutMs = 10 * 60_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env }, cwd })
    const lines = []
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    readline.createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(l)
      onLine?.(l, child)
    })
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: lines.join('\n'), stderr, lines })
    })
    if (input !== undefined) child.stdin.end(input)
  })
}

/** The last line of a child's stdout that parses as JSON, or null. */
function lastJson(lines) {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i].trim()
    if (!l.startsWith('{')) continue
    try {
      return JSON.parse(l)
    } catch {
      /* not JSON */
    }
  }
  return null
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

module.exports = { median, summary, percentile, seconds, wallMs, log, setQuiet, runChild, lastJson, sleep }
