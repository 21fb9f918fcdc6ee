// readAsync: each read is one task on the decode pool (read_worker.cc). The task takes the HDF5 lock
// only for metadata and stored chunk bytes, decodes outside it, and hands the result back to the JS
// thread through the environment's thread-safe function, which settles the promise.
#pragma once
#include <napi.h>

#include <condition_variable>
#include <memory>
#include <mutex>

#include "hdf5/handle.h"
#include "read/read_engine.h"
#include "read/value_read.h"

namespace h5swmr {

struct AsyncRead;
void SettleRead(Napi::Env env, Napi::Function, void*, AsyncRead* read);

// Per environment (main thread, each worker_thread): the way back to the JS thread, and a count of
// reads still running on the pool, which environment teardown waits for (they write into V8 memory).
class ReadCompletions {
 public:
  // At module init, before the environment's cleanup hook is added (see addon.cc).
  explicit ReadCompletions(Napi::Env env);
  void WaitForRunningReads();

 private:
  friend struct AsyncRead;
  friend Napi::Promise Queue(Napi::Env, AsyncRead*);
  friend void SettleRead(Napi::Env, Napi::Function, void*, AsyncRead*);

  using Tsfn = Napi::TypedThreadSafeFunction<void, AsyncRead, SettleRead>;
  Tsfn tsfn_;
  size_t pending_ = 0;  // JS thread: reads not yet settled; the loop stays alive while > 0
  std::mutex mutex_;
  std::condition_variable idle_;
  size_t running_ = 0;  // reads on the pool
};

Napi::Promise QueueRead(Napi::Env env, std::shared_ptr<DatasetState> ds, ReadRequest req, Napi::TypedArray target);

// A value read (read/value_read.h) on the pool; the promise resolves with api/values.h's ValuesToJs.
Napi::Promise QueueValueRead(Napi::Env env, std::shared_ptr<DatasetState> ds, Selection sel, const std::vector<std::string>* fields);

}  // namespace h5swmr
