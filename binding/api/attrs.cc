// Attributes: read all of an object's attributes as JS values (numbers, BigInts past 2^53,
// strings, h5py bools), and write simple ones.
#include <cmath>
#include <cstring>
#include <vector>

#include "api/dataset.h"
#include "hdf5/dtype.h"
#include "api/js_error.h"
#include "api/file.h"
#include "hdf5/lock.h"

namespace h5swmr {

namespace {

Napi::Value IntegerValue(Napi::Env env, int64_t v) {
  if (v > 9007199254740991LL || v < -9007199254740991LL) return Napi::BigInt::New(env, v);
  return Napi::Number::New(env, static_cast<double>(v));
}

Napi::Value UnsignedValue(Napi::Env env, uint64_t v) {
  if (v > 9007199254740991ULL) return Napi::BigInt::New(env, v);
  return Napi::Number::New(env, static_cast<double>(v));
}

std::string TrimFixed(const char* p, size_t n) {
  size_t len = strnlen(p, n);
  while (len > 0 && p[len - 1] == ' ') len--;
  return std::string(p, len);
}

// Returns undefined for types we do not turn into JS values.
Napi::Value ReadAttr(Napi::Env env, hid_t attr) {
  ScopedId type(H5Aget_type(attr), H5Tclose);
  ScopedId space(H5Aget_space(attr), H5Sclose);
  hssize_t n = H5Sget_simple_extent_npoints(space);
  bool scalar = H5Sget_simple_extent_ndims(space) == 0;
  if (n < 0 || H5Sget_simple_extent_type(space) == H5S_NULL) return env.Undefined();
  std::vector<Napi::Value> values;
  H5T_class_t cls = H5Tget_class(type);
  TypeInfo ti = DescribeType(type);

  if (cls == H5T_STRING) {
    if (H5Tis_variable_str(type) > 0) {
      ScopedId mem(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(mem, H5T_VARIABLE);
      H5Tset_cset(mem, H5Tget_cset(type));
      std::vector<char*> strings(n, nullptr);
      if (H5Aread(attr, mem, strings.data()) < 0) ThrowHdf5("Cannot read string attribute", "H5_READ_FAILED");
      for (char* s : strings) {
        values.push_back(Napi::String::New(env, s ? s : ""));
        if (s) H5free_memory(s);
      }
    } else {
      size_t size = H5Tget_size(type);
      ScopedId mem(H5Tcopy(type), H5Tclose);
      std::vector<char> buf(size * n + 1, 0);
      if (H5Aread(attr, mem, buf.data()) < 0) ThrowHdf5("Cannot read string attribute", "H5_READ_FAILED");
      for (hssize_t i = 0; i < n; i++) values.push_back(Napi::String::New(env, TrimFixed(&buf[i * size], size)));
    }
  } else if (ti.supported && (ti.typeClass == "integer" || ti.typeClass == "enum" || ti.typeClass == "bool")) {
    ScopedId mem(NativeMemoryType(type), H5Tclose);
    std::vector<uint8_t> buf(ti.memSize * n);
    if (H5Aread(attr, mem, buf.data()) < 0) ThrowHdf5("Cannot read attribute", "H5_READ_FAILED");
    bool isSigned = ti.dtype[0] == 'i';
    for (hssize_t i = 0; i < n; i++) {
      const uint8_t* p = &buf[i * ti.memSize];
      if (ti.typeClass == "bool") {
        values.push_back(Napi::Boolean::New(env, *p != 0));
        continue;
      }
      switch (ti.memSize) {
        case 1: values.push_back(isSigned ? IntegerValue(env, *reinterpret_cast<const int8_t*>(p))
                                          : UnsignedValue(env, *p)); break;
        case 2: values.push_back(isSigned ? IntegerValue(env, *reinterpret_cast<const int16_t*>(p))
                                          : UnsignedValue(env, *reinterpret_cast<const uint16_t*>(p))); break;
        case 4: values.push_back(isSigned ? IntegerValue(env, *reinterpret_cast<const int32_t*>(p))
                                          : UnsignedValue(env, *reinterpret_cast<const uint32_t*>(p))); break;
        default: values.push_back(isSigned ? IntegerValue(env, *reinterpret_cast<const int64_t*>(p))
                                           : UnsignedValue(env, *reinterpret_cast<const uint64_t*>(p)));
      }
    }
  } else if (cls == H5T_FLOAT) {
    std::vector<double> buf(n);
    if (H5Aread(attr, H5T_NATIVE_DOUBLE, buf.data()) < 0) ThrowHdf5("Cannot read attribute", "H5_READ_FAILED");
    for (double d : buf) values.push_back(Napi::Number::New(env, d));
  } else {
    return env.Undefined();
  }
  if (scalar && values.size() == 1) return values[0];
  Napi::Array arr = Napi::Array::New(env, values.size());
  for (size_t i = 0; i < values.size(); i++) arr.Set(i, values[i]);
  return arr;
}

struct AttrCollector {
  Napi::Env env;
  Napi::Object out;
};

herr_t CollectAttr(hid_t loc, const char* name, const H5A_info_t*, void* data) {
  auto* c = static_cast<AttrCollector*>(data);
  ScopedId attr(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) return -1;
  Napi::Value v = ReadAttr(c->env, attr);
  if (!v.IsUndefined()) c->out.Set(name, v);
  return 0;
}

}  // namespace

Napi::Object ReadAllAttrs(Napi::Env env, hid_t obj, const std::string& what) {
  AttrCollector c{env, Napi::Object::New(env)};
  hsize_t idx = 0;
  if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, CollectAttr, &c) < 0)
    ThrowHdf5("Cannot read the attributes of " + what, "H5_READ_FAILED");
  return c.out;
}

Napi::Value NativeFile::ReadAttrs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].As<Napi::String>();
  return Guarded(env, [&]() -> Napi::Value {
    Hdf5Lock lock;
    ScopedId obj(H5Oopen(file->id, path.c_str(), H5P_DEFAULT), H5Oclose);
    if (!obj.valid()) ThrowHdf5("Cannot open '" + path + "' in '" + file->path + "'", "H5_NOT_FOUND");
    return ReadAllAttrs(env, obj, "'" + path + "'");
  });
}

Napi::Value NativeDataset::ReadAttrs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  return Guarded(env, [&]() -> Napi::Value {
    Hdf5Lock lock;
    return ReadAllAttrs(env, ds->id, "'" + ds->path + "'");
  });
}

// writeAttr(path, name, value, dtype?) — value: number | bigint | boolean | string | array of one
// of those | typed array. Integers become int64 (as h5py does for Python ints) unless dtype says.
Napi::Value NativeFile::WriteAttr(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  Napi::Value value = info[2];
  std::string dtype = info.Length() > 3 && info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : "";

  // Gather the values on the JS side first.
  std::vector<Napi::Value> items;
  bool scalar = true;
  std::vector<uint8_t> typedBytes;
  napi_typedarray_type typedType{};
  bool typed = value.IsTypedArray();
  if (typed) {
    BufferView view = ViewOf(value);
    typedType = view.type;
    typedBytes.assign(static_cast<uint8_t*>(view.data), static_cast<uint8_t*>(view.data) + view.bytes);
    items.resize(view.length);
    scalar = false;
  } else if (value.IsArray()) {
    Napi::Array a = value.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) items.push_back(a.Get(i));
    scalar = false;
  } else {
    items.push_back(value);
  }

  Guarded(env, [&]() {
    if (!file->writable) Fail("H5_READ_ONLY", "Cannot write attribute '" + name + "': the file is open read-only");
    if (file->swmrWriting)
      Fail("H5_SWMR_RESTRICTED", "Cannot write attribute '" + name +
                                     "' after SWMR writing started: write attributes before startSwmrWrite()");
    if (items.empty() && !typed) Fail("ERR_INVALID_ARG", "Cannot write an empty attribute '" + name + "'");
    std::string kind;
    if (typed) {
      kind = "typed";
    } else {
      auto first = items[0];
      kind = first.IsString() ? "string" : first.IsBoolean() ? "bool" : first.IsBigInt() ? "bigint"
           : first.IsNumber() ? "number" : "";
      for (auto& v : items) {
        std::string k = v.IsString() ? "string" : v.IsBoolean() ? "bool" : v.IsBigInt() ? "bigint"
                      : v.IsNumber() ? "number" : "other";
        if (k != kind || kind.empty())
          Fail("ERR_INVALID_ARG", "Attribute '" + name + "' must be a number, bigint, boolean, string, "
                                  "an array of one kind of those, or a typed array");
      }
    }
    Hdf5Lock lock;
    ScopedId obj(H5Oopen(file->id, path.c_str(), H5P_DEFAULT), H5Oclose);
    if (!obj.valid()) ThrowHdf5("Cannot open '" + path + "' to write attribute '" + name + "'", "H5_NOT_FOUND");
    hsize_t n = items.size();
    ScopedId space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);

    std::vector<uint8_t> bytes;
    std::vector<const char*> cstrs;
    std::vector<std::string> strs;
    hid_t memType = H5I_INVALID_HID;
    hid_t fileType = H5I_INVALID_HID;
    bool closeMem = false;
    if (kind == "typed") {
      memType = MemoryTypeForArray(typedType);
      fileType = H5Tcopy(memType);
      bytes = typedBytes;
    } else if (kind == "string") {
      for (auto& v : items) strs.push_back(v.As<Napi::String>());
      for (auto& s : strs) cstrs.push_back(s.c_str());
      fileType = H5Tcopy(H5T_C_S1);
      H5Tset_size(fileType, H5T_VARIABLE);
      H5Tset_cset(fileType, H5T_CSET_UTF8);
      memType = H5Tcopy(fileType);
      closeMem = true;
    } else if (kind == "bool") {
      fileType = FileTypeForName("bool");
      memType = H5Tcopy(fileType);
      closeMem = true;
      for (auto& v : items) bytes.push_back(v.As<Napi::Boolean>().Value() ? 1 : 0);
    } else {
      bool allInt = kind == "bigint";
      if (kind == "number") {
        allInt = true;
        for (auto& v : items) {
          double d = v.As<Napi::Number>().DoubleValue();
          if (!(std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= 9007199254740991.0)) allInt = false;
        }
      }
      std::string target = !dtype.empty() ? dtype : allInt ? "int64" : "float64";
      fileType = FileTypeForName(target);
      if (allInt && kind == "bigint") {
        memType = H5T_NATIVE_INT64;
        for (auto& v : items) {
          bool lossless;
          int64_t x = v.As<Napi::BigInt>().Int64Value(&lossless);
          bytes.insert(bytes.end(), reinterpret_cast<uint8_t*>(&x), reinterpret_cast<uint8_t*>(&x) + 8);
        }
      } else {
        memType = H5T_NATIVE_DOUBLE;
        for (auto& v : items) {
          double x = v.As<Napi::Number>().DoubleValue();
          bytes.insert(bytes.end(), reinterpret_cast<uint8_t*>(&x), reinterpret_cast<uint8_t*>(&x) + 8);
        }
      }
    }
    ScopedId fileTypeOwner(fileType, H5Tclose);
    ScopedId memTypeOwner(closeMem ? memType : H5I_INVALID_HID, H5Tclose);
    if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
    ScopedId attr(H5Acreate2(obj, name.c_str(), fileType, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!attr.valid()) ThrowHdf5("Cannot create attribute '" + name + "' on '" + path + "'", "H5_WRITE_FAILED");
    const void* data = kind == "string" ? static_cast<const void*>(cstrs.data()) : bytes.data();
    if (H5Awrite(attr, memType, data) < 0)
      ThrowHdf5("Cannot write attribute '" + name + "' on '" + path + "'", "H5_WRITE_FAILED");
  });
  return env.Undefined();
}

}  // namespace h5swmr
