#include "lz4_hdf5.h"

#include <lz4.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "decode_error.h"

namespace h5swmr::decode {

void DecodeHdf5Lz4(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen) {
  auto str = [](uint64_t v) { return std::to_string(v); };
  if (srcLen < 12) Corrupt("LZ4 chunk of " + str(srcLen) + " bytes is shorter than its 12-byte header");
  const uint64_t announced = ReadBE64(src);
  if (announced != dstLen)
    Corrupt("LZ4 header says " + str(announced) + " decoded bytes, the chunk holds " + str(dstLen));
  size_t block = ReadBE32(src + 8);
  if (block == 0 && dstLen > 0) Corrupt("LZ4 header has a block size of 0");
  block = std::min(block, dstLen);
  const uint8_t* p = src + 12;
  const uint8_t* end = src + srcLen;
  size_t done = 0;
  for (size_t index = 0; done < dstLen; index++) {
    const size_t bytes = std::min(block, dstLen - done);
    if (end - p < 4) Corrupt("LZ4 block " + str(index) + " is cut off before its length");
    const uint32_t stored = ReadBE32(p);
    p += 4;
    if (stored > size_t(end - p))
      Corrupt("LZ4 block " + str(index) + " claims " + str(stored) + " bytes, " + str(end - p) + " remain");
    if (stored == bytes) {
      std::memcpy(dst + done, p, bytes);  // stored uncompressed: LZ4 would not have saved space
    } else {
      if (bytes > size_t(INT32_MAX) || stored > uint32_t(INT32_MAX)) Corrupt("LZ4 block " + str(index) + " is too large");
      int got = LZ4_decompress_safe(reinterpret_cast<const char*>(p), reinterpret_cast<char*>(dst + done),
                                    int(stored), int(bytes));
      if (got != int(bytes)) Corrupt("LZ4 block " + str(index) + " does not decompress to " + str(bytes) + " bytes");
    }
    p += stored;
    done += bytes;
  }
}

}  // namespace h5swmr::decode
