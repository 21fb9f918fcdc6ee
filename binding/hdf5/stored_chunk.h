// A chunk's stored bytes, as the file holds them (no filters run), on every libhdf5 we support.
#pragma once
#include <hdf5.h>

#include <cstdint>

namespace h5swmr {

// H5Dread_chunk on every libhdf5: `size` bytes of the stored chunk at `offset` into `into` (HDF5 2.0's
// H5Dread_chunk2, which takes the buffer size, where there is one). Under the lock.
herr_t ReadStoredChunk(hid_t dataset, const hsize_t* offset, uint32_t* mask, void* into, hsize_t size);

}  // namespace h5swmr
