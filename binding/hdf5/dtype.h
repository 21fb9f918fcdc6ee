// HDF5 datatypes <-> typed-array kinds, and a clear refusal of everything else.
#pragma once
#include <hdf5.h>
#include <js_native_api_types.h>  // napi_typedarray_type only: the kind of array a type reads into

#include <string>

namespace h5swmr {

struct TypeInfo {
  std::string dtype;      // 'uint16', 'float16', 'bool', ... or the HDF5 class name if unsupported
  std::string typeClass;  // 'integer' | 'float' | 'enum' | 'bool' | unsupported class name
  bool supported = false;
  size_t memSize = 0;               // bytes per element in memory (float16 reads as float32)
  napi_typedarray_type arrayType{};  // the typed array a read fills
};

// Describe a file/dataset type. Call under the lock.
TypeInfo DescribeType(hid_t fileType);

// The native memory type to read `fileType` into (caller closes), or H5I_INVALID_HID if unsupported.
hid_t NativeMemoryType(hid_t fileType);

// The memory type that matches a JS typed array, for writes (a library constant: do not close).
hid_t MemoryTypeForArray(napi_typedarray_type type);

// A new file type for a dtype name given by JS (caller closes); H5_UNSUPPORTED_TYPE otherwise.
hid_t FileTypeForName(const std::string& dtype);

const char* ArrayTypeName(napi_typedarray_type type);

}  // namespace h5swmr
