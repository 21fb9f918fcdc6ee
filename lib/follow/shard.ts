// Which share of a scan this process follows, from the scheduler that started it: N followers of one
// live scan, each taking the indices with index % count == index. Asked for by `shard: 'auto'`.
import { H5Error } from '../core/errors'

export interface Shard {
  index: number
  count: number
}

/** Where `shardFromEnvironment` found the shard (for messages and summaries). */
export interface ShardOrigin extends Shard {
  from: string
}

const int = (v: string | undefined): number | null => (v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : null)

/**
 * The shard from the environment, in this order:
 * - `H5SWMR_SHARD=i/n` (explicit, any launcher);
 * - a SLURM job array: `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_COUNT`, or, where COUNT is
 *   missing, `SLURM_ARRAY_TASK_MIN`/`_MAX`/`_STEP` (an array `--array=MIN-MAX:STEP`);
 * - a Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` with the count the manifest sets in
 *   `H5SWMR_SHARD_COUNT` (the pod is not told the job's completions).
 * ERR_USAGE naming what was looked for when none is set, or when what is set does not make a shard.
 */
export function shardFromEnvironment(env: NodeJS.ProcessEnv = process.env): ShardOrigin {
  const check = (index: number | null, count: number | null, from: string): ShardOrigin => {
    if (index === null || count === null || count < 1 || index >= count)
      throw new H5Error(`shard 'auto': ${from} does not give a shard index below a count of at least 1`, 'ERR_USAGE')
    return { index, count, from }
  }
  if (env.H5SWMR_SHARD !== undefined) {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(env.H5SWMR_SHARD)
    return check(m ? Number(m[1]) : null, m ? Number(m[2]) : null, `H5SWMR_SHARD=${env.H5SWMR_SHARD}`)
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = int(env.SLURM_ARRAY_TASK_ID)
    const min = int(env.SLURM_ARRAY_TASK_MIN) ?? 0
    const step = int(env.SLURM_ARRAY_TASK_STEP) ?? 1
    const what = `SLURM_ARRAY_TASK_ID=${env.SLURM_ARRAY_TASK_ID}`
    if (id === null || step < 1 || id < min || (id - min) % step) return check(null, null, what)
    let count = int(env.SLURM_ARRAY_TASK_COUNT)
    const max = int(env.SLURM_ARRAY_TASK_MAX)
    // COUNT is what the array holds; MIN-MAX:STEP gives the same for a plain range.
    if (count === null && max !== null) count = Math.floor((max - min) / step) + 1
    return check((id - min) / step, count, `${what} (COUNT ${env.SLURM_ARRAY_TASK_COUNT ?? '-'}, MIN ${min}, MAX ${env.SLURM_ARRAY_TASK_MAX ?? '-'}, STEP ${step})`)
  }
  if (env.JOB_COMPLETION_INDEX !== undefined)
    return check(int(env.JOB_COMPLETION_INDEX), int(env.H5SWMR_SHARD_COUNT),
      `JOB_COMPLETION_INDEX=${env.JOB_COMPLETION_INDEX} with H5SWMR_SHARD_COUNT=${env.H5SWMR_SHARD_COUNT ?? '(unset)'}`)
  throw new H5Error(
    "shard 'auto': no shard in the environment (looked for H5SWMR_SHARD=i/n, SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT or _MIN/_MAX/_STEP, JOB_COMPLETION_INDEX with H5SWMR_SHARD_COUNT)",
    'ERR_USAGE',
  )
}
