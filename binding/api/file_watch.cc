// NativeFileWatch(paths): wait(ms) blocks this thread until one of the files is written or ms pass;
// drain() says whether anything was written since the last call. The constructor fails where
// inotify cannot watch them (not Linux, out of instances or watches), and followers then poll.
#include "api/file_watch.h"

#include <cstring>
#include <string>
#include <vector>

#include "api/js_error.h"
#include "watch/inotify.h"

namespace h5swmr {

namespace {

class NativeFileWatch : public Napi::ObjectWrap<NativeFileWatch> {
 public:
  H5SWMR_ENTRY(NativeFileWatch)
  explicit NativeFileWatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeFileWatch>(info) {
    Guarded(info.Env(), [&]() { Init(info); });
  }

 private:
  void Init(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsArray())
      throw Napi::TypeError::New(env, "NativeFileWatch(paths: string[])");
    Napi::Array list = info[0].As<Napi::Array>();
    std::vector<std::string> paths;
    for (uint32_t i = 0; i < list.Length(); i++) {
      if (!list.Get(i).IsString()) throw Napi::TypeError::New(env, "NativeFileWatch(paths: string[])");
      paths.push_back(list.Get(i).As<Napi::String>());
    }
    std::string failed;
    if (int e = watch_.Open(paths, &failed))
      Fail(e == ENOENT ? "ENOENT" : "ERR_WATCH", "Cannot watch " + (failed.empty() ? std::string("files") : "'" + failed + "'") +
                                                     " for writes (inotify: " + std::strerror(e) + ")");
  }

 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeFileWatch",
                       {
                           InstanceMethod<&NativeFileWatch::Entry<&NativeFileWatch::Wait>>("wait"),
                           InstanceMethod<&NativeFileWatch::Entry<&NativeFileWatch::Drain>>("drain"),
                           InstanceMethod<&NativeFileWatch::Entry<&NativeFileWatch::Close>>("close"),
                       });
  }

 private:
  // wait(ms) -> true when the file was written (or renamed, deleted) before ms passed.
  Napi::Value Wait(const Napi::CallbackInfo& info) {
    double ms = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
    return Napi::Boolean::New(info.Env(), watch_.Wait(ms));
  }

  Napi::Value Drain(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), watch_.Drain()); }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    watch_.Close();
    return info.Env().Undefined();
  }

  InotifyWatch watch_;
};

}  // namespace

Napi::Function DefineFileWatch(Napi::Env env) { return NativeFileWatch::Define(env); }

}  // namespace h5swmr
