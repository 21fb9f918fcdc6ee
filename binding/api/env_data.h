// Per-environment state of the N-API classes (the main thread and each worker_thread has its own).
#pragma once
#include <napi.h>
#include <memory>
#include <vector>

namespace h5swmr {

struct FileState;
class ReadCompletions;

struct AddonData {
  Napi::FunctionReference errorClass;      // H5Error, registered by lib/core/native.ts
  Napi::FunctionReference datasetClass;    // NativeDataset constructor
  std::vector<std::weak_ptr<FileState>> files;  // everything this env opened, closed at env exit
  std::shared_ptr<ReadCompletions> completions;  // async reads settle through this (read_worker.h)
};

inline AddonData* GetAddonData(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

}  // namespace h5swmr
