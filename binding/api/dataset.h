// NativeDataset: one long-lived dataset id. H5Drefresh must be called on the same id that is then
// read through (a second id reads stale data), so this object is opened once and kept.
#pragma once
#include <napi.h>

#include "api/js_error.h"

#include <memory>

#include "hdf5/handle.h"
#include "read/read_engine.h"
#include "hdf5/selection.h"

namespace h5swmr {

class NativeDataset : public Napi::ObjectWrap<NativeDataset> {
 public:
  H5SWMR_ENTRY(NativeDataset)
  static Napi::Function Define(Napi::Env env);
  explicit NativeDataset(const Napi::CallbackInfo& info);
  ~NativeDataset() override;

  // Wrap an open dataset state in a new JS object.
  static Napi::Object Wrap(Napi::Env env, std::shared_ptr<DatasetState> state);
  // Open `path` in `file` (under the lock) and register it with the file.
  static std::shared_ptr<DatasetState> OpenState(const std::shared_ptr<FileState>& file,
                                                 const std::string& path);

  std::shared_ptr<DatasetState> Open(Napi::Env env) const;

 private:
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetInfo(const Napi::CallbackInfo& info);
  Napi::Value GetShape(const Napi::CallbackInfo& info);
  Napi::Value Refresh(const Napi::CallbackInfo& info);
  Napi::Value ReadInto(const Napi::CallbackInfo& info);
  Napi::Value ReadIntoAsync(const Napi::CallbackInfo& info);
  Napi::Value ReadPlan(const Napi::CallbackInfo& info);
  Napi::Value ReadStats(const Napi::CallbackInfo& info);
  Napi::Value ChunkCache(const Napi::CallbackInfo& info);
  Napi::Value ReadAttrs(const Napi::CallbackInfo& info);
  Napi::Value GetValueType(const Napi::CallbackInfo& info);
  Napi::Value ReadValues(const Napi::CallbackInfo& info);
  Napi::Value ReadValuesAsync(const Napi::CallbackInfo& info);
  // virtual.cc
  Napi::Value VirtualMapping(const Napi::CallbackInfo& info);
  Napi::Value FileDescriptor(const Napi::CallbackInfo& info);
  // write.cc
  Napi::Value Extend(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value WriteValues(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);

  std::shared_ptr<DatasetState> state_;
};

// JS: null | { start: number[], count: number[], step?: number[] }. Shape checks happen later.
Selection ParseSelection(const Napi::Value& value);

// A JS typed array's memory and kind (H5_BAD_BUFFER if it is not a typed array).
BufferView ViewOf(const Napi::Value& value);

// Parse (selection, typedArray, options?) on the JS thread; H5Failure when malformed. The read
// itself is read_engine.h's ReadSelection.
ReadRequest ParseReadRequest(const Napi::Value& selection, const Napi::Value& target, const Napi::Value& options);

Napi::Array DimsToJs(Napi::Env env, const std::vector<hsize_t>& dims);

}  // namespace h5swmr
