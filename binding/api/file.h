// NativeFile: an open HDF5 file (read, SWMR read, write, SWMR write) and path-based operations on
// the groups, links and attributes inside it.
#pragma once
#include <napi.h>

#include "api/js_error.h"

#include <memory>

#include "hdf5/handle.h"

namespace h5swmr {

class NativeFile : public Napi::ObjectWrap<NativeFile> {
 public:
  H5SWMR_ENTRY(NativeFile)
  static Napi::Function Define(Napi::Env env);
  // new NativeFile(path, mode: 'r'|'a'|'w'|'x', options)
  explicit NativeFile(const Napi::CallbackInfo& info);
  ~NativeFile() override;

  // The open state, or H5_CLOSED. Call on the JS thread.
  std::shared_ptr<FileState> Open(Napi::Env env) const;

 private:
  void Init(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetInfo(const Napi::CallbackInfo& info);
  Napi::Value StartSwmrWrite(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value OpenDataset(const Napi::CallbackInfo& info);
  Napi::Value RetryInfo(const Napi::CallbackInfo& info);
  Napi::Value MetadataCacheInfo(const Napi::CallbackInfo& info);
  // group.cc
  Napi::Value List(const Napi::CallbackInfo& info);
  Napi::Value ObjectType(const Napi::CallbackInfo& info);
  Napi::Value ObjectKeyAt(const Napi::CallbackInfo& info);
  Napi::Value Visit(const Napi::CallbackInfo& info);
  Napi::Value CreateGroup(const Napi::CallbackInfo& info);
  // attrs.cc
  Napi::Value ReadAttrs(const Napi::CallbackInfo& info);
  Napi::Value WriteAttr(const Napi::CallbackInfo& info);
  Napi::Value WriteAttrValues(const Napi::CallbackInfo& info);
  // write.cc
  Napi::Value CreateDataset(const Napi::CallbackInfo& info);
  Napi::Value CreateVirtualDataset(const Napi::CallbackInfo& info);

  std::shared_ptr<FileState> state_;
};

}  // namespace h5swmr
