#include "watch/inotify.h"

#include <cerrno>
#include <chrono>

#ifdef __linux__
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>
#endif

namespace h5swmr {

int InotifyWatch::Open(const std::vector<std::string>& paths, std::string* failedPath) {
  Close();
#ifdef __linux__
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return errno;
  for (const std::string& path : paths) {
    if (inotify_add_watch(fd_, path.c_str(), IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF) < 0) {
      int e = errno;
      if (failedPath) *failedPath = path;
      Close();
      return e;
    }
  }
  return 0;
#else
  return ENOSYS;
#endif
}

// Reads every queued event; true if there was one.
bool InotifyWatch::Drain() {
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

bool InotifyWatch::Wait(double ms) {
  bool woken = false;
#ifdef __linux__
  if (fd_ < 0) return false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(static_cast<long long>(ms * 1000));
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left < 0) left = 0;
    pollfd p{fd_, POLLIN, 0};
    // poll's timeout is whole milliseconds: round up, so a sub-millisecond wait still waits.
    int r = poll(&p, 1, static_cast<int>((left + 999) / 1000));
    if (r > 0) {
      woken = Drain();
      if (woken) break;
    }
    if (r < 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) break;
  }
#endif
  return woken;
}

void InotifyWatch::Close() {
#ifdef __linux__
  if (fd_ >= 0) close(fd_);
#endif
  fd_ = -1;
}

}  // namespace h5swmr
