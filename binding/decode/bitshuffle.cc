#include "bitshuffle.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "bitshuffle_kernels.h"

namespace h5swmr::bitshuffle {

namespace {

// The definition, one bit at a time: bit k of byte j of element i <-> bit i%8 of byte i/8 of row 8j+k.
void ShuffleReference(const uint8_t* in, uint8_t* out, size_t n, size_t e) {
  const size_t rowBytes = n / 8;
  std::memset(out, 0, n * e);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < e; j++)
      for (size_t k = 0; k < 8; k++)
        if ((in[i * e + j] >> k) & 1) out[(8 * j + k) * rowBytes + i / 8] |= uint8_t(1u << (i % 8));
}

void UnshuffleReference(const uint8_t* in, uint8_t* out, size_t n, size_t e) {
  const size_t rowBytes = n / 8;
  std::memset(out, 0, n * e);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < e; j++)
      for (size_t k = 0; k < 8; k++)
        if ((in[(8 * j + k) * rowBytes + i / 8] >> (i % 8)) & 1) out[i * e + j] |= uint8_t(1u << k);
}

struct Kernels {
  kernels::PlaneFn planeToRows;
  kernels::PlaneFn rowsToPlane;
  kernels::InterleaveFn split;
  kernels::InterleaveFn join;
};

Kernels For(Kernel kernel) {
  using namespace kernels;
#if H5SWMR_X86
  if (kernel == Kernel::Avx2) return {PlaneToRowsAvx2, RowsToPlaneAvx2, SplitPlanesSse2, JoinPlanesAvx2};
  if (kernel == Kernel::Sse2) return {PlaneToRowsSse2, RowsToPlaneSse2, SplitPlanesSse2, JoinPlanesSse2};
#endif
  return {PlaneToRowsScalar, RowsToPlaneScalar, SplitPlanesScalar, JoinPlanesScalar};
}

bool CpuHasAvx2() {
#if H5SWMR_X86 && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

std::vector<uint8_t>& Scratch(size_t bytes) {
  thread_local std::vector<uint8_t> scratch;
  if (scratch.size() < bytes) scratch.resize(bytes);
  return scratch;
}

}  // namespace

bool Supported(Kernel kernel) {
  switch (kernel) {
    case Kernel::Reference:
    case Kernel::Scalar: return true;
#if H5SWMR_X86
    case Kernel::Sse2: return true;
    case Kernel::Avx2: {
      static const bool avx2 = CpuHasAvx2();
      return avx2;
    }
#endif
    default: return false;
  }
}

Kernel Best() {
  if (Supported(Kernel::Avx2)) return Kernel::Avx2;
  if (Supported(Kernel::Sse2)) return Kernel::Sse2;
  return Kernel::Scalar;
}

namespace {
std::atomic<Kernel>& ActiveKernel() {
  static std::atomic<Kernel> active{Best()};
  return active;
}
}  // namespace

Kernel Active() { return ActiveKernel().load(std::memory_order_relaxed); }

void SetActive(Kernel kernel) { ActiveKernel().store(kernel, std::memory_order_relaxed); }

const char* Name(Kernel kernel) {
  switch (kernel) {
    case Kernel::Reference: return "reference";
    case Kernel::Scalar: return "scalar";
    case Kernel::Sse2: return "sse2";
    case Kernel::Avx2: return "avx2";
  }
  return "unknown";
}

size_t DefaultBlockSize(size_t elemSize) {
  size_t block = (8192 / (elemSize ? elemSize : 1)) / 8 * 8;
  return block < 128 ? 128 : block;
}

void ShuffleBlock(Kernel kernel, const uint8_t* in, uint8_t* out, size_t n, size_t e, uint8_t* scratch) {
  if (kernel == Kernel::Reference) return ShuffleReference(in, out, n, e);
  Kernels k = For(kernel);
  if (e == 1) return k.planeToRows(in, out, n);
  k.split(in, scratch, n, e);
  for (size_t j = 0; j < e; j++) k.planeToRows(scratch + j * n, out + j * n, n);
}

void UnshuffleBlock(Kernel kernel, const uint8_t* in, uint8_t* out, size_t n, size_t e, uint8_t* scratch) {
  if (kernel == Kernel::Reference) return UnshuffleReference(in, out, n, e);
  Kernels k = For(kernel);
  if (e == 1) return k.rowsToPlane(in, out, n);
  for (size_t j = 0; j < e; j++) k.rowsToPlane(in + j * n, scratch + j * n, n);
  k.join(scratch, out, n, e);
}

void ShuffleBuffer(Kernel kernel, const uint8_t* in, uint8_t* out, size_t count, size_t e, size_t blockSize) {
  if (blockSize == 0) blockSize = DefaultBlockSize(e);
  uint8_t* scratch = Scratch(std::min(blockSize, count) * e).data();
  size_t covered = ForEachBlock(count, blockSize, [&](size_t first, size_t n) {
    ShuffleBlock(kernel, in + first * e, out + first * e, n, e, scratch);
  });
  if (covered < count) std::memcpy(out + covered * e, in + covered * e, (count - covered) * e);
}

void UnshuffleBuffer(Kernel kernel, const uint8_t* in, uint8_t* out, size_t count, size_t e, size_t blockSize) {
  if (blockSize == 0) blockSize = DefaultBlockSize(e);
  uint8_t* scratch = Scratch(std::min(blockSize, count) * e).data();
  size_t covered = ForEachBlock(count, blockSize, [&](size_t first, size_t n) {
    UnshuffleBlock(kernel, in + first * e, out + first * e, n, e, scratch);
  });
  if (covered < count) std::memcpy(out + covered * e, in + covered * e, (count - covered) * e);
}

void InterleaveBytes(Kernel kernel, const uint8_t* planes, uint8_t* out, size_t count, size_t e) {
  For(kernel).join(planes, out, count, e);
}

}  // namespace h5swmr::bitshuffle
