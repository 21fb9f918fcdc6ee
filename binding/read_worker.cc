#include "read_worker.h"

#include "dataset.h"
#include "errors.h"
#include "lock.h"

namespace h5swmr {

namespace {

class ReadWorker : public Napi::AsyncWorker {
 public:
  ReadWorker(Napi::Env env, std::shared_ptr<DatasetState> ds, Selection sel, Napi::TypedArray target)
      : Napi::AsyncWorker(env, "h5swmr:read"),
        deferred_(Napi::Promise::Deferred::New(env)),
        ds_(std::move(ds)),
        sel_(std::move(sel)),
        target_(Napi::Persistent(target.As<Napi::Object>())),
        view_(ViewOf(target)),
        failure_("", "") {
    BeginAsync(ds_);
  }

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      Hdf5Lock lock;
      ReadSelection(*ds_, sel_, view_.data, view_.bytes, view_.type);
    } catch (const H5Failure& failure) {
      failure_ = failure;
      SetError(failure.what());
    }
  }

  void OnOK() override {
    FinishAsync(ds_);
    deferred_.Resolve(target_.Value());
  }

  void OnError(const Napi::Error&) override {
    FinishAsync(ds_);
    deferred_.Reject(MakeJsError(Env(), failure_));
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<DatasetState> ds_;
  Selection sel_;
  Napi::ObjectReference target_;
  BufferView view_;
  H5Failure failure_;
};

}  // namespace

Napi::Promise QueueRead(Napi::Env env, std::shared_ptr<DatasetState> ds, Selection sel, Napi::TypedArray target) {
  auto* worker = new ReadWorker(env, std::move(ds), std::move(sel), target);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace h5swmr
