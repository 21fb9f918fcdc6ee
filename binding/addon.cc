// Module init: registers the native classes, per-environment data, and the module functions.
#include <napi.h>

#include "api/env_data.h"
#include "filters/bitshuffle_filter.h"
#include "filters/codec_filters.h"
#include "api/dataset.h"
#include "decode/bitshuffle.h"
#include "decode/deflate.h"
#include "api/js_error.h"
#include "hdf5/errors.h"
#include "api/file.h"
#include "hdf5/lock.h"
#include "read/memory.h"
#include "read/pool.h"
#include "api/read_worker.h"
#include "api/file_watch.h"

namespace h5swmr {

std::recursive_mutex& Hdf5Mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

Napi::Object DecodeTestingExports(Napi::Env env);  // decode_testing.cc

namespace {

// Runs when the environment (main thread or a worker_thread) goes away: close what it left open.
void FinalizeAddonData(Napi::Env, AddonData* data) {
  {
    Hdf5Lock lock;
    for (auto& weak : data->files) {
      if (auto file = weak.lock()) Release(*file);
    }
  }
  delete data;
}

// Environment teardown: reads still running on the decode pool write into this environment's
// typed arrays, so wait for them before V8 lets go of anything.
void WaitForReads(void* completions) { static_cast<ReadCompletions*>(completions)->WaitForRunningReads(); }

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  GetAddonData(info.Env())->errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// Open HDF5 ids of every kind in the whole process (files, groups, datasets, types, attributes).
Napi::Value OpenObjectCount(const Napi::CallbackInfo& info) {
  Hdf5Lock lock;
  return Napi::Number::New(info.Env(), static_cast<double>(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL)));
}

Napi::Value LibraryInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Hdf5Lock lock;
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  hbool_t threadsafe = 0;
  H5is_library_threadsafe(&threadsafe);
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel));
  o.Set("headerVersion", H5_VERS_INFO);
  o.Set("threadsafe", threadsafe != 0);
  o.Set("fileLockingOption", H5_VERSION_GE(1, 10, 7) ? true : false);
  o.Set("bitshuffleFilter", EnsureBitshuffleFilter());
  o.Set("zstdFilter", EnsureZstdFilter());
  o.Set("bloscFilter", EnsureBloscFilter());
  o.Set("bitshuffleKernel", bitshuffle::Name(bitshuffle::Active()));
  o.Set("inflate", decode::InflateLibrary());
  o.Set("decodeThreads", static_cast<double>(DecodePool::Get().Threads()));
  MallocTuning tuning = TuneMallocForFrames();
  Napi::Object memory = Napi::Object::New(env);
  memory.Set("tuned", tuning.tuned);
  if (tuning.tuned) {
    memory.Set("mmapThreshold", static_cast<double>(tuning.mmapThreshold));
    memory.Set("trimThreshold", static_cast<double>(tuning.trimThreshold));
  } else {
    memory.Set("reason", tuning.reason);
  }
  o.Set("frameMemory", memory);
  return o;
}

Napi::Value DecodeThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(DecodePool::Get().Threads()));
}

Napi::Value SetDecodeThreads(const Napi::CallbackInfo& info) {
  double n = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
  if (!(n >= 1 && n <= 256) || n != static_cast<double>(static_cast<size_t>(n)))
    throw Napi::RangeError::New(info.Env(), "decode threads must be an integer from 1 to 256");
  DecodePool::Get().SetThreads(static_cast<size_t>(n));
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  TuneMallocForFrames();
  {
    Hdf5Lock lock;
    H5open();
    EnsureBitshuffleFilter();
    EnsureZstdFilter();
    EnsureBloscFilter();
  }
  auto* data = new AddonData();
  env.SetInstanceData<AddonData, FinalizeAddonData>(data);
  // The thread-safe function first, then our hook: hooks run in reverse order, so ours waits for
  // running reads before node tears the thread-safe function down.
  data->completions = std::make_shared<ReadCompletions>(env);
  napi_add_env_cleanup_hook(env, WaitForReads, data->completions.get());
  Napi::Function datasetClass = NativeDataset::Define(env);
  data->datasetClass = Napi::Persistent(datasetClass);
  exports.Set("NativeFile", NativeFile::Define(env));
  exports.Set("NativeDataset", datasetClass);
  exports.Set("NativeFileWatch", DefineFileWatch(env));
  exports.Set("setErrorClass", Napi::Function::New<Entry<SetErrorClass>>(env));
  exports.Set("openObjectCount", Napi::Function::New<Entry<OpenObjectCount>>(env));
  exports.Set("libraryInfo", Napi::Function::New<Entry<LibraryInfo>>(env));
  exports.Set("decodeThreads", Napi::Function::New<Entry<DecodeThreads>>(env));
  exports.Set("setDecodeThreads", Napi::Function::New<Entry<SetDecodeThreads>>(env));
  exports.Set("_testing", DecodeTestingExports(env));
  return exports;
}

}  // namespace

}  // namespace h5swmr

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return h5swmr::Init(env, exports); }

NODE_API_MODULE(h5swmr, InitAddon)
