// HDF5 filters 32015 (zstd) and 32001 (blosc) built in, like 32008 (bitshuffle_filter.h): for H5Dread
// fallbacks, other HDF5 users in the process and our writer, when no plugin provides them.
#pragma once

namespace h5swmr {

// Once per process, under the HDF5 lock. Each returns where the filter comes from: "plugin" (found
// on the HDF5 plugin path, which keeps precedence), "builtin" (ours, registered now) or "unavailable".
const char* EnsureZstdFilter();
const char* EnsureBloscFilter();

}  // namespace h5swmr
