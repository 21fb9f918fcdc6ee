// Values of any type h5py reads (value_type.h): a selection of a dataset, or an attribute, read by
// H5Dread/H5Aread into memory of ours in the type's memory layout. What HDF5 allocates inside
// (variable-length data, references) is HDF5's to free: the buffer reclaims it when it goes.
#pragma once
#include <hdf5.h>

#include <memory>
#include <string>
#include <vector>

#include "hdf5/handle.h"
#include "hdf5/selection.h"
#include "hdf5/value_type.h"
#include "read/scratch.h"

namespace h5swmr {

struct ValueBuffer {
  DescribedType described;
  ScratchBytes bytes;  // count * memSize (zeroed first where HDF5 allocates inside: a failed read frees nothing)
  hsize_t count = 0;
  bool scalar = false;          // a scalar dataspace (one value, not an array of one)
  bool empty = false;           // an H5S_NULL dataspace (h5py's Empty): no value at all
  std::unique_ptr<VlenArena> arena;       // where a dataset read's variable-length data lives
  std::vector<std::string> fields;        // a compound read whole for some of its members: those
  std::shared_ptr<DatasetState> dataset;  // keeps the dataset's ids (references resolve through it)
  hid_t location = H5I_INVALID_HID;       // an id in the file, for references
  // Set once H5Dread/H5Aread succeeded: only then is what HDF5 put inside its to reclaim. After a
  // failed conversion, HDF5 1.14 has already freed the references it made (reclaiming them again
  // crashed in free: CVE-2024-29158 and others); variable-length data goes with the arena anyway.
  bool filled = false;

  ValueBuffer() = default;
  ValueBuffer(const ValueBuffer&) = delete;
  ValueBuffer& operator=(const ValueBuffer&) = delete;
  ~ValueBuffer();  // takes the lock to reclaim
};

// A selection of a dataset (`fields`: only those members of a compound). Takes the lock.
std::unique_ptr<ValueBuffer> ReadDatasetValues(const std::shared_ptr<DatasetState>& ds, const Selection& sel,
                                               const std::vector<std::string>* fields);

// An open attribute, whole. Under the lock; `location` (an id in its file) must outlive the buffer.
std::unique_ptr<ValueBuffer> ReadAttributeValues(hid_t attr, hid_t location, const std::string& what);

}  // namespace h5swmr
