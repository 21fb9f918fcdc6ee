#!/usr/bin/env bash
# A real single-node SLURM (Debian's slurm-wlm + munge, run as root): munged, slurmctld and slurmd
# started here with a config of their own, then an `sbatch --wait --array` of
# `h5swmr follow --shard auto --output` over one live `h5swmr simulate` scan; checks every frame
# exactly once in the joined results and stops every daemon it started, by its PID.
# Usage: scripts/slurm-test.sh [TASKS] [FRAMES]   (needs dist/ built: README command 1)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
tasks="${1:-3}"
frames="${2:-300}"
node="$(command -v node)"
cli="$root/dist/cli/index.js"
[ -f "$cli" ] || { echo "slurm-test: $cli missing: run README command 1 first" >&2; exit 1; }
for cmd in munged slurmctld slurmd sbatch squeue scontrol; do
  command -v "$cmd" >/dev/null || { echo "slurm-test: $cmd missing (apt-get install slurm-wlm munge)" >&2; exit 1; }
done

work="$(mktemp -d /tmp/h5swmr-slurm.XXXXXX)"
chmod 755 "$work"
mkdir -p "$work/state" "$work/spool" "$work/munge" "$work/data"
pids=()
undo=() # changes to the host, undone on the way out
stop() {
  local rc=$?
  export SLURM_CONF="$work/slurm.conf"
  # A job still running (a failed run): cancel it and let its tasks go before the daemons do.
  if [ -f "$work/sbatch.log" ] && jobid="$(grep -oE '^[0-9]+' "$work/sbatch.log" | head -n 1)" && [ -n "$jobid" ]; then
    scancel "$jobid" >/dev/null 2>&1 || true
    for _ in $(seq 50); do [ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ] && break; sleep 0.1; done
  fi
  scontrol shutdown >/dev/null 2>&1 || true
  for f in slurmd slurmctld munged; do
    [ -f "$work/$f.pid" ] || continue
    local pid
    pid="$(cat "$work/$f.pid")"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; kill "$pid" 2>/dev/null || true; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    for log in "$work"/*.log "$work"/data/task-*.out; do [ -f "$log" ] && { echo "--- $log"; tail -n 30 "$log"; }; done
  fi
  for u in "${undo[@]}"; do eval "$u" || true; done
  rm -rf "$work"
  exit "$rc"
}
trap stop EXIT
trap 'exit 130' INT TERM

# slurmd on Debian 12 asks for the cgroup file system even with proctrack/linuxproc and task/none.
if ! mountpoint -q /sys/fs/cgroup; then
  mount -t cgroup2 none /sys/fs/cgroup
  undo+=("umount /sys/fs/cgroup")
fi
if ! getent hosts localhost >/dev/null; then
  cp /etc/hosts "$work/hosts.orig"
  echo "127.0.0.1 localhost" >>/etc/hosts
  undo+=("cat '$work/hosts.orig' > /etc/hosts")
fi

# munge: our own socket and key, so a munged already on the machine is left alone.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 600 "$work/munge/munge.key"
munged --force --socket="$work/munge/munge.socket" --key-file="$work/munge/munge.key" \
  --pid-file="$work/munged.pid" --log-file="$work/munged.log" --seed-file="$work/munge/seed"

# As many CPUs as tasks, whatever the machine has (config_overrides): followers mostly wait for I/O.
cpus=$(( tasks > $(nproc) ? tasks : $(nproc) ))
cat >"$work/slurm.conf" <<EOF
ClusterName=h5swmr-ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SlurmdParameters=config_overrides
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=${H5SWMR_SLURMCTLD_PORT:-16817}
SlurmdPort=${H5SWMR_SLURMD_PORT:-16818}
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost CPUs=$cpus RealMemory=1024 State=UNKNOWN
PartitionName=ci Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
slurmctld
slurmd -N localhost
ready=""
for _ in $(seq 100); do
  sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && { ready=1; break; }
  sleep 0.2
done
[ -n "$ready" ] || { echo "slurm-test: the node did not come up (slurmctld/slurmd logs follow)" >&2; exit 1; }
sinfo -h -o '%P %D %T %c' | sed 's/^/slurm-test: partition /'

scan="$work/data/scan.h5"
out="$work/data/results.h5"
cat >"$work/follow.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=h5swmr-follow
#SBATCH --array=0-$((tasks - 1))
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --output=$work/data/task-%a.out
exec "$node" "$cli" follow "$scan" --shard auto --output "$out" --timeout 5 --wait 60
EOF
sbatch --wait --parsable "$work/follow.sbatch" >"$work/sbatch.log" 2>&1 &
sbatch_pid=$!
pids+=("$sbatch_pid")
# The writer starts once every task runs, so each follows the scan live.
running=0
for _ in $(seq 300); do
  running="$( (squeue -h -t RUNNING -n h5swmr-follow 2>/dev/null || true) | wc -l)"
  [ "$running" -ge "$tasks" ] && break
  sleep 0.1
done
[ "$running" -ge "$tasks" ] || { echo "slurm-test: only $running of $tasks array tasks started" >&2; exit 1; }
echo "slurm-test: $running of $tasks array tasks running; writer starts ($frames frames at 200 Hz)"
"$node" "$cli" simulate "$scan" --frames "$frames" --frame-shape 64x64 --rate 200 -q
wait "$sbatch_pid" || { echo "slurm-test: sbatch --wait failed: $(cat "$work/sbatch.log")" >&2; exit 1; }
for t in $(seq 0 $((tasks - 1))); do
  [ -s "$work/data/task-$t.out" ] || { echo "slurm-test: task $t wrote no output" >&2; exit 1; }
  sed "s/^/slurm-test: task $t: /" "$work/data/task-$t.out" | grep -v '^slurm-test: task [0-9]*:   ' || true
  # Followed live: the task waited for the writer (and woke on its writes), not read a finished file.
  grep -qE '^follow: woke on write \(inotify\): [0-9]+ of [1-9][0-9]* waits' "$work/data/task-$t.out" ||
    { echo "slurm-test: task $t never waited for the writer: not a live follow" >&2; exit 1; }
done

# Every frame exactly once, in scan order, with the statistics of the frame h5py reads from the scan.
"$node" -e '
const h5 = require(process.argv[1])
const [scan, out, frames, tasks] = process.argv.slice(2)
const r = h5.File.open(out, { swmr: false })
const s = h5.File.open(scan, { swmr: false })
const index = Array.from(r.dataset("index").read(), Number)
const sums = r.dataset("results/entry/data/data/sum").read()
const data = s.dataset("/entry/data/data")
let bad = 0
for (let i = 0; i < Number(frames); i++) {
  const f = data.read({ start: [i, 0, 0], count: [1, 64, 64] })
  let sum = 0
  for (const v of f) sum += Number(v)
  if (index[i] !== i || sums[i] !== sum) bad++
}
const shards = r.dataset("index").virtualMapping().length
r.close(); s.close()
console.log(`slurm-test: joined results: ${index.length} frames, ${bad} wrong or missing, ${shards} shards`)
if (index.length !== Number(frames) || bad || shards !== Number(tasks)) process.exit(1)
' "$root/dist" "$scan" "$out" "$frames" "$tasks"
