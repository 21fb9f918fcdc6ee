// Wake on write: followers in their own processes wait for the writer by watching the file
// (inotify; fs.watch for `for await`, the addon's for `for-of`), the poll interval only the fallback.
// Long fallbacks here make a missed event visible: every wait must have been ended by a write.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { DataSource, File, KeyFollower } from '../../lib'
import { simulateScan } from '../../lib/simulate'
import { spawnFollower, spawnProcess, spawnPython, spawnWriter, tmpDir, type FollowSummary } from '../helpers/processes'

const dir = tmpDir('h5swmr-wake-')
const ROOT = path.join(__dirname, '..', '..')
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

// A stepped writer: `burst(n)` writes n frames at its maximum rate.
async function steppedScan(file: string, frames: number) {
  const w = spawnWriter(file, { frames, frameShape: [16, 16], stepped: true })
  await w.waitFor('ready')
  let sent = 0
  return {
    w,
    async burst(n: number) {
      for (let k = 0; k < n; k++) w.send('go')
      sent += n
      await w.waitFor(`frame ${sent - 1}`)
    },
  }
}

function expectEveryFrameOnce(s: FollowSummary, frames: number) {
  expect(s.frames).toBe(frames)
  expect(s.bad).toBe(0)
  expect(s.duplicates).toBe(0)
  expect(s.inOrder).toBe(true)
  expect(s.finished).toBe(true)
  expect(s.openIds).toBe(0)
}

describe.each([
  ['for await (fs.watch)', true],
  ['for-of (the addon\'s inotify)', false],
])('%s', (_name, async) => {
  test('bursts, then seconds without a write, then more: every frame once, and every wait ended by a write, none by the 20 s fallback', async () => {
    const file = path.join(dir, `bursts-${async}.h5`)
    const scan = await steppedScan(file, 100)
    const f = spawnFollower(file, { async, wake: 'auto', pollInterval: 20000, timeout: 60000, progress: true })
    await f.waitFor('opened')
    await scan.burst(40)
    await f.waitFor('got 39')
    await pause(2500) // the writer idles: the follower waits on the watch
    await scan.burst(1)
    await f.waitFor('got 40') // not before the 20 s fallback unless a write woke it
    await scan.burst(59)
    const s = await f.summary()
    expect(await scan.w.exited).toBe(0)
    expectEveryFrameOnce(s, 100)
    expect(s.wake.mode).toBe('inotify')
    expect(s.wake.waits).toBeGreaterThan(0)
    expect(s.wake.woken).toBe(s.wake.waits)
    expect(s.wake.missed).toBe(0)
  }, 60000)
})

test('keys reached through an external link (a master file): the file the keys are in is watched, not the master', async () => {
  const file = path.join(dir, 'linked-data.h5')
  const master = path.join(dir, 'linked-master.h5')
  const scan = await steppedScan(file, 30)
  const mk = spawnPython(`
import h5py, sys
with h5py.File(sys.argv[1], 'w', libver='latest') as m:
    for p in ['/entry/keys/uid', '/entry/data/data', '/entry/finished']:
        m[p] = h5py.ExternalLink(sys.argv[2], p)
`, [master, path.basename(file)])
  expect(await mk.exited).toBe(0)
  // Opened SWMR, as a master file linking to live files must be (HDF5 opens link targets as their parent).
  const f = spawnFollower(master, { swmr: true, wake: 'auto', pollInterval: 20000, timeout: 60000, progress: true })
  await f.waitFor('opened')
  await scan.burst(10)
  await f.waitFor('got 9')
  await pause(1000)
  await scan.burst(20)
  const s = await f.summary()
  expect(await scan.w.exited).toBe(0)
  expectEveryFrameOnce(s, 30)
  expect(s.wake.mode).toBe('inotify')
  expect(s.wake.woken).toBe(s.wake.waits)
  expect(s.wake.missed).toBe(0)
}, 60000)

test("wake: 'poll' never watches: every frame once by polling alone", async () => {
  const file = path.join(dir, 'poll.h5')
  const w = spawnWriter(file, { frames: 60, frameShape: [16, 16], rateHz: 300 })
  const f = spawnFollower(file, { wake: 'poll', pollInterval: 5, timeout: 3000 })
  const s = await f.summary()
  expect(await w.exited).toBe(0)
  expectEveryFrameOnce(s, 60)
  expect(s.wake).toEqual({ mode: 'poll', reason: "wake: 'poll'", waits: 0, woken: 0, missed: 0 })
})

test('the file renamed away and another put at its path: the follower keeps waking on the file it has open (its inode)', async () => {
  const file = path.join(dir, 'replaced.h5')
  const scan = await steppedScan(file, 60)
  const f = spawnFollower(file, { wake: 'auto', pollInterval: 20000, timeout: 60000, progress: true })
  await f.waitFor('opened')
  await scan.burst(10)
  await f.waitFor('got 9')
  // The scan moves on under another name; a stranger file takes its path (an operator's copy).
  fs.renameSync(file, `${file}.moved`)
  const other = File.create(file)
  other.createDataset('x', { dtype: 'int32', shape: [4] })
  other.close()
  await pause(1000)
  await scan.burst(1)
  await f.waitFor('got 10')
  await scan.burst(49)
  const s = await f.summary()
  expect(await scan.w.exited).toBe(0)
  expectEveryFrameOnce(s, 60)
  expect(s.wake.woken).toBe(s.wake.waits)
})

// A writer behind an overlay file system: it writes the upper layer's file, the follower reads the
// same file through the overlay, where inotify reports nothing (as for a writer on another machine
// of a network file system). Both run in a user and mount namespace of their own (a tmpfs, an overlay).
test('no events at all (writer under an overlay): the poll fallback alone gets every frame', async () => {
  const base = path.join(dir, 'overlay')
  fs.mkdirSync(base)
  // 2 s of writing: the follower (a node start after the writer's) must find frames still to come.
  const writerOptions = JSON.stringify({ frames: 80, frameShape: [16, 16], rateHz: 40 })
  const followerOptions = JSON.stringify({ wake: 'auto', pollInterval: 10, timeout: 5000, waitFor: 20000 })
  const script = `set -e
trap 'umount "$B/merged" 2>/dev/null; umount "$B" 2>/dev/null' EXIT
mount -t tmpfs tmpfs "$B"
mkdir -p "$B/lower" "$B/upper" "$B/work" "$B/merged"
mount -t overlay overlay -o lowerdir="$B/lower",upperdir="$B/upper",workdir="$B/work" "$B/merged"
node "$ROOT/test/fixtures/writer.js" "$B/upper/scan.h5" '${writerOptions}' > "$B/writer.log" 2>&1 &
writer=$!
# The follower looks only once the file is there (a name looked up through the overlay before the
# upper layer had it stays missing there).
for i in $(seq 200); do grep -q '^ready' "$B/writer.log" && break; sleep 0.05; done
node "$ROOT/test/fixtures/follower.js" "$B/merged/scan.h5" '${followerOptions}'
wait $writer
echo "writer: $(tail -n 1 "$B/writer.log")"
`
  // A user namespace too where one can be made (mounts made inside never propagate out, and no root
  // is needed); in a chroot, where the kernel refuses one, a mount namespace as root. A chroot's root
  // is no mount point, so propagation is left unchanged, and the script unmounts what it mounted.
  const launcher = `U="--user --map-root-user"; unshare $U --mount --propagation unchanged true 2>/dev/null || U=""
exec unshare $U --mount --propagation unchanged bash -c "$S"`
  const p = spawnProcess('bash', ['-c', launcher], { B: base, ROOT, S: script })
  expect(await p.exited).toBe(0)
  expect(p.lines).toContain('writer: done 80')
  const s = JSON.parse(p.lines.find((l) => l.startsWith('{'))!) as FollowSummary
  expectEveryFrameOnce(s, 80)
  // The watch was set up and heard nothing: the frames came by polling, and it says so.
  expect(s.wake.mode).toBe('inotify')
  expect(s.wake.woken).toBe(0)
  expect(s.wake.waits).toBeGreaterThan(0)
  expect(s.wake.missed).toBeGreaterThan(0)
}, 60000)

test('a follow that ends holds no watch, and iterating again watches again', async () => {
  const file = path.join(dir, 'again.h5')
  await simulateScan(file, { frames: 3, frameShape: [4, 4] })
  const f = File.open(file, { swmr: false })
  try {
    const kf = new KeyFollower(f.dataset('/entry/keys/uid'), { timeout: 50, pollInterval: 10 })
    expect([...kf]).toEqual([0, 1, 2])
    const first = kf.wakeStats
    expect(first.mode).toBe('inotify')
    expect(first.waits).toBeGreaterThan(0)
    const follows = async () => {
      kf.reset()
      expect([...kf]).toEqual([0, 1, 2])
      kf.reset()
      const got: number[] = []
      for await (const i of kf) got.push(i)
      expect(got).toEqual([0, 1, 2])
    }
    await follows() // libuv opens its one inotify descriptor for fs.watch here, and keeps it
    const fds = fs.readdirSync('/proc/self/fd').length
    await follows()
    await follows()
    expect(kf.wakeStats.waits).toBeGreaterThan(first.waits)
    expect(fs.readdirSync('/proc/self/fd').length).toBe(fds)
    // An early break releases the watch too.
    const ds = new DataSource([f.dataset('/entry/keys/uid')], { d: f.dataset('/entry/data/data') }, { timeout: 50, pollInterval: 10 })
    for (const _ of ds) break
    expect(() => new KeyFollower(f.dataset('/entry/keys/uid'), { wake: 'sometimes' as 'auto' })).toThrow(/wake must be 'auto' or 'poll'/)
  } finally {
    f.close()
  }
})
