// Bitshuffle, the transposition used by HDF5 filter 32008 (kiyo-masui/bitshuffle's format, which
// DECTRIS Eiger and most fast detectors write).
//
// Within a block of n elements (n a multiple of 8) of e bytes each, bit k of byte j of every element
// is gathered into one "bit row" of n/8 bytes: rows are ordered by (j, k), and element i sits at bit
// i % 8 (least significant first) of byte i / 8 of its row. A buffer is cut into full blocks of
// `blockSize` elements, then one last block of the remaining elements rounded down to a multiple
// of 8; the final (count % 8) elements are stored as they are.
//
// Four implementations of the block transposition: a bit-by-bit reference (the definition, for
// tests), a portable 64-bit one, SSE2 and AVX2; Best() picks the fastest the CPU runs.
#pragma once
#include <cstddef>
#include <cstdint>

namespace h5swmr::bitshuffle {

enum class Kernel { Reference, Scalar, Sse2, Avx2 };

bool Supported(Kernel kernel);
Kernel Best();
const char* Name(Kernel kernel);

// The kernel the decoders use: Best() unless changed (tests and benchmarks compare them).
Kernel Active();
void SetActive(Kernel kernel);  // must be Supported()

// Elements per block when the filter's block size is 0: about 8 KiB, a multiple of 8, >= 128.
// Must never change: it is part of the stored format.
size_t DefaultBlockSize(size_t elemSize);

// The block layout: fn(first element, elements) for the full blocks, then for one block of the rest
// rounded down to a multiple of 8. Returns the elements covered; the others are stored as they are.
// blockSize % 8 == 0 and > 0.
template <typename Fn>
size_t ForEachBlock(size_t count, size_t blockSize, Fn&& fn) {
  size_t done = 0;
  for (; done + blockSize <= count; done += blockSize) fn(done, blockSize);
  size_t last = (count - done) - (count - done) % 8;
  if (last) fn(done, last);
  return done + last;
}

// One block: elements -> bit rows (Shuffle) and back (Unshuffle). n % 8 == 0; `in` and `out` do not
// overlap; `scratch` holds n * elemSize bytes (unused for elemSize 1).
void ShuffleBlock(Kernel kernel, const uint8_t* in, uint8_t* out, size_t n, size_t elemSize, uint8_t* scratch);
void UnshuffleBlock(Kernel kernel, const uint8_t* in, uint8_t* out, size_t n, size_t elemSize, uint8_t* scratch);

// A whole buffer of `count` elements in the block layout above (bitshuffle without compression).
void ShuffleBuffer(Kernel kernel, const uint8_t* in, uint8_t* out, size_t count, size_t elemSize, size_t blockSize);
void UnshuffleBuffer(Kernel kernel, const uint8_t* in, uint8_t* out, size_t count, size_t elemSize, size_t blockSize);

// HDF5 byte shuffle (filter 2) undone: byte j of element i is at planes[j * count + i]. Shares the
// byte-interleaving kernels with bitshuffle.
void InterleaveBytes(Kernel kernel, const uint8_t* planes, uint8_t* out, size_t count, size_t elemSize);

}  // namespace h5swmr::bitshuffle
