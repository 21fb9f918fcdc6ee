// The chunk format of HDF5 filter 32008 (bitshuffle), as kiyo-masui/bitshuffle's HDF5 filter and
// DECTRIS detectors write it.
//
// cd_values: {major, minor, element size, block size in elements (0 = default), compression}
// (compression 2 = LZ4, 0 = none). With LZ4 a chunk is: u64 big-endian decoded bytes, u32 big-endian
// block size in bytes, then per block a u32 big-endian compressed length and an LZ4 block of the
// bit-shuffled elements; the last (count % 8) elements follow as they are. Without compression the
// chunk is just the bit-shuffled elements (no header).
#pragma once
#include <cstddef>
#include <cstdint>

namespace h5swmr::decode {

constexpr unsigned kBitshuffleFilter = 32008;
constexpr unsigned kBitshuffleLz4 = 2;
constexpr size_t kBslz4HeaderBytes = 12;

// Decoded size an LZ4 chunk announces (for allocating); throws DecodeError if the header is cut.
uint64_t Bslz4DecodedBytes(const uint8_t* src, size_t srcLen);

// Decode into exactly dstLen bytes; throws DecodeError when the chunk disagrees with its framing.
// With a range of elements [firstElem, endElem), only the blocks holding them are decompressed and
// unshuffled (into their places in dst; other bytes of dst are left as they were); the framing of
// every block is still checked.
void DecodeBslz4(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen, size_t elemSize,
                 size_t firstElem = 0, size_t endElem = SIZE_MAX);
void DecodeBitshuffle(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen, size_t elemSize,
                      size_t blockSize);

// Encoding, for the writer (our H5Z filter). Returns the chunk's size; dst holds Bslz4Bound bytes.
size_t Bslz4Bound(size_t bytes, size_t elemSize, size_t blockSize);
size_t EncodeBslz4(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t elemSize, size_t blockSize);
void EncodeBitshuffle(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t elemSize, size_t blockSize);

}  // namespace h5swmr::decode
