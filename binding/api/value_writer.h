// The write side of values (the reverse of api/values.h): a JS type spec into an HDF5 file type, and
// JS values (strings, records, typed arrays, ...) into the memory layout of a described type
// (hdf5/value_type.h), for H5Dwrite and H5Awrite.
#pragma once
#include <napi.h>

#include <deque>
#include <string>
#include <vector>

#include "hdf5/value_type.h"

namespace h5swmr {

// A new file type (caller closes) for a JS type spec: a dtype name ('uint16', 'float64', 'bool',
// 'string' = variable-length UTF-8, 'complex64', 'complex128') or an object: { string: N, encoding? }
// (fixed, null-padded), { compound: { name: spec, ... } }, { array: spec, shape: [...] },
// { vlen: spec }. Types as h5py writes them, so h5py reads them back as its own. Under the lock.
hid_t FileTypeFromSpec(const Napi::Value& spec, const std::string& what);

// Memory of `count` elements of `type`, filled from JS, and what it points into (strings, sequences).
struct ValueWriteBuffer {
  std::vector<uint8_t> bytes;
  std::deque<std::string> strings;           // variable-length strings: their char* point here
  std::deque<std::vector<uint8_t>> blobs;    // variable-length sequences: their hvl_t point here
};

// `values` is an array of `count` elements, or (count 1) the element itself. On the JS thread.
void FillValues(const ValueType& type, const Napi::Value& values, size_t count, ValueWriteBuffer& out, const std::string& what);

}  // namespace h5swmr
