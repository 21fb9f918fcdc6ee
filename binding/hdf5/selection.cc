#include "hdf5/selection.h"

#include <string>

#include "hdf5/errors.h"

namespace h5swmr {

std::string JoinDims(const std::vector<hsize_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

hsize_t SelectionSize(const Selection& sel, const std::vector<hsize_t>& dims) {
  hsize_t n = 1;
  for (hsize_t d : sel.all ? dims : sel.count) n *= d;
  return n;
}

void ApplySelection(const Selection& sel, hid_t space, const std::vector<hsize_t>& dims) {
  if (sel.all) {
    H5Sselect_all(space);
    return;
  }
  if (sel.start.size() != dims.size())
    Fail("H5_BAD_SELECTION", "selection has " + std::to_string(sel.start.size()) +
                                 " dimensions but the dataset has " + std::to_string(dims.size()) +
                                 " (shape " + JoinDims(dims) + ")");
  for (size_t i = 0; i < dims.size(); i++) {
    if (sel.count[i] == 0) continue;
    hsize_t last = sel.start[i] + (sel.count[i] - 1) * sel.step[i];
    if (last >= dims[i])
      Fail("H5_BAD_SELECTION", "selection start " + JoinDims(sel.start) + " count " + JoinDims(sel.count) +
                                   " step " + JoinDims(sel.step) + " reaches past the extent " +
                                   JoinDims(dims) + " in dimension " + std::to_string(i));
  }
  if (dims.empty()) {
    H5Sselect_all(space);
    return;
  }
  if (SelectionSize(sel, dims) == 0) {
    H5Sselect_none(space);
    return;
  }
  if (H5Sselect_hyperslab(space, H5S_SELECT_SET, sel.start.data(), sel.step.data(), sel.count.data(),
                          nullptr) < 0)
    ThrowHdf5("Cannot select hyperslab", "H5_BAD_SELECTION");
}

hid_t MemorySpace(const Selection& sel, const std::vector<hsize_t>& dims) {
  const std::vector<hsize_t>& shape = sel.all ? dims : sel.count;
  if (shape.empty()) return H5Screate(H5S_SCALAR);
  return H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr);
}

std::vector<hsize_t> Extent(hid_t space) {
  int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(rank > 0 ? rank : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

ScopedId DataspaceOf(hid_t dataset, const std::string& path) {
  ScopedId space(H5Dget_space(dataset), H5Sclose);
  if (!space.valid()) ThrowHdf5("Cannot get the dataspace of '" + path + "'", "H5_ERROR");
  return space;
}

}  // namespace h5swmr
