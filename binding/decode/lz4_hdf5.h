// The chunk format of HDF5 filter 32004 (LZ4, HDF Group's plugin, also written by DECTRIS): u64
// big-endian decoded bytes, u32 big-endian block size, then per block a u32 big-endian length and
// either an LZ4 block or, when the length equals the block's size, the block stored as it is.
#pragma once
#include <cstddef>
#include <cstdint>

namespace h5swmr::decode {

constexpr unsigned kLz4Filter = 32004;

// Decode into exactly dstLen bytes; throws DecodeError when the chunk disagrees with its framing.
void DecodeHdf5Lz4(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen);

}  // namespace h5swmr::decode
