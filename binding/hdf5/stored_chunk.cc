#include "hdf5/stored_chunk.h"

namespace h5swmr {

// One stored chunk's bytes into `into` (`size` bytes, from H5Dget_chunk_storage_size). HDF5 2.0 made
// H5Dread_chunk a macro for H5Dread_chunk2, which takes the buffer's size and, when the chunk no
// longer fits (a writer rewrote it since the lookup), reads nothing and returns the size it needs;
// before 2.0 there is only the unsized call (the reader driver checks the size it is asked to read).
herr_t ReadStoredChunk(hid_t dataset, const hsize_t* offset, uint32_t* mask, void* into, hsize_t size) {
#if H5_VERSION_GE(2, 0, 0)
  size_t room = static_cast<size_t>(size);
  herr_t status = H5Dread_chunk2(dataset, H5P_DEFAULT, offset, mask, into, &room);
  if (status >= 0 && room != size) {
    H5Epush2(H5E_DEFAULT, __FILE__, "ReadChunk", __LINE__, H5E_ERR_CLS, H5E_DATASET, H5E_READERROR,
             "chunk of %zu bytes does not fit the %llu bytes it had when looked up (rewritten meanwhile?)", room,
             static_cast<unsigned long long>(size));
    return -1;
  }
  return status;
#else
  return H5Dread_chunk(dataset, H5P_DEFAULT, offset, mask, into);
#endif
}

}  // namespace h5swmr
