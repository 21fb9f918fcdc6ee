#include "blosc_hdf5.h"

#include <blosc.h>

#include <cstring>

#include "decode_error.h"

namespace h5swmr::decode {

namespace {

std::string Str(uint64_t v) { return std::to_string(v); }

// The codec a buffer's header names (bits 5-7 of its flags byte), as blosc_cbuffer_complib would
// say, without trusting a header that may be cut short.
const char* HeaderCodec(const uint8_t* src) {
  switch ((src[2] >> 5) & 0x7) {
    case BLOSC_BLOSCLZ_FORMAT: return "blosclz";
    case BLOSC_LZ4_FORMAT: return "lz4";
    case BLOSC_SNAPPY_FORMAT: return "snappy";
    case BLOSC_ZLIB_FORMAT: return "zlib";
    case BLOSC_ZSTD_FORMAT: return "zstd";
  }
  return "";
}

}  // namespace

const char* BloscCompressorName(unsigned code) {
  const char* name = nullptr;
  return code <= 5 && blosc_compcode_to_compname(int(code), &name) >= 0 && name ? name : "";
}

std::string BloscWhyNot(unsigned code) {
  const char* name = nullptr;
  int r = blosc_compcode_to_compname(int(code), &name);
  if (!name) return "blosc compressor " + Str(code) + " is unknown";
  if (r < 0) return std::string("blosc compressor ") + name + " is not in this libblosc (it has " + blosc_list_compressors() + ")";
  return "";
}

void DecodeBlosc(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen) {
  if (srcLen < BLOSC_MIN_HEADER_LENGTH)
    Corrupt("blosc chunk of " + Str(srcLen) + " bytes is shorter than its " + Str(BLOSC_MIN_HEADER_LENGTH) + "-byte header");
  size_t announced = 0;
  // Checks the header's sizes against the buffer, so the decoder cannot read past it.
  if (blosc_cbuffer_validate(src, srcLen, &announced) < 0)
    Corrupt("blosc chunk's header (version " + Str(src[0]) + ", " + Str(ReadLE32(src + 12)) +
            " compressed bytes) does not fit its " + Str(srcLen) + " bytes");
  if (announced != dstLen)
    Corrupt("blosc header says " + Str(announced) + " decoded bytes, the chunk holds " + Str(dstLen));
  const char* codec = HeaderCodec(src);
  if (!(src[2] & BLOSC_MEMCPYED) && (!*codec || blosc_compname_to_compcode(codec) < 0))
    Undecodable(std::string("blosc chunk uses codec ") + (*codec ? std::string(codec) : "(unknown, format " + Str(src[2] >> 5) + ")") +
                ", which this libblosc cannot decode (it has " + blosc_list_compressors() + ")");
  // One internal thread: the decode pool runs chunks side by side.
  const int got = blosc_decompress_ctx(src, dst, dstLen, 1);
  if (got != int(dstLen))
    Corrupt("blosc chunk does not decompress (" + std::string(codec) + ", blosc says " + std::to_string(got) + ")");
}

size_t BloscBound(size_t bytes) { return bytes + BLOSC_MAX_OVERHEAD; }

size_t EncodeBlosc(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstCapacity, size_t typeSize, int level,
                   int shuffle, unsigned compressor) {
  const char* name = BloscCompressorName(compressor);
  if (!*name) Corrupt("blosc compressor " + Str(compressor) + " is unknown");
  if (srcLen > size_t(BLOSC_MAX_BUFFERSIZE)) Corrupt("blosc: a chunk of " + Str(srcLen) + " bytes is too large");
  const int n = blosc_compress_ctx(level, shuffle, typeSize, srcLen, src, dst, dstCapacity, name, 0, 1);
  if (n <= 0) Corrupt(std::string("blosc compression (") + name + ") failed: " + std::to_string(n));
  return size_t(n);
}

}  // namespace h5swmr::decode
