// NativeFileWatch(paths): one inotify descriptor watching each file's inode (it stays on the file a
// follower has open when the path is renamed or replaced). wait(ms) blocks this thread until one of
// the files is written or ms pass; drain() says whether anything was written since the last call.
// Linux only: elsewhere (and when inotify is out of instances or watches) the constructor fails
// and followers poll.
#include "watch.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#ifdef __linux__
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>
#endif

#include "errors.h"

namespace h5swmr {

namespace {

class NativeFileWatch : public Napi::ObjectWrap<NativeFileWatch> {
 public:
  explicit NativeFileWatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeFileWatch>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsArray())
      throw Napi::TypeError::New(env, "NativeFileWatch(paths: string[])");
    Napi::Array list = info[0].As<Napi::Array>();
    std::vector<std::string> paths;
    for (uint32_t i = 0; i < list.Length(); i++) {
      if (!list.Get(i).IsString()) throw Napi::TypeError::New(env, "NativeFileWatch(paths: string[])");
      paths.push_back(list.Get(i).As<Napi::String>());
    }
#ifdef __linux__
    int e = 0;
    std::string failed;
    fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ < 0) e = errno;
    for (size_t i = 0; fd_ >= 0 && i < paths.size(); i++) {
      if (inotify_add_watch(fd_, paths[i].c_str(), IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF) < 0) {
        e = errno;
        failed = paths[i];
        CloseFd();
      }
    }
    if (fd_ < 0)
      Guarded(env, [&]() {
        Fail(e == ENOENT ? "ENOENT" : "ERR_WATCH", "Cannot watch " + (failed.empty() ? std::string("files") : "'" + failed + "'") +
                                                       " for writes (inotify: " + std::strerror(e) + ")");
      });
#else
    Guarded(env, [&]() { Fail("ERR_WATCH", "Cannot watch files for writes: no inotify on this system"); });
#endif
  }

  ~NativeFileWatch() override { CloseFd(); }

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeFileWatch",
                       {
                           InstanceMethod<&NativeFileWatch::Wait>("wait"),
                           InstanceMethod<&NativeFileWatch::Drain>("drain"),
                           InstanceMethod<&NativeFileWatch::Close>("close"),
                       });
  }

 private:
  // Reads every queued event; true if there was one.
  bool DrainEvents() {
#ifdef __linux__
    if (fd_ < 0) return false;
    alignas(inotify_event) char buf[4096];
    bool any = false;
    for (;;) {
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n > 0) {
        any = true;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      return any;  // EAGAIN: the queue is empty
    }
#else
    return false;
#endif
  }

  // wait(ms) -> true when the file was written (or renamed, deleted) before ms passed.
  Napi::Value Wait(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    double ms = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : 0;
    bool woken = false;
#ifdef __linux__
    if (fd_ >= 0) {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(static_cast<long long>(ms * 1000));
      for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left < 0) left = 0;
        pollfd p{fd_, POLLIN, 0};
        // poll's timeout is whole milliseconds: round up, so a sub-millisecond wait still waits.
        int r = poll(&p, 1, static_cast<int>((left + 999) / 1000));
        if (r > 0) {
          woken = DrainEvents();
          if (woken) break;
        }
        if (r < 0 && errno != EINTR) break;
        if (std::chrono::steady_clock::now() >= deadline) break;
      }
    }
#endif
    return Napi::Boolean::New(env, woken);
  }

  Napi::Value Drain(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), DrainEvents()); }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    CloseFd();
    return info.Env().Undefined();
  }

  void CloseFd() {
#ifdef __linux__
    if (fd_ >= 0) close(fd_);
#endif
    fd_ = -1;
  }

  int fd_ = -1;
};

}  // namespace

Napi::Function DefineFileWatch(Napi::Env env) { return NativeFileWatch::Define(env); }

}  // namespace h5swmr
