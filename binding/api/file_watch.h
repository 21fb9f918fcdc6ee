// NativeFileWatch: watch/inotify.h for JS (the synchronous followers' wake on write).
#pragma once
#include <napi.h>

namespace h5swmr {

Napi::Function DefineFileWatch(Napi::Env env);

}  // namespace h5swmr
