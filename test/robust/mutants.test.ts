// Damaged files never stall or crash a reader: truncations and bit flips of files this test writes,
// each opened (SWMR and auto mode), walked and read in a child process. Must hold: 0 crashes, no
// file taking 2 s or more, every failure a coded H5Error, nothing printed by HDF5.
// H5SWMR_MUTANTS sets the number of damaged files (default 200).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { File } from '../../lib'
import { simulateScan } from '../../lib/simulate'
import { spawnProcess, tmpDir } from '../helpers/processes'

const dir = tmpDir()
const COUNT = Number(process.env.H5SWMR_MUTANTS ?? '200')
const LIMIT_MS = 2000

// A deterministic generator, so a failing mutant can be made again (seed printed on failure).
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
}

async function writeSources(): Promise<string[]> {
  const plain = path.join(dir, 'plain.h5')
  await simulateScan(plain, { frames: 12, frameShape: [32, 32] })
  const deflate = path.join(dir, 'deflate.h5')
  await simulateScan(deflate, { frames: 12, frameShape: [32, 32], compression: 'deflate' })
  const bslz4 = path.join(dir, 'bslz4.h5')
  await simulateScan(bslz4, { frames: 12, frameShape: [32, 32], compression: 'bslz4' })
  // The compressions of current detector writers (bitshuffle-zstd, zstd, blosc), built-in decoders.
  const codecs: string[] = []
  for (const compression of ['bszstd', 'zstd', 'blosc'] as const) {
    const file = path.join(dir, `${compression}.h5`)
    await simulateScan(file, { frames: 12, frameShape: [32, 32], compression, pattern: 'counts' })
    codecs.push(file)
  }
  const grid = path.join(dir, 'grid.h5')
  await simulateScan(grid, { frames: 12, scanShape: [3, 4], frameShape: [8, 8], detectors: 2, timestamps: true })
  const tree = path.join(dir, 'tree.h5')
  const f = File.create(tree)
  const entry = f.createGroup('/entry')
  entry.setAttr('NX_class', 'NXentry')
  entry.setAttr('title', 'a NeXus-like tree')
  for (let k = 0; k < 6; k++) {
    const g = f.createGroup(`/entry/instrument/detector${k}`)
    g.setAttr('NX_class', 'NXdetector')
    g.setAttr('distance', 0.5 + k)
    g.setAttr('shape', [k + 1, 2])
    const d = f.createDataset(`/entry/instrument/detector${k}/data`, { dtype: 'float32', shape: [4, 16], chunks: [1, 16], compression: k % 2 ? 'deflate' : 'none' })
    d.write(null, Float32Array.from({ length: 64 }, (_, i) => i * k))
  }
  f.close()
  return [plain, deflate, bslz4, ...codecs, grid, tree]
}

function makeMutants(sources: string[], count: number, seed: number): string[] {
  const random = rng(seed)
  const out: string[] = []
  for (let m = 0; m < count; m++) {
    const src = sources[m % sources.length]
    const bytes = fs.readFileSync(src)
    const target = path.join(dir, `mutant-${m}.h5`)
    if (m % 2 === 0) {
      // truncation anywhere
      fs.writeFileSync(target, bytes.subarray(0, Math.floor(random() * bytes.length)))
    } else {
      // four random bit flips in the first 64 KiB (where the metadata is)
      const copy = Buffer.from(bytes)
      const span = Math.min(copy.length, 65536)
      for (let k = 0; k < 4; k++) {
        const at = Math.floor(random() * span)
        copy[at] ^= 1 << Math.floor(random() * 8)
      }
      fs.writeFileSync(target, copy)
    }
    out.push(target)
  }
  return out
}

interface Result {
  i: number
  ms: number
  opened: boolean
  datasets: number
  codes: string[]
  outcome?: 'crash' | 'stall'
}

// Run the list in child processes; a crash or a stall is recorded and the run goes on after it.
async function runAll(files: string[], mode: 'swmr' | 'auto'): Promise<{ results: Result[]; stderr: string }> {
  const results: Result[] = []
  let stderr = ''
  let from = 0
  const list = path.join(dir, `list-${mode}.json`)
  while (from < files.length) {
    fs.writeFileSync(list, JSON.stringify({ files, mode, from }))
    const child = spawnProcess(process.execPath, [path.join(__dirname, '..', 'fixtures', 'mutant-reader.js'), list])
    let current = from
    let seen = 0
    let stalled = false
    const watchdog = setInterval(() => {
      const lines = child.lines
      for (; seen < lines.length; seen++) {
        const l = lines[seen]
        if (l.startsWith('start ')) current = Number(l.slice(6))
        else if (l.startsWith('{')) results.push(JSON.parse(l))
      }
      lastProgress = lines.length > progressAt ? Date.now() : lastProgress
      progressAt = lines.length
      if (Date.now() - lastProgress > LIMIT_MS + 1000) {
        stalled = true
        child.kill()
      }
    }, 50)
    let lastProgress = Date.now()
    let progressAt = 0
    await child.exited
    clearInterval(watchdog)
    for (; seen < child.lines.length; seen++) {
      const l = child.lines[seen]
      if (l.startsWith('start ')) current = Number(l.slice(6))
      else if (l.startsWith('{')) results.push(JSON.parse(l))
    }
    stderr += child.stderr
    if (child.lines[child.lines.length - 1] === 'done') break
    results.push({ i: current, ms: NaN, opened: false, datasets: 0, codes: [], outcome: stalled ? 'stall' : 'crash' })
    from = current + 1
  }
  return { results, stderr }
}

let mutants: string[] = []
const seed = Number(process.env.H5SWMR_MUTANT_SEED ?? Date.now() % 1e9)

beforeAll(async () => {
  mutants = makeMutants(await writeSources(), COUNT, seed)
})

test.each(['swmr', 'auto'] as const)(`${COUNT} damaged files, opened with swmr %s: no crash, no stall, only coded errors`, async (mode) => {
  const { results, stderr } = await runAll(mutants, mode)
  const bad = results.filter((r) => r.outcome || !(r.ms < LIMIT_MS) || r.codes.some((c) => c.startsWith('UNCODED')))
  const codes = new Map<string, number>()
  for (const r of results) for (const c of new Set(r.codes)) codes.set(c, (codes.get(c) ?? 0) + 1)
  const slowest = Math.max(...results.filter((r) => !r.outcome).map((r) => r.ms))
  console.log(
    `mutants (${mode}, seed ${seed}): ${results.length} files, ${results.filter((r) => r.opened).length} opened, ` +
      `${results.filter((r) => r.codes.length === 0).length} read without error, slowest ${slowest.toFixed(0)} ms, ` +
      `codes ${JSON.stringify(Object.fromEntries(codes))}`,
  )
  if (bad.length) console.log(`failing mutants (seed ${seed}):`, bad.slice(0, 10).map((r) => ({ ...r, file: mutants[r.i] })))
  expect(results).toHaveLength(mutants.length)
  expect(bad).toEqual([])
  expect(stderr).toBe('')
}, 600000)
