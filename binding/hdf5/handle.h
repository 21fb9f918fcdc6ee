// Ownership of HDF5 ids. A File owns its file id and the dataset ids opened through it; every id is
// released exactly once, never while a read on another thread still uses it. All fields are only
// touched under the HDF5 lock, except `inflight`, which only the JS thread touches.
#pragma once
#include <hdf5.h>

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hdf5/dtype.h"

namespace h5swmr {

struct DatasetState;
struct ChunkLayout;

struct FileState {
  hid_t id = H5I_INVALID_HID;
  std::string path;
  bool writable = false;
  bool swmrRead = false;     // opened with H5F_ACC_SWMR_READ
  bool swmrWriting = false;  // startSwmrWrite() done, or opened with H5F_ACC_SWMR_WRITE
  std::string driver = "sec2";  // HDF5 file driver: "h5swmr" (reader_driver.h) or "sec2"
  bool notedForWriting = false;  // in reader_driver.h's list of files open for writing, as:
  dev_t device = 0;
  ino_t inode = 0;
  bool closeRequested = false;
  bool released = false;
  int inflight = 0;  // async operations queued on this file or its datasets
  std::vector<std::weak_ptr<DatasetState>> datasets;
};

struct DatasetState {
  hid_t id = H5I_INVALID_HID;
  hid_t memType = H5I_INVALID_HID;  // native in-memory type for reads; H5I_INVALID_HID if unsupported
  hid_t fileType = H5I_INVALID_HID;  // the stored type, for raw reads
  TypeInfo type;
  DescribedType value;  // the stored type described for value reads (strings, compounds, ...)
  std::shared_ptr<const ChunkLayout> layout;  // what the direct-chunk path needs (chunk_reader.h)
  std::atomic<uint64_t> directReads{0};       // completed reads per path, for readStats()
  std::atomic<uint64_t> hdf5Reads{0};
  std::atomic<uint64_t> chunksReadOutsideLock{0};  // direct-path chunks the reader driver deferred
  std::string path;
  std::string objectKey;  // file number + object address: the same dataset reached by another path
  std::shared_ptr<FileState> file;
  bool closeRequested = false;
  bool released = false;
  int inflight = 0;
};

// Identity of the object behind an id (file number and address, or token): two paths to the same
// object (hard links, soft links) give the same key; "" when HDF5 cannot tell.
std::string ObjectKey(hid_t id);

// The same key from what H5Oget_info / H5Ovisit hand back (`loc`: any id in the file).
#if H5_VERSION_GE(1, 12, 0)
std::string ObjectKeyOf(hid_t loc, unsigned long fileno, const H5O_token_t& token);
#else
std::string ObjectKeyOf(hid_t loc, unsigned long fileno, haddr_t addr);
#endif

// 'group' | 'dataset' | 'datatype' | 'other'
const char* ObjectTypeName(H5O_type_t type);

// The check h5py's visititems makes of every object before it opens it (HDF5's H5Ovisit asks
// H5Oget_info for every field): the sizes of the object's own metadata and its header and attribute
// counts. For a dataset this decodes its layout message and walks its chunk index, for a group its
// link index and heap, for either a dense attribute index: libhdf5 1.10 reports damage there that
// opening or listing would crash on. False, with HDF5's error stack left, when it finds the metadata
// damaged. Under the lock.
bool ObjectMetadataSane(hid_t loc, const char* name);

// The version of the object header at `name`: 1 (the pre-1.8 format, no checksums) or 2; -1 when it
// cannot be read. Under the lock.
int ObjectHeaderVersion(hid_t loc, const char* name);

// The type ('group' | 'dataset' | 'datatype' | 'other') and key of the object `name` resolves to from
// `loc`, without opening it; "" (type untouched) when nothing resolves there. Under the lock.
std::string ObjectAt(hid_t loc, const char* name, std::string* type);

// Close the ids now (under the lock). Idempotent.
void Release(DatasetState& ds);
void Release(FileState& file);  // releases the file's datasets too

// Ask to close; releases at once unless async work is in flight, in which case the last finishing
// operation releases (see FinishAsync). Take the lock before calling.
void RequestClose(const std::shared_ptr<DatasetState>& ds);
void RequestClose(const std::shared_ptr<FileState>& file);

// Bookkeeping for async operations, on the JS thread.
void BeginAsync(const std::shared_ptr<DatasetState>& ds);
void FinishAsync(const std::shared_ptr<DatasetState>& ds);  // takes the lock if it must release

}  // namespace h5swmr

namespace h5swmr {

// Closes a temporary id (property list, dataspace, type, group, attribute) when it leaves scope;
// it runs after a failure has been captured, so the HDF5 error stack is not lost.
class ScopedId {
 public:
  ScopedId(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~ScopedId() {
    if (id_ >= 0) close_(id_);
  }
  ScopedId(const ScopedId&) = delete;
  ScopedId& operator=(const ScopedId&) = delete;
  ScopedId(ScopedId&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

}  // namespace h5swmr
