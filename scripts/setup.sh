#!/usr/bin/env bash
# Installs the system packages h5swmr needs on Debian/Ubuntu: a C++ toolchain, cmake and pkg-config
# to build the addon, libhdf5 (headers + library) to build and run it, liblz4 and libdeflate for the
# chunk decoders, and Python's h5py (Debian's python3-h5py) for the interoperability tests and
# benchmarks, with the HDF5 filter plugins other software writes with (bitshuffle, which pulls in
# OpenMPI, LZ4, blosc, and hdf5plugin's Python classes). Idempotent; uses sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config   # build the addon
  libhdf5-dev hdf5-tools             # libhdf5 1.10 (serial, thread-safe on Debian) + h5dump/h5clear
  liblz4-dev libdeflate-dev          # decoders: LZ4 blocks (bitshuffle-LZ4, HDF5-LZ4), deflate
  libzstd-dev libblosc-dev           # decoders: zstd (32015, bitshuffle-zstd), blosc (32001)
  python3 python3-h5py python3-numpy # the reference reader/writer for tests and benchmarks
  chromium                           # the browser test of `h5swmr view` (driven by playwright-core)
  bitshuffle hdf5-filter-plugin      # filters 32008 and 32004 for h5py (the tests compare against them)
  python3-hdf5plugin hdf5-filter-plugin-blosc-serial  # hdf5plugin's classes and the blosc plugin (32001) for h5py
  python3-zstandard                  # the zstd library from Python: the reference for our zstd (32015) chunks
)

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup.sh: no apt-get here. Install cmake, a C++17 compiler, pkg-config and libhdf5 with headers" >&2
  echo "  (Fedora: dnf install cmake gcc-c++ hdf5-devel; macOS: brew install cmake hdf5; conda: conda install -c conda-forge hdf5 cmake)," >&2
  echo "  then run: npm install" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: system packages already installed"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup.sh: installing ${missing[*]}"
  log="$(mktemp)"
  # apt's progress goes to a log (hundreds of lines); shown whole if the install fails.
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "setup.sh: apt-get install failed (above)" >&2
    exit 1
  fi
  rm -f "$log"
fi

node -e 'const [maj, min] = process.versions.node.split(".").map(Number); if (maj < 20 || (maj === 20 && min < 17)) { console.error("setup.sh: Node >= 20.17 is needed, this is " + process.version); process.exit(1) }'
echo "setup.sh: ok (libhdf5 $(pkg-config --modversion hdf5), node $(node --version))"
