// The building blocks each bitshuffle implementation provides. A block transposition is done per
// byte plane: the n bytes of byte j of all elements ("plane" j) map to the 8 bit rows of that byte
// (n/8 bytes each, together again n bytes). Planes are split from / joined into elements with a
// byte interleave.
//
// The SSE2 and AVX2 files are compiled with their instruction set enabled, so they hold plain
// functions over raw pointers only: no inline library code that the linker could pick for the rest
// of the addon (which must run on any x86-64).
#pragma once
#include <cstddef>
#include <cstdint>

// Register-level helpers must become straight-line code (see CMakeLists.txt on -O3).
#if defined(__GNUC__) || defined(__clang__)
#define H5SWMR_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define H5SWMR_ALWAYS_INLINE inline
#endif

namespace h5swmr::bitshuffle::kernels {

// plane (n bytes, one per element) <-> 8 bit rows of n/8 bytes; n % 8 == 0.
using PlaneFn = void (*)(const uint8_t* in, uint8_t* out, size_t n);
// elements (n * e bytes) <-> e planes of n bytes.
using InterleaveFn = void (*)(const uint8_t* in, uint8_t* out, size_t n, size_t e);

// Portable, 64-bit words (also used by the SIMD versions for their tails).
void PlaneToRowsScalar(const uint8_t* plane, uint8_t* rows, size_t n);
void RowsToPlaneScalar(const uint8_t* rows, uint8_t* plane, size_t n);
void SplitPlanesScalar(const uint8_t* elems, uint8_t* planes, size_t n, size_t e);
void JoinPlanesScalar(const uint8_t* planes, uint8_t* elems, size_t n, size_t e);

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
#define H5SWMR_X86 1
void PlaneToRowsSse2(const uint8_t* plane, uint8_t* rows, size_t n);
void RowsToPlaneSse2(const uint8_t* rows, uint8_t* plane, size_t n);
void SplitPlanesSse2(const uint8_t* elems, uint8_t* planes, size_t n, size_t e);
void JoinPlanesSse2(const uint8_t* planes, uint8_t* elems, size_t n, size_t e);

void PlaneToRowsAvx2(const uint8_t* plane, uint8_t* rows, size_t n);
void RowsToPlaneAvx2(const uint8_t* rows, uint8_t* plane, size_t n);
void JoinPlanesAvx2(const uint8_t* planes, uint8_t* elems, size_t n, size_t e);
#endif

}  // namespace h5swmr::bitshuffle::kernels
