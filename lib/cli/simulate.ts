// h5swmr simulate FILE [options]: a detector writing a scan, the way Odin/GDA/areaDetector do.
import { parseArgs } from 'node:util'
import type { FramePattern } from '../simulate/patterns'
import { simulateScan, type SimulateOptions } from '../simulate'
import { HELP_OPTION, Progress, bar, helpOrCheck, parseShape, usage } from './format'

export const help = `Usage: h5swmr simulate FILE [options]

Write a detector scan in SWMR mode: frames in /entry/data/data (one frame per chunk, each frame's
pixels encode its index), keys in /entry/keys/uid (set after the frame's data is flushed), and the
/entry/finished flag at the end.

Options:
  --frames N             number of frames (default: the scan shape's size, else 100)
  --frame-shape HxW      frame shape (default 512x512)
  --scan-shape AxB       scan grid, e.g. 10x20 (default: N, a 1-D scan)
  --dtype T              uint16 | uint32 | float32 (default uint16; also uint8, int32, float64)
  --rate HZ|max          frames per second (default max)
  --compression C        none | deflate | bslz4 (bitshuffle-LZ4, as Eiger writes) | bszstd (bitshuffle-zstd, as
                         Jungfraujoch writes) | zstd | blosc (LZ4 inside, byte shuffle, as odin-data writes);
                         default none
  --level N              deflate level (default 1)
  --pattern P            ramp | counts (detector-like photon counts: compress as real data does; default ramp)
  --presize              create datasets at the full scan size (unwritten frames read as fill)
  --detectors N          write N detectors (/entry/data2/data, /entry/keys/uid2, ...)
  --timestamps           record each frame's write time in /entry/timing/flush_time (ms since epoch)
  --crash-after N        die (SIGKILL) after N frames: no close, no finished flag
  --locking on|off       HDF5 file locking (default: library default)
  -q, --quiet            no progress output
  -h, --help             this help
`

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      frames: { type: 'string' },
      'frame-shape': { type: 'string', default: '512x512' },
      'scan-shape': { type: 'string' },
      dtype: { type: 'string', default: 'uint16' },
      rate: { type: 'string', default: 'max' },
      compression: { type: 'string', default: 'none' },
      level: { type: 'string', default: '1' },
      pattern: { type: 'string', default: 'ramp' },
      presize: { type: 'boolean', default: false },
      detectors: { type: 'string', default: '1' },
      timestamps: { type: 'boolean', default: false },
      'crash-after': { type: 'string' },
      locking: { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
      ...HELP_OPTION,
    },
  })
  if (helpOrCheck(values, positionals, help, ['FILE'])) return 0
  const file = positionals[0]
  const scanShape = values['scan-shape'] ? parseShape(values['scan-shape'], '--scan-shape') : undefined
  const frames = values.frames !== undefined ? Number(values.frames) : scanShape ? scanShape.reduce((a, b) => a * b, 1) : 100
  if (!Number.isInteger(frames) || frames < 0) throw usage(`--frames must be a whole number, got '${values.frames}'`)
  const rate = values.rate === 'max' ? 0 : Number(values.rate)
  if (!(rate >= 0)) throw usage(`--rate must be a number of Hz or 'max', got '${values.rate}'`)
  const dtypes = ['uint8', 'uint16', 'uint32', 'int32', 'float32', 'float64']
  if (!dtypes.includes(values.dtype!)) throw usage(`--dtype must be one of ${dtypes.join(', ')}`)
  if (!['none', 'deflate', 'bslz4', 'bszstd', 'zstd', 'blosc'].includes(values.compression!))
    throw usage(`--compression must be none, deflate, bslz4, bszstd, zstd or blosc`)
  if (!['ramp', 'counts'].includes(values.pattern!)) throw usage(`--pattern must be ramp or counts, got '${values.pattern}'`)
  const crashAfter = values['crash-after'] !== undefined ? Number(values['crash-after']) : undefined
  if (crashAfter !== undefined && !(Number.isInteger(crashAfter) && crashAfter >= 0)) throw usage('--crash-after must be a whole number')
  const locking = values.locking === undefined ? undefined : values.locking === 'on'

  const progress = new Progress()
  const t0 = performance.now()
  const options: SimulateOptions = {
    frames,
    frameShape: parseShape(values['frame-shape']!, '--frame-shape'),
    scanShape: scanShape ?? [frames],
    dtype: values.dtype as SimulateOptions['dtype'],
    rateHz: rate,
    compression: values.compression as 'none' | 'deflate' | 'bslz4' | 'bszstd' | 'zstd' | 'blosc',
    compressionLevel: Number(values.level),
    pattern: values.pattern as FramePattern,
    presize: values.presize,
    detectors: Number(values.detectors),
    timestamps: values.timestamps,
    crashAfter,
    locking,
    onReady: () => {
      if (!values.quiet) process.stderr.write(`simulate: ${file} is in SWMR mode; readers may open it\n`)
    },
    onFrame: (i) => {
      if (values.quiet) return
      const s = (performance.now() - t0) / 1000
      progress.update(`simulate: ${bar(i + 1, frames)} ${i + 1}/${frames} frames, ${((i + 1) / s).toFixed(0)} frames/s`, i + 1 === frames)
    },
  }
  const written = await simulateScan(file, options)
  progress.done()
  const s = (performance.now() - t0) / 1000
  if (!values.quiet) process.stdout.write(`simulate: wrote ${written} frames to ${file} in ${s.toFixed(2)} s (${(written / s).toFixed(0)} frames/s)\n`)
  return 0
}
