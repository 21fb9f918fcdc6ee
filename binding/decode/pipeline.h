// A dataset's filter pipeline as our decoders see it, and the decoding of one stored chunk: the
// filters undone in reverse order, skipping those the chunk's filter mask says were not applied.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace h5swmr::decode {

struct FilterStep {
  unsigned id = 0;
  std::vector<unsigned> cd;  // cd_values as stored in the dataset
  std::string name;
};

// "" if we decode this filter (with these cd_values), else why not (for readPlan's reason).
std::string WhyNotDecodable(const FilterStep& step);

// Non-empty only for a filter whose format we know asked for a mode we do not decode (bitshuffle's
// compression, blosc's codec): then a failed H5Dread means "cannot decode", not "corrupt".
std::string UnsupportedFilterMode(const FilterStep& step);

// Decode a stored chunk into exactly dstLen bytes. `steps` are in the order HDF5 applied them on
// write; bit i of `mask` set means step i was skipped for this chunk. Throws DecodeError.
void DecodeChunk(const std::vector<FilterStep>& steps, uint32_t mask, const uint8_t* src, size_t srcLen,
                 uint8_t* dst, size_t dstLen);

// DecodeChunk for a caller that needs only bytes [firstByte, endByte) of the chunk: a chunk of
// bitshuffle-LZ4 or bitshuffle-zstd alone decodes just the blocks holding them (a region of interest of a detector frame
// costs a fraction of the frame); other pipelines decode the whole chunk.
void DecodeChunkRange(const std::vector<FilterStep>& steps, uint32_t mask, const uint8_t* src, size_t srcLen,
                      uint8_t* dst, size_t dstLen, size_t firstByte, size_t endByte);

}  // namespace h5swmr::decode
