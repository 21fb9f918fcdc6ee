// HDF5 filter 32008 (bitshuffle, optionally with LZ4) for H5Dread and H5Dwrite: see the .cc.
#pragma once

namespace h5swmr {

// Once per process, under the HDF5 lock: make 32008 available. Returns where it comes from:
// "plugin" (found on the HDF5 plugin path), "builtin" (ours, registered now) or "unavailable".
const char* EnsureBitshuffleFilter();

}  // namespace h5swmr
