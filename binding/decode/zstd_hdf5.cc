#include "zstd_hdf5.h"

#include <string>

#include "decode_error.h"
#include "zstd_context.h"

namespace h5swmr::decode {

unsigned long long ZstdDecodedSize(const uint8_t* src, size_t srcLen) {
  unsigned long long total = 0;
  while (srcLen > 0) {
    const unsigned long long size = ZSTD_getFrameContentSize(src, srcLen);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) return size;
    const size_t frame = ZSTD_findFrameCompressedSize(src, srcLen);
    if (ZSTD_isError(frame) || frame == 0 || frame > srcLen) return ZSTD_CONTENTSIZE_ERROR;
    total += size;
    src += frame;
    srcLen -= frame;
  }
  return total;
}

void DecodeHdf5Zstd(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen) {
  // All frames' sizes (a writer may have concatenated frames; the plugin writes one).
  const unsigned long long announced = ZstdDecodedSize(src, srcLen);
  if (announced == ZSTD_CONTENTSIZE_ERROR)
    Corrupt("zstd chunk of " + std::to_string(srcLen) + " bytes is not a sequence of zstd frames");
  if (announced != ZSTD_CONTENTSIZE_UNKNOWN && announced != dstLen)
    Corrupt("zstd frame says " + std::to_string(announced) + " decoded bytes, the chunk holds " + std::to_string(dstLen));
  const size_t got = ZSTD_decompressDCtx(ThreadZstdDCtx(), dst, dstLen, src, srcLen);
  if (ZSTD_isError(got)) Corrupt(std::string("zstd chunk does not decompress: ") + ZSTD_getErrorName(got));
  if (got != dstLen)
    Corrupt("zstd chunk decompresses to " + std::to_string(got) + " bytes, expected " + std::to_string(dstLen));
}

size_t EncodeHdf5Zstd(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstCapacity, int level) {
  const size_t n = ZSTD_compressCCtx(ThreadZstdCCtx(), dst, dstCapacity, src, srcLen, level);
  if (ZSTD_isError(n)) Corrupt(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  return n;
}

}  // namespace h5swmr::decode
