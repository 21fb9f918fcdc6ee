#include "deflate.h"

#include <new>
#include <string>

#include "decode_error.h"

#if H5SWMR_HAVE_LIBDEFLATE
#include <libdeflate.h>
#else
#include <zlib.h>
#endif

namespace h5swmr::decode {

#if H5SWMR_HAVE_LIBDEFLATE

namespace {

// One decompressor per thread, freed when the thread ends.
struct Decompressor {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  ~Decompressor() { libdeflate_free_decompressor(d); }
};

}  // namespace

void Inflate(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen) {
  thread_local Decompressor decompressor;
  if (!decompressor.d) throw std::bad_alloc();
  size_t got = 0;
  libdeflate_result r = libdeflate_zlib_decompress(decompressor.d, src, srcLen, dst, dstLen, &got);
  if (r == LIBDEFLATE_INSUFFICIENT_SPACE)
    Corrupt("deflate stream inflates to more than the chunk's " + std::to_string(dstLen) + " bytes");
  if (r != LIBDEFLATE_SUCCESS) Corrupt("deflate stream is corrupt");
  if (got != dstLen)
    Corrupt("deflate stream inflates to " + std::to_string(got) + " bytes, the chunk holds " + std::to_string(dstLen));
}

const char* InflateLibrary() { return "libdeflate"; }

#else

void Inflate(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) throw std::bad_alloc();
  z.next_in = const_cast<Bytef*>(src);
  z.avail_in = static_cast<uInt>(srcLen);
  z.next_out = dst;
  z.avail_out = static_cast<uInt>(dstLen);
  int r = inflate(&z, Z_FINISH);
  const uLong got = z.total_out;
  const bool full = z.avail_out == 0;
  inflateEnd(&z);
  if (r != Z_STREAM_END) {
    if (full)
      Corrupt("deflate stream inflates to more than the chunk's " + std::to_string(dstLen) + " bytes");
    Corrupt("deflate stream is corrupt");
  }
  if (got != dstLen)
    Corrupt("deflate stream inflates to " + std::to_string(got) + " bytes, the chunk holds " + std::to_string(dstLen));
}

const char* InflateLibrary() { return "zlib"; }

#endif

}  // namespace h5swmr::decode
