#include "bslz4.h"

#include <lz4.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "bitshuffle.h"
#include "decode_error.h"
#include "zstd_context.h"

namespace h5swmr::decode {

namespace {

// Per-thread block buffers: the LZ4 output and the kernels' plane scratch stay in L1/L2.
struct BlockScratch {
  std::vector<uint8_t> block, planes;
  void Reserve(size_t bytes) {
    if (block.size() < bytes) {
      block.resize(bytes);
      planes.resize(bytes);
    }
  }
};

BlockScratch& Scratch(size_t bytes) {
  thread_local BlockScratch scratch;
  scratch.Reserve(bytes);
  return scratch;
}

// One block: exactly `bytes` decoded bytes, or false.
bool DecompressBlock(BlockCodec codec, const uint8_t* src, size_t srcLen, uint8_t* dst, size_t bytes) {
  if (codec == BlockCodec::Zstd) {
    size_t got = ZSTD_decompressDCtx(ThreadZstdDCtx(), dst, bytes, src, srcLen);
    return !ZSTD_isError(got) && got == bytes;
  }
  return LZ4_decompress_safe(reinterpret_cast<const char*>(src), reinterpret_cast<char*>(dst), int(srcLen),
                             int(bytes)) == int(bytes);
}

size_t BlockBound(BlockCodec codec, size_t bytes) {
  return codec == BlockCodec::Zstd ? ZSTD_compressBound(bytes) : size_t(LZ4_compressBound(int(bytes)));
}

std::string Str(uint64_t v) { return std::to_string(v); }

void CheckElements(size_t bytes, size_t elemSize) {
  if (elemSize == 0) Corrupt("bitshuffle element size is 0");
  if (bytes % elemSize)
    Corrupt("bitshuffle chunk of " + Str(bytes) + " bytes is not a whole number of " + Str(elemSize) + "-byte elements");
}

size_t BlockElements(size_t blockSize, size_t elemSize) {
  size_t block = blockSize ? blockSize : bitshuffle::DefaultBlockSize(elemSize);
  if (block % 8) Corrupt("bitshuffle block size " + Str(block) + " is not a multiple of 8 elements");
  return block;
}

}  // namespace

const char* CodecName(BlockCodec codec) { return codec == BlockCodec::Zstd ? "bitshuffle-zstd" : "bitshuffle-LZ4"; }

uint64_t Bslz4DecodedBytes(const uint8_t* src, size_t srcLen) {
  if (srcLen < kBslz4HeaderBytes)
    Corrupt("bitshuffle chunk of " + Str(srcLen) + " bytes is shorter than its 12-byte header");
  return ReadBE64(src);
}

void DecodeBslz4(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen, size_t elemSize, size_t firstElem,
                 size_t endElem, BlockCodec codec) {
  const std::string name = CodecName(codec);
  uint64_t announced = Bslz4DecodedBytes(src, srcLen);
  if (announced != dstLen)
    Corrupt(name + " header says " + Str(announced) + " decoded bytes, the chunk holds " + Str(dstLen));
  CheckElements(dstLen, elemSize);
  // The header's block size (bytes) overrides the filter's, as in the reference filter.
  size_t block = BlockElements(ReadBE32(src + 8) / elemSize, elemSize);
  const size_t count = dstLen / elemSize;
  if (std::min(block, count) * elemSize > size_t(INT32_MAX)) Corrupt(name + " block size " + Str(block) + " is too large");
  const uint8_t* p = src + kBslz4HeaderBytes;
  const uint8_t* end = src + srcLen;
  BlockScratch& scratch = Scratch(std::min(block, count) * elemSize);
  const bitshuffle::Kernel kernel = bitshuffle::Active();
  size_t index = 0;
  size_t covered = bitshuffle::ForEachBlock(count, block, [&](size_t first, size_t n) {
    const size_t bytes = n * elemSize;
    if (end - p < 4) Corrupt(name + " block " + Str(index) + " is cut off before its length");
    const uint32_t compressed = ReadBE32(p);
    p += 4;
    if (compressed > size_t(end - p) || compressed > uint32_t(INT32_MAX))
      Corrupt(name + " block " + Str(index) + " claims " + Str(compressed) + " compressed bytes, " +
              Str(end - p) + " remain");
    if (first + n <= firstElem || first >= endElem) {  // outside the range: skip it
      p += compressed;
      index++;
      return;
    }
    if (!DecompressBlock(codec, p, compressed, scratch.block.data(), bytes))
      Corrupt(name + " block " + Str(index) + " does not decompress to " + Str(bytes) + " bytes");
    bitshuffle::UnshuffleBlock(kernel, scratch.block.data(), dst + first * elemSize, n, elemSize,
                               scratch.planes.data());
    p += compressed;
    index++;
  });
  const size_t rawBytes = (count - covered) * elemSize;
  if (rawBytes > size_t(end - p))
    Corrupt(name + " chunk ends " + Str(rawBytes - (end - p)) + " bytes before its last " +
            Str(count - covered) + " elements");
  if (rawBytes && count > firstElem && covered < endElem) std::memcpy(dst + covered * elemSize, p, rawBytes);
}

void DecodeBitshuffle(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t dstLen, size_t elemSize,
                      size_t blockSize) {
  if (srcLen != dstLen)
    Corrupt("bitshuffle chunk holds " + Str(srcLen) + " bytes, expected " + Str(dstLen));
  CheckElements(dstLen, elemSize);
  bitshuffle::UnshuffleBuffer(bitshuffle::Active(), src, dst, dstLen / elemSize, elemSize,
                              BlockElements(blockSize, elemSize));
}

size_t Bslz4Bound(size_t bytes, size_t elemSize, size_t blockSize, BlockCodec codec) {
  size_t block = BlockElements(blockSize, elemSize);
  size_t count = bytes / elemSize;
  size_t bound = kBslz4HeaderBytes;
  size_t covered = bitshuffle::ForEachBlock(count, block, [&](size_t, size_t n) {
    bound += 4 + BlockBound(codec, n * elemSize);
  });
  return bound + (count - covered) * elemSize;
}

size_t EncodeBslz4(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t elemSize, size_t blockSize, BlockCodec codec,
                   int level) {
  CheckElements(srcLen, elemSize);
  size_t block = BlockElements(blockSize, elemSize);
  if (block * elemSize > UINT32_MAX || srcLen > size_t(INT32_MAX)) Corrupt(std::string(CodecName(codec)) + ": chunk or block too large");
  WriteBE64(dst, srcLen);
  WriteBE32(dst + 8, uint32_t(block * elemSize));
  const size_t count = srcLen / elemSize;
  BlockScratch& scratch = Scratch(std::min(block, count) * elemSize);
  const bitshuffle::Kernel kernel = bitshuffle::Active();
  uint8_t* out = dst + kBslz4HeaderBytes;
  size_t covered = bitshuffle::ForEachBlock(count, block, [&](size_t first, size_t n) {
    const size_t bytes = n * elemSize;
    bitshuffle::ShuffleBlock(kernel, src + first * elemSize, scratch.block.data(), n, elemSize, scratch.planes.data());
    size_t compressed;
    if (codec == BlockCodec::Zstd) {
      compressed = ZSTD_compressCCtx(ThreadZstdCCtx(), out + 4, BlockBound(codec, bytes), scratch.block.data(), bytes, level);
      if (ZSTD_isError(compressed)) Corrupt(std::string("zstd compression failed: ") + ZSTD_getErrorName(compressed));
    } else {
      int got = LZ4_compress_default(reinterpret_cast<const char*>(scratch.block.data()), reinterpret_cast<char*>(out + 4),
                                     int(bytes), LZ4_compressBound(int(bytes)));
      if (got <= 0) Corrupt("LZ4 compression failed");
      compressed = size_t(got);
    }
    WriteBE32(out, uint32_t(compressed));
    out += 4 + compressed;
  });
  const size_t rawBytes = (count - covered) * elemSize;
  if (rawBytes) std::memcpy(out, src + covered * elemSize, rawBytes);
  return size_t(out + rawBytes - dst);
}

void EncodeBitshuffle(const uint8_t* src, size_t srcLen, uint8_t* dst, size_t elemSize, size_t blockSize) {
  CheckElements(srcLen, elemSize);
  bitshuffle::ShuffleBuffer(bitshuffle::Active(), src, dst, srcLen / elemSize, elemSize,
                            BlockElements(blockSize, elemSize));
}

}  // namespace h5swmr::decode
