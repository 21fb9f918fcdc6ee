#include "read/read_engine.h"

#include <vector>

#include "hdf5/errors.h"
#include "hdf5/lock.h"
#include "hdf5/properties.h"

namespace h5swmr {

std::string PluginPath() {
  std::string out;
  unsigned n = 0;
  if (H5PLsize(&n) < 0) return out;
  for (unsigned i = 0; i < n; i++) {
    char buf[4096] = {0};
    if (H5PLget(i, buf, sizeof buf) < 0) continue;
    out += (out.empty() ? "" : ":") + std::string(buf);
  }
  return out;
}

// A failed H5Dread: if a filter cannot be loaded, say which one and where plugins were looked for.
void ThrowReadFailure(DatasetState& ds, const Selection& sel) {
  H5Failure failure = Hdf5Failure("Cannot read '" + ds.path + "' in '" + ds.file->path + "'", "H5_READ_FAILED");
  ScopedId dcpl(H5Dget_create_plist(ds.id), H5Pclose);
  // A filter whose format we know, in a mode we do not decode (an unknown bitshuffle compression, a
  // blosc codec), and HDF5's filter failed too: the truth is "cannot decode", not "corrupt".
  bool ourCorruptWording = false;
  for (const StackFrame& frame : failure.stack)
    if (frame.description.find("corrupt chunk") != std::string::npos) ourCorruptWording = true;
  for (const auto& step : ds.layout ? ds.layout->filters : std::vector<decode::FilterStep>{}) {
    std::string mode = decode::UnsupportedFilterMode(step);
    if (mode.empty() || ourCorruptWording) continue;
    std::string message = "Cannot read '" + ds.path + "': " + mode + ", and HDF5's filter failed too; HDF5 plugin path searched: '" +
                          PluginPath() + "' (a plugin there that decodes this mode would be used)\n" + failure.what();
    H5Eclear2(H5E_DEFAULT);
    throw H5Failure("H5_FILTER_UNAVAILABLE", message, failure.stack);
  }
  if (failure.code == "H5_CORRUPT_CHUNK" && dcpl.valid() && H5Pget_layout(dcpl) == H5D_CHUNKED && !sel.all) {
    // Name the chunk (the first one the selection touches) so the damage can be located.
    std::vector<hsize_t> chunk(sel.start.size());
    H5Pget_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    std::string at;
    for (size_t d = 0; d < chunk.size(); d++) at += (d ? ", " : "") + std::to_string(sel.start[d] / (chunk[d] ? chunk[d] : 1));
    std::string message = "Cannot read '" + ds.path + "' in '" + ds.file->path + "': corrupt compressed chunk [" + at +
                          "] (the filter failed to decode it)\n" + failure.what();
    H5Eclear2(H5E_DEFAULT);
    throw H5Failure("H5_CORRUPT_CHUNK", message, failure.stack);
  }
  std::string missing = dcpl.valid() ? FilterList(dcpl, true) : "";
  if (!missing.empty()) {
    std::string message = "Cannot read '" + ds.path + "': HDF5 filter " + missing +
                          " is not available; HDF5 plugin path searched: '" + PluginPath() +
                          "' (set HDF5_PLUGIN_PATH to the folder holding the filter plugin)\n" +
                          failure.what();
    H5Eclear2(H5E_DEFAULT);
    throw H5Failure("H5_FILTER_UNAVAILABLE", message, failure.stack);
  }
  throw failure;
}

ReadPath ReadSelection(DatasetState& ds, const ReadRequest& req) {
  const Selection& sel = req.sel;
  const ReadTarget target{req.view.data, req.view.bytes, req.raw};
  FetchedChunks fetched;
  size_t batchEnd = 0;
  {
    Hdf5Lock lock;
    if (ds.released) Fail("H5_CLOSED", "The dataset '" + ds.path + "' is closed");
    hid_t memType;
    size_t elemSize;
    if (req.raw) {
      if (req.view.type != napi_uint8_array)
        Fail("H5_BAD_BUFFER", std::string("Raw reads of '") + ds.path + "' fill a Uint8Array, not a " +
                                  ArrayTypeName(req.view.type));
      memType = ds.fileType;
      elemSize = ds.layout->storedElemSize;
    } else {
      if (!ds.type.supported || ds.memType < 0)
        Fail("H5_UNSUPPORTED_TYPE", "Cannot read '" + ds.path + "': datatype '" + ds.type.dtype +
                                        "' is not supported (integers, floats, bool and enums are)");
      if (req.view.type != ds.type.arrayType &&
          !(req.view.type == napi_uint8_clamped_array && ds.type.arrayType == napi_uint8_array))
        Fail("H5_BAD_BUFFER", std::string("Cannot read '") + ds.path + "' (" + ds.type.dtype + ") into a " +
                                  ArrayTypeName(req.view.type) + ": use a " + ArrayTypeName(ds.type.arrayType));
      memType = ds.memType;
      elemSize = ds.type.memSize;
    }
    ScopedId fileSpace = DataspaceOf(ds.id, ds.path);
    std::vector<hsize_t> dims = Extent(fileSpace);
    ApplySelection(sel, fileSpace, dims);
    hsize_t n = SelectionSize(sel, dims);
    if (req.view.bytes != n * elemSize)
      Fail("H5_BAD_BUFFER", "Buffer holds " + std::to_string(req.view.bytes / elemSize) + " elements but the selection of '" +
                                ds.path + "' has " + std::to_string(n));
    if (n == 0) return ReadPath::Hdf5;
    bool direct = req.allowDirect && WhyNotDirect(*ds.layout, sel, dims, req.raw).empty() &&
                  PlanChunks(ds, sel, dims, &fetched);
    if (!direct) {
      ScopedId memSpace(MemorySpace(sel, dims), H5Sclose);
      if (H5Dread(ds.id, memType, memSpace, fileSpace, H5P_DEFAULT, req.view.data) < 0) ThrowReadFailure(ds, sel);
      ds.hdf5Reads++;
      return ReadPath::Hdf5;
    }
    batchEnd = FetchChunks(ds, target, fetched, 0);
  }
  // Outside the lock: other reads fetch their chunks meanwhile. Big reads go a batch at a time.
  DecodeChunks(fetched, target, 0, batchEnd);
  while (batchEnd < fetched.offsets.size()) {
    const size_t from = batchEnd;
    {
      Hdf5Lock lock;
      if (ds.released) Fail("H5_CLOSED", "The dataset '" + ds.path + "' is closed");
      batchEnd = FetchChunks(ds, target, fetched, from);
    }
    DecodeChunks(fetched, target, from, batchEnd);
  }
  ds.directReads++;
  for (const DeferredRead& d : fetched.deferred)
    if (d.pending()) ds.chunksReadOutsideLock++;
  return ReadPath::Direct;
}

}  // namespace h5swmr
