// The chunk format of HDF5 filter 32015 (Zstandard, aparamon's HDF5Plugin-Zstandard, in hdf5plugin
// and written by NSLS-II): the chunk is one zstd frame (ZSTD_compress's output, which records the
// decoded size); cd_values[0], when present, is the compression level.
#pragma once
#include <cstddef>
#include <cstdint>

namespace h5swmr::decode {

constexpr unsigned kZstdFilter = 32015;

// The decoded size the chunk's frames record (their sum), ZSTD_CONTENTSIZE_ERROR if they are not zstd
// frames, ZSTD_CONTENTSIZE_UNKNOWN if one does not record it. (ZSTD_findDecompressedSize, with only
// zstd's stable API.)
unsigned long long ZstdDecodedSize(const uint8_t* src, size_t srcLen);

// Decode into exactly dstLen bytes; throws DecodeError when the frame says another size or does not
// decompress.
void DecodeHdf5Zstd(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen);

// Encoding, for the writer (our H5Z filter): returns the frame's size; dst holds ZSTD_compressBound.
size_t EncodeHdf5Zstd(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstCapacity, int level);

}  // namespace h5swmr::decode
