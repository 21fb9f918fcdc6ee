// A chunk that does not decode: its bytes disagree with their own framing (sizes, block lengths,
// compressed streams). Thrown by the decoders; the chunk reader adds the dataset and chunk index.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace h5swmr::decode {

class DecodeError : public std::runtime_error {
 public:
  explicit DecodeError(const std::string& message) : std::runtime_error(message) {}
};

// A chunk whose bytes may be fine but that asks for something this build cannot decode (a codec the
// library lacks): H5_FILTER_UNAVAILABLE, not H5_CORRUPT_CHUNK.
class UndecodableMode : public DecodeError {
 public:
  explicit UndecodableMode(const std::string& message) : DecodeError(message) {}
};

[[noreturn]] inline void Corrupt(const std::string& message) { throw DecodeError(message); }
[[noreturn]] inline void Undecodable(const std::string& message) { throw UndecodableMode(message); }

// Big-endian integers in chunk headers (bitshuffle and HDF5-LZ4 framing).
inline uint64_t ReadBE64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
  return v;
}
inline uint32_t ReadBE32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
inline uint32_t ReadLE32(const uint8_t* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}
inline void WriteBE64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = uint8_t(v);
}
inline void WriteBE32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; i--, v >>= 8) p[i] = uint8_t(v);
}

}  // namespace h5swmr::decode
