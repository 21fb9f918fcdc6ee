// Shared by the decode tests: Python (Debian's h5py, numpy, bitshuffle) and node child processes
// that must finish cleanly, plus small byte helpers.
import { execFileSync } from 'node:child_process'
import * as crypto from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { spawnProcess, PYTHON } from '../helpers/processes'

const ROOT = path.join(__dirname, '..', '..')

async function finished(proc: ReturnType<typeof spawnProcess>, what: string): Promise<string[]> {
  const code = await proc.exited
  if (code !== 0) throw new Error(`${what} exited with ${code}: ${proc.stderr}\n${proc.lines.join('\n')}`)
  return proc.lines
}

/** Run Python source (argv: args), resolve with its stdout lines; reject on a non-zero exit. */
export function python(source: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  return finished(spawnProcess(PYTHON, ['-c', source, ...args], env), 'python')
}

/** Run node source with h5swmr's dist as `h5` in a fresh process (its own libhdf5 state). */
export function node(source: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const prelude = `const h5 = require(${JSON.stringify(path.join(ROOT, 'dist'))});\nconst h5sim = require(${JSON.stringify(path.join(ROOT, 'dist', 'simulate'))});\n`
  return finished(spawnProcess(process.execPath, ['-e', prelude + source, '--', ...args], env), 'node')
}

/** test/fixtures/compare-datasets.js (plain JS, also run in child processes), typed. */
export const COMPARE_FIXTURE = path.join(ROOT, 'test', 'fixtures', 'compare-datasets.js')
export interface Comparison {
  filter: string
  checked: number
  problems: string[]
  framePaths: { direct: number; hdf5: number }
  reasons: Record<string, number>
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { compareGroups } = require(COMPARE_FIXTURE) as {
  compareGroups(lib: unknown, file: string, groups: string[], orig: string): Comparison
}

/**
 * An environment in which HDF5 finds no filter plugin, so h5swmr registers its own 32008: an empty
 * plugin folder inside `dir` (the test file's tmpDir, removed with it).
 */
export function withoutPlugins(dir: string): NodeJS.ProcessEnv {
  const empty = path.join(dir, 'no-plugins')
  fs.mkdirSync(empty, { recursive: true })
  return { HDF5_PLUGIN_PATH: empty }
}

/** Files of Debian's `bitshuffle` package (installed by scripts/setup.sh). */
export function bitshuffleFiles(): string[] {
  return execFileSync('dpkg', ['-L', 'bitshuffle'], { encoding: 'utf8' }).split('\n').filter(Boolean)
}

/** Its HDF5 plugin directory for the serial libhdf5 (also that library's default plugin path). */
export function pluginDir(): string {
  const dir = bitshuffleFiles().find((f) => f.endsWith('/hdf5/serial/plugins'))
  if (!dir) throw new Error('the bitshuffle package has no serial HDF5 plugin directory')
  return dir
}

/**
 * What bitshuffle's cd_values say, without the version of the bitshuffle that wrote them (its first
 * two values: 0.3 from Debian 12's plugin, 0.5 from 13's, 0.3 from ours). Throws unless they are a
 * plausible version, so a test still notices values in the wrong slots.
 */
export function bitshuffleCdMeaning(cd: readonly number[]): { elementSize: number; blockSize: number; compression: number } {
  const [major, minor, elementSize, blockSize = 0, compression = 0] = cd
  if (major !== 0 || !(minor >= 1 && minor < 100)) throw new Error(`not a bitshuffle version in cd_values ${JSON.stringify(cd)}`)
  return { elementSize, blockSize, compression }
}

export function randomBytes(n: number, seed: number): Uint8Array {
  // Deterministic: a hash chain, so a failure reproduces.
  const out = new Uint8Array(n)
  let block = Buffer.from(String(seed))
  for (let i = 0; i < n; i += 32) {
    block = crypto.createHash('sha256').update(block).digest()
    out.set(block.subarray(0, Math.min(32, n - i)), i)
  }
  return out
}

export function same(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0
}
