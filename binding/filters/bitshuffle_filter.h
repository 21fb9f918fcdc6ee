// HDF5 filter 32008 (bitshuffle, optionally with LZ4) for H5Dread and H5Dwrite: see the .cc.
#pragma once

namespace h5swmr {

// Once per process, under the HDF5 lock: make 32008 available. Returns where it comes from:
// "plugin" (found on the HDF5 plugin path), "builtin" (ours, registered now) or "unavailable".
const char* EnsureBitshuffleFilter();

// Make sure H5Dread and H5Dwrite handle bitshuffle-zstd (32008 with compression 3): true at once
// with our filter; with a plugin, probed once (in a memory-only file), and a plugin that cannot do
// zstd is replaced by ours in this process (then EnsureBitshuffleFilter says "builtin"). Called when
// a bitshuffle-zstd dataset is opened or created, so other files keep the plugin. Under the lock.
bool EnsureBitshuffleZstd();

}  // namespace h5swmr
