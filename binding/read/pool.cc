#include "read/pool.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <memory>

namespace h5swmr {

size_t AvailableCores() {
#ifdef __linux__
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<size_t>(n);
  }
#endif
  unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

DecodePool& DecodePool::Get() {
  // Never destroyed: idle threads just end with the process (joining them from static destructors
  // would race with libhdf5's own atexit teardown).
  static DecodePool* pool = new DecodePool();
  return *pool;
}

DecodePool::DecodePool() {
  size_t n = AvailableCores();
  if (const char* env = std::getenv("H5SWMR_DECODE_THREADS")) {
    long v = std::strtol(env, nullptr, 10);
    if (v > 0) n = static_cast<size_t>(v);
  }
  SetThreads(n);
}

size_t DecodePool::Threads() {
  std::lock_guard<std::mutex> lock(mutex_);
  return target_;
}

void DecodePool::SetThreads(size_t n) {
  if (n < 1) n = 1;
  if (n > 256) n = 256;
  std::lock_guard<std::mutex> lock(mutex_);
  target_ = n;
  while (threads_.size() < n) {
    size_t index = threads_.size();
    threads_.emplace_back([this, index] { Work(index); });
    threads_.back().detach();
  }
  parked_.notify_all();
  wake_.notify_all();  // threads now above the target move to parked_
}

void DecodePool::Submit(std::function<void()> task) {
  bool sleeper;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(task));
    sleeper = waiting_ > 0;
  }
  // One task, one thread; no system call when every working thread is busy anyway.
  if (sleeper) wake_.notify_one();
}

void DecodePool::Work(size_t index) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (index >= target_) {
      parked_.wait(lock, [&] { return index < target_; });
      continue;
    }
    if (queue_.empty()) {
      waiting_++;
      wake_.wait(lock, [&] { return index >= target_ || !queue_.empty(); });
      waiting_--;
      continue;
    }
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    // More queued and someone asleep: pass the baton instead of leaving them to the next Submit.
    if (!queue_.empty() && waiting_ > 0) wake_.notify_one();
    lock.unlock();
    try {
      task();
    } catch (...) {
      // Tasks report their own failures; never let one end the process.
    }
    lock.lock();
  }
}

void DecodePool::ParallelFor(size_t n, const std::function<void(size_t)>& body) {
  if (n == 0) return;
  if (n == 1) return body(0);
  struct Shared {
    std::atomic<size_t> next{0};
    size_t finished = 0;  // under mutex
    std::exception_ptr error;
    std::mutex mutex;
    std::condition_variable done;
  };
  auto shared = std::make_shared<Shared>();
  // Items are claimed from a shared counter, so helpers that start late simply find nothing left.
  auto drain = [shared, n, &body]() {
    size_t mine = 0;
    std::exception_ptr error;
    for (size_t i; (i = shared->next.fetch_add(1)) < n; mine++) {
      try {
        body(i);
      } catch (...) {
        if (!error) error = std::current_exception();
      }
    }
    std::lock_guard<std::mutex> lock(shared->mutex);
    if (error && !shared->error) shared->error = error;
    shared->finished += mine;
    if (shared->finished == n) shared->done.notify_all();
  };
  size_t helpers = std::min(n - 1, Threads());
  for (size_t h = 0; h < helpers; h++) {
    // A helper that runs after the caller returned must not touch `body`: it sees next >= n first.
    Submit([shared, n, drain]() {
      if (shared->next.load() < n) drain();
    });
  }
  drain();
  std::unique_lock<std::mutex> lock(shared->mutex);
  shared->done.wait(lock, [&] { return shared->finished == n; });
  if (shared->error) std::rethrow_exception(shared->error);
}

}  // namespace h5swmr
