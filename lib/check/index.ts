// checkFile: vet a file from someone else without risking this process. libhdf5 has bugs that a
// damaged or hostile file reaches (HDF5's public CVE files crash it, h5py with it); the walk runs in a
// child process with a time limit, and what happened there comes back as a verdict with a code.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { WalkSummary } from './walker'

export type { WalkProblem } from './walker'

export interface CheckOptions {
  /** Milliseconds the walk may take (default 30 000); past it the child is killed: TIMED_OUT. */
  timeout?: number
  /** Open for SWMR reading (a file still being written). Default false. */
  swmr?: boolean
  /** Datasets with more elements than this have only their first element read (default 2^24). */
  maxElements?: number
  /**
   * Bytes of memory (resident) the walk may use (default 2 GiB); past it the child is killed:
   * OUT_OF_MEMORY. A damaged size can make libhdf5 allocate and fill gigabytes (CVE-2018-11202).
   * Linux only (read from /proc); elsewhere only the time limit applies.
   */
  maxMemory?: number
}

/** What was walked (up to a crash or the time limit), the first 20 problems and their count, and: */
export interface FileCheck extends WalkSummary {
  file: string
  /** True when the whole file was walked and every value read without an error. */
  ok: boolean
  /**
   * 'ok'; the H5Error code of the first problem met (H5_CORRUPT, H5_NOT_HDF5, H5_TRUNCATED, ...);
   * 'CRASHED' when the walk ended with a signal (`signal`), 'TIMED_OUT' past the time limit,
   * 'OUT_OF_MEMORY' past the memory limit.
   */
  code: string
  signal: string | null
  /** In plain words. */
  message: string
  /** Where the walk was when it crashed or timed out, or where the first problem was: path and step. */
  at: { path: string; step: string } | null
  ms: number
}

// The compiled walker beside this module (dist/check/); run from the TypeScript sources (the test
// suite), the package's own dist/ one, which `npm test` builds first.
const WALKER = fs.existsSync(path.join(__dirname, 'walker.js'))
  ? path.join(__dirname, 'walker.js')
  : path.join(__dirname, '..', '..', 'dist', 'check', 'walker.js')

/**
 * Open and walk `file` in a child process — every group, attribute and dataset, every value read —
 * with a time limit, and say how it went. Never throws for what the file does; the caller's process
 * is never at risk from it.
 */
export function checkFile(file: string, options: CheckOptions = {}): Promise<FileCheck> {
  const timeout = options.timeout ?? 30_000
  const started = performance.now()
  // MALLOC_PERTURB_=255 (glibc): memory libhdf5 allocates starts zeroed, so where a damaged file
  // makes it use memory it never set (CVE-2024-32608: fixed in 1.14.4) it meets zeros and fails
  // with an error instead of crashing on whatever the heap held there before.
  const child = spawn(process.execPath, [WALKER, file, JSON.stringify({ swmr: options.swmr ?? false, maxElements: options.maxElements ?? 1 << 24 })], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MALLOC_PERTURB_: '255' },
  })
  let at: { path: string; step: string } | null = null
  let summary: WalkSummary | null = null
  let buffered = ''
  let stderr = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk
    let nl
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      try {
        const o = JSON.parse(line)
        if (o.summary) summary = o.summary
        else if (typeof o.at === 'string') at = { path: o.at, step: o.step }
      } catch {
        // not ours (nothing else writes to this pipe)
      }
    }
  })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < 4096) stderr += chunk
  })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, timeout)
  const maxMemory = options.maxMemory ?? 2 ** 31
  let outOfMemory = 0
  const watchdog = setInterval(() => {
    const rss = residentBytes(child.pid)
    if (rss !== null && rss > maxMemory) {
      outOfMemory = rss
      child.kill('SIGKILL')
    }
  }, 50)
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      clearInterval(watchdog)
      const ms = performance.now() - started
      const s: WalkSummary = summary ?? { objects: 0, groups: 0, datasets: 0, attributes: 0, valuesRead: 0, problems: [], problemCount: 0 }
      const base = { file, ...s, ms }
      const where = at ? ` at ${at.path} (${at.step})` : ''
      if (outOfMemory) {
        const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`
        resolve({ ...base, ok: false, code: 'OUT_OF_MEMORY', signal: null, at, message: `the walk used ${mib(outOfMemory)}, more than ${mib(maxMemory)}${where}: killed` })
      } else if (timedOut) {
        resolve({ ...base, ok: false, code: 'TIMED_OUT', signal: null, at, message: `the walk took more than ${timeout / 1000} s${where}: killed` })
      } else if (signal || !summary) {
        // A signal is a crash (libhdf5's); an exit without a summary is the walk's own failure.
        const said = stderr.trim().split('\n').pop()
        const how = signal ? `libhdf5 crashed with ${signal}` : `the walk ended without a result (exit ${code})`
        resolve({ ...base, ok: false, code: signal ? 'CRASHED' : 'H5_ERROR', signal: signal ?? null, at, message: `${how}${where}${said ? `: ${said.slice(0, 300)}` : ''}` })
      } else if (s.problemCount > 0) {
        const first = s.problems[0]
        resolve({ ...base, ok: false, code: first.code, signal: null, at: { path: first.path, step: first.step }, message: `${first.message} (at ${first.path}, ${first.step}${s.problemCount > 1 ? `; ${s.problemCount} problems in all` : ''})` })
      } else {
        resolve({ ...base, ok: true, code: 'ok', signal: null, at: null, message: `${s.objects} objects, ${s.attributes} attributes, ${s.valuesRead} values read` })
      }
    })
  })
}

// The resident memory of process `pid` (VmRSS in /proc/PID/status), or null where there is no /proc.
function residentBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : null
  } catch {
    return null // exited, or not Linux
  }
}
