// Any HDF5 datatype h5py reads, described recursively, with the memory type a read converts it into
// and how each element lies in that memory. Numbers also have dtype.h's typed-array path; this is
// for everything else (strings, compounds, arrays, variable-length data, opaque, references) and
// for numbers inside those. h5py is the reference for what each class reads as.
#pragma once
#include <hdf5.h>
#include <js_native_api_types.h>  // napi_typedarray_type only

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace h5swmr {

enum class ValueKind {
  Integer,    // leaf numbers: a typed array element each
  Float,
  Bool,       // h5py's bool (enum FALSE=0, TRUE=1 over int8): 0/1 in memory
  Enum,       // its base integer in memory; names in enumMembers
  Bitfield,   // an unsigned integer of its size
  Complex,    // h5py's {r, i} compound of two floats, or HDF5 2.0's complex class: two floats
  String,     // fixed (bytes of `fixedSize`) or variable (char*)
  Compound,   // members, each at its offset
  Array,      // H5T_ARRAY: prod(dims) elements of base, inline
  Vlen,       // variable-length sequence of base (hvl_t)
  Opaque,     // fixedSize bytes
  ObjectRef,  // a reference to an object
  RegionRef,  // a reference to a region of a dataset
  Unsupported
};

// A type reference must be read back with the same API it was read with.
enum class RefApi { None, Legacy, V112 };

struct ValueType;
struct ValueMember {
  std::string name;
  size_t offset = 0;  // in the memory layout
  std::shared_ptr<const ValueType> type;
};

struct ValueType {
  ValueKind kind = ValueKind::Unsupported;
  std::string dtype;          // 'int16', 'float64', 'complex64', 'bool', 'string', 'compound', ...
  size_t memSize = 0;         // bytes of one element in memory
  // Numbers (Integer, Float, Bool, Enum, Bitfield) and Complex (its parts)
  napi_typedarray_type arrayType{};
  size_t leafSize = 0;
  bool isSigned = false;
  // String
  bool variable = false;
  bool utf8 = false;
  H5T_str_t pad = H5T_STR_NULLTERM;
  size_t fixedSize = 0;       // fixed strings, opaque: bytes per element
  // Compound members; Array and Vlen have their base as the one member (name "")
  std::vector<ValueMember> members;
  std::vector<hsize_t> dims;  // Array
  std::vector<std::pair<std::string, int64_t>> enumMembers;
  std::string tag;            // Opaque
  RefApi refApi = RefApi::None;
  std::string unsupported;    // Unsupported: the HDF5 class, for the error
  bool damaged = false;       // Unsupported because the type itself is impossible (a damaged file)

  const ValueType& base() const { return *members.front().type; }
  bool HasVariableData() const;  // holds vlen data or references HDF5 allocates (reclaim after reading)
};

// The memory type of a description (owned, closed with the description).
class MemoryType {
 public:
  explicit MemoryType(hid_t id) : id_(id) {}
  ~MemoryType();
  MemoryType(const MemoryType&) = delete;
  MemoryType& operator=(const MemoryType&) = delete;
  hid_t id() const { return id_; }

 private:
  hid_t id_;
};

struct DescribedType {
  std::shared_ptr<const ValueType> type;
  std::shared_ptr<MemoryType> memory;  // null when unsupported
};

// Describe a stored (file) type and build its memory type. Under the lock. `fields`: for a compound,
// only these members (in this order; H5_NOT_FOUND naming a missing one): HDF5 then reads just them.
DescribedType DescribeValueType(hid_t fileType, const std::vector<std::string>* fields = nullptr);

// The type description as h5py would name the class, for errors: "compound", "string", ...
const char* TypeClassName(H5T_class_t cls);

// A value kind's name as the JS layer knows it: "integer", "string", "region_reference", ...
const char* ValueKindName(ValueKind kind);

// Frees what HDF5 allocated inside `buf` (variable-length data, references) for `count` elements
// read with `memType` and the transfer list `dxpl` (its memory manager, if it has one). Under the lock.
void ReclaimValues(hid_t memType, hsize_t count, void* buf, hid_t dxpl = H5P_DEFAULT);

// Variable-length data of one read in blocks of its own: HDF5 asks it for every string and sequence
// (H5Pset_vlen_mem_manager) instead of malloc, and it all goes at once with the arena; HDF5's reclaim
// then frees nothing by itself (it still destroys references). A million strings cost a million
// mallocs and frees otherwise.
class VlenArena {
 public:
  VlenArena();
  ~VlenArena();
  VlenArena(const VlenArena&) = delete;
  VlenArena& operator=(const VlenArena&) = delete;
  // A dataset transfer list that allocates here (closed with the arena). Under the lock.
  hid_t TransferList();

 private:
  static void* Allocate(size_t size, void* arena);
  static void Free(void* block, void* arena);
  std::vector<std::unique_ptr<uint8_t[]>> blocks_;
  size_t used_ = 0;
  size_t capacity_ = 0;
  hid_t dxpl_ = H5I_INVALID_HID;
};

}  // namespace h5swmr
