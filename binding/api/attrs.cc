// Attributes: read all of an object's attributes (any type h5py reads; lib/core/values.ts makes
// them JS values as h5py gives them), and write simple ones.
#include <cmath>
#include <cstring>
#include <vector>

#include "api/dataset.h"
#include "hdf5/dtype.h"
#include "api/js_error.h"
#include "api/file.h"
#include "api/value_writer.h"
#include "api/values.h"
#include "read/value_read.h"
#include "hdf5/lock.h"

namespace h5swmr {

namespace {

// Attribute names first, in name order, with nothing done inside HDF5's callback (no JS, no throw:
// an exception must not cross libhdf5's C frames); each attribute is then opened by its index,
// which HDF5 checks against the object's attribute count.
herr_t CollectName(hid_t, const char* name, const H5A_info_t*, void* data) {
  try {
    static_cast<std::vector<std::string>*>(data)->push_back(name ? name : "");
    return 0;
  } catch (...) {
    return -1;  // out of memory: the iteration fails, and says so
  }
}

}  // namespace

// { name: values (api/values.h ValuesToJs) | { unsupported: what } } for every attribute of the object
// `name` at `loc` ("." for `loc` itself). The object is not opened: H5Aiterate_by_name and
// H5Aopen_by_name find its header without decoding a dataset's type and layout.
Napi::Object ReadAllAttrs(Napi::Env env, hid_t loc, const std::string& name, const std::string& what) {
  std::vector<std::string> names;
  hsize_t idx = 0;
  if (H5Aiterate_by_name(loc, name.c_str(), H5_INDEX_NAME, H5_ITER_INC, &idx, CollectName, &names, H5P_DEFAULT) < 0)
    ThrowHdf5("Cannot list the attributes of " + what, "H5_READ_FAILED");
  Napi::Object out = Napi::Object::New(env);
  for (const std::string& attrName : names) {
    const std::string attrWhat = "attribute '" + attrName + "' of " + what;
    ScopedId attr(H5Aopen_by_name(loc, name.c_str(), attrName.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!attr.valid()) ThrowHdf5("Cannot open " + attrWhat, "H5_READ_FAILED");
    try {
      std::unique_ptr<ValueBuffer> values = ReadAttributeValues(attr, loc, attrWhat);
      out.Set(attrName, ValuesToJs(env, *values, true));
    } catch (const H5Failure& failure) {
      if (failure.code != "H5_UNSUPPORTED_TYPE") throw;
      Napi::Object o = Napi::Object::New(env);
      o.Set("unsupported", failure.what());
      out.Set(attrName, o);
    }
  }
  return out;
}

Napi::Value NativeFile::ReadAttrs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].As<Napi::String>();
  return Guarded(env, [&]() -> Napi::Value {
    Hdf5Lock lock;
    if (H5Oexists_by_name(file->id, path.c_str(), H5P_DEFAULT) <= 0) ThrowHdf5("Cannot open '" + path + "' in '" + file->path + "'", "H5_NOT_FOUND");
    return ReadAllAttrs(env, file->id, path, "'" + path + "'");
  });
}

Napi::Value NativeDataset::ReadAttrs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  return Guarded(env, [&]() -> Napi::Value {
    Hdf5Lock lock;
    return ReadAllAttrs(env, ds->id, ".", "'" + ds->path + "'");
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

// writeAttrValues(path, name, values, spec, scalar): an attribute of any type a spec names
// (api/value_writer.h): strings fixed or variable, records, sequences, complex numbers. `scalar`: one
// value in a scalar dataspace; otherwise `values` is an array, stored 1-D.
Napi::Value NativeFile::WriteAttrValues(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  Napi::Value values = info[2];
  bool scalar = info[4].ToBoolean().Value();
  Guarded(env, [&]() {
    if (!file->writable) Fail("H5_READ_ONLY", "Cannot write attribute '" + name + "': the file is open read-only");
    if (file->swmrWriting)
      Fail("H5_SWMR_RESTRICTED", "Cannot write attribute '" + name +
                                     "' after SWMR writing started: write attributes before startSwmrWrite()");
    if (!scalar && !values.IsArray()) Fail("ERR_INVALID_ARG", "Attribute '" + name + "': expected an array of values");
    hsize_t n = scalar ? 1 : values.As<Napi::Array>().Length();
    Hdf5Lock lock;
    ScopedId fileType(FileTypeFromSpec(info[3], "the dtype of attribute '" + name + "'"), H5Tclose);
    DescribedType described = DescribeValueType(fileType);
    if (!described.memory) Fail("H5_UNSUPPORTED_TYPE", "Cannot write attribute '" + name + "' of that type");
    ValueWriteBuffer buffer;
    FillValues(*described.type, values, static_cast<size_t>(n), buffer, "attribute '" + name + "'");
    ScopedId obj(H5Oopen(file->id, path.c_str(), H5P_DEFAULT), H5Oclose);
    if (!obj.valid()) ThrowHdf5("Cannot open '" + path + "' to write attribute '" + name + "'", "H5_NOT_FOUND");
    ScopedId space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);
    if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
    ScopedId attr(H5Acreate2(obj, name.c_str(), fileType, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!attr.valid()) ThrowHdf5("Cannot create attribute '" + name + "' on '" + path + "'", "H5_WRITE_FAILED");
    if (H5Awrite(attr, described.memory->id(), buffer.bytes.data()) < 0)
      ThrowHdf5("Cannot write attribute '" + name + "' on '" + path + "'", "H5_WRITE_FAILED");
  });
  return env.Undefined();
}

}  // namespace h5swmr
