// h5swmr join OUT SHARD...: the shards' result files (follow --output with --shard) joined in scan order.
import { parseArgs } from 'node:util'
import { joinResults } from '../follow/results'
import { HELP_OPTION, usage } from './format'

export const help = `Usage: h5swmr join OUT SHARD_FILE...

Join the result files written by 'h5swmr follow --shard I/N --output FILE' (FILE.shardI-of-N.h5) into
OUT: one virtual dataset per result (/index, /results/...) that reads the frames in scan order. The
shards may still be writing (each must have written its first frame): the virtual datasets grow
with them, and what a shard has not written yet reads as NaN (integer results 0, the index -1).
Shard 0 already writes this join at FILE when it starts; use this command when shard 0 did not run,
or to join copies moved elsewhere.

Options:
  -h, --help        this help
`

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...HELP_OPTION } })
  if (values.help) {
    process.stdout.write(help)
    return 0
  }
  if (positionals.length < 2) throw usage('expected OUT and at least one SHARD_FILE (see --help)')
  const [out, ...shards] = positionals
  const { shards: n, columns } = joinResults(out, shards)
  process.stdout.write(`join: ${n} shards into ${out}: index, ${columns.join(', ')}\n`)
  return 0
}
