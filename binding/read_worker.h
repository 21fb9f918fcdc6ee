// readAsync: one Napi::AsyncWorker per read, on the libuv pool. The worker keeps the target typed
// array alive; HDF5 writes straight into its V8 backing store.
#pragma once
#include <napi.h>

#include <memory>

#include "handle.h"
#include "selection.h"

namespace h5swmr {

Napi::Promise QueueRead(Napi::Env env, std::shared_ptr<DatasetState> ds, Selection sel, Napi::TypedArray target);

}  // namespace h5swmr
