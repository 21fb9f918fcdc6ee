// Scratch memory for reads that convert in two steps (values: HDF5 fills our memory, then JS values
// are made from it): buffers are recycled through a small process-wide pool, so that reading the same
// large selection again does not fault in fresh pages every time. Bounded: at most 4 buffers and
// 64 MiB are kept; larger or surplus ones are freed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

namespace h5swmr {

class ScratchBytes {
 public:
  ScratchBytes() = default;
  ~ScratchBytes();
  ScratchBytes(const ScratchBytes&) = delete;
  ScratchBytes& operator=(const ScratchBytes&) = delete;
  ScratchBytes(ScratchBytes&& other) noexcept;
  ScratchBytes& operator=(ScratchBytes&& other) noexcept;

  // `size` bytes (zeroed when asked: memory HDF5 may only partly fill, then walk to free).
  static ScratchBytes Take(size_t size, bool zeroed);

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace h5swmr
