#!/usr/bin/env bash
# Runs test suites against an AddressSanitizer + UndefinedBehaviorSanitizer build of the addon
# (GCC's runtimes preloaded into node, since node itself is not instrumented; typed-array memory
# comes from malloc, so reads and writes past a frame are caught). The normal build is put back
# afterwards. Usage: bash scripts/sanitize.sh [jest args, default: test/decode test/core]
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- test/decode test/core
ASAN_LIB=$(gcc -print-file-name=libasan.so)
UBSAN_LIB=$(gcc -print-file-name=libubsan.so)
npx cmake-js compile -O build-sanitize --CDH5SWMR_SANITIZE=address,undefined >/dev/null
mkdir -p build/Release
[ -f build/Release/h5swmr.node ] && cp build/Release/h5swmr.node build/h5swmr.node.normal
trap '[ -f build/h5swmr.node.normal ] && mv build/h5swmr.node.normal build/Release/h5swmr.node || npx cmake-js compile >/dev/null' EXIT
cp build-sanitize/Release/h5swmr.node build/Release/h5swmr.node
LD_PRELOAD="$ASAN_LIB $UBSAN_LIB" \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  node node_modules/.bin/jest --runInBand "$@"
