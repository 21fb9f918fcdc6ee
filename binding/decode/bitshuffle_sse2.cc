// SSE2 bitshuffle kernels: 16 groups of 8 elements (128 bytes of a plane) at a time.
//
// Bit rows -> plane: load 16 bytes of each of the 8 rows, transpose the 8x8 bit matrix of every
// byte position across the 8 registers (three rounds of masked shifts and xors), then interleave
// the registers' bytes so each group's 8 bytes become contiguous. Plane -> bit rows is the inverse.
#include "bitshuffle_kernels.h"

#if H5SWMR_X86
#include <emmintrin.h>

namespace h5swmr::bitshuffle::kernels {

namespace {

// Swap the `shift`-bit sub-blocks between registers a (rows with the bit clear) and b: after the
// three rounds (4, 2, 1) register r holds, in bit k of each byte, what register k held in bit r.
H5SWMR_ALWAYS_INLINE void SwapBits(__m128i& a, __m128i& b, int shift, __m128i mask) {
  __m128i t = _mm_and_si128(_mm_xor_si128(_mm_srli_epi16(a, shift), b), mask);
  b = _mm_xor_si128(b, t);
  a = _mm_xor_si128(a, _mm_slli_epi16(t, shift));
}

H5SWMR_ALWAYS_INLINE void TransposeBits(__m128i v[8]) {
  const __m128i m4 = _mm_set1_epi8(0x0F), m2 = _mm_set1_epi8(0x33), m1 = _mm_set1_epi8(0x55);
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

// One byte-interleave round over 8 registers: pairs the registers whose index differs in `bit`;
// the low halves' bytes interleaved go to the lower index, the high halves' to the upper. In terms
// of a byte's address (register index, position 0..15): position p3p2p1p0 and pair bit X become
// position p2p1p0X, and p3 becomes that index bit.
H5SWMR_ALWAYS_INLINE void InterleaveRound(__m128i v[8], int bit) {
  const int step = 1 << bit;
  for (int i = 0; i < 8; i++) {
    if (i & step) continue;
    __m128i lo = _mm_unpacklo_epi8(v[i], v[i + step]);
    __m128i hi = _mm_unpackhi_epi8(v[i], v[i + step]);
    v[i] = lo;
    v[i + step] = hi;
  }
}

}  // namespace

void RowsToPlaneSse2(const uint8_t* rows, uint8_t* plane, size_t n) {
  const size_t rowBytes = n / 8;
  size_t m = 0;
  for (; m + 16 <= rowBytes; m += 16) {
    __m128i v[8];
    for (int k = 0; k < 8; k++) v[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows + k * rowBytes + m));
    TransposeBits(v);  // v[r]: byte t = bit r of the 8 rows' byte m+t = plane byte 8(m+t)+r
    // Address (r2r1r0, t3t2t1t0) -> (t3t2t1, t0r2r1r0): three rounds on index bits 2, 1, 0.
    InterleaveRound(v, 2);
    InterleaveRound(v, 1);
    InterleaveRound(v, 0);
    for (int i = 0; i < 8; i++) _mm_storeu_si128(reinterpret_cast<__m128i*>(plane + 8 * m + 16 * i), v[i]);
  }
  if (m < rowBytes) {
    // The tail: fewer than 16 bytes per row. Gather them into a full-width copy.
    alignas(16) uint8_t tailRows[8 * 16] = {0};
    alignas(16) uint8_t tailPlane[128];
    const size_t left = rowBytes - m;
    for (int k = 0; k < 8; k++)
      for (size_t b = 0; b < left; b++) tailRows[k * 16 + b] = rows[k * rowBytes + m + b];
    RowsToPlaneScalar(tailRows, tailPlane, 128);
    for (size_t b = 0; b < 8 * left; b++) plane[8 * m + b] = tailPlane[b];
  }
}

void PlaneToRowsSse2(const uint8_t* plane, uint8_t* rows, size_t n) {
  const size_t rowBytes = n / 8;
  size_t m = 0;
  for (; m + 16 <= rowBytes; m += 16) {
    __m128i v[8];
    for (int i = 0; i < 8; i++) v[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(plane + 8 * m + 16 * i));
    // Address (t3t2t1, t0r2r1r0) -> (r0r2r1, t3t2t1t0): four rounds on index bits 2, 1, 0, 2.
    InterleaveRound(v, 2);
    InterleaveRound(v, 1);
    InterleaveRound(v, 0);
    InterleaveRound(v, 2);
    __m128i w[8];
    for (int r = 0; r < 8; r++) w[r] = v[((r & 1) << 2) | ((r >> 2) & 1) << 1 | ((r >> 1) & 1)];
    TransposeBits(w);  // w[k]: byte t = bit k of plane bytes 8(m+t)..8(m+t)+7
    for (int k = 0; k < 8; k++) _mm_storeu_si128(reinterpret_cast<__m128i*>(rows + k * rowBytes + m), w[k]);
  }
  if (m < rowBytes) {
    alignas(16) uint8_t tailPlane[128] = {0};
    alignas(16) uint8_t tailRows[8 * 16];
    const size_t left = rowBytes - m;
    for (size_t b = 0; b < 8 * left; b++) tailPlane[b] = plane[8 * m + b];
    PlaneToRowsScalar(tailPlane, tailRows, 128);
    for (int k = 0; k < 8; k++)
      for (size_t b = 0; b < left; b++) rows[k * rowBytes + m + b] = tailRows[k * 16 + b];
  }
}

// Planes -> elements for 2, 4 and 8 byte elements: log2(e) rounds of byte/word/dword unpacks.
void JoinPlanesSse2(const uint8_t* planes, uint8_t* elems, size_t n, size_t e) {
  size_t i = 0;
  if (e == 2) {
    for (; i + 16 <= n; i += 16) {
      __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(planes + i));
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(planes + n + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(elems + 2 * i), _mm_unpacklo_epi8(a, b));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(elems + 2 * i + 16), _mm_unpackhi_epi8(a, b));
    }
  } else if (e == 4) {
    for (; i + 16 <= n; i += 16) {
      __m128i p[4];
      for (int j = 0; j < 4; j++) p[j] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(planes + j * n + i));
      __m128i b01lo = _mm_unpacklo_epi8(p[0], p[1]), b01hi = _mm_unpackhi_epi8(p[0], p[1]);
      __m128i b23lo = _mm_unpacklo_epi8(p[2], p[3]), b23hi = _mm_unpackhi_epi8(p[2], p[3]);
      __m128i* out = reinterpret_cast<__m128i*>(elems + 4 * i);
      _mm_storeu_si128(out + 0, _mm_unpacklo_epi16(b01lo, b23lo));
      _mm_storeu_si128(out + 1, _mm_unpackhi_epi16(b01lo, b23lo));
      _mm_storeu_si128(out + 2, _mm_unpacklo_epi16(b01hi, b23hi));
      _mm_storeu_si128(out + 3, _mm_unpackhi_epi16(b01hi, b23hi));
    }
  } else if (e == 8) {
    for (; i + 16 <= n; i += 16) {
      __m128i p[8];
      for (int j = 0; j < 8; j++) p[j] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(planes + j * n + i));
      // Bytes (j, j+1) of elements 0-7 (lo) and 8-15 (hi).
      __m128i b[8];
      for (int j = 0; j < 4; j++) {
        b[2 * j] = _mm_unpacklo_epi8(p[2 * j], p[2 * j + 1]);
        b[2 * j + 1] = _mm_unpackhi_epi8(p[2 * j], p[2 * j + 1]);
      }
      // Bytes 0-3 / 4-7 of elements 0-3, 4-7, 8-11, 12-15.
      __m128i w[8];
      for (int h = 0; h < 2; h++) {   // h: elements 0-7 or 8-15
        for (int q = 0; q < 2; q++) {  // q: bytes 0-3 or 4-7
          __m128i lo = b[4 * q + h], hi = b[4 * q + 2 + h];
          w[4 * h + 2 * q] = _mm_unpacklo_epi16(lo, hi);      // elements 8h+0..3
          w[4 * h + 2 * q + 1] = _mm_unpackhi_epi16(lo, hi);  // elements 8h+4..7
        }
      }
      __m128i* out = reinterpret_cast<__m128i*>(elems + 8 * i);
      for (int h = 0; h < 2; h++) {
        for (int s = 0; s < 2; s++) {  // s: elements +0..3 or +4..7
          __m128i bytes03 = w[4 * h + s], bytes47 = w[4 * h + 2 + s];
          _mm_storeu_si128(out + 4 * h + 2 * s, _mm_unpacklo_epi32(bytes03, bytes47));
          _mm_storeu_si128(out + 4 * h + 2 * s + 1, _mm_unpackhi_epi32(bytes03, bytes47));
        }
      }
    }
  }
  if (i < n) {
    for (size_t j = 0; j < e; j++)
      for (size_t k = i; k < n; k++) elems[k * e + j] = planes[j * n + k];
  }
}

// Elements -> planes; 2-byte elements with SIMD (the writer's common case), others in scalar.
void SplitPlanesSse2(const uint8_t* elems, uint8_t* planes, size_t n, size_t e) {
  size_t i = 0;
  if (e == 2) {
    const __m128i low = _mm_set1_epi16(0x00FF);
    for (; i + 16 <= n; i += 16) {
      __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(elems + 2 * i));
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(elems + 2 * i + 16));
      __m128i even = _mm_packus_epi16(_mm_and_si128(a, low), _mm_and_si128(b, low));
      __m128i odd = _mm_packus_epi16(_mm_srli_epi16(a, 8), _mm_srli_epi16(b, 8));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(planes + i), even);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(planes + n + i), odd);
    }
  }
  for (size_t j = 0; j < e; j++)
    for (size_t k = i; k < n; k++) planes[j * n + k] = elems[k * e + j];
}

}  // namespace h5swmr::bitshuffle::kernels

#endif  // H5SWMR_X86
