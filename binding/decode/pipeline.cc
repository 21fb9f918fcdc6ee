#include "pipeline.h"

#include <cstring>

#include "bitshuffle.h"
#include "blosc_hdf5.h"
#include "bslz4.h"
#include "decode_error.h"
#include "deflate.h"
#include "lz4_hdf5.h"
#include "zstd_hdf5.h"

namespace h5swmr::decode {

namespace {

constexpr unsigned kDeflate = 1, kShuffle = 2;

std::string Describe(const FilterStep& step) {
  return "filter " + std::to_string(step.id) + (step.name.empty() ? "" : " (" + step.name + ")");
}

unsigned Cd(const FilterStep& step, size_t i, unsigned fallback = 0) {
  return i < step.cd.size() ? step.cd[i] : fallback;
}

// HDF5's shuffle filter undone: element count n = bytes / size; byte j of element i was stored at
// j * n + i, any leftover bytes after the planes; nothing was done for 1-byte or single elements.
void Unshuffle(const uint8_t* src, uint8_t* dst, size_t bytes, size_t elemSize) {
  const size_t n = elemSize ? bytes / elemSize : 0;
  if (elemSize <= 1 || n <= 1) {
    if (bytes) std::memcpy(dst, src, bytes);
    return;
  }
  bitshuffle::InterleaveBytes(bitshuffle::Active(), src, dst, n, elemSize);
  if (bytes > n * elemSize) std::memcpy(dst + n * elemSize, src + n * elemSize, bytes - n * elemSize);
}

void RunStep(const FilterStep& step, const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen) {
  switch (step.id) {
    case kDeflate:
      return Inflate(src, srcLen, dst, dstLen);
    case kShuffle:
      if (srcLen != dstLen)
        Corrupt("shuffled chunk holds " + std::to_string(srcLen) + " bytes, expected " + std::to_string(dstLen));
      return Unshuffle(src, dst, dstLen, Cd(step, 0));
    case kBitshuffleFilter: {
      const unsigned compression = BitshuffleCompression(step.cd.data(), step.cd.size());
      if (compression == kBitshuffleLz4 || compression == kBitshuffleZstd)
        return DecodeBslz4(src, srcLen, dst, dstLen, Cd(step, 2), 0, SIZE_MAX, BlockCodec(compression));
      return DecodeBitshuffle(src, srcLen, dst, dstLen, Cd(step, 2), Cd(step, 3));
    }
    case kLz4Filter:
      return DecodeHdf5Lz4(src, srcLen, dst, dstLen);
    case kZstdFilter:
      return DecodeHdf5Zstd(src, srcLen, dst, dstLen);
    case kBloscFilter:
      return DecodeBlosc(src, srcLen, dst, dstLen);
  }
  Corrupt("no decoder for " + Describe(step));
}

}  // namespace

std::string WhyNotDecodable(const FilterStep& step) {
  switch (step.id) {
    case kDeflate:
    case kLz4Filter:
    case kZstdFilter:
      return "";
    case kBloscFilter:
      // The writer's compressor; each chunk's header is checked again when it is decoded.
      return step.cd.size() > 6 ? BloscWhyNot(Cd(step, 6)) : "";
    case kShuffle:
      return Cd(step, 0) ? "" : "shuffle filter without an element size";
    case kBitshuffleFilter: {
      if (step.cd.size() < 3 || Cd(step, 2) == 0) return "bitshuffle filter without an element size";
      unsigned compression = BitshuffleCompression(step.cd.data(), step.cd.size());
      if (compression != 0 && compression != kBitshuffleLz4 && compression != kBitshuffleZstd)
        return "filter 32008 (bitshuffle) with compression " + std::to_string(compression) +
               " has no built-in decoder (h5swmr decodes 0 none, 2 LZ4, 3 zstd)";
      if (compression == 0 && Cd(step, 3) % 8) return "bitshuffle block size is not a multiple of 8";
      return "";
    }
  }
  return Describe(step) + " has no built-in decoder";
}

std::string UnsupportedFilterMode(const FilterStep& step) {
  if (step.id == kBitshuffleFilter && step.cd.size() > 4) {
    const unsigned c = BitshuffleCompression(step.cd.data(), step.cd.size());
    if (c != 0 && c != kBitshuffleLz4 && c != kBitshuffleZstd) return WhyNotDecodable(step);
  }
  if (step.id == kBloscFilter) return WhyNotDecodable(step);
  return "";
}

void DecodeChunkRange(const std::vector<FilterStep>& steps, uint32_t mask, const uint8_t* src, size_t srcLen,
                      uint8_t* dst, size_t dstLen, size_t firstByte, size_t endByte) {
  const unsigned compression = steps.size() == 1 ? BitshuffleCompression(steps[0].cd.data(), steps[0].cd.size()) : 0;
  if (steps.size() == 1 && (mask & 1) == 0 && steps[0].id == kBitshuffleFilter &&
      (compression == kBitshuffleLz4 || compression == kBitshuffleZstd)) {
    const size_t elemSize = Cd(steps[0], 2);
    if (elemSize)
      return DecodeBslz4(src, srcLen, dst, dstLen, elemSize, firstByte / elemSize, (endByte + elemSize - 1) / elemSize,
                         BlockCodec(compression));
  }
  DecodeChunk(steps, mask, src, srcLen, dst, dstLen);
}

void DecodeChunk(const std::vector<FilterStep>& steps, uint32_t mask, const uint8_t* src, size_t srcLen,
                 uint8_t* dst, size_t dstLen) {
  std::vector<size_t> active;
  for (size_t i = steps.size(); i-- > 0;)
    if (!(i < 32 && (mask >> i) & 1)) active.push_back(i);
  if (active.empty()) {
    if (srcLen != dstLen)
      Corrupt("unfiltered chunk holds " + std::to_string(srcLen) + " bytes, expected " + std::to_string(dstLen));
    if (dstLen) std::memcpy(dst, src, dstLen);
    return;
  }
  // Intermediate results alternate between two per-thread buffers; the last step writes to dst.
  thread_local std::vector<uint8_t> scratch[2];
  const uint8_t* in = src;
  size_t inLen = srcLen;
  for (size_t s = 0; s < active.size(); s++) {
    uint8_t* out = dst;
    if (s + 1 < active.size()) {
      std::vector<uint8_t>& buffer = scratch[s % 2];
      if (buffer.size() < dstLen) buffer.resize(dstLen);
      out = buffer.data();
    }
    RunStep(steps[active[s]], in, inLen, out, dstLen);
    in = out;
    inLen = dstLen;
  }
}

}  // namespace h5swmr::decode
