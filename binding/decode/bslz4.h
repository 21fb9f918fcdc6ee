// The chunk format of HDF5 filter 32008 (bitshuffle), as kiyo-masui/bitshuffle's HDF5 filter and
// DECTRIS detectors write it.
//
// cd_values: {major, minor, element size, block size in elements (0 = default), compression, level}
// (compression 2 = LZ4, 3 = zstd (bitshuffle >= 0.4, with cd_values[5] its level), 0 = none). With
// LZ4 or zstd a chunk is: u64 big-endian decoded bytes, u32 big-endian block size in bytes, then per
// block a u32 big-endian compressed length and an LZ4 block or a zstd frame of the bit-shuffled
// elements; the last (count % 8) elements follow as they are. Without compression the chunk is just
// the bit-shuffled elements (no header).
#pragma once
#include <cstddef>
#include <cstdint>

namespace h5swmr::decode {

constexpr unsigned kBitshuffleFilter = 32008;
constexpr unsigned kBitshuffleLz4 = 2;
constexpr unsigned kBitshuffleZstd = 3;
constexpr size_t kBslz4HeaderBytes = 12;

// The compression a 32008 chunk really has, from its cd_values: cd_values[4], except that bitshuffle
// before 0.4 (Debian 12's 0.3.5) had no zstd and, asked for compression 3, stores plain bitshuffle
// labelled {0, 3, …, 3} (h5py then reads it back as such): a version below 0.4 with compression 3
// means no compression.
inline unsigned BitshuffleCompression(const unsigned* cd, size_t ncd) {
  const unsigned compression = ncd > 4 ? cd[4] : 0;
  if (compression == kBitshuffleZstd && cd[0] == 0 && cd[1] < 4) return 0;
  return compression;
}

// How each block of a compressed bitshuffle chunk is compressed (cd_values[4]).
enum class BlockCodec { Lz4 = kBitshuffleLz4, Zstd = kBitshuffleZstd };
const char* CodecName(BlockCodec codec);  // "bitshuffle-LZ4", "bitshuffle-zstd"

// Decoded size an LZ4 chunk announces (for allocating); throws DecodeError if the header is cut.
uint64_t Bslz4DecodedBytes(const uint8_t* src, size_t srcLen);

// Decode into exactly dstLen bytes; throws DecodeError when the chunk disagrees with its framing.
// With a range of elements [firstElem, endElem), only the blocks holding them are decompressed and
// unshuffled (into their places in dst; other bytes of dst are left as they were); the framing of
// every block is still checked.
void DecodeBslz4(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen, size_t elemSize,
                 size_t firstElem = 0, size_t endElem = SIZE_MAX, BlockCodec codec = BlockCodec::Lz4);
void DecodeBitshuffle(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen, size_t elemSize,
                      size_t blockSize);

// Encoding, for the writer (our H5Z filter). Returns the chunk's size; dst holds Bslz4Bound bytes.
// `level` is zstd's (0 = its default); LZ4 has none.
size_t Bslz4Bound(size_t bytes, size_t elemSize, size_t blockSize, BlockCodec codec = BlockCodec::Lz4);
size_t EncodeBslz4(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t elemSize, size_t blockSize,
                   BlockCodec codec = BlockCodec::Lz4, int level = 0);
void EncodeBitshuffle(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t elemSize, size_t blockSize);

}  // namespace h5swmr::decode
