#include "hdf5/dtype.h"

#include <cstring>

#include "hdf5/errors.h"

namespace h5swmr {

namespace {

// h5py's class of a kind: both kinds of reference are "reference".
const char* KindClass(ValueKind kind) { return kind == ValueKind::RegionRef ? "reference" : ValueKindName(kind); }

// Numbers, complex numbers, and arrays of those: a typed array holds them whole.
bool Typed(const ValueType& t) {
  switch (t.kind) {
    case ValueKind::Integer:
    case ValueKind::Float:
    case ValueKind::Bool:
    case ValueKind::Enum:
    case ValueKind::Bitfield:
    case ValueKind::Complex: return true;
    case ValueKind::Array: return Typed(t.base());
    default: return false;
  }
}

}  // namespace

TypeInfo TypedInfoOf(const ValueType& type) {
  TypeInfo info;
  info.dtype = type.dtype;
  info.typeClass = type.kind == ValueKind::Unsupported ? type.unsupported : KindClass(type.kind);
  info.readable = type.kind != ValueKind::Unsupported;
  info.memSize = type.memSize;
  if (!Typed(type)) return info;
  const ValueType* leaf = &type;
  size_t elements = 1;
  while (leaf->kind == ValueKind::Array) {
    elements *= leaf->memSize / leaf->base().memSize;
    leaf = &leaf->base();
  }
  if (leaf->kind == ValueKind::Complex) elements *= 2;
  info.supported = true;
  info.elements = elements;
  info.arrayType = leaf->arrayType;
  if (type.kind == ValueKind::Array) info.dtype = leaf->dtype;
  return info;
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
