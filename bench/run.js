#!/usr/bin/env node
// `npm run bench`: h5swmr side by side with the hardware limit (pread), h5py and h5wasm, in one run.
// See docs/BENCHMARKS.md. Usage: node bench/run.js [--quick] [--case NAME[,NAME]] [--frames N]
// [--repeats N] [--json] [--out DIR] [--no-save]
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { log, setQuiet } = require('./lib/util')

const CASES = ['static', 'large', 'compressed', 'codecs', 'follow', 'follow-bslz4', 'scale', 'keys', 'memory', 'types']
const CODECS = ['compressed:bszstd', 'compressed:zstd', 'compressed:blosc']
const ALIASES = {
  deflate: ['compressed:deflate'],
  bslz4: ['compressed:bslz4'],
  compressed: ['compressed:deflate', 'compressed:bslz4'],
  codecs: CODECS,
  bszstd: ['compressed:bszstd'],
  zstd: ['compressed:zstd'],
  blosc: ['compressed:blosc'],
}

const USAGE = `Usage: npm run bench -- [options]   (or: node bench/run.js [options])

Cases: static (uncompressed 512×512 frames), large (2048×2048 frames), compressed (deflate+shuffle
level 1 and bitshuffle-LZ4; also 'deflate', 'bslz4' alone), codecs (bitshuffle-zstd, zstd and
blosc with LZ4 inside, each against the decode alone; also 'bszstd', 'zstd', 'blosc'), follow (live, writer in another
process), follow-bslz4 (the same with a bitshuffle-LZ4 writer), keys (KeyFollower poll cost vs key
count), memory (RSS over many reads), types (1e6 strings and compound records vs h5py, RSS of
variable-length reads).

Options:
  --quick          small sizes, fewer repeats (< 1 minute; asserts nothing about speed)
  --case NAME      run only these cases (repeatable, or comma-separated)
  --frames N       frames per file in the static, large, compressed and follow cases
  --repeats N      rounds per case (default 7, quick 3)
  --json           print the full result as JSON on stdout (progress stays on stderr)
  --out DIR        where results are saved (default bench/results)
  --no-save        do not write result files
  --report FILE    print a saved result (FILE.json) again and rewrite its .md, without running
  -h, --help       this text

Data is written once under $TMPDIR/h5swmr-bench (or $H5SWMR_BENCH_DIR) and reused while the
parameters match. h5py is run with $H5SWMR_BENCH_PYTHON, /usr/bin/python3 or python3.`

function parseArgs(argv) {
  const o = { quick: false, cases: [], frames: null, repeats: null, json: false, out: path.join(__dirname, 'results'), save: true }
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++k]
      if (v === undefined) throw new Error(`${a} needs a value`)
      return v
    }
    const int = (v) => {
      const n = Number(v)
      if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${a} must be a positive integer, got '${v}'`)
      return n
    }
    const flag = a.split('=')[0]
    if (flag === '--quick') o.quick = true
    else if (flag === '--json') o.json = true
    else if (flag === '--no-save') o.save = false
    else if (flag === '--case') o.cases.push(...value().split(',').filter(Boolean))
    else if (flag === '--frames') o.frames = int(value())
    else if (flag === '--repeats') o.repeats = int(value())
    else if (flag === '--out') o.out = path.resolve(value())
    else if (flag === '--report') o.report = path.resolve(value())
    else if (flag === '-h' || flag === '--help') o.help = true
    else throw new Error(`unknown option '${a}' (--help lists them)`)
  }
  const selected = []
  for (const c of o.cases.length ? o.cases : CASES) {
    if (ALIASES[c]) selected.push(...ALIASES[c])
    else if (CASES.includes(c)) selected.push(c)
    else throw new Error(`unknown case '${c}' (cases: ${CASES.join(', ')}, deflate, bslz4, bszstd, zstd, blosc)`)
  }
  o.selected = [...new Set(selected.flat())]
  o.repeats ??= o.quick ? 3 : 7
  return o
}

/** Sizes per case, full and --quick. `frames` (from --frames) overrides frame counts. */
function plan(o) {
  const q = o.quick
  const fr = (full, quick) => o.frames ?? (q ? quick : full)
  return {
    static: {
      name: 'static', fileName: q ? 'static-quick' : 'static',
      params: { frames: fr(2000, 200), frameShape: q ? [256, 256] : [512, 512], dtype: 'uint16', compression: 'none' },
      pyVariants: ['getitem', 'read_direct', 'getitem_nocache'],
      sec2Row: true,
    },
    large: {
      name: 'large', fileName: q ? 'large-quick' : 'large',
      params: { frames: fr(200, 12), frameShape: q ? [1024, 1024] : [2048, 2048], dtype: 'uint16', compression: 'none' },
      pyVariants: ['getitem', 'read_direct', 'getitem_nocache'],
    },
    'compressed:deflate': {
      name: 'deflate', fileName: q ? 'deflate-quick' : 'deflate',
      params: { frames: fr(300, 40), frameShape: q ? [256, 256] : [512, 512], dtype: 'uint16', compression: 'deflate', compressionLevel: 1, pattern: 'counts' },
      pyVariants: ['getitem', 'read_direct'],
    },
    'compressed:bslz4': {
      name: 'bslz4', fileName: q ? 'bslz4-quick' : 'bslz4',
      params: { frames: fr(300, 40), frameShape: q ? [256, 256] : [512, 512], dtype: 'uint16', compression: 'bslz4', pattern: 'counts' },
      pyVariants: ['getitem', 'read_direct'],
    },
    ...Object.fromEntries(
      [['bszstd', { compressionLevel: 3 }], ['zstd', { compressionLevel: 3 }], ['blosc', { compressionLevel: 5 }]].map(([name, extra]) => [
        `compressed:${name}`,
        {
          name, fileName: q ? `${name}-quick` : name, h5pyCheck: name,
          params: { frames: fr(300, 40), frameShape: q ? [256, 256] : [512, 512], dtype: 'uint16', compression: name, pattern: 'counts', ...extra },
          pyVariants: ['getitem', 'read_direct'],
        },
      ]),
    ),
    follow: { frames: fr(2000, 150), frameShape: q ? [256, 256] : [512, 512], pollInterval: 1, refreshFrames: q ? 100 : 500, idleMs: q ? 500 : 3000, idleRuns: q ? 1 : 3 },
    'follow-bslz4': { frames: fr(1000, 150), frameShape: q ? [256, 256] : [512, 512], pollInterval: 1, runs: Math.min(o.repeats, q ? 2 : 3), concurrency: 2 },
    scale: { frames: fr(1000, 100), frameShape: q ? [128, 128] : [256, 256], pollInterval: 1, counts: q ? [1, 2] : [1, 2, 4, 8], runs: Math.min(o.repeats, q ? 1 : 3) },
    keys: { sizes: q ? [1e3, 1e4, 1e5] : [1e3, 1e4, 1e5, 1e6], polls: q ? 50 : 200 },
    memory: { frames: q ? 2000 : 100_000, longFollow: { frames: q ? 20_000 : 200_000, frameShape: [64, 64], every: q ? 2000 : 20_000 } },
    types: { n: q ? 100_000 : 1_000_000, rounds: q ? 2 : Math.min(o.repeats, 5), memoryReads: q ? 100_000 : 1_000_000 },
  }
}

function titleOf(spec) {
  const p = spec.params
  const names = { bslz4: 'bitshuffle-LZ4', bszstd: `bitshuffle-zstd level ${p.compressionLevel}`, zstd: `zstd level ${p.compressionLevel}`, blosc: `blosc (LZ4 inside, byte shuffle) level ${p.compressionLevel}` }
  const comp = p.compression === 'none' ? 'uncompressed' : p.compression === 'deflate' ? `deflate level ${p.compressionLevel} + shuffle` : names[p.compression]
  const mib = (p.frameShape.reduce((a, b) => a * b, 1) * 2) / 2 ** 20
  return `${spec.name}: ${p.frames} frames of ${p.frameShape.join('×')} ${p.dtype} (${mib >= 1 ? mib + ' MiB' : mib * 1024 + ' KiB'}), one frame per chunk, ${comp}`
}

async function main() {
  let o
  try {
    o = parseArgs(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`bench: ${err.message}\n`)
    process.exit(2)
  }
  if (o.help) {
    process.stdout.write(USAGE + '\n')
    return
  }
  if (o.report) {
    const report = require('./lib/report')
    const result = JSON.parse(fs.readFileSync(o.report, 'utf8'))
    result.goals = report.goals(result)
    const out = [report.machineText(result.machine, result)]
    for (const [name, res] of Object.entries(result.cases)) out.push(report.caseText(name, res))
    out.push(report.goalsText(result.goals))
    process.stdout.write(out.join('\n\n') + '\n')
    fs.writeFileSync(o.report.replace(/\.json$/, '') + '.md', report.markdown(result) + '\n')
    return
  }
  // Loaded after the arguments are checked: these need the built addon (npm run build).
  const { machineFacts } = require('./lib/machine')
  const report = require('./lib/report')
  const { runReadCase } = require('./cases/reads')
  const started = new Date()
  const facts = await machineFacts()
  const P = plan(o)
  const result = {
    started: started.toISOString(),
    options: { quick: o.quick, cases: o.selected, frames: o.frames, repeats: o.repeats },
    machine: facts,
    cases: {},
  }
  if (!o.json) {
    setQuiet(false)
    process.stdout.write(report.machineText(facts, result) + '\n\n')
  }
  for (const c of o.selected) {
    const t0 = Date.now()
    log(`bench: case ${c}...`)
    let res
    try {
      if (c === 'static' || c === 'large' || c === 'compressed:deflate' || CODECS.includes(c)) {
        const spec = { ...P[c], repeats: o.repeats, warmupFrames: o.quick ? 10 : 50 }
        res = await runReadCase({ ...spec, title: titleOf(spec) })
      } else if (c === 'compressed:bslz4') {
        const { bslz4Available } = require('./lib/features')
        const avail = await bslz4Available()
        const spec = { ...P[c], repeats: o.repeats, warmupFrames: o.quick ? 10 : 50 }
        if (!avail.ok) res = { kind: 'skipped', title: titleOf(spec), reason: 'bslz4 not available in this build', detail: avail.reason }
        else res = await runReadCase({ ...spec, title: titleOf(spec) })
      } else if (c === 'follow') {
        res = await require('./cases/follow').runFollowCase({ ...P.follow, repeats: o.repeats, quick: o.quick })
      } else if (c === 'follow-bslz4') {
        const { bslz4Available } = require('./lib/features')
        const avail = await bslz4Available()
        if (!avail.ok) res = { kind: 'skipped', title: 'follow-bslz4', reason: 'bslz4 not available in this build', detail: avail.reason }
        else res = await require('./cases/follow').runBslz4FollowCase(P['follow-bslz4'])
      } else if (c === 'scale') {
        res = await require('./cases/scale').runScaleCase(P.scale)
      } else if (c === 'keys') {
        res = await require('./cases/keys').runKeysCase({ ...P.keys, repeats: o.repeats })
      } else if (c === 'memory') {
        res = await require('./cases/memory').runMemoryCase({ ...P.memory, static: P.static })
      } else if (c === 'types') {
        res = await require('./cases/types').runTypesCase(P.types)
      }
    } catch (err) {
      res = { kind: 'error', title: c, error: err.stack || String(err) }
      log(`bench: case ${c} failed: ${err.stack || err}`)
    }
    res.seconds = (Date.now() - t0) / 1000
    result.cases[c] = res
    if (!o.json) process.stdout.write(report.caseText(c, res) + '\n\n')
  }
  result.goals = report.goals(result)
  result.finished = new Date().toISOString()
  if (o.json) process.stdout.write(JSON.stringify(result, null, 1) + '\n')
  else process.stdout.write(report.goalsText(result.goals) + '\n')
  if (o.save) {
    fs.mkdirSync(o.out, { recursive: true })
    const base = path.join(o.out, started.toISOString().slice(0, 16).replace(/:/g, '') + (o.quick ? '-quick' : ''))
    fs.writeFileSync(`${base}.json`, JSON.stringify(result, null, 1) + '\n')
    fs.writeFileSync(`${base}.md`, report.markdown(result) + '\n')
    log(`bench: results in ${base}.json and ${base}.md`)
  }
  const failed = Object.values(result.cases).filter((r) => r.kind === 'error').length
  if (failed) process.exitCode = 1
}

main().catch((err) => {
  process.stderr.write(`bench: ${err.stack || err}\n`)
  process.exit(1)
})
