#!/usr/bin/env node
// Hostile and broken files, h5swmr against h5py on this machine's libhdf5: every HDF5 file under the
// given folders (e.g. a checkout of HDFGroup/cve_hdf5: cvefiles/, fuzzerfiles/) walked by
// h5swmr's checkFile (its own child process) and by h5py (test/fixtures/robust/walk-h5py.py: open,
// visititems, every attribute, every dataset read), each run `--runs` times (crashes on damaged
// memory vary from run to run) with a time and a memory limit (a damaged size can make libhdf5
// allocate and fill gigabytes: past the limit the walk is killed, 'oom'). Prints, per file, what each did, and the files
// where h5swmr does worse than h5py: it crashes or hangs in some run, and h5py in none. Exit 1 when
// there is such a file, or when h5swmr's own code aborted (a C++ exception).
//
//   node scripts/robustness.js [--runs N] [--timeout S] [--memory MB] [--json] DIR_OR_FILE...
'use strict'
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { checkFile } = require('../dist')

const WALK_H5PY = path.join(__dirname, '..', 'test', 'fixtures', 'robust', 'walk-h5py.py')
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'
const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])

function parse(argv) {
  const o = { runs: 3, timeout: 30, memory: 4096, json: false, inputs: [] }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') o.runs = Number(argv[++i])
    else if (argv[i] === '--timeout') o.timeout = Number(argv[++i])
    else if (argv[i] === '--memory') o.memory = Number(argv[++i])
    else if (argv[i] === '--json') o.json = true
    else o.inputs.push(argv[i])
  }
  return o
}

// .h5 files, and files that start with HDF5's signature (a few CVE files have no extension).
function files(inputs) {
  const out = []
  const visit = (p) => {
    const st = fs.statSync(p)
    if (st.isDirectory()) return fs.readdirSync(p).sort().forEach((n) => visit(path.join(p, n)))
    if (p.endsWith('.h5')) return out.push(p)
    const head = Buffer.alloc(8)
    const fd = fs.openSync(p, 'r')
    const n = fs.readSync(fd, head, 0, 8, 0)
    fs.closeSync(fd)
    if (n === 8 && head.equals(SIGNATURE)) out.push(p)
  }
  inputs.forEach(visit)
  return out
}

// Resident bytes of a process (Linux /proc), null once it has gone.
function residentBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : null
  } catch {
    return null
  }
}

function h5pyWalk(file, timeoutS, memoryMB) {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [WALK_H5PY, file], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let timedOut = false
    let outOfMemory = false
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', () => {})
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutS * 1000)
    const watchdog = setInterval(() => {
      if ((residentBytes(child.pid) ?? 0) > memoryMB * 2 ** 20) {
        outOfMemory = true
        child.kill('SIGKILL')
      }
    }, 50)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      clearInterval(watchdog)
      if (outOfMemory) return resolve({ outcome: 'oom' })
      if (timedOut) return resolve({ outcome: 'hung' })
      if (signal) return resolve({ outcome: 'crashed', signal })
      try {
        const r = JSON.parse(out.trim().split('\n').pop())
        resolve({ outcome: r.ok ? 'ok' : 'error', detail: r.first })
      } catch {
        resolve({ outcome: 'crashed', signal: `exit ${code}` })
      }
    })
  })
}

async function h5swmrWalk(file, timeoutS, memoryMB) {
  const c = await checkFile(file, { timeout: timeoutS * 1000, maxMemory: memoryMB * 2 ** 20 })
  if (c.code === 'TIMED_OUT') return { outcome: 'hung', at: c.at }
  if (c.code === 'OUT_OF_MEMORY') return { outcome: 'oom', at: c.at }
  if (c.code === 'CRASHED') return { outcome: 'crashed', signal: c.signal, at: c.at, ownAbort: /terminate called|std::/.test(c.message), detail: c.message }
  return { outcome: c.ok ? 'ok' : 'error', detail: c.ok ? undefined : `${c.code}: ${c.message}` }
}

const bad = (o) => o === 'crashed' || o === 'hung' || o === 'oom'
const tally = (runs) => {
  const t = {}
  for (const r of runs) t[r.outcome] = (t[r.outcome] ?? 0) + 1
  return Object.entries(t).map(([k, v]) => `${k}:${v}`).join(' ')
}

async function main() {
  const o = parse(process.argv.slice(2))
  if (!o.inputs.length) {
    process.stdout.write('usage: node scripts/robustness.js [--runs N] [--timeout S] [--memory MB] [--json] DIR_OR_FILE...\n')
    return 2
  }
  const list = files(o.inputs)
  const results = []
  for (const file of list) {
    const ours = []
    const theirs = []
    for (let k = 0; k < o.runs; k++) {
      ours.push(await h5swmrWalk(file, o.timeout, o.memory))
      theirs.push(await h5pyWalk(file, o.timeout, o.memory))
    }
    const worse = ours.some((r) => bad(r.outcome)) && !theirs.some((r) => bad(r.outcome))
    const r = { file: path.relative(process.cwd(), file), h5swmr: ours, h5py: theirs, worse, ownAbort: ours.some((x) => x.ownAbort) }
    results.push(r)
    if (!o.json) process.stdout.write(`${r.worse ? 'WORSE ' : ''}${r.file}: h5swmr ${tally(ours)} | h5py ${tally(theirs)}\n`)
  }
  const count = (side, outcome) => results.filter((r) => r[side].some((x) => x.outcome === outcome)).length
  const summary = {
    files: results.length,
    runs: o.runs,
    h5swmr: { crashed: count('h5swmr', 'crashed'), hung: count('h5swmr', 'hung'), oom: count('h5swmr', 'oom') },
    h5py: { crashed: count('h5py', 'crashed'), hung: count('h5py', 'hung'), oom: count('h5py', 'oom') },
    worse: results.filter((r) => r.worse).map((r) => r.file),
    better: results.filter((r) => r.h5py.some((x) => bad(x.outcome)) && !r.h5swmr.some((x) => bad(x.outcome))).map((r) => r.file),
    ownAborts: results.filter((r) => r.ownAbort).map((r) => r.file),
  }
  if (o.json) process.stdout.write(JSON.stringify({ summary, results }, null, 1) + '\n')
  else process.stdout.write(`\n${JSON.stringify(summary, null, 1)}\n`)
  return summary.worse.length || summary.ownAborts.length ? 1 : 0
}

main().then((code) => (process.exitCode = code))
