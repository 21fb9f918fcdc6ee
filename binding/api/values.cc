#include "api/values.h"

#include <cstring>
#include <string>
#include <vector>

#include "hdf5/handle.h"
#include "hdf5/lock.h"

namespace h5swmr {

namespace {

size_t ElementBytes(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    default: return 8;
  }
}

// A new typed array of `length` elements; `*data` is its memory.
Napi::Value NewTypedArray(Napi::Env env, napi_typedarray_type type, size_t length, uint8_t** data) {
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, length * ElementBytes(type));
  *data = static_cast<uint8_t*>(buffer.Data());
  napi_value array;
  NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, length, buffer, 0, &array), Napi::Value());
  return Napi::Value(env, array);
}

template <size_t N>
void GatherFixed(uint8_t* out, const uint8_t* base, size_t stride, size_t count) {
  for (size_t i = 0; i < count; i++) std::memcpy(out + i * N, base + i * stride, N);  // one load, one store
}

// `count` elements of `size` bytes, `stride` apart, packed together.
void Gather(uint8_t* out, const uint8_t* base, size_t stride, size_t count, size_t size) {
  if (stride == size) {
    if (count) std::memcpy(out, base, count * size);
    return;
  }
  switch (size) {
    case 1: return GatherFixed<1>(out, base, stride, count);
    case 2: return GatherFixed<2>(out, base, stride, count);
    case 4: return GatherFixed<4>(out, base, stride, count);
    case 8: return GatherFixed<8>(out, base, stride, count);
    case 16: return GatherFixed<16>(out, base, stride, count);
    default:
      for (size_t i = 0; i < count; i++) std::memcpy(out + i * size, base + i * stride, size);
  }
}

Napi::Value Dims(Napi::Env env, const hsize_t* dims, int rank) {
  Napi::Array a = Napi::Array::New(env, rank > 0 ? rank : 0);
  for (int d = 0; d < rank; d++) a.Set(d, Napi::Number::New(env, static_cast<double>(dims[d])));
  return a;
}

// A dataspace's selection, as a region reference points at it.
Napi::Value SelectionToJs(Napi::Env env, hid_t space) {
  Napi::Object o = Napi::Object::New(env);
  int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0 || rank > H5S_MAX_RANK) rank = 0;
  std::vector<hsize_t> dims(rank > 0 ? rank : 1);
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  o.Set("shape", Dims(env, dims.data(), rank));
  switch (H5Sget_select_type(space)) {
    case H5S_SEL_NONE: o.Set("type", "none"); break;
    case H5S_SEL_ALL: o.Set("type", "all"); break;
    case H5S_SEL_POINTS: {
      o.Set("type", "points");
      hssize_t n = H5Sget_select_elem_npoints(space);
      std::vector<hsize_t> points(n > 0 && rank > 0 ? static_cast<size_t>(n) * rank : 0);
      if (!points.empty()) H5Sget_select_elem_pointlist(space, 0, static_cast<hsize_t>(n), points.data());
      Napi::Array list = Napi::Array::New(env, n > 0 ? static_cast<size_t>(n) : 0);
      for (hssize_t i = 0; i < n && !points.empty(); i++) list.Set(static_cast<uint32_t>(i), Dims(env, &points[i * rank], rank));
      o.Set("points", list);
      break;
    }
    case H5S_SEL_HYPERSLABS: {
      std::vector<hsize_t> start(dims.size()), stride(dims.size()), count(dims.size()), block(dims.size());
      if (rank > 0 && H5Sis_regular_hyperslab(space) > 0 &&
          H5Sget_regular_hyperslab(space, start.data(), stride.data(), count.data(), block.data()) >= 0) {
        o.Set("type", "hyperslab");
        o.Set("start", Dims(env, start.data(), rank));
        o.Set("stride", Dims(env, stride.data(), rank));
        o.Set("count", Dims(env, count.data(), rank));
        o.Set("block", Dims(env, block.data(), rank));
        break;
      }
      o.Set("type", "blocks");
      hssize_t n = H5Sget_select_hyper_nblocks(space);
      std::vector<hsize_t> corners(n > 0 && rank > 0 ? static_cast<size_t>(n) * 2 * rank : 0);
      if (!corners.empty()) H5Sget_select_hyper_blocklist(space, 0, static_cast<hsize_t>(n), corners.data());
      Napi::Array list = Napi::Array::New(env, n > 0 ? static_cast<size_t>(n) : 0);
      for (hssize_t i = 0; i < n && !corners.empty(); i++) {
        Napi::Object b = Napi::Object::New(env);
        b.Set("start", Dims(env, &corners[i * 2 * rank], rank));
        b.Set("end", Dims(env, &corners[i * 2 * rank + rank], rank));  // inclusive, as HDF5 gives it
        list.Set(static_cast<uint32_t>(i), b);
      }
      o.Set("blocks", list);
      break;
    }
    default: o.Set("type", "unknown");
  }
  H5Eclear2(H5E_DEFAULT);
  return o;
}

// A name HDF5 writes into a buffer of the size a first call returned; "" when it cannot.
template <typename F>
std::string NameOf(F&& call) {
  ssize_t n = call(nullptr, 0);
  if (n <= 0) return "";
  std::string name(static_cast<size_t>(n) + 1, '\0');
  if (call(&name[0], name.size()) < 0) return "";
  name.resize(static_cast<size_t>(n));
  return name;
}

// One reference as JS: the referenced object's path (null for a null reference), or for a region
// { path, selection }; an attribute reference { path, attribute }.
Napi::Value ReferenceToJs(Napi::Env env, const ValueType& type, const uint8_t* p, hid_t location) {
  Hdf5Lock lock;
  Napi::Value result = env.Null();
#if H5_VERSION_GE(1, 12, 0)
  (void)location;
  H5R_ref_t ref;
  std::memcpy(&ref, p, sizeof ref);
  H5R_type_t kind = H5Rget_type(&ref);
  std::string path = kind > H5R_BADTYPE ? NameOf([&](char* buf, size_t size) { return H5Rget_obj_name(&ref, H5P_DEFAULT, buf, size); }) : "";
  if (!path.empty()) {
    if (kind == H5R_DATASET_REGION1 || kind == H5R_DATASET_REGION2) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("path", path);
      ScopedId space(H5Ropen_region(&ref, H5P_DEFAULT, H5P_DEFAULT), H5Sclose);
      o.Set("selection", space.valid() ? SelectionToJs(env, space) : env.Null());
      result = o;
    } else if (kind == H5R_ATTR) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("path", path);
      o.Set("attribute", NameOf([&](char* buf, size_t size) { return H5Rget_attr_name(&ref, buf, size); }));
      result = o;
    } else {
      result = Napi::String::New(env, path);
    }
  }
#else
  bool region = type.kind == ValueKind::RegionRef;
  bool null = true;
  for (size_t i = 0; i < type.memSize; i++)
    if (p[i]) null = false;
  std::string path = null ? "" : NameOf([&](char* buf, size_t size) {
    return H5Rget_name(location, region ? H5R_DATASET_REGION : H5R_OBJECT, p, buf, size);
  });
  if (!path.empty()) {
    if (region) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("path", path);
      ScopedId space(H5Rget_region(location, H5R_DATASET_REGION, p), H5Sclose);
      o.Set("selection", space.valid() ? SelectionToJs(env, space) : env.Null());
      result = o;
    } else {
      result = Napi::String::New(env, path);
    }
  }
#endif
  H5Eclear2(H5E_DEFAULT);
  return result;
}

// A JS string from UTF-8 bytes; invalid UTF-8 becomes U+FFFD, as TextDecoder does. ASCII (the usual
// case: names, units, times) is made as a one-byte string straight from the bytes.
napi_status NewString(napi_env env, const char* s, size_t len, napi_value* out) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    if (word & 0x8080808080808080ULL) return napi_create_string_utf8(env, s, len, out);
  }
  for (; i < len; i++)
    if (p[i] & 0x80) return napi_create_string_utf8(env, s, len, out);
  return napi_create_string_latin1(env, s, len, out);
}

// A fixed string's bytes as h5py gives them (HDF5's conversion to a null-padded string, then numpy's
// bytes, which drop trailing NULs): null-terminated, up to the first NUL; null-padded, less trailing
// NULs; space-padded, less trailing spaces and then trailing NULs. Spaces otherwise stay.
size_t FixedLength(const ValueType& t, const char* p) {
  if (t.pad == H5T_STR_NULLTERM) return strnlen(p, t.fixedSize);
  size_t n = t.fixedSize;
  if (t.pad == H5T_STR_SPACEPAD)
    while (n > 0 && p[n - 1] == ' ') n--;
  while (n > 0 && p[n - 1] == '\0') n--;
  return n;
}

Napi::Value Column(Napi::Env env, const ValueType& t, const uint8_t* base, size_t stride, size_t count, hid_t location) {
  switch (t.kind) {
    case ValueKind::Integer:
    case ValueKind::Float:
    case ValueKind::Bool:
    case ValueKind::Enum:
    case ValueKind::Bitfield:
    case ValueKind::Complex: {
      uint8_t* data = nullptr;
      size_t per = t.kind == ValueKind::Complex ? 2 : 1;
      Napi::Value array = NewTypedArray(env, t.arrayType, count * per, &data);
      Gather(data, base, stride, count, t.memSize);
      return array;
    }
    case ValueKind::String: {
      Napi::Array out = Napi::Array::New(env, count);
      for (size_t i = 0; i < count; i++) {
        const uint8_t* p = base + i * stride;
        const char* s;
        size_t len;
        if (t.variable) {
          std::memcpy(&s, p, sizeof s);
          len = s ? std::strlen(s) : 0;
        } else {
          s = reinterpret_cast<const char*>(p);
          len = FixedLength(t, s);
        }
        napi_value v;
        NAPI_THROW_IF_FAILED(env, NewString(env, len ? s : "", len, &v), Napi::Value());
        NAPI_THROW_IF_FAILED(env, napi_set_element(env, out, static_cast<uint32_t>(i), v), Napi::Value());
      }
      return out;
    }
    case ValueKind::Compound: {
      Napi::Object out = Napi::Object::New(env);
      for (const ValueMember& m : t.members) out.Set(m.name, Column(env, *m.type, base + m.offset, stride, count, location));
      return out;
    }
    case ValueKind::Array: {
      const ValueType& b = t.base();
      size_t per = b.memSize ? t.memSize / b.memSize : 0;
      if (stride == t.memSize) return Column(env, b, base, b.memSize, count * per, location);
      std::vector<uint8_t> packed(count * t.memSize);
      Gather(packed.data(), base, stride, count, t.memSize);
      return Column(env, b, packed.data(), b.memSize, count * per, location);
    }
    case ValueKind::Vlen: {
      Napi::Array out = Napi::Array::New(env, count);
      const ValueType& b = t.base();
      for (size_t i = 0; i < count; i++) {
        hvl_t h;
        std::memcpy(&h, base + i * stride, sizeof h);
        out.Set(static_cast<uint32_t>(i), Column(env, b, static_cast<const uint8_t*>(h.p), b.memSize, h.p ? h.len : 0, location));
      }
      return out;
    }
    case ValueKind::Opaque: {
      uint8_t* data = nullptr;
      Napi::Value array = NewTypedArray(env, napi_uint8_array, count * t.fixedSize, &data);
      Gather(data, base, stride, count, t.fixedSize);
      return array;
    }
    case ValueKind::ObjectRef:
    case ValueKind::RegionRef: {
      Napi::Array out = Napi::Array::New(env, count);
      for (size_t i = 0; i < count; i++) out.Set(static_cast<uint32_t>(i), ReferenceToJs(env, t, base + i * stride, location));
      return out;
    }
    default:
      return env.Undefined();
  }
}

}  // namespace

Napi::Object TypeToJs(Napi::Env env, const ValueType& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("kind", ValueKindName(t.kind));
  o.Set("dtype", t.dtype);
  o.Set("size", static_cast<double>(t.memSize));
  switch (t.kind) {
    case ValueKind::Integer:
    case ValueKind::Bitfield:
    case ValueKind::Enum:
      o.Set("signed", t.isSigned);
      break;
    case ValueKind::String:
      o.Set("variable", t.variable);
      o.Set("encoding", t.utf8 ? "utf-8" : "ascii");
      o.Set("padding", t.pad == H5T_STR_NULLTERM ? "nullterm" : t.pad == H5T_STR_NULLPAD ? "nullpad" : "spacepad");
      if (!t.variable) o.Set("length", static_cast<double>(t.fixedSize));
      break;
    case ValueKind::Opaque:
      o.Set("tag", t.tag);
      break;
    case ValueKind::Unsupported:
      o.Set("unsupported", t.unsupported);
      if (t.damaged) o.Set("damaged", true);
      break;
    default:
      break;
  }
  if (t.kind == ValueKind::Enum) {
    Napi::Object members = Napi::Object::New(env);
    for (const auto& m : t.enumMembers) {
      int64_t v = m.second;
      members.Set(m.first, v > 9007199254740991LL || v < -9007199254740991LL ? Napi::BigInt::New(env, v).As<Napi::Value>()
                                                                             : Napi::Number::New(env, static_cast<double>(v)));
    }
    o.Set("enumMembers", members);
  }
  if (t.kind == ValueKind::Compound) {
    Napi::Array members = Napi::Array::New(env, t.members.size());
    for (size_t i = 0; i < t.members.size(); i++) {
      Napi::Object m = Napi::Object::New(env);
      m.Set("name", t.members[i].name);
      m.Set("type", TypeToJs(env, *t.members[i].type));
      members.Set(static_cast<uint32_t>(i), m);
    }
    o.Set("members", members);
  }
  if (t.kind == ValueKind::Array || t.kind == ValueKind::Vlen) o.Set("base", TypeToJs(env, t.base()));
  if (t.kind == ValueKind::Array) o.Set("dims", Dims(env, t.dims.data(), static_cast<int>(t.dims.size())));
  return o;
}

Napi::Object ValuesToJs(Napi::Env env, const ValueBuffer& buffer, bool withType) {
  const ValueType& type = *buffer.described.type;
  Napi::Object o = Napi::Object::New(env);
  if (withType) o.Set("type", TypeToJs(env, type));
  o.Set("count", static_cast<double>(buffer.count));
  o.Set("scalar", buffer.scalar);
  o.Set("empty", buffer.empty);
  if (buffer.empty) {
    o.Set("columns", env.Null());
  } else if (!buffer.fields.empty()) {
    // Whole records were read: the members asked for, in the order asked.
    Napi::Object columns = Napi::Object::New(env);
    for (const std::string& name : buffer.fields)
      for (const ValueMember& m : type.members)
        if (m.name == name) columns.Set(name, Column(env, *m.type, buffer.bytes.data() + m.offset, type.memSize, buffer.count, buffer.location));
    o.Set("columns", columns);
  } else {
    o.Set("columns", Column(env, type, buffer.bytes.data(), type.memSize, buffer.count, buffer.location));
  }
  return o;
}

}  // namespace h5swmr
