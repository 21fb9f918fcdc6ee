// The chunk format of HDF5 filter 32001 (Blosc, PyTables' hdf5-blosc, in hdf5plugin; odin-data
// writes it, and swmr_tools reads it direct): the chunk is one Blosc (1.x format) buffer, whose own
// 16-byte header gives the decoded size, the shuffle (none, byte or bit) and the inner codec
// (blosclz, lz4/lz4hc, snappy, zlib, zstd). c-blosc (the distro's libblosc) does the decoding.
//
// cd_values: {filter revision, blosc format version, type size, chunk bytes, level, shuffle,
// compressor code} (the last three the writer's settings; each chunk's header is what counts).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace h5swmr::decode {

constexpr unsigned kBloscFilter = 32001;

// Compressor codes of cd_values[6] (hdf5-blosc's BLOSC_BLOSCLZ ... BLOSC_ZSTD).
const char* BloscCompressorName(unsigned code);  // "" for an unknown code
// "" if this libblosc can decode chunks written with compressor `code`, else why not.
std::string BloscWhyNot(unsigned code);

// Decode into exactly dstLen bytes; throws DecodeError when the buffer disagrees with its header or
// does not decompress.
void DecodeBlosc(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen);

// Encoding, for the writer (our H5Z filter): shuffle 0 none, 1 byte, 2 bit; returns the size.
size_t BloscBound(size_t bytes);
size_t EncodeBlosc(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstCapacity, size_t typeSize, int level,
                   int shuffle, unsigned compressor);

}  // namespace h5swmr::decode
