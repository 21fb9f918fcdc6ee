// HDF5 datatypes <-> typed-array kinds, and a clear refusal of everything else.
#pragma once
#include <hdf5.h>
#include <js_native_api_types.h>  // napi_typedarray_type only: the kind of array a type reads into

#include <string>

#include "hdf5/value_type.h"

namespace h5swmr {

struct TypeInfo {
  std::string dtype;      // 'uint16', 'float16', 'complex64', 'bool', 'string', ... (value_type.h)
  std::string typeClass;  // 'integer' | 'float' | 'enum' | 'bool' | 'bitfield' | 'complex' | 'array' |
                          // 'string' | 'compound' | 'vlen' | 'opaque' | 'reference' | an unsupported class
  bool supported = false;  // reads fill a typed array (numbers, complex, arrays of those)
  bool readable = false;   // reads give values of some kind (every class h5py reads)
  size_t memSize = 0;      // bytes per element in memory (float16 reads as float32)
  size_t elements = 1;     // typed-array elements per dataset element (complex: 2; arrays: their size)
  napi_typedarray_type arrayType{};  // the typed array a read fills
};

// What the typed-array path makes of a described type. Call under the lock.
TypeInfo TypedInfoOf(const ValueType& type);

// The memory type that matches a JS typed array, for writes (a library constant: do not close).
hid_t MemoryTypeForArray(napi_typedarray_type type);

// A new file type for a dtype name given by JS (caller closes); H5_UNSUPPORTED_TYPE otherwise.
hid_t FileTypeForName(const std::string& dtype);

const char* ArrayTypeName(napi_typedarray_type type);

}  // namespace h5swmr
