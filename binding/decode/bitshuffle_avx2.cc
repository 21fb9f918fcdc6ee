// AVX2 bitshuffle kernels: the SSE2 scheme on 256-bit registers, 32 groups of 8 elements at a time.
// AVX2 unpacks work inside each 128-bit lane, so lane 0 carries groups m..m+15 and lane 1 groups
// m+16..m+31 through the same steps; lanes are swapped into place when loading or storing.
#include "bitshuffle_kernels.h"

#if H5SWMR_X86
#include <immintrin.h>

namespace h5swmr::bitshuffle::kernels {

namespace {

H5SWMR_ALWAYS_INLINE void SwapBits(__m256i& a, __m256i& b, int shift, __m256i mask) {
  __m256i t = _mm256_and_si256(_mm256_xor_si256(_mm256_srli_epi16(a, shift), b), mask);
  b = _mm256_xor_si256(b, t);
  a = _mm256_xor_si256(a, _mm256_slli_epi16(t, shift));
}

H5SWMR_ALWAYS_INLINE void TransposeBits(__m256i v[8]) {
  const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(0x33), m1 = _mm256_set1_epi8(0x55);
  for (int k = 0; k < 4; k++) SwapBits(v[k], v[k + 4], 4, m4);
  SwapBits(v[0], v[2], 2, m2);
  SwapBits(v[1], v[3], 2, m2);
  SwapBits(v[4], v[6], 2, m2);
  SwapBits(v[5], v[7], 2, m2);
  SwapBits(v[0], v[1], 1, m1);
  SwapBits(v[2], v[3], 1, m1);
  SwapBits(v[4], v[5], 1, m1);
  SwapBits(v[6], v[7], 1, m1);
}

H5SWMR_ALWAYS_INLINE void InterleaveRound(__m256i v[8], int bit) {
  const int step = 1 << bit;
  for (int i = 0; i < 8; i++) {
    if (i & step) continue;
    __m256i lo = _mm256_unpacklo_epi8(v[i], v[i + step]);
    __m256i hi = _mm256_unpackhi_epi8(v[i], v[i + step]);
    v[i] = lo;
    v[i + step] = hi;
  }
}

}  // namespace

void RowsToPlaneAvx2(const uint8_t* rows, uint8_t* plane, size_t n) {
  const size_t rowBytes = n / 8;
  size_t m = 0;
  for (; m + 32 <= rowBytes; m += 32) {
    __m256i v[8];
    for (int k = 0; k < 8; k++)
      v[k] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows + k * rowBytes + m));
    TransposeBits(v);
    InterleaveRound(v, 2);
    InterleaveRound(v, 1);
    InterleaveRound(v, 0);
    // v[i], lane 0: plane bytes 8m + 16i.., lane 1: the same 128 bytes further on.
    for (int i = 0; i < 8; i += 2) {
      __m256i first = _mm256_permute2x128_si256(v[i], v[i + 1], 0x20);
      __m256i second = _mm256_permute2x128_si256(v[i], v[i + 1], 0x31);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(plane + 8 * m + 16 * i), first);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(plane + 8 * m + 128 + 16 * i), second);
    }
  }
  if (m < rowBytes) {
    // Fewer than 32 bytes per row left: the SSE2 kernel on a window of rows starting at m.
    // (Rows are rowBytes apart, so hand it the rows through a compact copy.)
    alignas(32) uint8_t tailRows[8 * 32];
    const size_t left = rowBytes - m;
    for (int k = 0; k < 8; k++)
      for (size_t b = 0; b < left; b++) tailRows[k * left + b] = rows[k * rowBytes + m + b];
    RowsToPlaneSse2(tailRows, plane + 8 * m, 8 * left);
  }
}

void PlaneToRowsAvx2(const uint8_t* plane, uint8_t* rows, size_t n) {
  const size_t rowBytes = n / 8;
  size_t m = 0;
  for (; m + 32 <= rowBytes; m += 32) {
    __m256i v[8];
    for (int i = 0; i < 8; i += 2) {
      __m256i first = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(plane + 8 * m + 16 * i));
      __m256i second = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(plane + 8 * m + 128 + 16 * i));
      v[i] = _mm256_permute2x128_si256(first, second, 0x20);
      v[i + 1] = _mm256_permute2x128_si256(first, second, 0x31);
    }
    InterleaveRound(v, 2);
    InterleaveRound(v, 1);
    InterleaveRound(v, 0);
    InterleaveRound(v, 2);
    __m256i w[8];
    for (int r = 0; r < 8; r++) w[r] = v[((r & 1) << 2) | ((r >> 2) & 1) << 1 | ((r >> 1) & 1)];
    TransposeBits(w);
    for (int k = 0; k < 8; k++) _mm256_storeu_si256(reinterpret_cast<__m256i*>(rows + k * rowBytes + m), w[k]);
  }
  if (m < rowBytes) {
    alignas(32) uint8_t tailRows[8 * 32];
    const size_t left = rowBytes - m;
    PlaneToRowsSse2(plane + 8 * m, tailRows, 8 * left);
    for (int k = 0; k < 8; k++)
      for (size_t b = 0; b < left; b++) rows[k * rowBytes + m + b] = tailRows[k * left + b];
  }
}

void JoinPlanesAvx2(const uint8_t* planes, uint8_t* elems, size_t n, size_t e) {
  if (e != 2) {
    JoinPlanesSse2(planes, elems, n, e);
    return;
  }
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(planes + i));
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(planes + n + i));
    __m256i lo = _mm256_unpacklo_epi8(a, b);  // elements 0-7 | 16-23
    __m256i hi = _mm256_unpackhi_epi8(a, b);  // elements 8-15 | 24-31
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(elems + 2 * i), _mm256_permute2x128_si256(lo, hi, 0x20));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(elems + 2 * i + 32), _mm256_permute2x128_si256(lo, hi, 0x31));
  }
  if (i < n) {
    // The two planes of the tail are n bytes apart: join them element by element.
    for (size_t k = i; k < n; k++) {
      elems[2 * k] = planes[k];
      elems[2 * k + 1] = planes[n + k];
    }
  }
}

}  // namespace h5swmr::bitshuffle::kernels

#endif  // H5SWMR_X86
