#include "hdf5/value_type.h"

#include <cstring>
#include <new>

#include "hdf5/errors.h"
#include "hdf5/handle.h"
#include "hdf5/lock.h"

namespace h5swmr {

namespace {

napi_typedarray_type IntegerArrayOf(size_t size, bool isSigned) {
  switch (size) {
    case 1: return isSigned ? napi_int8_array : napi_uint8_array;
    case 2: return isSigned ? napi_int16_array : napi_uint16_array;
    case 4: return isSigned ? napi_int32_array : napi_uint32_array;
    default: return isSigned ? napi_bigint64_array : napi_biguint64_array;
  }
}

hid_t NativeInteger(size_t size, bool isSigned) {
  switch (size) {
    case 1: return isSigned ? H5T_NATIVE_INT8 : H5T_NATIVE_UINT8;
    case 2: return isSigned ? H5T_NATIVE_INT16 : H5T_NATIVE_UINT16;
    case 4: return isSigned ? H5T_NATIVE_INT32 : H5T_NATIVE_UINT32;
    default: return isSigned ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64;
  }
}

hid_t NativeBitfield(size_t size) {
  switch (size) {
    case 1: return H5T_NATIVE_B8;
    case 2: return H5T_NATIVE_B16;
    case 4: return H5T_NATIVE_B32;
    default: return H5T_NATIVE_B64;
  }
}

// The smallest of 1, 2, 4, 8 bytes that holds `size` (integers of other sizes widen); 0 past 8.
size_t NativeSize(size_t size) {
  for (size_t n : {1, 2, 4, 8})
    if (size <= n) return n;
  return 0;
}

struct Built {
  std::shared_ptr<ValueType> type;
  hid_t memory = H5I_INVALID_HID;  // owned by the caller
};

Built Unsupported(const std::string& what) {
  auto t = std::make_shared<ValueType>();
  t->kind = ValueKind::Unsupported;
  t->dtype = what;
  t->unsupported = what;
  return {t, H5I_INVALID_HID};
}

// A type no writer makes: its numbers' bits lie outside its size (HDF5 would convert past its buffers).
Built Damaged(const std::string& what) {
  Built b = Unsupported(what + " (a damaged datatype)");
  std::const_pointer_cast<ValueType>(b.type)->damaged = true;
  return b;
}

// An outer type made of an inner one that cannot be read: damaged if the inner one is.
Built Inherit(const std::string& what, const Built& inner) {
  Built b = Unsupported(what);
  std::const_pointer_cast<ValueType>(b.type)->damaged = inner.type->damaged;
  return b;
}

// The bits of an integer or float lie within its size, as every writer makes them.
bool BitsFit(hid_t type, size_t size) {
  const size_t bits = size * 8;
  size_t precision = H5Tget_precision(type);
  int offset = H5Tget_offset(type);
  if (precision == 0 || offset < 0 || static_cast<size_t>(offset) + precision > bits) return false;
  if (H5Tget_class(type) != H5T_FLOAT) return true;
  size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
  if (H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) < 0) return false;
  return esize > 0 && msize > 0 && spos < bits && epos + esize <= bits && mpos + msize <= bits;
}

// h5py's bool: an enum over a 1-byte integer with exactly FALSE=0 and TRUE=1.
bool IsH5pyBool(hid_t type) {
  if (H5Tget_nmembers(type) != 2) return false;
  ScopedId super(H5Tget_super(type), H5Tclose);
  if (!super.valid() || H5Tget_size(super) != 1) return false;
  ScopedId native(H5Tget_native_type(type, H5T_DIR_ASCEND), H5Tclose);
  if (!native.valid()) return false;
  for (unsigned i = 0; i < 2; i++) {
    char* name = H5Tget_member_name(type, i);
    int8_t value = 0;
    herr_t got = H5Tget_member_value(native, i, &value);
    bool ok = name && got >= 0 && ((i == 0 && !strcmp(name, "FALSE") && value == 0) || (i == 1 && !strcmp(name, "TRUE") && value == 1));
    H5free_memory(name);
    if (!ok) return false;
  }
  return true;
}

// h5py's complex: a compound of exactly two members named r and i, in that order, of one float type
// (byte order included) of 4 or 8 bytes. Their offsets do not matter (h5py does not look).
bool IsH5pyComplex(hid_t type, size_t* partSize) {
  if (H5Tget_nmembers(type) != 2) return false;
  const char* want[2] = {"r", "i"};
  for (unsigned i = 0; i < 2; i++) {
    char* name = H5Tget_member_name(type, i);
    bool named = name && !strcmp(name, want[i]);
    H5free_memory(name);
    if (!named || H5Tget_member_class(type, i) != H5T_FLOAT) return false;
  }
  ScopedId r(H5Tget_member_type(type, 0), H5Tclose);
  ScopedId im(H5Tget_member_type(type, 1), H5Tclose);
  if (!r.valid() || !im.valid() || H5Tequal(r, im) <= 0) return false;
  size_t part = H5Tget_size(r);
  if (part != 4 && part != 8) return false;
  *partSize = part;
  return true;
}

Built ComplexOf(size_t partSize) {
  auto t = std::make_shared<ValueType>();
  t->kind = ValueKind::Complex;
  t->dtype = partSize == 4 ? "complex64" : "complex128";
  t->leafSize = partSize;
  t->memSize = 2 * partSize;
  t->arrayType = partSize == 4 ? napi_float32_array : napi_float64_array;
  hid_t part = partSize == 4 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
  hid_t mem = H5Tcreate(H5T_COMPOUND, 2 * partSize);
  if (mem < 0 || H5Tinsert(mem, "r", 0, part) < 0 || H5Tinsert(mem, "i", partSize, part) < 0) {
    if (mem >= 0) H5Tclose(mem);
    return Unsupported("complex");
  }
  return {t, mem};
}

Built Describe(hid_t type, const std::vector<std::string>* fields, int depth);

Built DescribeCompound(hid_t type, const std::vector<std::string>* fields, int depth) {
  size_t part = 0;
  if (!fields && IsH5pyComplex(type, &part)) return ComplexOf(part);
  int n = H5Tget_nmembers(type);
  if (n < 0) return Unsupported("compound (unreadable members)");
  // The members to read, by index: all of them, or the fields asked for, in the order asked.
  std::vector<unsigned> chosen;
  if (fields) {
    for (const std::string& f : *fields) {
      int index = H5Tget_member_index(type, f.c_str());
      if (index < 0) {
        H5Eclear2(H5E_DEFAULT);
        Fail("H5_NOT_FOUND", "No field '" + f + "' in the compound type");
      }
      chosen.push_back(static_cast<unsigned>(index));
    }
  } else {
    for (int i = 0; i < n; i++) chosen.push_back(static_cast<unsigned>(i));
  }
  auto t = std::make_shared<ValueType>();
  t->kind = ValueKind::Compound;
  t->dtype = "compound";
  std::vector<hid_t> memories;
  std::vector<size_t> fileOffsets;
  bool sameSizes = !fields;  // every member as big in memory as in the file: keep the file's offsets
  for (unsigned i : chosen) {
    char* raw = H5Tget_member_name(type, i);
    std::string name = raw ? raw : "";
    H5free_memory(raw);
    ScopedId memberType(H5Tget_member_type(type, i), H5Tclose);
    if (!memberType.valid()) {
      for (hid_t m : memories) H5Tclose(m);
      return Unsupported("compound (unreadable member '" + name + "')");
    }
    Built b = Describe(memberType, nullptr, depth + 1);
    if (b.type->kind == ValueKind::Unsupported) {
      for (hid_t m : memories) H5Tclose(m);
      return Inherit("compound member '" + name + "': " + b.type->unsupported, b);
    }
    if (b.type->memSize != H5Tget_size(memberType)) sameSizes = false;
    fileOffsets.push_back(H5Tget_member_offset(type, i));
    t->members.push_back({name, 0, b.type});
    memories.push_back(b.memory);
  }
  size_t total = 0;
  for (size_t k = 0; k < t->members.size(); k++) {
    t->members[k].offset = sameSizes ? fileOffsets[k] : total;
    total += t->members[k].type->memSize;
  }
  // With the file's layout (and native members) HDF5 sees the same type in memory and copies bytes.
  if (sameSizes) total = H5Tget_size(type);
  hid_t mem = total > 0 ? H5Tcreate(H5T_COMPOUND, total) : H5I_INVALID_HID;
  bool ok = mem >= 0;
  for (size_t k = 0; ok && k < t->members.size(); k++)
    ok = H5Tinsert(mem, t->members[k].name.c_str(), t->members[k].offset, memories[k]) >= 0;
  for (hid_t m : memories) H5Tclose(m);
  if (!ok) {
    if (mem >= 0) H5Tclose(mem);
    H5Eclear2(H5E_DEFAULT);
    return Damaged("compound (its members do not fit in it)");
  }
  t->memSize = total;
  return {t, mem};
}

Built Describe(hid_t type, const std::vector<std::string>* fields, int depth) {
  // Damaged files can nest types without end; real ones nest a handful of levels.
  if (depth > 32) return Unsupported("a type nested more than 32 levels deep");
  H5T_class_t cls = H5Tget_class(type);
  size_t size = H5Tget_size(type);
  if (cls < 0 || size == 0) {
    H5Eclear2(H5E_DEFAULT);
    return Damaged(size == 0 ? "a type of 0 bytes" : "an unreadable type");
  }
  if (fields && cls != H5T_COMPOUND) Fail("ERR_INVALID_ARG", "Fields can only be read from a compound type, not " + std::string(TypeClassName(cls)));
  auto t = std::make_shared<ValueType>();
  switch (cls) {
    case H5T_INTEGER: {
      size_t n = NativeSize(size);
      if (!n) return Unsupported("integer of " + std::to_string(size) + " bytes");
      if (!BitsFit(type, size)) return Damaged("integer of " + std::to_string(size) + " bytes whose bits lie outside it");
      t->kind = ValueKind::Integer;
      t->isSigned = H5Tget_sign(type) == H5T_SGN_2;
      t->leafSize = t->memSize = n;
      t->arrayType = IntegerArrayOf(n, t->isSigned);
      t->dtype = std::string(t->isSigned ? "int" : "uint") + std::to_string(n * 8);
      return {t, H5Tcopy(NativeInteger(n, t->isSigned))};
    }
    case H5T_FLOAT: {
      // 2 to 16 bytes (half to quadruple precision); anything else is no float any writer makes.
      if (size < 2 || size > 16) return Damaged("float of " + std::to_string(size) + " bytes");
      if (!BitsFit(type, size)) return Damaged("float of " + std::to_string(size) + " bytes whose fields lie outside it");
      t->kind = ValueKind::Float;
      // float16 widens to float32 (JS has no half floats in Node 20); wider than 8 bytes narrows to float64.
      bool single = size <= 4;
      t->leafSize = t->memSize = single ? 4 : 8;
      t->arrayType = single ? napi_float32_array : napi_float64_array;
      t->dtype = size == 2 ? "float16" : size == 4 ? "float32" : size == 8 ? "float64" : "float" + std::to_string(size * 8);
      return {t, H5Tcopy(single ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE)};
    }
    case H5T_BITFIELD: {
      size_t n = NativeSize(size);
      if (!n) return Unsupported("bitfield of " + std::to_string(size) + " bytes");
      if (!BitsFit(type, size)) return Damaged("bitfield of " + std::to_string(size) + " bytes whose bits lie outside it");
      t->kind = ValueKind::Bitfield;
      t->leafSize = t->memSize = n;
      t->arrayType = IntegerArrayOf(n, false);
      t->dtype = "uint" + std::to_string(n * 8);
      return {t, H5Tcopy(NativeBitfield(n))};
    }
    case H5T_ENUM: {
      ScopedId native(H5Tget_native_type(type, H5T_DIR_ASCEND), H5Tclose);
      ScopedId super(native.valid() ? H5Tget_super(native) : -1, H5Tclose);
      if (!super.valid()) {
        H5Eclear2(H5E_DEFAULT);
        return Unsupported("enum (unreadable base type)");
      }
      size_t n = H5Tget_size(super);
      if (n != 1 && n != 2 && n != 4 && n != 8) return Unsupported("enum of " + std::to_string(n) + " bytes");
      t->isSigned = H5Tget_sign(super) == H5T_SGN_2;
      t->leafSize = t->memSize = n;
      t->arrayType = IntegerArrayOf(n, t->isSigned);
      if (IsH5pyBool(type)) {
        t->kind = ValueKind::Bool;
        t->dtype = "bool";
        t->arrayType = napi_uint8_array;
      } else {
        t->kind = ValueKind::Enum;
        t->dtype = std::string(t->isSigned ? "int" : "uint") + std::to_string(n * 8);
        int members = H5Tget_nmembers(native);
        for (int i = 0; i < members; i++) {
          char* name = H5Tget_member_name(native, static_cast<unsigned>(i));
          uint8_t raw[8] = {0};
          if (name && H5Tget_member_value(native, static_cast<unsigned>(i), raw) >= 0) {
            int64_t v = 0;
            switch (n) {
              case 1: v = t->isSigned ? int64_t(*reinterpret_cast<int8_t*>(raw)) : int64_t(raw[0]); break;
              case 2: v = t->isSigned ? int64_t(*reinterpret_cast<int16_t*>(raw)) : int64_t(*reinterpret_cast<uint16_t*>(raw)); break;
              case 4: v = t->isSigned ? int64_t(*reinterpret_cast<int32_t*>(raw)) : int64_t(*reinterpret_cast<uint32_t*>(raw)); break;
              default: std::memcpy(&v, raw, 8);
            }
            t->enumMembers.emplace_back(name, v);
          }
          H5free_memory(name);
        }
      }
      return {t, H5Tcopy(native)};
    }
    case H5T_STRING: {
      t->kind = ValueKind::String;
      t->dtype = "string";
      htri_t variable = H5Tis_variable_str(type);
      t->variable = variable > 0;
      t->utf8 = H5Tget_cset(type) == H5T_CSET_UTF8;
      t->pad = H5Tget_strpad(type);
      if (t->variable) {
        hid_t mem = H5Tcopy(H5T_C_S1);
        H5Tset_size(mem, H5T_VARIABLE);
        H5Tset_cset(mem, t->utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII);
        t->memSize = sizeof(char*);
        return {t, mem};
      }
      // Fixed strings are read as stored (no conversion); the pad rules are applied as h5py's are.
      t->fixedSize = t->memSize = size;
      return {t, H5Tcopy(type)};
    }
    case H5T_COMPOUND:
      return DescribeCompound(type, fields, depth);
    case H5T_ARRAY: {
      int rank = H5Tget_array_ndims(type);
      if (rank <= 0 || rank > H5S_MAX_RANK) return Damaged("array of " + std::to_string(rank) + " dimensions");
      t->dims.resize(static_cast<size_t>(rank));
      if (H5Tget_array_dims2(type, t->dims.data()) < 0) return Damaged("array (unreadable dimensions)");
      ScopedId super(H5Tget_super(type), H5Tclose);
      if (!super.valid()) return Unsupported("array (unreadable base type)");
      Built base = Describe(super, nullptr, depth + 1);
      if (base.type->kind == ValueKind::Unsupported) return Inherit("array of " + base.type->unsupported, base);
      hsize_t count = 1;
      for (hsize_t d : t->dims) {
        if (d == 0 || count > (hsize_t(1) << 40) / d) {
          H5Tclose(base.memory);
          return Damaged("array of more elements than any file holds");
        }
        count *= d;
      }
      t->kind = ValueKind::Array;
      t->dtype = "array";
      t->memSize = static_cast<size_t>(count) * base.type->memSize;
      t->members.push_back({"", 0, base.type});
      hid_t mem = H5Tarray_create2(base.memory, static_cast<unsigned>(rank), t->dims.data());
      H5Tclose(base.memory);
      if (mem < 0) return Unsupported("array");
      return {t, mem};
    }
    case H5T_VLEN: {
      ScopedId super(H5Tget_super(type), H5Tclose);
      if (!super.valid()) return Unsupported("vlen (unreadable base type)");
      Built base = Describe(super, nullptr, depth + 1);
      if (base.type->kind == ValueKind::Unsupported) return Inherit("vlen of " + base.type->unsupported, base);
      t->kind = ValueKind::Vlen;
      t->dtype = "vlen";
      t->memSize = sizeof(hvl_t);
      t->members.push_back({"", 0, base.type});
      hid_t mem = H5Tvlen_create(base.memory);
      H5Tclose(base.memory);
      if (mem < 0) return Unsupported("vlen");
      return {t, mem};
    }
    case H5T_OPAQUE: {
      t->kind = ValueKind::Opaque;
      t->dtype = "opaque";
      t->fixedSize = t->memSize = size;
      char* tag = H5Tget_tag(type);
      t->tag = tag ? tag : "";
      H5free_memory(tag);
      return {t, H5Tcopy(type)};
    }
    case H5T_REFERENCE: {
      bool object = H5Tequal(type, H5T_STD_REF_OBJ) > 0;
      bool region = H5Tequal(type, H5T_STD_REF_DSETREG) > 0;
#if H5_VERSION_GE(1, 12, 0)
      // Read every kind as HDF5 1.12's H5R_ref_t (HDF5 converts the older kinds), whose calls are
      // the current ones; which kind each one is, it says itself.
      bool current = H5Tequal(type, H5T_STD_REF) > 0;
      if (!object && !region && !current) return Unsupported("reference");
      t->kind = region ? ValueKind::RegionRef : ValueKind::ObjectRef;
      t->refApi = RefApi::V112;
      t->dtype = region ? "region_reference" : "reference";
      t->memSize = sizeof(H5R_ref_t);
      return {t, H5Tcopy(H5T_STD_REF)};
#else
      if (!object && !region) return Unsupported("reference");
      t->kind = region ? ValueKind::RegionRef : ValueKind::ObjectRef;
      t->refApi = RefApi::Legacy;
      t->dtype = region ? "region_reference" : "reference";
      t->memSize = region ? sizeof(hdset_reg_ref_t) : sizeof(hobj_ref_t);
      return {t, H5Tcopy(region ? H5T_STD_REF_DSETREG : H5T_STD_REF_OBJ)};
#endif
    }
#if H5_VERSION_GE(2, 0, 0)
    case H5T_COMPLEX: {
      ScopedId super(H5Tget_super(type), H5Tclose);
      size_t part = super.valid() ? H5Tget_size(super) : 0;
      if (part == 0) return Unsupported("complex (unreadable base type)");
      size_t memPart = part <= 4 ? 4 : 8;
      Built b = ComplexOf(memPart);
      if (b.type->kind == ValueKind::Unsupported) return b;
      // HDF5's own complex class in memory too, so no compound conversion is involved.
      H5Tclose(b.memory);
      b.memory = H5Tcomplex_create(memPart == 4 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE);
      if (b.memory < 0) return Unsupported("complex");
      return b;
    }
#endif
    default:
      return Unsupported(TypeClassName(cls));
  }
}

bool Holds(const ValueType& t) {
  if (t.kind == ValueKind::Vlen || (t.kind == ValueKind::String && t.variable) || t.refApi == RefApi::V112) return true;
  for (const ValueMember& m : t.members)
    if (Holds(*m.type)) return true;
  return false;
}

}  // namespace

bool ValueType::HasVariableData() const { return Holds(*this); }

MemoryType::~MemoryType() {
  // The last owner may let go on any thread, outside any HDF5 call.
  Hdf5Lock lock;
  if (id_ >= 0) H5Tclose(id_);
}

DescribedType DescribeValueType(hid_t fileType, const std::vector<std::string>* fields) {
  Built b = Describe(fileType, fields, 0);
  H5Eclear2(H5E_DEFAULT);
  DescribedType d;
  d.type = b.type;
  if (b.memory >= 0) d.memory = std::make_shared<MemoryType>(b.memory);
  return d;
}

const char* ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::Integer: return "integer";
    case ValueKind::Float: return "float";
    case ValueKind::Bool: return "bool";
    case ValueKind::Enum: return "enum";
    case ValueKind::Bitfield: return "bitfield";
    case ValueKind::Complex: return "complex";
    case ValueKind::String: return "string";
    case ValueKind::Compound: return "compound";
    case ValueKind::Array: return "array";
    case ValueKind::Vlen: return "vlen";
    case ValueKind::Opaque: return "opaque";
    case ValueKind::ObjectRef: return "reference";
    case ValueKind::RegionRef: return "region_reference";
    default: return "unsupported";
  }
}

const char* TypeClassName(H5T_class_t cls) {
  switch (cls) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    case H5T_TIME: return "time";
    case H5T_STRING: return "string";
    case H5T_BITFIELD: return "bitfield";
    case H5T_OPAQUE: return "opaque";
    case H5T_COMPOUND: return "compound";
    case H5T_REFERENCE: return "reference";
    case H5T_ENUM: return "enum";
    case H5T_VLEN: return "vlen";
    case H5T_ARRAY: return "array";
#if H5_VERSION_GE(2, 0, 0)
    case H5T_COMPLEX: return "complex";
#endif
    default: return "unknown";
  }
}

void ReclaimValues(hid_t memType, hsize_t count, void* buf, hid_t dxpl) {
  if (count == 0 || !buf) return;
  ScopedId space(H5Screate_simple(1, &count, nullptr), H5Sclose);
  if (!space.valid()) return;
  // 1.10.8's header declares H5Treclaim, but its library has no such symbol: it came with 1.12.
#if H5_VERSION_GE(1, 12, 0)
  H5Treclaim(memType, space, dxpl, buf);
#else
  H5Dvlen_reclaim(memType, space, dxpl, buf);
#endif
  H5Eclear2(H5E_DEFAULT);
}

VlenArena::VlenArena() = default;

VlenArena::~VlenArena() {
  if (dxpl_ >= 0) {
    Hdf5Lock lock;
    H5Pclose(dxpl_);
  }
}

hid_t VlenArena::TransferList() {
  if (dxpl_ < 0) {
    dxpl_ = H5Pcreate(H5P_DATASET_XFER);
    if (dxpl_ >= 0 && H5Pset_vlen_mem_manager(dxpl_, &VlenArena::Allocate, this, &VlenArena::Free, this) < 0) {
      H5Pclose(dxpl_);
      dxpl_ = H5I_INVALID_HID;
    }
  }
  return dxpl_ >= 0 ? dxpl_ : H5P_DEFAULT;
}

void* VlenArena::Allocate(size_t size, void* arena) {
  auto* a = static_cast<VlenArena*>(arena);
  size = (size + 15) & ~size_t(15);  // 16-byte aligned, as malloc's
  if (a->used_ + size > a->capacity_) {
    // Blocks of 1 MiB (a larger one for a larger allocation), kept until the arena goes.
    size_t block = size > (size_t(1) << 20) ? size : size_t(1) << 20;
    a->blocks_.emplace_back(new (std::nothrow) uint8_t[block]);
    if (!a->blocks_.back()) {
      a->blocks_.pop_back();
      return nullptr;  // HDF5 reports the failed allocation
    }
    a->used_ = 0;
    a->capacity_ = block;
  }
  void* p = a->blocks_.back().get() + a->used_;
  a->used_ += size;
  return p;
}

void VlenArena::Free(void*, void*) {}

}  // namespace h5swmr
