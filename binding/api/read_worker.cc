#include "api/read_worker.h"

#include "api/env_data.h"
#include "api/js_error.h"
#include "read/pool.h"

namespace h5swmr {

struct AsyncRead {
  std::shared_ptr<DatasetState> ds;
  ReadRequest req;
  Napi::Promise::Deferred deferred;
  Napi::ObjectReference target;  // keeps the typed array (and its memory) alive
  std::unique_ptr<H5Failure> failure;
  std::shared_ptr<ReadCompletions> completions;

  AsyncRead(Napi::Env env, std::shared_ptr<DatasetState> ds, ReadRequest req, Napi::TypedArray array,
            std::shared_ptr<ReadCompletions> completions)
      : ds(std::move(ds)),
        req(std::move(req)),
        deferred(Napi::Promise::Deferred::New(env)),
        target(Napi::Persistent(array.As<Napi::Object>())),
        completions(std::move(completions)) {}

  // On a pool thread.
  void Run() {
    try {
      ReadSelection(*ds, req);
    } catch (const H5Failure& f) {
      failure = std::make_unique<H5Failure>(f);
    } catch (const std::bad_alloc&) {
      failure = std::make_unique<H5Failure>("H5_ERROR", "Out of memory reading '" + ds->path + "'");
    } catch (const std::exception& e) {
      failure = std::make_unique<H5Failure>("H5_ERROR", "Cannot read '" + ds->path + "': " + e.what());
    }
    std::shared_ptr<ReadCompletions> c = completions;
    if (c->tsfn_.NonBlockingCall(this) != napi_ok) {
      // The environment is going away: no JS thread to settle on. Its references die with it.
      target.SuppressDestruct();
    }
    std::lock_guard<std::mutex> lock(c->mutex_);
    if (--c->running_ == 0) c->idle_.notify_all();
  }
};

ReadCompletions::ReadCompletions(Napi::Env env) {
  tsfn_ = Tsfn::New(env, "h5swmr:read", 0, 1, nullptr);
  tsfn_.Unref(env);  // only pending reads keep the event loop alive
}

void ReadCompletions::WaitForRunningReads() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [&] { return running_ == 0; });
}

// On the JS thread (env null when the environment is being torn down).
void SettleRead(Napi::Env env, Napi::Function, void*, AsyncRead* read) {
  std::unique_ptr<AsyncRead> owned(read);
  if (env == nullptr) {
    read->target.SuppressDestruct();
    return;
  }
  FinishAsync(read->ds);
  ReadCompletions& c = *read->completions;
  if (--c.pending_ == 0) c.tsfn_.Unref(env);
  try {
    if (read->failure) {
      read->deferred.Reject(MakeJsError(env, *read->failure));
    } else {
      read->deferred.Resolve(read->target.Value());
    }
  } catch (const Napi::Error&) {
    // The environment stopped running JS (worker.terminate()): nobody is left to tell.
  }
}

Napi::Promise QueueRead(Napi::Env env, std::shared_ptr<DatasetState> ds, ReadRequest req, Napi::TypedArray target) {
  std::shared_ptr<ReadCompletions> completions = GetAddonData(env)->completions;
  auto* read = new AsyncRead(env, std::move(ds), std::move(req), target, completions);
  Napi::Promise promise = read->deferred.Promise();
  BeginAsync(read->ds);
  if (completions->pending_++ == 0) completions->tsfn_.Ref(env);
  {
    std::lock_guard<std::mutex> lock(completions->mutex_);
    completions->running_++;
  }
  DecodePool::Get().Submit([read]() { read->Run(); });
  return promise;
}

}  // namespace h5swmr
