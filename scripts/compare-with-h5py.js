#!/usr/bin/env node
// Every dataset and attribute of some HDF5 files, read by h5swmr and by h5py (Debian's python3-h5py)
// on this machine, compared value by value in one canonical form (test/fixtures/types/). For files
// from facility software: which of their values h5swmr reads as h5py does, per type class.
//
//   node scripts/compare-with-h5py.js [--max-elements N] [--json] FILE_OR_DIR...
//
// Directories are searched for .h5 .hdf5 .hdf .nxs .nx5 .nexus files. Datasets of more than N
// elements (default 1e6) are not compared. Files h5py cannot open (HDF4, say) are counted apart.
// Needs the built package (dist/, build/). Exit status 1 when any value differs.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const h5 = require('../dist')
const { canon, canonRead } = require('../test/fixtures/types/canonical')

const DUMP = path.join(__dirname, '..', 'test', 'fixtures', 'types', 'dump-values.py')
const PYTHON = process.env.H5SWMR_BENCH_PYTHON || (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3')
const EXTENSIONS = /\.(h5|hdf5|hdf|nxs|nx5|nexus)$/i

function parse(argv) {
  const o = { max: 1_000_000, json: false, inputs: [] }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--max-elements') o.max = Number(argv[++i])
    else if (argv[i] === '--json') o.json = true
    else if (argv[i] === '-h' || argv[i] === '--help') o.help = true
    else o.inputs.push(argv[i])
  }
  return o
}

function files(inputs) {
  const out = []
  const visit = (p) => {
    const st = fs.statSync(p)
    if (st.isDirectory()) for (const name of fs.readdirSync(p).sort()) visit(path.join(p, name))
    else if (EXTENSIONS.test(p)) out.push(p)
  }
  inputs.forEach(visit)
  return out
}

// The class a value is counted under: 'string fixed nullterm', 'float', 'compound', ...
function classOf(type) {
  if (!type) return 'unknown'
  if (type.kind === 'string') return `string ${type.variable ? 'vlen' : `fixed ${type.padding}`}`
  return type.kind
}

function attrType(file, objectPath, name) {
  // Attributes carry their type in the addon's answer; ask for it directly.
  const raw = file._native().readAttrs(objectPath)[name]
  return raw && 'type' in raw ? raw.type : undefined
}

function compareFile(filePath, max, tally, mismatches) {
  const py = spawnSync(PYTHON, [DUMP, filePath, String(max)], { encoding: 'utf8', maxBuffer: 1 << 30 })
  if (py.status !== 0) {
    tally.files.unopenedByH5py.push({ file: filePath, why: (py.stderr.trim().split('\n').pop() || '').slice(0, 200) })
    return
  }
  const theirs = JSON.parse(py.stdout)
  let file
  try {
    file = h5.File.open(filePath, { swmr: false })
  } catch (err) {
    tally.files.unopenedByUs.push({ file: filePath, why: `${err.code}: ${err.message.split('\n')[0]}` })
    return
  }
  tally.files.compared++
  const count = (kind, cls, same, detail) => {
    const t = (tally[kind][cls] ??= { identical: 0, total: 0 })
    t.total++
    if (same) t.identical++
    else mismatches.push({ file: filePath, ...detail })
  }
  try {
    for (const [p, want] of Object.entries(theirs.datasets)) {
      if (typeof want === 'string' && want.startsWith('error:')) {
        tally.h5pyErrors.push({ file: filePath, what: p, why: want })
        continue
      }
      let ds
      let ours
      try {
        ds = file.dataset(p)
        ours = canonRead(ds, ds.read())
      } catch (err) {
        ours = `error: ${err.code}: ${err.message.split('\n')[0]}`
      }
      count('datasets', classOf(ds?.type), JSON.stringify(ours) === JSON.stringify(want), { what: p, ours, h5py: want })
    }
    for (const [key, want] of Object.entries(theirs.attrs)) {
      if (typeof want === 'string' && want.startsWith('error:')) {
        tally.h5pyErrors.push({ file: filePath, what: key, why: want })
        continue
      }
      const at = key.lastIndexOf('@')
      const objectPath = key.slice(0, at)
      const name = key.slice(at + 1)
      let ours
      let type
      try {
        type = attrType(file, objectPath, name)
        ours = canon(file.get(objectPath).attrs[name])
      } catch (err) {
        ours = `error: ${err.code}: ${err.message.split('\n')[0]}`
      }
      count('attrs', classOf(type), JSON.stringify(ours) === JSON.stringify(want), { what: key, ours, h5py: want })
    }
  } finally {
    file.close()
  }
}

function main() {
  const o = parse(process.argv.slice(2))
  if (o.help || !o.inputs.length) {
    process.stdout.write('usage: node scripts/compare-with-h5py.js [--max-elements N] [--json] FILE_OR_DIR...\n')
    return o.help ? 0 : 2
  }
  const tally = { files: { compared: 0, unopenedByH5py: [], unopenedByUs: [] }, datasets: {}, attrs: {}, h5pyErrors: [] }
  const mismatches = []
  const list = files(o.inputs)
  for (const f of list) compareFile(f, o.max, tally, mismatches)
  if (o.json) {
    process.stdout.write(JSON.stringify({ tally, mismatches }, null, 1) + '\n')
  } else {
    const lines = [`${list.length} files: ${tally.files.compared} compared, ${tally.files.unopenedByH5py.length} h5py cannot open, ${tally.files.unopenedByUs.length} h5swmr cannot open (h5py can)`]
    for (const kind of ['datasets', 'attrs']) {
      lines.push(`${kind}:`)
      const rows = Object.entries(tally[kind]).sort((a, b) => b[1].total - a[1].total)
      for (const [cls, t] of rows) lines.push(`  ${cls.padEnd(26)} ${String(t.identical).padStart(7)} / ${String(t.total).padEnd(7)} identical`)
    }
    if (tally.h5pyErrors.length) lines.push(`values h5py cannot read (not compared): ${tally.h5pyErrors.length}`)
    for (const u of tally.files.unopenedByUs) lines.push(`h5swmr cannot open ${u.file}: ${u.why}`)
    for (const m of mismatches.slice(0, 20)) lines.push(`differs: ${m.file} ${m.what}: h5swmr ${JSON.stringify(m.ours).slice(0, 120)} | h5py ${JSON.stringify(m.h5py).slice(0, 120)}`)
    if (mismatches.length > 20) lines.push(`… and ${mismatches.length - 20} more`)
    process.stdout.write(lines.join('\n') + '\n')
  }
  return mismatches.length || tally.files.unopenedByUs.length ? 1 : 0
}

process.exitCode = main()
