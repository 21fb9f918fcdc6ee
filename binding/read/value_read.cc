#include "read/value_read.h"

#include "hdf5/errors.h"
#include "hdf5/lock.h"
#include "read/read_engine.h"

namespace h5swmr {

namespace {

// Bytes for `count` elements of `memSize`, refusing a size no read could fill (a damaged extent).
void Allocate(ValueBuffer& buffer, hsize_t count, size_t memSize, bool zeroed, const std::string& what) {
  const hsize_t limit = hsize_t(1) << 40;
  if (memSize != 0 && count > limit / memSize)
    Fail("H5_OUT_OF_RANGE", "Cannot read " + what + ": " + std::to_string(count) + " elements of " + std::to_string(memSize) +
                                " bytes is more than h5swmr reads at once");
  buffer.count = count;
  buffer.bytes = ScratchBytes::Take(static_cast<size_t>(count * memSize), zeroed);
}

[[noreturn]] void Unreadable(const ValueType& type, const std::string& what) {
  if (type.damaged) Fail("H5_CORRUPT", "Cannot read " + what + ": its datatype is damaged: " + type.unsupported);
  Fail("H5_UNSUPPORTED_TYPE", "Cannot read " + what + ": its datatype (" + type.unsupported + ") is not supported");
}

}  // namespace

ValueBuffer::~ValueBuffer() {
  if (!filled || !described.memory || !described.type || !described.type->HasVariableData() || bytes.empty()) return;
  Hdf5Lock lock;
  // HDF5's own reclaim, through the same transfer list: with the arena it frees nothing itself (the
  // arena goes after it) but still destroys references.
  ReclaimValues(described.memory->id(), count, bytes.data(), arena ? arena->TransferList() : H5P_DEFAULT);
  arena.reset();
}

std::unique_ptr<ValueBuffer> ReadDatasetValues(const std::shared_ptr<DatasetState>& ds, const Selection& sel,
                                               const std::vector<std::string>* fields) {
  Hdf5Lock lock;
  if (ds->released) Fail("H5_CLOSED", "The dataset '" + ds->path + "' is closed");
  const std::string what = "'" + ds->path + "' in '" + ds->file->path + "'";
  auto out = std::make_unique<ValueBuffer>();
  // Some members of a compound: read whole records where that costs HDF5 no conversion (the memory
  // layout is the file's), keeping the members asked for; only a subset type when the records hold
  // variable-length members not asked for (whole records would allocate them all).
  bool whole = fields && ds->value.type->kind == ValueKind::Compound && !ds->value.type->HasVariableData();
  out->described = fields && !whole ? DescribeValueType(ds->fileType, fields) : ds->value;
  if (whole) {
    for (const std::string& f : *fields) {
      bool known = false;
      for (const ValueMember& m : ds->value.type->members) known = known || m.name == f;
      if (!known) Fail("H5_NOT_FOUND", "No field '" + f + "' in the compound type of '" + ds->path + "'");
    }
    out->fields = *fields;
  }
  const ValueType& type = *out->described.type;
  if (type.kind == ValueKind::Unsupported) Unreadable(type, what);
  out->dataset = ds;
  out->location = ds->id;
  ScopedId fileSpace = DataspaceOf(ds->id, ds->path);
  H5S_class_t spaceClass = H5Sget_simple_extent_type(fileSpace);
  if (spaceClass == H5S_NULL) {
    out->empty = true;
    return out;
  }
  out->scalar = spaceClass == H5S_SCALAR;
  std::vector<hsize_t> dims = Extent(fileSpace);
  ApplySelection(sel, fileSpace, dims);
  Allocate(*out, SelectionSize(sel, dims), type.memSize, type.HasVariableData(), what);
  if (out->count == 0) return out;
  ScopedId memSpace(MemorySpace(sel, dims), H5Sclose);
  hid_t dxpl = H5P_DEFAULT;
  if (type.HasVariableData()) {
    out->arena = std::make_unique<VlenArena>();
    dxpl = out->arena->TransferList();
  }
  if (H5Dread(ds->id, out->described.memory->id(), memSpace, fileSpace, dxpl, out->bytes.data()) < 0)
    ThrowReadFailure(*ds, sel);
  out->filled = true;
  return out;
}

std::unique_ptr<ValueBuffer> ReadAttributeValues(hid_t attr, hid_t location, const std::string& what) {
  auto out = std::make_unique<ValueBuffer>();
  ScopedId fileType(H5Aget_type(attr), H5Tclose);
  ScopedId space(H5Aget_space(attr), H5Sclose);
  if (!fileType.valid() || !space.valid()) ThrowHdf5("Cannot read " + what, "H5_READ_FAILED");
  out->described = DescribeValueType(fileType);
  const ValueType& type = *out->described.type;
  if (type.kind == ValueKind::Unsupported) Unreadable(type, what);
  out->location = location;
  H5S_class_t spaceClass = H5Sget_simple_extent_type(space);
  if (spaceClass == H5S_NULL) {
    out->empty = true;
    return out;
  }
  if (spaceClass != H5S_SCALAR && spaceClass != H5S_SIMPLE) ThrowHdf5("Cannot read " + what + ": its dataspace is damaged", "H5_CORRUPT");
  out->scalar = spaceClass == H5S_SCALAR;
  hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0) ThrowHdf5("Cannot read " + what + ": its dataspace is damaged", "H5_CORRUPT");
  // What is stored must be what the dataspace says: n elements of a fixed-size type take exactly n
  // times its size, and any element at least a byte. A damaged dataspace claiming 2^62 elements
  // (CVE-2021-37501) allocates nothing.
  const size_t fileSize = H5Tget_size(fileType);
  const hsize_t stored = H5Aget_storage_size(attr);
  const bool variable = H5Tdetect_class(fileType, H5T_VLEN) > 0 || H5Tis_variable_str(fileType) > 0 || H5Tdetect_class(fileType, H5T_REFERENCE) > 0;
  if (n > 0 && (static_cast<hsize_t>(n) > stored || (!variable && (fileSize == 0 || static_cast<hsize_t>(n) * fileSize != stored))))
    Fail("H5_CORRUPT", "Cannot read " + what + ": it claims " + std::to_string(n) + " elements of " + std::to_string(fileSize) +
                           " bytes but stores " + std::to_string(stored) + " bytes (damaged)");
  Allocate(*out, static_cast<hsize_t>(n), type.memSize, type.HasVariableData(), what);
  if (out->count == 0) return out;
  if (H5Aread(attr, out->described.memory->id(), out->bytes.data()) < 0) ThrowHdf5("Cannot read " + what, "H5_READ_FAILED");
  out->filled = true;
  return out;
}

}  // namespace h5swmr
