// The decode pool: our own worker threads, one per core by default (H5SWMR_DECODE_THREADS or
// setDecodeThreads() change it), separate from libuv's pool so decoding never starves file-system
// work and is not capped at libuv's 4 threads. Process-wide: every worker_thread shares it.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace h5swmr {

class DecodePool {
 public:
  static DecodePool& Get();

  // Run `task` on a pool thread. Tasks must not throw.
  void Submit(std::function<void()> task);

  // Run body(i) for every i in [0, n): on the calling thread and on idle pool threads. Returns when
  // all are done and rethrows the first exception. Safe to call from a pool thread (the caller
  // works through the items itself when the pool is busy).
  void ParallelFor(size_t n, const std::function<void(size_t)>& body);

  size_t Threads();
  void SetThreads(size_t n);  // 1..256; extra threads start now, surplus ones stop when idle

 private:
  DecodePool();
  void Work(size_t index);

  std::mutex mutex_;
  std::condition_variable wake_;    // working threads waiting for a task
  std::condition_variable parked_;  // threads above the target, waiting to be needed again
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  size_t target_ = 0;  // threads with an index below this take tasks
  size_t waiting_ = 0;  // working threads asleep on wake_
};

// Cores this process may run on (sched_getaffinity), at least 1.
size_t AvailableCores();

}  // namespace h5swmr
