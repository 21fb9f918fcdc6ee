// shard: 'auto' / --shard auto: the share of a scan a follower takes, from the scheduler that
// started it (SLURM job arrays, Kubernetes Indexed Jobs, H5SWMR_SHARD=i/n), and followers started
// that way over one live scan get every frame exactly once.
import * as path from 'node:path'
import { H5Error, shardFromEnvironment } from '../../lib'
import { spawnProcess, spawnWriter, tmpDir } from '../helpers/processes'

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'index.js')
const dir = tmpDir('h5swmr-shard-')

test.each([
  [{ H5SWMR_SHARD: '2/5' }, { index: 2, count: 5 }],
  [{ H5SWMR_SHARD: ' 0 / 1 ' }, { index: 0, count: 1 }],
  [{ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' }, { index: 1, count: 3 }],
  // --array=10-20:5: tasks 10, 15, 20 (no COUNT from an older SLURM)
  [{ SLURM_ARRAY_TASK_ID: '15', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_MAX: '20', SLURM_ARRAY_TASK_STEP: '5' }, { index: 1, count: 3 }],
  [{ SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '5', SLURM_ARRAY_TASK_COUNT: '4' }, { index: 2, count: 4 }],
  [{ JOB_COMPLETION_INDEX: '3', H5SWMR_SHARD_COUNT: '4' }, { index: 3, count: 4 }],
  // the explicit variable wins over the scheduler's
  [{ H5SWMR_SHARD: '0/2', SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' }, { index: 0, count: 2 }],
])('%j -> %j', (env, shard) => {
  expect(shardFromEnvironment(env)).toMatchObject(shard)
})

test.each([
  [{}, /looked for H5SWMR_SHARD=i\/n, SLURM_ARRAY_TASK_ID .*JOB_COMPLETION_INDEX with H5SWMR_SHARD_COUNT/],
  [{ H5SWMR_SHARD: '3/3' }, /H5SWMR_SHARD=3\/3 does not give a shard/],
  [{ H5SWMR_SHARD: 'one/two' }, /H5SWMR_SHARD=one\/two/],
  [{ SLURM_ARRAY_TASK_ID: '4' }, /SLURM_ARRAY_TASK_ID=4 .*does not give a shard/],
  [{ SLURM_ARRAY_TASK_ID: '12', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_MAX: '20', SLURM_ARRAY_TASK_STEP: '5' }, /SLURM_ARRAY_TASK_ID=12/],
  [{ JOB_COMPLETION_INDEX: '0' }, /JOB_COMPLETION_INDEX=0 with H5SWMR_SHARD_COUNT=\(unset\)/],
])('%j: ERR_USAGE naming what it looked at', (env, message) => {
  let err: H5Error | null = null
  try {
    shardFromEnvironment(env)
  } catch (e) {
    err = e as H5Error
  }
  expect(err).toBeInstanceOf(H5Error)
  expect(err!.code).toBe('ERR_USAGE')
  expect(err!.message).toMatch(message)
})

test('three `h5swmr follow --shard auto` of a SLURM job array over one live scan: every frame exactly once', async () => {
  const file = path.join(dir, 'live.h5')
  const w = spawnWriter(file, { frames: 45, frameShape: [8, 8], rateHz: 300 })
  const followers = [0, 1, 2].map((task) =>
    spawnProcess(process.execPath, [CLI, 'follow', file, '--json', '--timeout', '3', '--wait', '5', '--shard', 'auto'], {
      SLURM_ARRAY_TASK_ID: String(task),
      SLURM_ARRAY_TASK_COUNT: '3',
    }),
  )
  const codes = await Promise.all(followers.map((f) => f.exited))
  expect(await w.exited).toBe(0)
  expect(codes).toEqual([0, 0, 0])
  const seen = followers.map((f) => f.lines.map((l) => JSON.parse(l).index as number))
  seen.forEach((indices, task) => expect(indices.every((i) => i % 3 === task)).toBe(true))
  expect(seen.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, i) => i))
})

test('--shard auto with no scheduler: one usage line naming what it looked for', async () => {
  const f = spawnProcess(process.execPath, [CLI, 'follow', path.join(dir, 'none.h5'), '--shard', 'auto'])
  expect(await f.exited).not.toBe(0)
  expect(f.stderr.trim().split('\n')).toHaveLength(1)
  expect(f.stderr).toMatch(/^h5swmr follow: shard 'auto': no shard in the environment \(looked for H5SWMR_SHARD=i\/n, .*\) \(ERR_USAGE\)$/m)
})
