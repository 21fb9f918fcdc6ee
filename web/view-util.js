// h5swmr view: small helpers of the page (elements, colour maps, numbers, canvas sizing).

export const $ = (id) => document.getElementById(id)

// ---- colour maps: 10 stops each (matplotlib's), interpolated to 256 entries ----
export const STOPS = {
  viridis: ['440154', '482878', '3e4989', '31688e', '26828e', '1f9e89', '35b779', '6ece58', 'b5de2b', 'fde725'],
  inferno: ['000004', '1b0c41', '4a0c6b', '781c6d', 'a52c60', 'cf4446', 'ed6925', 'fb9b06', 'f7d13d', 'fcffa4'],
  magma: ['000004', '180f3d', '440f76', '721f81', '9e2f7f', 'cd4071', 'f1605d', 'fd9668', 'feca8d', 'fcfdbf'],
  gray: ['000000', 'ffffff'],
}
export const luts = {}
export function lut(name) {
  if (luts[name]) return luts[name]
  const stops = (STOPS[name] || STOPS.viridis).map((h) => [0, 2, 4].map((k) => parseInt(h.slice(k, k + 2), 16)))
  const out = new Uint8ClampedArray(256 * 3)
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1)
    const k = Math.min(stops.length - 2, Math.floor(t))
    const f = t - k
    for (let c = 0; c < 3; c++) out[i * 3 + c] = stops[k][c] + (stops[k + 1][c] - stops[k][c]) * f
  }
  return (luts[name] = out)
}

// ---- numbers ----
export function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–'
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e')
  if (Number.isInteger(v)) return String(v)
  return String(Number(v.toPrecision(5)))
}
export function niceTicks(lo, hi, n) {
  if (!(hi > lo)) return [lo]
  const raw = (hi - lo) / n
  const p = Math.pow(10, Math.floor(Math.log10(raw)))
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) || raw
  const ticks = []
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)))
  return ticks
}
export const dpr = () => window.devicePixelRatio || 1
export function sizeCanvas(c) {
  const w = Math.max(1, Math.round(c.clientWidth * dpr()))
  const h = Math.max(1, Math.round(c.clientHeight * dpr()))
  if (c.width !== w || c.height !== h) {
    c.width = w
    c.height = h
    return true
  }
  return false
}
