// The read engine: one read of a selection of a dataset into a caller's buffer, whichever path it
// takes (the direct-chunk path of chunk_reader.h, or H5Dread), for the sync call (dataset.cc) and the
// pool's async tasks (read_worker.cc) alike. No N-API here beyond the typed-array kind of the target.
#pragma once
#include <js_native_api_types.h>  // napi_typedarray_type only

#include <string>

#include "read/chunk_reader.h"
#include "hdf5/handle.h"
#include "hdf5/selection.h"

namespace h5swmr {

// The caller's typed array: where it is, its size, what kind (checked against the dataset's type).
struct BufferView {
  void* data = nullptr;
  size_t bytes = 0;
  size_t length = 0;
  napi_typedarray_type type{};
};

// One read, as JS asked for it: readInto(selection, typedArray, options).
struct ReadRequest {
  Selection sel;
  BufferView view;
  bool raw = false;          // options.raw: the stored bytes of each element, into a Uint8Array
  bool allowDirect = true;   // options.path === 'hdf5' turns the direct-chunk path off
};

// Call without the lock (it takes it, and releases it to decode). The request's buffer must stay
// alive and unmoved for the call (V8 backing stores do not move).
ReadPath ReadSelection(DatasetState& ds, const ReadRequest& req);

// After a failed H5Dread of `sel` (under the lock): the failure, with the filter or chunk to blame.
[[noreturn]] void ThrowReadFailure(DatasetState& ds, const Selection& sel);

// The HDF5 plugin path as HDF5 searches it, ':'-separated (for error messages).
std::string PluginPath();

}  // namespace h5swmr
