#!/usr/bin/env bash
# Runs the README's two commands from a clean clone inside a minimal root of another Debian release,
# with that release's own Node.js, npm, libhdf5 and Python packages (nothing else installed first):
#
#   bash scripts/distro-test.sh trixie          # Debian 13
#   bash scripts/distro-test.sh testing         # Debian testing
#   bash scripts/distro-test.sh trixie -- CMD   # a shell command in that root's clone instead
#
# Needs root, debootstrap and the host's Debian mirror (read from its apt sources). The root is made
# anew each run under ${H5SWMR_ROOTS:-/var/tmp/h5swmr-roots}/SUITE (nothing is cached across runs) and
# removed at the end unless H5SWMR_KEEP_ROOT=1. The clone is of this checkout's HEAD: commit first.
set -euo pipefail

suite="${1:?usage: distro-test.sh SUITE [-- COMMAND]}"
shift
command_in_root=""
if [ "${1:-}" = "--" ]; then
  shift
  command_in_root="$*"
fi

repo="$(cd "$(dirname "$0")/.." && pwd)"
roots="${H5SWMR_ROOTS:-/var/tmp/h5swmr-roots}"
root="$roots/$suite"
say() { echo "distro-test[$suite]: $*"; }

[ "$(id -u)" -eq 0 ] || { echo "distro-test.sh: needs root (debootstrap, chroot, mount)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "distro-test.sh: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }

# The host's own Debian mirror, as apt itself resolved it (whatever the sources' syntax: deb822,
# one-line with [options], mirror+file:): the first http(s) archive apt uses that is not security's.
apt_archive() {
  local uri codename
  codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
  # The archive of this release's own suite (not -security, -updates or a third party's).
  for uri in $(apt-cache policy 2>/dev/null | awk -v s="${codename:-none}/main" '$3 == s {print $2}'); do
    # mirror+file:LIST (cloud images): the list's first http(s) mirror.
    case "$uri" in mirror+file:*) uri="$(grep -Eom1 '^https?://[^[:space:]]+' "${uri#mirror+file:}" 2>/dev/null || true)" ;; esac
    case "$uri" in http://* | https://*) printf '%s\n' "${uri%/}"; return ;; esac
  done
}
mirror="$(apt_archive)"
[ -n "$mirror" ] || { apt-get update -qq >/dev/null 2>&1 || true; mirror="$(apt_archive)"; }
[ -n "$mirror" ] || { echo "distro-test.sh: apt uses no http(s) Debian archive here (apt-cache policy)" >&2; exit 1; }

# debootstrap knows a release by its script; an older debootstrap has none for the newest testing
# codename, and every testing/unstable codename bootstraps with sid's.
script="/usr/share/debootstrap/scripts/$suite"
[ -e "$script" ] || script="/usr/share/debootstrap/scripts/sid"

unmount_all() {
  # Deepest first; lazily, so a process that is still ending does not keep the root mounted.
  for m in $(awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}
# Processes still running in the root (a jest worker, a writer, chromium after an interrupted run).
stop_root_processes() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -9 "${p#/proc/}" 2>/dev/null || true
  done
}
cleanup() {
  stop_root_processes
  unmount_all
  if [ "${H5SWMR_KEEP_ROOT:-0}" != "1" ]; then rm -rf --one-file-system "$root"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

unmount_all
rm -rf --one-file-system "$root"
mkdir -p "$root"

started=$SECONDS
say "debootstrap $suite from $mirror"
# Testing's Release file on a mirror can be past its Valid-Until; debootstrap itself does not check it.
debootstrap --variant=minbase --components=main "$suite" "$root" "$mirror" "$script" >"$roots/$suite.debootstrap.log" 2>&1 || {
  tail -n 30 "$roots/$suite.debootstrap.log" >&2
  exit 1
}

# What the root needs from the host: name resolution, and the host's CA set-up (its extra CA files, the
# bundle built from them, and the certificate variables) so npm and apt reach their registries as the
# host does.
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp /etc/hosts "$root/etc/hosts"
mkdir -p "$root/usr/local/share/ca-certificates" "$root/etc/ssl/certs"
cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
[ -e /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
if [ "$suite" != "stable" ] && [ "$suite" != "trixie" ] && [ "$suite" != "bookworm" ]; then
  # Only in this root: testing's Release file can be past its Valid-Until.
  echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99h5swmr-valid-until"
fi
echo 'APT::Install-Recommends "false";' >"$root/etc/apt/apt.conf.d/99h5swmr-no-recommends"

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"

# The certificate variables of the host's environment, for the commands in the root.
cert_env=()
while IFS='=' read -r name value; do
  case "$name" in
    NODE_EXTRA_CA_CERTS | SSL_CERT_FILE | SSL_CERT_DIR | CURL_CA_BUNDLE | REQUESTS_CA_BUNDLE | GIT_SSL_CAINFO | PIP_CERT | NPM_CONFIG_CAFILE | npm_config_cafile)
      [ -e "$root$value" ] && cert_env+=("$name=$value") ;;
  esac
done < <(env)
[ -e /etc/ssl/certs/ca-certificates.crt ] && cert_env+=("NPM_CONFIG_CAFILE=/etc/ssl/certs/ca-certificates.crt")

in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive CI="${CI:-}" H5SWMR_NO_DEPRECATED_HDF5="${H5SWMR_NO_DEPRECATED_HDF5:-}" \
    "${cert_env[@]}" /bin/bash -c "$1"
}

say "apt-get install nodejs npm git ca-certificates (debootstrap took $((SECONDS - started)) s)"
# After debootstrap rather than with --include: npm's dependencies fail to configure in debootstrap's
# second stage.
in_root 'apt-get update -qq && apt-get install -y -qq nodejs npm git ca-certificates >/dev/null'
in_root 'update-ca-certificates >/dev/null 2>&1 || true'
# update-ca-certificates rebuilt the bundle from the root's own CA list: put the host's back on top.
[ -e /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"

# A clean clone of this checkout's HEAD, as CI makes of main.
git clone -q --no-local "$repo" "$root/work/h5swmr"
rm -rf "$root/work/h5swmr/.git/hooks"

in_root 'cat /etc/debian_version; node --version; npm --version' | sed "s/^/distro-test[$suite]: /"

if [ -n "$command_in_root" ]; then
  in_root "cd /work/h5swmr && $command_in_root"
  exit $?
fi

# The README's two commands, exactly (read from the README so they cannot drift); a failing step
# ends the run.
for n in 1 2; do
  line="$(bash "$repo/scripts/readme-command.sh" "$n")"
  say "README command $n: $line"
  t=$SECONDS
  in_root "set -euo pipefail; cd /work/h5swmr && $line" 2>&1 | tee "$roots/$suite.readme-$n.log"
  say "README command $n took $((SECONDS - t)) s"
done
# jest's summary, for CI's table (the log stays beside the root: $roots/SUITE.readme-2.log).
say "$(grep -a '^Tests:' "$roots/$suite.readme-2.log" | tail -n 1 | tr -s ' ')"

# A package made on another release (CI: Debian 12's tarball from scripts/check-package.sh --keep):
# its prebuild is for another libhdf5, so the install must say so in one line, build from source, and
# load this release's libhdf5.
if [ -n "${H5SWMR_FOREIGN_PACKAGE:-}" ]; then
  say "installing $(basename "$H5SWMR_FOREIGN_PACKAGE") (a prebuild from another release) in an empty folder"
  t=$SECONDS
  cp "$H5SWMR_FOREIGN_PACKAGE" "$root/work/foreign.tgz"
  in_root 'set -euo pipefail
    d=/work/foreign && mkdir -p $d && cd $d && npm init -y >/dev/null
    npm install --foreground-scripts /work/foreign.tgz >install.log 2>&1 || { tail -n 40 install.log; exit 1; }
    line="$(grep "^h5swmr: " install.log | head -n 1)"
    echo "$line"
    case "$line" in
      "h5swmr: not using the prebuild: it was made against "*"; building from source with cmake-js") ;;
      *) echo "expected the install to refuse the prebuild, in one line, and build from source" >&2; exit 1 ;;
    esac
    node -e "
      const h5 = require(\"h5swmr\")
      const want = require(\"child_process\").execSync(\"pkg-config --modversion hdf5\", { encoding: \"utf8\" }).trim()
      const got = h5.File.libraryInfo().version
      if (got !== want) { console.error(\"loaded HDF5 \" + got + \", the system has \" + want); process.exit(1) }
      console.log(\"loaded, with this release\x27s HDF5 \" + got)
    "' | sed "s/^/distro-test[$suite]: /"
  say "the foreign package check took $((SECONDS - t)) s"
fi
# A file written here (this release's libhdf5) must read on the host's (CI: Debian 12's 1.10.8): a
# scan in every compression our writer has, read back by the host's build frame by frame through
# both paths, and by the host's h5py where its plugins can (H5SWMR_CROSS_READ=1; needs the host built).
if [ "${H5SWMR_CROSS_READ:-0}" = "1" ]; then
  t=$SECONDS
  in_root 'cd /work/h5swmr && node -e "
    const { simulateScan } = require(\"./dist/simulate\")
    const { File } = require(\"./dist\")
    ;(async () => {
      for (const c of [\"none\", \"deflate\", \"bslz4\", \"bszstd\", \"zstd\", \"blosc\"])
        await simulateScan(\"/work/cross-\" + c + \".h5\", { frames: 12, frameShape: [48, 40], compression: c, pattern: \"counts\" })
      console.log(\"wrote 6 scans with HDF5 \" + File.libraryInfo().version)
    })()"' | sed "s/^/distro-test[$suite]: /"
  (cd "$repo" && node -e "
    const { File } = require('./dist')
    const { checkFrame } = require('./dist/simulate')
    let bad = 0
    for (const c of ['none', 'deflate', 'bslz4', 'bszstd', 'zstd', 'blosc']) {
      const f = File.open(process.argv[1] + '/work/cross-' + c + '.h5', { swmr: false })
      const ds = f.dataset('/entry/data/data')
      for (let i = 0; i < 12; i++) {
        const sel = { start: [i, 0, 0], count: [1, 48, 40] }
        if (!checkFrame(ds.read(sel), i, 'counts') || !checkFrame(ds.read(sel, { path: 'hdf5' }), i, 'counts')) bad++
      }
      f.close()
    }
    console.log('host (HDF5 ' + File.libraryInfo().version + ') read them: ' + (bad ? bad + ' bad frames' : 'every frame right'))
    process.exit(bad ? 1 : 0)
  " "$root") | sed "s/^/distro-test[$suite]: /"
  say "the cross-release read took $((SECONDS - t)) s"
fi
say "all took $((SECONDS - started)) s"
