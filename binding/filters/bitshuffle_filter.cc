// HDF5 filter 32008 (bitshuffle) built in, so H5Dread and our writer handle Eiger-style data with
// no plugin installed (Debian's hdf5-filter-plugin has none; the `bitshuffle` package pulls in
// OpenMPI). Registered at load only when HDF5 cannot find a plugin for 32008: in 1.10.8
// H5Zfilter_avail() does search the plugin path and registers what it finds, so an installed
// plugin keeps precedence and behaves as it would for any other HDF5 program.
//
// Same cd_values as kiyo-masui/bitshuffle's filter, so files written either way read either way:
// users pass {block size, compression[, zstd level]}; set_local prepends {major, minor, element
// size}, giving e.g. {0, 3, 2, 0, 2} for uint16 with the default block size and LZ4 (as DECTRIS
// writes), or {0, 5, 2, 0, 3, 3} for zstd at level 3 (as Jungfraujoch and hdf5plugin write).
#include "filters/bitshuffle_filter.h"

#include <hdf5.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "decode/bitshuffle.h"
#include "decode/bslz4.h"
#include "decode/decode_error.h"
#include "hdf5/stored_chunk.h"
#include "hdf5/handle.h"

namespace h5swmr {

namespace {

// The bitshuffle release whose format we write: 0.3 for LZ4 and none (Debian 12's), 0.5 for zstd
// (which came with 0.4; 0.5 is what Debian 13's plugin and hdf5plugin write).
constexpr unsigned kFormatMajor = 0, kFormatMinor = 3, kFormatMinorZstd = 5;

void PushError(const char* func, const std::string& message) {
  H5Epush2(H5E_DEFAULT, __FILE__, func, __LINE__, H5E_ERR_CLS, H5E_PLINE, H5E_CALLBACK, "%s", message.c_str());
}

herr_t SetLocal(hid_t dcpl, hid_t type, hid_t) {
  unsigned flags = 0, given[8] = {0};
  size_t ngiven = 8;
  if (H5Pget_filter_by_id2(dcpl, decode::kBitshuffleFilter, &flags, &ngiven, given, 0, nullptr, nullptr) < 0)
    return -1;
  if (ngiven > 8) ngiven = 8;
  unsigned values[11] = {0};
  for (size_t i = 0; i < ngiven; i++) values[i + 3] = given[i];  // user values move up three slots
  size_t nvalues = ngiven + 3;
  size_t elemSize = H5Tget_size(type);
  if (elemSize == 0) {
    PushError("bitshuffle set_local", "bitshuffle: invalid element size");
    return -1;
  }
  values[0] = kFormatMajor;
  values[1] = nvalues > 4 && values[4] == decode::kBitshuffleZstd ? kFormatMinorZstd : kFormatMinor;
  values[2] = static_cast<unsigned>(elemSize);
  if (nvalues > 3 && values[3] % 8) {
    PushError("bitshuffle set_local", "bitshuffle: block size " + std::to_string(values[3]) + " is not a multiple of 8");
    return -1;
  }
  if (nvalues > 4 && values[4] != 0 && values[4] != decode::kBitshuffleLz4 && values[4] != decode::kBitshuffleZstd) {
    PushError("bitshuffle set_local",
              "bitshuffle: compression " + std::to_string(values[4]) + " is not built in (0 = none, 2 = LZ4, 3 = zstd)");
    return -1;
  }
  return H5Pmodify_filter(dcpl, decode::kBitshuffleFilter, flags, nvalues, values);
}

// H5Z filter: on read (H5Z_FLAG_REVERSE) decode *buf, on write encode it; replaces *buf and returns
// the new size in bytes, 0 on failure (with an HDF5 error pushed; "corrupt chunk" marks bad data).
size_t Filter(unsigned flags, size_t ncd, const unsigned cd[], size_t nbytes, size_t* bufSize, void** buf) {
  if (ncd < 3 || cd[2] == 0) {
    PushError("bitshuffle filter", "bitshuffle: missing element size in the filter parameters");
    return 0;
  }
  const size_t elemSize = cd[2];
  const size_t blockSize = ncd > 3 ? cd[3] : 0;
  // "lz4" below: the blocked format with a header, LZ4 or zstd blocks.
  const unsigned compression = decode::BitshuffleCompression(cd, ncd);
  const bool lz4 = compression == decode::kBitshuffleLz4 || compression == decode::kBitshuffleZstd;
  const decode::BlockCodec codec = compression == decode::kBitshuffleZstd ? decode::BlockCodec::Zstd : decode::BlockCodec::Lz4;
  const int level = ncd > 5 ? static_cast<int>(cd[5]) : 0;
  if (compression != 0 && !lz4) {
    PushError("bitshuffle filter", "bitshuffle: compression " + std::to_string(cd[4]) + " is not built in");
    return 0;
  }
  const uint8_t* in = static_cast<const uint8_t*>(*buf);
  void* out = nullptr;
  size_t outBytes = 0;
  try {
    if (flags & H5Z_FLAG_REVERSE) {
      if (lz4) {
        uint64_t announced = decode::Bslz4DecodedBytes(in, nbytes);
        // A header claiming more than the blocks could hold is corrupt, not a reason to allocate
        // gigabytes. An LZ4 block expands at most ~255x. A zstd block has no such ratio (a block of
        // zeros is a few bytes), but each block costs at least its 4-byte length: at most
        // (stored - 12) / 4 blocks of the header's block size, plus a tail of under 8 elements.
        // HDF5's chunks are under 4 GiB either way.
        const uint64_t blockBytes = decode::ReadBE32(in + 8);
        const uint64_t limit = codec == decode::BlockCodec::Zstd
                                   ? ((uint64_t(nbytes) - decode::kBslz4HeaderBytes) / 4 + 1) * blockBytes + 8 * elemSize
                                   : 256 * uint64_t(nbytes) + 64 * elemSize + 65536;
        if (announced > limit || announced > UINT32_MAX)
          decode::Corrupt(std::string(decode::CodecName(codec)) + " header says " + std::to_string(announced) +
                          " bytes from " + std::to_string(nbytes) + " stored");
        outBytes = static_cast<size_t>(announced);
        out = H5allocate_memory(outBytes ? outBytes : 1, false);
        if (!out) throw std::bad_alloc();
        decode::DecodeBslz4(in, nbytes, static_cast<uint8_t*>(out), outBytes, elemSize, 0, SIZE_MAX, codec);
      } else {
        outBytes = nbytes;
        out = H5allocate_memory(outBytes ? outBytes : 1, false);
        if (!out) throw std::bad_alloc();
        decode::DecodeBitshuffle(in, nbytes, static_cast<uint8_t*>(out), outBytes, elemSize, blockSize);
      }
    } else {
      if (lz4) {
        size_t bound = decode::Bslz4Bound(nbytes, elemSize, blockSize, codec);
        out = H5allocate_memory(bound, false);
        if (!out) throw std::bad_alloc();
        outBytes = decode::EncodeBslz4(in, nbytes, static_cast<uint8_t*>(out), elemSize, blockSize, codec, level);
      } else {
        outBytes = nbytes;
        out = H5allocate_memory(outBytes ? outBytes : 1, false);
        if (!out) throw std::bad_alloc();
        decode::EncodeBitshuffle(in, nbytes, static_cast<uint8_t*>(out), elemSize, blockSize);
      }
    }
  } catch (const decode::DecodeError& e) {
    if (out) H5free_memory(out);
    PushError("bitshuffle filter", std::string((flags & H5Z_FLAG_REVERSE) ? "bitshuffle: corrupt chunk: " : "bitshuffle: ") + e.what());
    return 0;
  } catch (const std::exception& e) {
    if (out) H5free_memory(out);
    PushError("bitshuffle filter", std::string("bitshuffle: ") + e.what());
    return 0;
  }
  H5free_memory(*buf);
  *buf = out;
  *bufSize = (flags & H5Z_FLAG_REVERSE) ? outBytes : (lz4 ? decode::Bslz4Bound(nbytes, elemSize, blockSize, codec) : outBytes);
  return outBytes;
}

const H5Z_class2_t kFilterClass = {
    H5Z_CLASS_T_VERS,
    static_cast<H5Z_filter_t>(decode::kBitshuffleFilter),
    1,  // encoder present
    1,  // decoder present
    "bitshuffle; built into h5swmr (format of https://github.com/kiyo-masui/bitshuffle)",
    nullptr,  // can_apply
    SetLocal,
    Filter,
};

}  // namespace

namespace {

const char* source = nullptr;  // EnsureBitshuffleFilter's answer; changes when ours replaces the plugin

// Whether the 32008 filter HDF5 has now writes and reads bitshuffle-zstd: a 64-element dataset in a
// memory-only file (the core driver without a backing store), written and read back.
bool Hdf5DoesBitshuffleZstd() {
  static int counter = 0;
  const std::string name = "h5swmr-bszstd-probe-" + std::to_string(++counter);
  ScopedId fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fapl_core(fapl, 65536, 0);
  ScopedId file(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose);
  const hsize_t n = 64;
  ScopedId space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  ScopedId dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  const unsigned cd[3] = {0, decode::kBitshuffleZstd, 3};
  bool ok = file.valid() && H5Pset_chunk(dcpl, 1, &n) >= 0 &&
            H5Pset_filter(dcpl, decode::kBitshuffleFilter, H5Z_FLAG_MANDATORY, 3, cd) >= 0;
  if (ok) {
    ScopedId ds(H5Dcreate2(file, "x", H5T_NATIVE_UINT16, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), H5Dclose);
    uint16_t in[64], out[64] = {0};
    for (int i = 0; i < 64; i++) in[i] = static_cast<uint16_t>(i % 5 == 0 ? 1000 + i : i % 3);
    ok = ds.valid() && H5Dwrite(ds, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, in) >= 0 &&
         H5Dread(ds, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0 && std::memcmp(in, out, sizeof in) == 0;
    // And the stored chunk really is zstd blocks (an old plugin round-trips plain bitshuffle instead).
    hsize_t offset = 0, stored = 0;
    if (ok && H5Dget_chunk_storage_size(ds, &offset, &stored) >= 0 && stored > 0 && stored < 65536) {
      std::vector<uint8_t> chunk(static_cast<size_t>(stored));
      uint32_t mask = 0;
      uint16_t decoded[64] = {0};
      ok = ReadStoredChunk(ds, &offset, &mask, chunk.data(), stored) >= 0 && mask == 0;
      try {
        if (ok) decode::DecodeBslz4(chunk.data(), chunk.size(), reinterpret_cast<uint8_t*>(decoded), sizeof decoded, 2, 0, SIZE_MAX,
                                    decode::BlockCodec::Zstd);
        ok = ok && std::memcmp(in, decoded, sizeof in) == 0;
      } catch (const decode::DecodeError&) {
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  H5Eclear2(H5E_DEFAULT);
  return ok;
}

}  // namespace

const char* EnsureBitshuffleFilter() {
  if (!source) {
    if (H5Zfilter_avail(decode::kBitshuffleFilter) > 0) {
      source = "plugin";
    } else {
      H5Eclear2(H5E_DEFAULT);
      source = H5Zregister(&kFilterClass) < 0 ? "unavailable" : "builtin";
      H5Eclear2(H5E_DEFAULT);
    }
  }
  return source;
}

bool EnsureBitshuffleZstd() {
  static int answer = -1;
  if (answer < 0) {
    const char* now = EnsureBitshuffleFilter();
    if (std::strcmp(now, "plugin") != 0) {
      answer = std::strcmp(now, "builtin") == 0;
    } else if (Hdf5DoesBitshuffleZstd()) {
      answer = 1;
    } else {
      // The plugin predates zstd (Debian 12's bitshuffle 0.3.5 would even take a zstd chunk for plain
      // bitshuffle): ours, which does all the plugin does, takes its place in this process.
      answer = H5Zregister(&kFilterClass) >= 0;
      H5Eclear2(H5E_DEFAULT);
      if (answer) source = "builtin";
    }
  }
  return answer == 1;
}

}  // namespace h5swmr
