// Wake on write: an inotify watch on a file the writer writes, for the synchronous followers (the
// asynchronous ones use Node's fs.watch, which is the same inotify inside libuv's event loop).
#pragma once
#include <napi.h>

namespace h5swmr {

Napi::Function DefineFileWatch(Napi::Env env);

}  // namespace h5swmr
