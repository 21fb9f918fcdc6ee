// A hyperslab selection (start/count/step per dimension), checked against the extent.
#pragma once
#include <hdf5.h>

#include <string>
#include <vector>

#include "hdf5/handle.h"

namespace h5swmr {

struct Selection {
  bool all = true;  // the whole dataset
  std::vector<hsize_t> start, count, step;
};

// Number of elements the selection covers on a dataspace of these dims.
hsize_t SelectionSize(const Selection& sel, const std::vector<hsize_t>& dims);

// Select on `fileSpace` (dims = its current extent); H5_BAD_SELECTION if out of range or wrong rank.
void ApplySelection(const Selection& sel, hid_t fileSpace, const std::vector<hsize_t>& dims);

std::vector<hsize_t> Extent(hid_t space);

// "[3, 512, 512]", for messages.
std::string JoinDims(const std::vector<hsize_t>& v);

// A dataset's dataspace as it is now (query it again after every H5Drefresh: older ids are
// snapshots); H5_ERROR naming `path` when HDF5 cannot give it. Under the lock.
ScopedId DataspaceOf(hid_t dataset, const std::string& path);

// The memory dataspace for a selection: shaped like the selection (count per dimension), not flat.
// HDF5 only reads straight into the buffer when the two spaces have the same shape; a flat memory
// space of the same size makes it gather element runs (measured: 120 vs 24 000 frames/s).
hid_t MemorySpace(const Selection& sel, const std::vector<hsize_t>& dims);

}  // namespace h5swmr
