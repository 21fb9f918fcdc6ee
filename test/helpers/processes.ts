// Writer processes for live tests: spawn, wait for a line, collect output, always clean up.
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { File, type ReadStats } from '../../lib'
import { checkFrame } from '../../lib/simulate'
import type { SimulateOptions } from '../../lib/simulate'

const ROOT = path.join(__dirname, '..', '..')

export interface Proc {
  child: ChildProcess
  lines: string[]
  stderr: string
  /** Resolves when a line matching `pattern` has been printed (rejects if the process exits first). */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>
  exited: Promise<number | null>
  send(line: string): void
  kill(): void
}

const live: ChildProcess[] = []
afterAll(() => {
  for (const c of live) if (c.exitCode === null) c.kill('SIGKILL')
})

export function spawnProcess(command: string, args: string[], env: NodeJS.ProcessEnv = {}, options: { cwd?: string } = {}): Proc {
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
  live.push(child)
  const lines: string[] = []
  let stderr = ''
  let buf = ''
  const listeners = new Set<() => void>()
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, nl))
      buf = buf.slice(nl + 1)
    }
    for (const l of listeners) l()
  })
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdin!.on('error', () => {}) // EPIPE when the process exits between a check and a write
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    for (const l of listeners) l()
    resolve(code)
  }))
  const proc: Proc = {
    child,
    lines,
    get stderr() {
      return stderr
    },
    exited,
    waitFor(pattern, timeoutMs = 30000) {
      const re = typeof pattern === 'string' ? new RegExp(`^${pattern}$`) : pattern
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.find((l) => re.test(l))
          if (hit !== undefined) {
            cleanup()
            resolve(hit)
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup()
            reject(new Error(`process exited (${child.exitCode ?? child.signalCode}) before printing ${re}: ${stderr}`))
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(new Error(`timed out waiting for ${re}; output: ${lines.slice(-5).join(' | ')} ${stderr}`))
        }, timeoutMs)
        const cleanup = () => {
          clearTimeout(timer)
          listeners.delete(check)
        }
        listeners.add(check)
        check()
      })
    },
    send(line) {
      // A process that already exited (a writer that wrote its last frame) has no reader left.
      if (child.exitCode !== null || child.signalCode !== null || child.stdin!.destroyed) return
      child.stdin!.write(line + '\n')
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL')
    },
  }
  return proc
}

/** Run the simulator in a separate process (built code in dist/). */
export function spawnWriter(file: string, options: Omit<SimulateOptions, 'onFrame' | 'onReady'> & { stepped?: boolean } = {}): Proc {
  return spawnProcess(process.execPath, [path.join(ROOT, 'test', 'fixtures', 'writer.js'), file, JSON.stringify(options)])
}

/** Run a node script given as source text in a separate process, with h5swmr's dist as `h5`. */
export function spawnNode(source: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Proc {
  const prelude = `const h5 = require(${JSON.stringify(path.join(ROOT, 'dist'))});\nconst h5sim = require(${JSON.stringify(path.join(ROOT, 'dist', 'simulate'))});\n`
  return spawnProcess(process.execPath, ['-e', prelude + source, '--', ...args], env)
}

/** Debian's python3 with h5py (not a pyenv python without it). */
export const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'

export function spawnPython(source: string, args: string[] = []): Proc {
  return spawnProcess(PYTHON, ['-c', source, ...args])
}

export function tmpDir(prefix = 'h5swmr-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

export interface FollowSummary {
  frames: number
  indices?: number[]
  inOrder: boolean
  bad: number
  duplicates: number
  finished: boolean
  timedOut: boolean
  rssGrowth: number | null
  latencyP50: number | null
  latencyP99: number | null
  openIds: number
  /** The reader's metadata read attempts, and how many reads needed 1-9, 10-99... retries. */
  retryAttempts: number
  retryBins: number[]
  wake: { mode: 'inotify' | 'poll'; reason: string | null; waits: number; woken: number; missed: number }
}

/** Run a DataSource follower in a separate process (see test/fixtures/follower.js). */
export function spawnFollower(file: string, options: Record<string, unknown> = {}, nodeArgs: string[] = []): Proc & { summary(): Promise<FollowSummary> } {
  const p = spawnProcess(process.execPath, [...nodeArgs, path.join(ROOT, 'test', 'fixtures', 'follower.js'), file, JSON.stringify(options)])
  return Object.assign(p, {
    async summary() {
      const line = await p.waitFor(/^\{/, 120000)
      return JSON.parse(line) as FollowSummary
    },
  })
}

/** Frame counts in live tests scale with H5SWMR_TEST_SCALE (default 1); assertions never do. */
export function scaled(n: number): number {
  const scale = Number(process.env.H5SWMR_TEST_SCALE ?? '1')
  return Math.max(10, Math.round(n * (scale > 0 ? scale : 1)))
}

/**
 * Follow a simulateScan writer's file (`/entry/keys/uid`, `/entry/data/data`) until `frames` frames
 * were read (30 s at most): refresh keys and data, then `readFrames` over the newly ready ones with
 * `concurrency` reads in flight, each frame checked in full. Returns the frames read and the bad
 * ones, and the data's readStats; the file is closed.
 */
export async function followWithReadFrames(file: string, frames: number, concurrency: number): Promise<{ next: number; bad: number; stats: ReadStats }> {
  const f = File.open(file, { swmr: true, locking: false })
  try {
    const data = f.dataset('/entry/data/data')
    const keys = f.dataset('/entry/keys/uid')
    let next = 0
    let bad = 0
    const deadline = Date.now() + 30000
    while (next < frames && Date.now() < deadline) {
      keys.refresh()
      data.refresh()
      let ready = next
      const n = keys.shape[0]
      if (n > next) {
        for (const k of keys.read({ start: [next], count: [n - next] }) as Int32Array) {
          if (k === 0) break
          ready++
        }
      }
      if (ready === next) {
        await new Promise((r) => setTimeout(r, 1))
        continue
      }
      for await (const frame of data.readFrames(next, ready, { concurrency })) {
        if (!checkFrame(frame, next)) bad++
        next++
      }
    }
    return { next, bad, stats: data.readStats }
  } finally {
    f.close()
  }
}
