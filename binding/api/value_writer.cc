#include "api/value_writer.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "hdf5/dtype.h"
#include "hdf5/errors.h"
#include "hdf5/handle.h"

namespace h5swmr {

namespace {

hid_t ComplexFileType(size_t part) {
  hid_t t = H5Tcreate(H5T_COMPOUND, 2 * part);
  hid_t f = part == 4 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  if (t < 0 || H5Tinsert(t, "r", 0, f) < 0 || H5Tinsert(t, "i", part, f) < 0) {
    if (t >= 0) H5Tclose(t);
    ThrowHdf5("Cannot make a complex type", "H5_ERROR");
  }
  return t;
}

std::vector<hsize_t> Shape(const Napi::Value& v, const std::string& what) {
  if (!v.IsArray()) Fail("ERR_INVALID_ARG", what + ".shape must be an array of positive integers");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<hsize_t> dims;
  for (uint32_t i = 0; i < a.Length(); i++) {
    double d = a.Get(i).IsNumber() ? a.Get(i).As<Napi::Number>().DoubleValue() : 0;
    if (!(d >= 1 && d <= 1e9) || d != std::floor(d)) Fail("ERR_INVALID_ARG", what + ".shape must be an array of positive integers");
    dims.push_back(static_cast<hsize_t>(d));
  }
  if (dims.empty() || dims.size() > 32) Fail("ERR_INVALID_ARG", what + ".shape must have 1 to 32 dimensions");
  return dims;
}

[[noreturn]] void Mismatch(const std::string& what, const std::string& want) {
  Fail("ERR_INVALID_ARG", "Cannot write " + what + ": expected " + want);
}

double NumberOf(const Napi::Value& v, const std::string& what) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  if (v.IsBigInt()) {
    bool lossless = false;
    return static_cast<double>(v.As<Napi::BigInt>().Int64Value(&lossless));
  }
  Mismatch(what, "a number");
}

// An integer of `size` bytes into `dst`, refusing values it cannot hold (never a silent wrap).
void WriteInteger(const Napi::Value& v, size_t size, bool isSigned, uint8_t* dst, const std::string& what) {
  int64_t s = 0;
  uint64_t u = 0;
  bool negative = false;
  if (v.IsBigInt()) {
    bool lossless = false;
    if (isSigned) {
      s = v.As<Napi::BigInt>().Int64Value(&lossless);
      negative = s < 0;
      u = static_cast<uint64_t>(s);
    } else {
      u = v.As<Napi::BigInt>().Uint64Value(&lossless);
    }
    if (!lossless) Mismatch(what, "an integer that fits " + std::to_string(size * 8) + " bits");
  } else {
    double d = NumberOf(v, what);
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 18446744073709551615.0) Mismatch(what, "an integer");
    negative = d < 0;
    if (negative) s = static_cast<int64_t>(d), u = static_cast<uint64_t>(s);
    else u = static_cast<uint64_t>(d), s = static_cast<int64_t>(u);
  }
  const unsigned bits = static_cast<unsigned>(size * 8);
  bool fits = isSigned ? (bits == 64 ? (negative || u <= uint64_t(INT64_MAX))
                                     : s >= -(int64_t(1) << (bits - 1)) && s < (int64_t(1) << (bits - 1)))
                       : !negative && (bits == 64 || u < (uint64_t(1) << bits));
  if (!fits) Mismatch(what, std::string(isSigned ? "an int" : "a uint") + std::to_string(bits) + " value");
  std::memcpy(dst, &u, size);  // little-endian hosts: the low bytes
}

void WriteElement(const ValueType& t, const Napi::Value& v, uint8_t* dst, ValueWriteBuffer& out, const std::string& what);

// `n` elements of `base` from a JS array or a typed array, packed at `dst`.
void WriteSequence(const ValueType& base, const Napi::Value& v, size_t n, uint8_t* dst, ValueWriteBuffer& out, const std::string& what) {
  if (v.IsTypedArray()) {
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    size_t per = base.kind == ValueKind::Complex ? 2 : 1;
    bool numeric = base.kind == ValueKind::Integer || base.kind == ValueKind::Float || base.kind == ValueKind::Bitfield ||
                   base.kind == ValueKind::Enum || base.kind == ValueKind::Bool || base.kind == ValueKind::Complex;
    if (!numeric || ta.ElementLength() != n * per) Mismatch(what, std::to_string(n) + " " + base.dtype + " values");
    if (ta.TypedArrayType() == base.arrayType || (base.kind == ValueKind::Bool && ta.TypedArrayType() == napi_uint8_array)) {
      std::memcpy(dst, static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), n * base.memSize);
      return;
    }
    // Another kind of typed array: element by element, as JS numbers.
    Napi::Env env = v.Env();
    for (size_t i = 0; i < n; i++) {
      if (base.kind == ValueKind::Complex) {
        Napi::Array pair = Napi::Array::New(env, 2);
        pair.Set(0u, ta.Get(static_cast<uint32_t>(2 * i)));
        pair.Set(1u, ta.Get(static_cast<uint32_t>(2 * i + 1)));
        WriteElement(base, pair, dst + i * base.memSize, out, what);
      } else {
        WriteElement(base, ta.Get(static_cast<uint32_t>(i)), dst + i * base.memSize, out, what);
      }
    }
    return;
  }
  if (!v.IsArray() || v.As<Napi::Array>().Length() != n) Mismatch(what, "an array of " + std::to_string(n));
  Napi::Array a = v.As<Napi::Array>();
  for (size_t i = 0; i < n; i++)
    WriteElement(base, a.Get(static_cast<uint32_t>(i)), dst + i * base.memSize, out, what + "[" + std::to_string(i) + "]");
}

void WriteElement(const ValueType& t, const Napi::Value& v, uint8_t* dst, ValueWriteBuffer& out, const std::string& what) {
  switch (t.kind) {
    case ValueKind::Integer:
    case ValueKind::Bitfield:
      WriteInteger(v, t.leafSize, t.isSigned && t.kind == ValueKind::Integer, dst, what);
      return;
    case ValueKind::Enum: {
      if (v.IsString()) {
        std::string name = v.As<Napi::String>();
        for (const auto& m : t.enumMembers) {
          if (m.first != name) continue;
          std::memcpy(dst, &m.second, t.leafSize);
          return;
        }
        Mismatch(what, "one of the enum's names, not '" + name + "'");
      }
      WriteInteger(v, t.leafSize, t.isSigned, dst, what);
      return;
    }
    case ValueKind::Bool:
      if (!v.IsBoolean() && !v.IsNumber()) Mismatch(what, "a boolean");
      *dst = v.IsBoolean() ? v.As<Napi::Boolean>().Value() : v.As<Napi::Number>().DoubleValue() != 0;
      return;
    case ValueKind::Float: {
      double d = NumberOf(v, what);
      if (t.leafSize == 4) {
        float f = static_cast<float>(d);
        std::memcpy(dst, &f, 4);
      } else {
        std::memcpy(dst, &d, 8);
      }
      return;
    }
    case ValueKind::Complex: {
      Napi::Value re, im;
      if (v.IsArray() && v.As<Napi::Array>().Length() == 2) {
        re = v.As<Napi::Array>().Get(0u);
        im = v.As<Napi::Array>().Get(1u);
      } else if (v.IsObject() && !v.IsArray()) {
        re = v.As<Napi::Object>().Get("re");
        im = v.As<Napi::Object>().Get("im");
      } else {
        Mismatch(what, "a complex number { re, im }");
      }
      double parts[2] = {NumberOf(re, what + ".re"), NumberOf(im, what + ".im")};
      for (int k = 0; k < 2; k++) {
        if (t.leafSize == 4) {
          float f = static_cast<float>(parts[k]);
          std::memcpy(dst + 4 * k, &f, 4);
        } else {
          std::memcpy(dst + 8 * k, &parts[k], 8);
        }
      }
      return;
    }
    case ValueKind::String: {
      if (!v.IsString()) Mismatch(what, "a string");
      std::string s = v.As<Napi::String>();
      if (t.variable) {
        if (s.find('\0') != std::string::npos) Mismatch(what, "a string without NUL characters (variable-length strings end at one)");
        out.strings.push_back(std::move(s));
        const char* p = out.strings.back().c_str();
        std::memcpy(dst, &p, sizeof p);
      } else {
        if (s.size() > t.fixedSize)
          Mismatch(what, "at most " + std::to_string(t.fixedSize) + " bytes of UTF-8 (the string's length), not " + std::to_string(s.size()));
        std::memcpy(dst, s.data(), s.size());  // the rest stays NUL: null-padded, as h5py writes
      }
      return;
    }
    case ValueKind::Compound: {
      if (!v.IsObject() || v.IsArray()) Mismatch(what, "a record (an object with the compound's fields)");
      Napi::Object o = v.As<Napi::Object>();
      for (const ValueMember& m : t.members) {
        Napi::Value field = o.Get(m.name);
        if (field.IsUndefined()) Mismatch(what, "a record with the field '" + m.name + "'");
        WriteElement(*m.type, field, dst + m.offset, out, what + "." + m.name);
      }
      return;
    }
    case ValueKind::Array: {
      const ValueType& base = t.base();
      size_t n = base.memSize ? t.memSize / base.memSize : 0;
      WriteSequence(base, v, n, dst, out, what);
      return;
    }
    case ValueKind::Vlen: {
      const ValueType& base = t.base();
      size_t n = v.IsTypedArray() ? v.As<Napi::TypedArray>().ElementLength() / (base.kind == ValueKind::Complex ? 2 : 1)
                 : v.IsArray() ? v.As<Napi::Array>().Length() : 0;
      if (!v.IsTypedArray() && !v.IsArray()) Mismatch(what, "an array or a typed array");
      out.blobs.emplace_back(n * base.memSize, 0);
      uint8_t* data = out.blobs.back().data();
      WriteSequence(base, v, n, data, out, what);
      hvl_t h{n, n ? data : nullptr};
      std::memcpy(dst, &h, sizeof h);
      return;
    }
    case ValueKind::Opaque: {
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
          v.As<Napi::TypedArray>().ByteLength() != t.fixedSize)
        Mismatch(what, "a Uint8Array of " + std::to_string(t.fixedSize) + " bytes");
      Napi::TypedArray ta = v.As<Napi::TypedArray>();
      std::memcpy(dst, static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), t.fixedSize);
      return;
    }
    default:
      Fail("H5_UNSUPPORTED_TYPE", "Cannot write " + what + ": writing " + t.dtype + " values is not supported");
  }
}

}  // namespace

hid_t FileTypeFromSpec(const Napi::Value& spec, const std::string& what) {
  if (spec.IsString()) {
    std::string name = spec.As<Napi::String>();
    if (name == "string") {
      hid_t t = H5Tcopy(H5T_C_S1);
      H5Tset_size(t, H5T_VARIABLE);
      H5Tset_cset(t, H5T_CSET_UTF8);
      return t;
    }
    if (name == "complex64" || name == "complex128") return ComplexFileType(name == "complex64" ? 4 : 8);
    return FileTypeForName(name);
  }
  if (!spec.IsObject() || spec.IsArray()) Fail("ERR_INVALID_ARG", what + " must be a dtype name or a type object");
  Napi::Object o = spec.As<Napi::Object>();
  if (o.Has("string")) {
    double n = o.Get("string").IsNumber() ? o.Get("string").As<Napi::Number>().DoubleValue() : 0;
    if (!(n >= 1 && n <= 1e9) || n != std::floor(n)) Fail("ERR_INVALID_ARG", what + ".string must be a length in bytes >= 1");
    std::string encoding = o.Get("encoding").IsString() ? o.Get("encoding").As<Napi::String>().Utf8Value() : "utf-8";
    if (encoding != "utf-8" && encoding != "ascii") Fail("ERR_INVALID_ARG", what + ".encoding must be 'utf-8' or 'ascii'");
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, static_cast<size_t>(n));
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    H5Tset_cset(t, encoding == "ascii" ? H5T_CSET_ASCII : H5T_CSET_UTF8);
    return t;
  }
  if (o.Has("compound")) {
    if (!o.Get("compound").IsObject()) Fail("ERR_INVALID_ARG", what + ".compound must map field names to types");
    Napi::Object fields = o.Get("compound").As<Napi::Object>();
    Napi::Array names = fields.GetPropertyNames();
    if (names.Length() == 0) Fail("ERR_INVALID_ARG", what + ".compound needs at least one field");
    std::vector<ScopedId> members;
    size_t size = 0;
    for (uint32_t i = 0; i < names.Length(); i++) {
      std::string name = names.Get(i).As<Napi::String>();
      members.emplace_back(FileTypeFromSpec(fields.Get(name), what + "." + name), H5Tclose);
      size += H5Tget_size(members.back());
    }
    // Packed, in the order given: as h5py writes a numpy structured dtype.
    ScopedId t(H5Tcreate(H5T_COMPOUND, size), H5Tclose);
    size_t offset = 0;
    for (uint32_t i = 0; i < names.Length(); i++) {
      std::string name = names.Get(i).As<Napi::String>();
      if (H5Tinsert(t, name.c_str(), offset, members[i]) < 0) ThrowHdf5("Cannot add field '" + name + "' to " + what, "ERR_INVALID_ARG");
      offset += H5Tget_size(members[i]);
    }
    return H5Tcopy(t);
  }
  if (o.Has("array")) {
    std::vector<hsize_t> dims = Shape(o.Get("shape"), what);
    ScopedId base(FileTypeFromSpec(o.Get("array"), what + ".array"), H5Tclose);
    hid_t t = H5Tarray_create2(base, static_cast<unsigned>(dims.size()), dims.data());
    if (t < 0) ThrowHdf5("Cannot make the array type of " + what, "ERR_INVALID_ARG");
    return t;
  }
  if (o.Has("vlen")) {
    ScopedId base(FileTypeFromSpec(o.Get("vlen"), what + ".vlen"), H5Tclose);
    hid_t t = H5Tvlen_create(base);
    if (t < 0) ThrowHdf5("Cannot make the sequence type of " + what, "ERR_INVALID_ARG");
    return t;
  }
  Fail("ERR_INVALID_ARG", what + " must be a dtype name, { string }, { compound }, { array, shape } or { vlen }");
}

void FillValues(const ValueType& type, const Napi::Value& values, size_t count, ValueWriteBuffer& out, const std::string& what) {
  out.bytes.assign(count * type.memSize, 0);
  // One element may be given as itself (a string, a record) or as a list of one. For elements that
  // are themselves arrays (sequences, array types, complex pairs), [x] is a list of one only when x
  // is itself an array or an object.
  bool listOfOne = false;
  if (count == 1 && values.IsArray() && values.As<Napi::Array>().Length() == 1) {
    Napi::Value first = values.As<Napi::Array>().Get(0u);
    bool arrayLike = type.kind == ValueKind::Array || type.kind == ValueKind::Vlen || type.kind == ValueKind::Complex;
    listOfOne = !arrayLike || first.IsArray() || first.IsTypedArray() || (first.IsObject() && type.kind == ValueKind::Complex);
  }
  if (count == 1 && !listOfOne) {
    WriteElement(type, values, out.bytes.data(), out, what);
    return;
  }
  if (!values.IsArray()) Mismatch(what, "an array of " + std::to_string(count) + " values");
  Napi::Array a = values.As<Napi::Array>();
  if (a.Length() != count) Mismatch(what, std::to_string(count) + " values (the selection's size), not " + std::to_string(a.Length()));
  for (size_t i = 0; i < count; i++)
    WriteElement(type, a.Get(static_cast<uint32_t>(i)), out.bytes.data() + i * type.memSize, out, what + "[" + std::to_string(i) + "]");
}

}  // namespace h5swmr
