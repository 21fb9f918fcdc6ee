// HDF5 filter 32008 (bitshuffle) built in, so H5Dread and our writer handle Eiger-style data with
// no plugin installed (Debian's hdf5-filter-plugin has none; the `bitshuffle` package pulls in
// OpenMPI). Registered at load only when HDF5 cannot find a plugin for 32008: in 1.10.8
// H5Zfilter_avail() does search the plugin path and registers what it finds, so an installed
// plugin keeps precedence and behaves as it would for any other HDF5 program.
//
// Same cd_values as kiyo-masui/bitshuffle's filter, so files written either way read either way:
// users pass {block size, compression}; set_local prepends {major, minor, element size}, giving
// e.g. {0, 3, 2, 0, 2} for uint16 with the default block size and LZ4 (as DECTRIS writes).
#include "bitshuffle_filter.h"

#include <hdf5.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "decode/bitshuffle.h"
#include "decode/bslz4.h"
#include "decode/decode_error.h"

namespace h5swmr {

namespace {

constexpr unsigned kFormatMajor = 0, kFormatMinor = 3;  // the bitshuffle release whose format we write

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
  values[1] = kFormatMinor;
  values[2] = static_cast<unsigned>(elemSize);
  if (nvalues > 3 && values[3] % 8) {
    PushError("bitshuffle set_local", "bitshuffle: block size " + std::to_string(values[3]) + " is not a multiple of 8");
    return -1;
  }
  if (nvalues > 4 && values[4] != 0 && values[4] != decode::kBitshuffleLz4) {
    PushError("bitshuffle set_local", "bitshuffle: compression " + std::to_string(values[4]) + " is not built in (0 = none, 2 = LZ4)");
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
  const bool lz4 = ncd > 4 && cd[4] == decode::kBitshuffleLz4;
  if (ncd > 4 && cd[4] != 0 && !lz4) {
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
        // An LZ4 block expands at most ~255x; a header claiming more is corrupt, not a reason to
        // allocate gigabytes.
        if (announced > 256 * uint64_t(nbytes) + 64 * elemSize)
          decode::Corrupt("bitshuffle-LZ4 header says " + std::to_string(announced) + " bytes from " +
                          std::to_string(nbytes) + " stored");
        outBytes = static_cast<size_t>(announced);
        out = H5allocate_memory(outBytes ? outBytes : 1, false);
        if (!out) throw std::bad_alloc();
        decode::DecodeBslz4(in, nbytes, static_cast<uint8_t*>(out), outBytes, elemSize);
      } else {
        outBytes = nbytes;
        out = H5allocate_memory(outBytes ? outBytes : 1, false);
        if (!out) throw std::bad_alloc();
        decode::DecodeBitshuffle(in, nbytes, static_cast<uint8_t*>(out), outBytes, elemSize, blockSize);
      }
    } else {
      if (lz4) {
        size_t bound = decode::Bslz4Bound(nbytes, elemSize, blockSize);
        out = H5allocate_memory(bound, false);
        if (!out) throw std::bad_alloc();
        outBytes = decode::EncodeBslz4(in, nbytes, static_cast<uint8_t*>(out), elemSize, blockSize);
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
  *bufSize = (flags & H5Z_FLAG_REVERSE) ? outBytes : (lz4 ? decode::Bslz4Bound(nbytes, elemSize, blockSize) : outBytes);
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

const char* EnsureBitshuffleFilter() {
  static const char* source = [] {
    if (H5Zfilter_avail(decode::kBitshuffleFilter) > 0) return "plugin";
    H5Eclear2(H5E_DEFAULT);
    if (H5Zregister(&kFilterClass) < 0) {
      H5Eclear2(H5E_DEFAULT);
      return "unavailable";
    }
    return "builtin";
  }();
  return source;
}

}  // namespace h5swmr
