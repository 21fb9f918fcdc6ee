// h5wasm side of the static-read cases: `new File(path, 'r')`, `ds.slice([[i, i + 1], [], []])`
// per frame, timed here; prints one JSON line. argv[2]: JSON { file, dset, n, warmup, plugins, pattern }.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { sampleCheck } = require('../lib/check.js')
const req = JSON.parse(process.argv[2])
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n')

try {
  const t0 = performance.now()
  const h5wasm = (await import('h5wasm/node')).default
  const Module = await h5wasm.ready
  Module.activate_throwing_error_handler()
  if (req.plugins) {
    const plugins = await import('h5wasm-plugins')
    plugins.install_local_plugins(Module)
  }
  const startupMs = performance.now() - t0
  const f = new h5wasm.File(req.file, 'r')
  const ds = f.get(req.dset)
  if (!(ds instanceof h5wasm.Dataset)) throw new Error(`${req.dset} is not a dataset`)
  const rest = ds.shape.slice(1).map(() => [])
  const one = (i) => ds.slice([[i, i + 1], ...rest])
  const warmup = Math.min(req.n, req.warmup ?? 50)
  let bad = 0
  for (let i = 0; i < warmup; i++) if (!sampleCheck(one(i), i, req.pattern)) bad++
  const t1 = performance.now()
  for (let i = 0; i < req.n; i++) {
    const a = one(i)
    if (a[0] !== i % 65536) bad++
  }
  const seconds = (performance.now() - t1) / 1000
  f.close()
  out({ ok: true, seconds, frames: req.n, bad, startupMs })
} catch (err) {
  out({ ok: false, error: String(err?.message ?? err).split('\n')[0] })
}
