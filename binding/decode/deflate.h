// HDF5 filter 1 (deflate): a zlib stream per chunk. Decoded with libdeflate when the build found it
// (several times faster than zlib's inflate), else with zlib.
#pragma once
#include <cstddef>
#include <cstdint>

namespace h5swmr::decode {

// Inflate into exactly dstLen bytes; throws DecodeError otherwise.
void Inflate(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen);

const char* InflateLibrary();  // "libdeflate" | "zlib"

}  // namespace h5swmr::decode
