#include "api/read_worker.h"

#include "api/env_data.h"
#include "api/js_error.h"
#include "api/values.h"
#include "read/pool.h"

namespace h5swmr {

struct AsyncRead {
  std::shared_ptr<DatasetState> ds;
  ReadRequest req;
  Napi::Promise::Deferred deferred;
  Napi::ObjectReference target;  // keeps the typed array (and its memory) alive
  // A value read instead (strings, compounds, ...): what to read, and what was read.
  bool valueRead = false;
  std::vector<std::string> fields;
  bool someFields = false;
  std::unique_ptr<ValueBuffer> values;
  std::unique_ptr<H5Failure> failure;
  std::shared_ptr<ReadCompletions> completions;

  AsyncRead(Napi::Env env, std::shared_ptr<DatasetState> ds, ReadRequest req, Napi::TypedArray array,
            std::shared_ptr<ReadCompletions> completions)
      : ds(std::move(ds)),
        req(std::move(req)),
        deferred(Napi::Promise::Deferred::New(env)),
        target(Napi::Persistent(array.As<Napi::Object>())),
        completions(std::move(completions)) {}

  AsyncRead(Napi::Env env, std::shared_ptr<DatasetState> ds, Selection sel, const std::vector<std::string>* fields,
            std::shared_ptr<ReadCompletions> completions)
      : ds(std::move(ds)),
        deferred(Napi::Promise::Deferred::New(env)),
        valueRead(true),
        fields(fields ? *fields : std::vector<std::string>{}),
        someFields(fields != nullptr),
        completions(std::move(completions)) {
    req.sel = std::move(sel);
  }

  // On a pool thread.
  void Run() {
    try {
      if (valueRead) values = ReadDatasetValues(ds, req.sel, someFields ? &fields : nullptr);
      else ReadSelection(*ds, req);
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
      if (!target.IsEmpty()) target.SuppressDestruct();
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
    if (!read->target.IsEmpty()) read->target.SuppressDestruct();
    return;
  }
  FinishAsync(read->ds);
  ReadCompletions& c = *read->completions;
  if (--c.pending_ == 0) c.tsfn_.Unref(env);
  try {
    if (read->failure) {
      read->deferred.Reject(MakeJsError(env, *read->failure));
    } else if (read->valueRead) {
      read->deferred.Resolve(ValuesToJs(env, *read->values, false));
    } else {
      read->deferred.Resolve(read->target.Value());
    }
  } catch (const Napi::Error&) {
    // The environment stopped running JS (worker.terminate()): nobody is left to tell.
  }
}

// Queue one read on the pool (the JS thread's bookkeeping first).
Napi::Promise Queue(Napi::Env env, AsyncRead* read) {
  std::shared_ptr<ReadCompletions> completions = read->completions;
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

Napi::Promise QueueRead(Napi::Env env, std::shared_ptr<DatasetState> ds, ReadRequest req, Napi::TypedArray target) {
  return Queue(env, new AsyncRead(env, std::move(ds), std::move(req), target, GetAddonData(env)->completions));
}

Napi::Promise QueueValueRead(Napi::Env env, std::shared_ptr<DatasetState> ds, Selection sel, const std::vector<std::string>* fields) {
  return Queue(env, new AsyncRead(env, std::move(ds), std::move(sel), fields, GetAddonData(env)->completions));
}

}  // namespace h5swmr
