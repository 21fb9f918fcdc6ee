// Portable bitshuffle kernels: an 8x8 bit-matrix transpose inside one 64-bit word per 8 elements.
#include <cstring>

#include "bitshuffle_kernels.h"

namespace h5swmr::bitshuffle::kernels {

namespace {

// Byte q of the word is row q of an 8x8 bit matrix (bit c = column c); returns the transpose
// (three rounds swapping the off-diagonal 1x1, 2x2 and 4x4 sub-blocks).
H5SWMR_ALWAYS_INLINE uint64_t Transpose8x8(uint64_t x) {
  uint64_t t;
  t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAull;
  x = x ^ t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCull;
  x = x ^ t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ull;
  x = x ^ t ^ (t << 28);
  return x;
}

H5SWMR_ALWAYS_INLINE uint64_t LoadLE64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

H5SWMR_ALWAYS_INLINE void StoreLE64(uint8_t* p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  std::memcpy(p, &v, 8);
}

}  // namespace

void PlaneToRowsScalar(const uint8_t* plane, uint8_t* rows, size_t n) {
  const size_t rowBytes = n / 8;
  for (size_t m = 0; m < rowBytes; m++) {
    uint64_t x = Transpose8x8(LoadLE64(plane + 8 * m));
    for (size_t k = 0; k < 8; k++, x >>= 8) rows[k * rowBytes + m] = uint8_t(x);
  }
}

void RowsToPlaneScalar(const uint8_t* rows, uint8_t* plane, size_t n) {
  const size_t rowBytes = n / 8;
  for (size_t m = 0; m < rowBytes; m++) {
    uint64_t x = 0;
    for (size_t k = 0; k < 8; k++) x |= uint64_t(rows[k * rowBytes + m]) << (8 * k);
    StoreLE64(plane + 8 * m, Transpose8x8(x));
  }
}

void SplitPlanesScalar(const uint8_t* elems, uint8_t* planes, size_t n, size_t e) {
  for (size_t j = 0; j < e; j++) {
    uint8_t* plane = planes + j * n;
    for (size_t i = 0; i < n; i++) plane[i] = elems[i * e + j];
  }
}

void JoinPlanesScalar(const uint8_t* planes, uint8_t* elems, size_t n, size_t e) {
  for (size_t j = 0; j < e; j++) {
    const uint8_t* plane = planes + j * n;
    for (size_t i = 0; i < n; i++) elems[i * e + j] = plane[i];
  }
}

}  // namespace h5swmr::bitshuffle::kernels
