#!/usr/bin/env bash
# Release check: make the Node-API prebuild, pack the package, install the tarball into an empty
# folder and load it there. The install must pick the prebuild, not compile.
#   --keep FILE   also keep the tarball as FILE (CI installs it in another release's root, where the
#                 prebuild must be refused: scripts/distro-test.sh, H5SWMR_FOREIGN_PACKAGE)
set -euo pipefail
cd "$(dirname "$0")/.."
keep=""
if [ "${1:-}" = "--keep" ]; then keep="${2:?--keep FILE}"; fi
npm run prebuild
tarball=$(npm pack --silent | tail -n 1)
dir=$(mktemp -d)
trap 'rm -rf "$dir" "$tarball"' EXIT
listing="$(tar -tzf "$tarball")"  # (not piped into grep -q: tar's SIGPIPE would fail the pipeline)
grep -qx 'package/prebuilds/linux-x64/h5swmr.node.json' <<<"$listing" || {
  echo "check-package: the tarball has no record of the libraries its prebuild needs" >&2
  exit 1
}
(cd "$dir" && npm init -y >/dev/null && npm install --foreground-scripts "$OLDPWD/$tarball" 2>&1 | tee install.log)
grep -q "using the addon found by node-gyp-build (.*prebuilds/linux-x64/" "$dir/install.log" || {
  echo "check-package: the installed package did not use its prebuild" >&2
  exit 1
}
(cd "$dir" && node -e "
  const h5 = require('h5swmr')
  const info = h5.File.libraryInfo()
  console.log('check-package: loaded h5swmr from the tarball, libhdf5', info.version)
" && node --input-type=module -e "
  import { File } from 'h5swmr'
  import { followScan } from 'h5swmr/nexus'
  import { startView } from 'h5swmr/view'
  import { simulateScan } from 'h5swmr/simulate'
  if (![File, followScan, startView, simulateScan].every((x) => typeof x === 'function')) process.exit(1)
  console.log('check-package: the entry points import as ES modules too')
")
if [ -n "$keep" ]; then
  mkdir -p "$(dirname "$keep")"
  cp "$tarball" "$keep"
  echo "check-package: kept the tarball as $keep"
fi
