// A detector writer, the way Odin/GDA/areaDetector write scans: frames in /entry/data/data (one
// frame per chunk), a key dataset shaped like the scan (fill 0, set non-zero after the frame's data
// is flushed), and a one-element `finished` flag. Used by the CLI, the tests and the benchmarks.
import { File } from '../core/file'
import type { DType } from '../core/dtype'
import { fillFrame, type FramePattern } from './patterns'
import { arrayConstructor, arrayTypeOf } from '../core/dtype'

// h5swmr/simulate: the simulator and the frame patterns its frames follow (to check what was read).
export { fillFrame, checkFrame, patternElement } from './patterns'
export type { FramePattern } from './patterns'

export interface SimulateOptions {
  /** Number of frames (default: product of scanShape, else 10). */
  frames?: number
  /** Shape of one frame (default [64, 64]). */
  frameShape?: number[]
  /** Scan grid, e.g. [10, 20]; default [frames]. */
  scanShape?: number[]
  dtype?: Extract<DType, 'uint8' | 'uint16' | 'uint32' | 'int32' | 'float32' | 'float64'>
  /** Frames per second, or 0/Infinity for as fast as possible. */
  rateHz?: number
  /** 'bslz4': bitshuffle + LZ4, as Eiger detectors write (HDF5 filter 32008); 'bszstd': bitshuffle + zstd, as Jungfraujoch writes. */
  compression?: 'none' | 'deflate' | 'bslz4' | 'bszstd' | 'zstd' | 'blosc'
  compressionLevel?: number
  /** What the frames hold (default 'ramp'; see FramePattern). */
  pattern?: FramePattern
  /** Pre-size every dataset to the full scan (unwritten frames read as fill) instead of growing them. */
  presize?: boolean
  /** Exit the process abruptly after this many frames (no close, no finished flag). */
  crashAfter?: number
  dataPath?: string
  keyPath?: string
  finishedPath?: string
  /** Number of detectors (default 1). Detector k > 1 writes /entry/data<k>/data with key /entry/keys/uid<k>. */
  detectors?: number
  /** Also write per-frame write timestamps (ms since epoch, float64) to /entry/timing/flush_time. */
  timestamps?: boolean
  locking?: boolean
  /** Milliseconds to wait, holding the file open for writing, before startSwmrWrite (a slow writer start). */
  swmrDelay?: number
  /** Milliseconds to wait after startSwmrWrite before the first frame. */
  frameDelay?: number
  /** Called after each frame's data and key are flushed. */
  onFrame?: (index: number) => void
  /** Called once the file is in SWMR mode (readers may open it). */
  onReady?: () => void
  /** Awaited before each frame is written (lock-step tests). */
  beforeFrame?: (index: number) => Promise<unknown> | void
}

function unravel(index: number, shape: number[]): number[] {
  const pos = new Array<number>(shape.length)
  for (let d = shape.length - 1; d >= 0; d--) {
    pos[d] = index % shape[d]
    index = Math.floor(index / shape[d])
  }
  return pos
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Write a scan into `filePath`; resolves with the number of frames written. */
export async function simulateScan(filePath: string, options: SimulateOptions = {}): Promise<number> {
  const frameShape = options.frameShape ?? [64, 64]
  const scanShape = options.scanShape ?? [options.frames ?? 10]
  const total = options.frames ?? scanShape.reduce((a, b) => a * b, 1)
  const dtype = options.dtype ?? 'uint16'
  const dataPath = options.dataPath ?? '/entry/data/data'
  const keyPath = options.keyPath ?? '/entry/keys/uid'
  const finishedPath = options.finishedPath ?? '/entry/finished'
  const rate = options.rateHz ?? 0
  const interval = rate > 0 && Number.isFinite(rate) ? 1000 / rate : 0
  const presize = options.presize ?? false
  const grid = scanShape.length > 1

  const file = File.create(filePath, { locking: options.locking })
  try {
    // Growing scans append along the first scan dimension; grids grow one row at a time.
    const scanNow = (n: number) => (grid ? [Math.ceil(n / scanShape.slice(1).reduce((a, b) => a * b, 1)), ...scanShape.slice(1)] : [n])
    const initial = presize ? scanShape : scanShape.map((s, i) => (i === 0 ? 0 : s))
    const maxScan = scanShape.map((s, i) => (i === 0 && !presize ? null : s))
    const detectors = Math.max(1, options.detectors ?? 1)
    const dataPaths = Array.from({ length: detectors }, (_, k) => (k === 0 ? dataPath : dataPath.replace(/\/data\/data$/, `/data${k + 1}/data`)))
    const keyPaths = Array.from({ length: detectors }, (_, k) => (k === 0 ? keyPath : `${keyPath}${k + 1}`))
    const datas = dataPaths.map((p) =>
      file.createDataset(p, {
        dtype,
        shape: [...initial, ...frameShape],
        maxshape: [...maxScan, ...frameShape],
        chunks: [...scanShape.map(() => 1), ...frameShape],
        compression: options.compression ?? 'none',
        compressionLevel: options.compressionLevel ?? 1,
        fillValue: 0,
      }),
    )
    const keyDatasets = keyPaths.map((p) =>
      file.createDataset(p, {
        dtype: 'int32',
        shape: initial,
        maxshape: maxScan,
        chunks: scanShape.map((s, i) => (i === scanShape.length - 1 ? Math.min(Math.max(s, 1), 1024) : 1)),
        fillValue: 0,
      }),
    )
    // NeXus-style markers, as GDA/Odin files carry them.
    file.group('/entry').setAttr('NX_class', 'NXentry')
    for (const p of dataPaths) {
      const g = file.group(p.slice(0, p.lastIndexOf('/')) || '/')
      g.setAttr('NX_class', 'NXdata')
      g.setAttr('signal', p.slice(p.lastIndexOf('/') + 1))
    }
    file.group(keyPath.slice(0, keyPath.lastIndexOf('/')) || '/').setAttr('NX_class', 'NXcollection')
    const finished = file.createDataset(finishedPath, { dtype: 'int32', shape: [1], maxshape: [1], fillValue: 0 })
    const times = options.timestamps
      ? file.createDataset('/entry/timing/flush_time', { dtype: 'float64', shape: [0], maxshape: [null], chunks: [1024], fillValue: 0 })
      : null
    file.setAttr('simulated_frames', total)
    // What the scan says of itself, as NeXus entries do (fixed-length strings: SWMR-safe).
    const title = `simulated ${grid ? scanShape.join('×') + ' grid' : 'line'} scan of ${total} ${frameShape.join('×')} frames`
    file.createDataset('/entry/title', { dtype: { string: 64 }, shape: [] }).write(null, title)
    file.createDataset('/entry/start_time', { dtype: { string: 32 }, shape: [] }).write(null, new Date().toISOString())
    if (options.swmrDelay) {
      file.flush()
      await sleep(options.swmrDelay)
    }
    // Frames made before readers are told: 'counts' frames take ~0.1 s to generate the first time.
    const frame = new (arrayConstructor(arrayTypeOf(dtype)))(frameShape.reduce((a, b) => a * b, 1))
    fillFrame(frame, 0, options.pattern)
    file.startSwmrWrite()
    options.onReady?.()
    if (options.frameDelay) await sleep(options.frameDelay)

    const one = new Int32Array(1)
    const frameCount = [...scanShape.map(() => 1), ...frameShape]
    const keyCount = scanShape.map(() => 1)
    const start = Date.now()
    for (let i = 0; i < total; i++) {
      // SIGKILL, not process.exit: exit handlers would let HDF5 close the file cleanly.
      if (options.crashAfter !== undefined && i >= options.crashAfter) process.kill(process.pid, 'SIGKILL')
      if (options.beforeFrame) await options.beforeFrame(i)
      const pos = unravel(i, scanShape)
      if (!presize) {
        const extent = scanNow(i + 1)
        if (extent[0] !== datas[0].shape[0]) {
          for (const d of datas) d.extend([...extent, ...frameShape])
          for (const k of keyDatasets) k.extend(extent)
        }
      }
      fillFrame(frame, i, options.pattern)
      for (const d of datas) {
        d.write({ start: [...pos, ...frameShape.map(() => 0)], count: frameCount }, frame)
        d.flush() // data first ...
      }
      if (times) {
        // The flush time of the data, recorded before the key so a reader that sees the key finds it.
        times.extend([i + 1])
        times.write({ start: [i], count: [1] }, new Float64Array([performance.timeOrigin + performance.now()]))
        times.flush()
      }
      one[0] = i + 1
      for (const k of keyDatasets) {
        k.write({ start: pos, count: keyCount }, one)
        k.flush() // ... then the keys: a reader that sees every key can trust the frames
      }
      options.onFrame?.(i)
      if (interval > 0) {
        const wait = start + (i + 1) * interval - Date.now()
        if (wait > 0) await sleep(wait)
      } else if (i % 64 === 63) {
        await sleep(0) // let the event loop breathe at max rate
      }
    }
    one[0] = 1
    finished.write(null, one)
    finished.flush()
    return total
  } finally {
    file.close()
  }
}
