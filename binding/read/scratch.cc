#include "read/scratch.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace h5swmr {

namespace {

constexpr size_t kKeptBuffers = 4;
constexpr size_t kKeptBytes = size_t(64) << 20;

struct Pool {
  std::mutex mutex;
  std::vector<std::pair<uint8_t*, size_t>> free;  // buffer, capacity
  size_t bytes = 0;
};

Pool& ThePool() {
  static Pool* pool = new Pool();  // never destroyed: buffers may come back during process exit
  return *pool;
}

}  // namespace

ScratchBytes ScratchBytes::Take(size_t size, bool zeroed) {
  ScratchBytes s;
  if (size == 0) return s;
  {
    Pool& pool = ThePool();
    std::lock_guard<std::mutex> lock(pool.mutex);
    // The smallest kept buffer that is large enough.
    size_t best = pool.free.size();
    for (size_t i = 0; i < pool.free.size(); i++)
      if (pool.free[i].second >= size && (best == pool.free.size() || pool.free[i].second < pool.free[best].second)) best = i;
    if (best < pool.free.size()) {
      s.data_ = pool.free[best].first;
      s.capacity_ = pool.free[best].second;
      pool.bytes -= s.capacity_;
      pool.free.erase(pool.free.begin() + static_cast<std::ptrdiff_t>(best));
    }
  }
  if (!s.data_) {
    s.data_ = static_cast<uint8_t*>(std::malloc(size));
    if (!s.data_) throw std::bad_alloc();
    s.capacity_ = size;
  }
  s.size_ = size;
  if (zeroed) std::memset(s.data_, 0, size);
  return s;
}

ScratchBytes::~ScratchBytes() {
  if (!data_) return;
  Pool& pool = ThePool();
  {
    std::lock_guard<std::mutex> lock(pool.mutex);
    if (pool.free.size() < kKeptBuffers && pool.bytes + capacity_ <= kKeptBytes) {
      pool.free.emplace_back(data_, capacity_);
      pool.bytes += capacity_;
      data_ = nullptr;
    }
  }
  std::free(data_);
}

ScratchBytes::ScratchBytes(ScratchBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)), capacity_(std::exchange(other.capacity_, 0)) {}

ScratchBytes& ScratchBytes::operator=(ScratchBytes&& other) noexcept {
  if (this != &other) {
    ScratchBytes old(std::move(*this));
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

}  // namespace h5swmr
