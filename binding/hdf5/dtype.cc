#include "hdf5/dtype.h"

#include <cstring>

#include "hdf5/errors.h"

namespace h5swmr {

namespace {

napi_typedarray_type IntegerArray(size_t size, bool isSigned) {
  switch (size) {
    case 1: return isSigned ? napi_int8_array : napi_uint8_array;
    case 2: return isSigned ? napi_int16_array : napi_uint16_array;
    case 4: return isSigned ? napi_int32_array : napi_uint32_array;
    default: return isSigned ? napi_bigint64_array : napi_biguint64_array;
  }
}

std::string IntegerName(size_t size, bool isSigned) {
  return std::string(isSigned ? "int" : "uint") + std::to_string(size * 8);
}

// h5py stores bool as an enum over int8 with exactly FALSE=0 and TRUE=1.
bool IsH5pyBool(hid_t type) {
  if (H5Tget_nmembers(type) != 2) return false;
  hid_t super = H5Tget_super(type);
  size_t size = H5Tget_size(super);
  H5Tclose(super);
  if (size != 1) return false;
  for (unsigned i = 0; i < 2; i++) {
    char* name = H5Tget_member_name(type, i);
    int8_t value = 0;
    H5Tget_member_value(type, i, &value);
    bool ok = name && ((i == 0 && !strcmp(name, "FALSE") && value == 0) ||
                       (i == 1 && !strcmp(name, "TRUE") && value == 1));
    H5free_memory(name);
    if (!ok) return false;
  }
  return true;
}

const char* ClassName(H5T_class_t c) {
  switch (c) {
    case H5T_TIME: return "time";
    case H5T_STRING: return "string";
    case H5T_BITFIELD: return "bitfield";
    case H5T_OPAQUE: return "opaque";
    case H5T_COMPOUND: return "compound";
    case H5T_REFERENCE: return "reference";
    case H5T_VLEN: return "vlen";
    case H5T_ARRAY: return "array";
    default: return "unknown";
  }
}

}  // namespace

TypeInfo DescribeType(hid_t type) {
  TypeInfo info;
  H5T_class_t cls = H5Tget_class(type);
  size_t size = H5Tget_size(type);
  if (cls == H5T_INTEGER && (size == 1 || size == 2 || size == 4 || size == 8)) {
    bool isSigned = H5Tget_sign(type) == H5T_SGN_2;
    info = {IntegerName(size, isSigned), "integer", true, size, IntegerArray(size, isSigned)};
  } else if (cls == H5T_FLOAT && (size == 2 || size == 4 || size == 8)) {
    if (size == 2) {
      info = {"float16", "float", true, 4, napi_float32_array};  // widened to float32 by HDF5
    } else {
      info = {size == 4 ? "float32" : "float64", "float", true, size,
              size == 4 ? napi_float32_array : napi_float64_array};
    }
  } else if (cls == H5T_ENUM) {
    hid_t super = H5Tget_super(type);
    size_t baseSize = H5Tget_size(super);
    bool isSigned = H5Tget_sign(super) == H5T_SGN_2;
    H5Tclose(super);
    if (IsH5pyBool(type)) {
      info = {"bool", "bool", true, 1, napi_uint8_array};
    } else {
      info = {IntegerName(baseSize, isSigned), "enum", true, baseSize, IntegerArray(baseSize, isSigned)};
    }
  } else {
    info.dtype = ClassName(cls);
    info.typeClass = ClassName(cls);
    if (cls == H5T_INTEGER || cls == H5T_FLOAT) info.dtype += std::to_string(size * 8);
  }
  return info;
}

hid_t NativeMemoryType(hid_t type) {
  TypeInfo info = DescribeType(type);
  if (!info.supported) return H5I_INVALID_HID;
  if (info.dtype == "float16") return H5Tcopy(H5T_NATIVE_FLOAT);
  // For enums this keeps the enum (with a native base), so bytes are the member values.
  return H5Tget_native_type(type, H5T_DIR_ASCEND);
}

hid_t MemoryTypeForArray(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return H5T_NATIVE_INT8;
    case napi_uint8_array:
    case napi_uint8_clamped_array: return H5T_NATIVE_UINT8;
    case napi_int16_array: return H5T_NATIVE_INT16;
    case napi_uint16_array: return H5T_NATIVE_UINT16;
    case napi_int32_array: return H5T_NATIVE_INT32;
    case napi_uint32_array: return H5T_NATIVE_UINT32;
    case napi_float32_array: return H5T_NATIVE_FLOAT;
    case napi_float64_array: return H5T_NATIVE_DOUBLE;
    case napi_bigint64_array: return H5T_NATIVE_INT64;
    case napi_biguint64_array: return H5T_NATIVE_UINT64;
    default: return H5I_INVALID_HID;
  }
}

hid_t FileTypeForName(const std::string& d) {
  if (d == "int8") return H5Tcopy(H5T_STD_I8LE);
  if (d == "uint8") return H5Tcopy(H5T_STD_U8LE);
  if (d == "int16") return H5Tcopy(H5T_STD_I16LE);
  if (d == "uint16") return H5Tcopy(H5T_STD_U16LE);
  if (d == "int32") return H5Tcopy(H5T_STD_I32LE);
  if (d == "uint32") return H5Tcopy(H5T_STD_U32LE);
  if (d == "int64") return H5Tcopy(H5T_STD_I64LE);
  if (d == "uint64") return H5Tcopy(H5T_STD_U64LE);
  if (d == "float32") return H5Tcopy(H5T_IEEE_F32LE);
  if (d == "float64") return H5Tcopy(H5T_IEEE_F64LE);
  if (d == "float16") {
    // IEEE half precision, laid out as h5py/numpy do.
    hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    H5Tset_fields(t, 15, 10, 5, 0, 10);
    H5Tset_size(t, 2);
    H5Tset_ebias(t, 15);
    return t;
  }
  if (d == "bool") {
    hid_t t = H5Tenum_create(H5T_NATIVE_INT8);
    int8_t f = 0, tr = 1;
    H5Tenum_insert(t, "FALSE", &f);
    H5Tenum_insert(t, "TRUE", &tr);
    return t;
  }
  Fail("H5_UNSUPPORTED_TYPE", "Unsupported dtype for writing: '" + d +
                                  "' (use int8..int64, uint8..uint64, float16/32/64 or bool)");
}

const char* ArrayTypeName(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

}  // namespace h5swmr
