// HDF5 filters 32015 (Zstandard) and 32001 (Blosc) built in. Registered only when HDF5 finds no
// plugin for them (H5Zfilter_avail searches the plugin path and registers what it finds), so an
// installed plugin keeps precedence. Same cd_values as the plugins hdf5plugin ships, so files
// written either way read either way:
// - 32015 (aparamon's HDF5Plugin-Zstandard): {level} (optional, zstd's default 3 when absent); the
//   chunk is one zstd frame.
// - 32001 (PyTables' hdf5-blosc): users pass {…, …, …, …, level, shuffle, compressor}; set_local
//   fills slots 0-3 with {filter revision 2, blosc format version, type size, chunk bytes}; the chunk
//   is one blosc buffer.
#include "filters/codec_filters.h"

#include <blosc.h>
#include <hdf5.h>
#include <zstd.h>

#include <string>

#include "decode/blosc_hdf5.h"
#include "decode/decode_error.h"
#include "decode/zstd_hdf5.h"

namespace h5swmr {

namespace {

constexpr unsigned kBloscFilterRevision = 2;  // hdf5-blosc's FILTER_BLOSC_VERSION

void PushError(const char* func, const std::string& message) {
  H5Epush2(H5E_DEFAULT, __FILE__, func, __LINE__, H5E_ERR_CLS, H5E_PLINE, H5E_CALLBACK, "%s", message.c_str());
}

// Run `body` for a filter callback: it returns the new buffer and its size; decode errors become an
// HDF5 error (0), "corrupt chunk" marking bad data on reads as bitshuffle_filter.cc does.
template <typename Body>
size_t Filtered(const char* name, unsigned flags, size_t* bufSize, void** buf, Body body) {
  void* out = nullptr;
  size_t outBytes = 0, capacity = 0;
  try {
    body(out, outBytes, capacity);
  } catch (const decode::UndecodableMode& e) {
    if (out) H5free_memory(out);
    PushError(name, std::string(name) + ": cannot decode this chunk: " + e.what());
    return 0;
  } catch (const decode::DecodeError& e) {
    if (out) H5free_memory(out);
    PushError(name, std::string(name) + ((flags & H5Z_FLAG_REVERSE) ? ": corrupt chunk: " : ": ") + e.what());
    return 0;
  } catch (const std::exception& e) {
    if (out) H5free_memory(out);
    PushError(name, std::string(name) + ": " + e.what());
    return 0;
  }
  H5free_memory(*buf);
  *buf = out;
  *bufSize = capacity;
  return outBytes;
}

void* Allocate(size_t bytes) {
  void* p = H5allocate_memory(bytes ? bytes : 1, false);
  if (!p) throw std::bad_alloc();
  return p;
}

// A decoded size read from a chunk's own header, before allocating for it: more than `limit` (what
// the chunk could hold) means a corrupt header, not gigabytes to allocate. HDF5's chunks are under
// 4 GiB.
void CheckAnnounced(uint64_t announced, uint64_t limit, size_t stored, const char* what) {
  if (announced > limit || announced > UINT32_MAX)
    decode::Corrupt(std::string(what) + " says " + std::to_string(announced) + " decoded bytes from " + std::to_string(stored) +
                    " stored");
}

size_t ZstdFilter(unsigned flags, size_t ncd, const unsigned cd[], size_t nbytes, size_t* bufSize, void** buf) {
  const uint8_t* in = static_cast<const uint8_t*>(*buf);
  return Filtered("zstd", flags, bufSize, buf, [&](void*& out, size_t& outBytes, size_t& capacity) {
    if (flags & H5Z_FLAG_REVERSE) {
      const unsigned long long announced = decode::ZstdDecodedSize(in, nbytes);
      if (announced == ZSTD_CONTENTSIZE_ERROR || announced == ZSTD_CONTENTSIZE_UNKNOWN)
        decode::Corrupt("zstd chunk of " + std::to_string(nbytes) + " bytes does not say its decoded size");
      // zstd has no fixed expansion limit (an RLE block: 3 bytes for 128 KiB of one value).
      CheckAnnounced(announced, 32768 * uint64_t(nbytes) + 131072, nbytes, "zstd frame");
      capacity = outBytes = static_cast<size_t>(announced);
      out = Allocate(outBytes);
      decode::DecodeHdf5Zstd(in, nbytes, static_cast<uint8_t*>(out), outBytes);
    } else {
      capacity = ZSTD_compressBound(nbytes);
      out = Allocate(capacity);
      outBytes = decode::EncodeHdf5Zstd(in, nbytes, static_cast<uint8_t*>(out), capacity, ncd > 0 ? int(cd[0]) : 3);
    }
  });
}

herr_t BloscSetLocal(hid_t dcpl, hid_t type, hid_t) {
  unsigned flags = 0, values[8] = {0};
  size_t n = 8;
  if (H5Pget_filter_by_id2(dcpl, decode::kBloscFilter, &flags, &n, values, 0, nullptr, nullptr) < 0) return -1;
  if (n < 4) n = 4;
  if (n > 7) n = 7;
  hsize_t chunk[H5S_MAX_RANK];
  int rank = H5Pget_chunk(dcpl, H5S_MAX_RANK, chunk);
  if (rank <= 0) {
    PushError("blosc set_local", "blosc: the dataset is not chunked");
    return -1;
  }
  size_t typeSize = H5Tget_size(type);
  if (typeSize == 0) return -1;
  size_t bytes = typeSize;
  for (int i = 0; i < rank; i++) bytes *= chunk[i];
  if (bytes > size_t(BLOSC_MAX_BUFFERSIZE)) {
    PushError("blosc set_local", "blosc: a chunk of " + std::to_string(bytes) + " bytes is too large for blosc");
    return -1;
  }
  values[0] = kBloscFilterRevision;
  values[1] = BLOSC_VERSION_FORMAT;
  values[2] = static_cast<unsigned>(typeSize > BLOSC_MAX_TYPESIZE ? 1 : typeSize);  // as hdf5-blosc does
  values[3] = static_cast<unsigned>(bytes);
  if (n > 6 && !*decode::BloscCompressorName(values[6])) {
    PushError("blosc set_local", "blosc: compressor " + std::to_string(values[6]) + " is unknown");
    return -1;
  }
  return H5Pmodify_filter(dcpl, decode::kBloscFilter, flags, n, values);
}

size_t BloscFilter(unsigned flags, size_t ncd, const unsigned cd[], size_t nbytes, size_t* bufSize, void** buf) {
  const uint8_t* in = static_cast<const uint8_t*>(*buf);
  return Filtered("blosc", flags, bufSize, buf, [&](void*& out, size_t& outBytes, size_t& capacity) {
    if (flags & H5Z_FLAG_REVERSE) {
      size_t announced = 0, cbytes = 0, block = 0;
      if (nbytes < BLOSC_MIN_HEADER_LENGTH) decode::Corrupt("blosc chunk shorter than its header");
      blosc_cbuffer_sizes(in, &announced, &cbytes, &block);
      // The chunk's size, as set_local stored it in cd_values[3], when it is there.
      CheckAnnounced(announced, ncd > 3 && cd[3] ? uint64_t(cd[3]) : 32768 * uint64_t(nbytes) + 131072, nbytes, "blosc header");
      capacity = outBytes = announced;
      out = Allocate(outBytes);
      decode::DecodeBlosc(in, nbytes, static_cast<uint8_t*>(out), outBytes);
    } else {
      const size_t typeSize = ncd > 2 && cd[2] ? cd[2] : 1;
      const int level = ncd > 4 ? int(cd[4]) : 5;
      const int shuffle = ncd > 5 ? int(cd[5]) : 1;
      const unsigned compressor = ncd > 6 ? cd[6] : 0;
      capacity = decode::BloscBound(nbytes);
      out = Allocate(capacity);
      outBytes = decode::EncodeBlosc(in, nbytes, static_cast<uint8_t*>(out), capacity, typeSize, level, shuffle, compressor);
    }
  });
}

const H5Z_class2_t kZstdClass = {
    H5Z_CLASS_T_VERS, static_cast<H5Z_filter_t>(decode::kZstdFilter), 1, 1,
    "Zstandard; built into h5swmr (format of https://github.com/aparamon/HDF5Plugin-Zstandard)",
    nullptr, nullptr, ZstdFilter,
};

const H5Z_class2_t kBloscClass = {
    H5Z_CLASS_T_VERS, static_cast<H5Z_filter_t>(decode::kBloscFilter), 1, 1,
    "blosc; built into h5swmr (format of https://github.com/Blosc/hdf5-blosc)",
    nullptr, BloscSetLocal, BloscFilter,
};

const char* Ensure(const H5Z_class2_t& cls) {
  if (H5Zfilter_avail(cls.id) > 0) return "plugin";
  H5Eclear2(H5E_DEFAULT);
  if (H5Zregister(&cls) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return "unavailable";
  }
  return "builtin";
}

}  // namespace

const char* EnsureZstdFilter() {
  static const char* source = Ensure(kZstdClass);
  return source;
}

const char* EnsureBloscFilter() {
  static const char* source = Ensure(kBloscClass);
  return source;
}

}  // namespace h5swmr
