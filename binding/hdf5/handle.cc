#include "hdf5/handle.h"

#include "hdf5/lock.h"
#include "hdf5/reader_driver.h"

namespace h5swmr {

void Release(DatasetState& ds) {
  if (ds.released) return;
  ds.released = true;
  if (ds.memType >= 0) H5Tclose(ds.memType);
  if (ds.fileType >= 0) H5Tclose(ds.fileType);
  if (ds.id >= 0) H5Dclose(ds.id);
  ds.memType = ds.fileType = ds.id = H5I_INVALID_HID;
  ds.value.memory.reset();  // closed now, or by the last read in flight that holds it
}

void Release(FileState& file) {
  if (file.released) return;
  for (auto& weak : file.datasets) {
    if (auto ds = weak.lock()) Release(*ds);
  }
  file.datasets.clear();
  file.released = true;
  if (file.id >= 0) H5Fclose(file.id);
  file.id = H5I_INVALID_HID;
  if (file.notedForWriting) NoteClosedForWriting(file.device, file.inode);
  file.notedForWriting = false;
  H5Eclear2(H5E_DEFAULT);
}

void RequestClose(const std::shared_ptr<DatasetState>& ds) {
  ds->closeRequested = true;
  if (ds->inflight == 0) Release(*ds);
}

void RequestClose(const std::shared_ptr<FileState>& file) {
  file->closeRequested = true;
  for (auto& weak : file->datasets) {
    if (auto ds = weak.lock()) ds->closeRequested = true;
  }
  if (file->inflight == 0) Release(*file);
}

void BeginAsync(const std::shared_ptr<DatasetState>& ds) {
  ds->inflight++;
  ds->file->inflight++;
}

void FinishAsync(const std::shared_ptr<DatasetState>& ds) {
  ds->inflight--;
  ds->file->inflight--;
  bool releaseDataset = ds->closeRequested && ds->inflight == 0 && !ds->released;
  bool releaseFile = ds->file->closeRequested && ds->file->inflight == 0 && !ds->file->released;
  if (releaseDataset || releaseFile) {
    Hdf5Lock lock;
    if (releaseDataset) Release(*ds);
    if (releaseFile) Release(*ds->file);
  }
}

// Identity of the object behind an id: two paths (a soft link and the hard link) give the same key.
std::string ObjectKey(hid_t id) {
  std::string type;
  return ObjectAt(id, ".", &type);
}

#if H5_VERSION_GE(1, 12, 0)
std::string ObjectKeyOf(hid_t loc, unsigned long fileno, const H5O_token_t& token) {
  char* text = nullptr;
  H5Otoken_to_str(loc, &token, &text);
  std::string key = std::to_string(fileno) + ":" + (text ? text : "");
  H5free_memory(text);
  return key;
}
#else
std::string ObjectKeyOf(hid_t, unsigned long fileno, haddr_t addr) {
  return std::to_string(fileno) + ":" + std::to_string(addr);
}
#endif

const char* ObjectTypeName(H5O_type_t type) {
  switch (type) {
    case H5O_TYPE_GROUP: return "group";
    case H5O_TYPE_DATASET: return "dataset";
    case H5O_TYPE_NAMED_DATATYPE: return "datatype";
    default: return "other";
  }
}

// What H5Oget_info gives, without opening the object: a damaged dataset's header is then never
// parsed for its type and layout just to list it (h5py's visititems does not open objects either).
std::string ObjectAt(hid_t loc, const char* name, std::string* type) {
#if H5_VERSION_GE(1, 12, 0)
  H5O_info2_t info;
  if (H5Oget_info_by_name3(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return "";
  std::string key = ObjectKeyOf(loc, info.fileno, info.token);
#else
  H5O_info_t info;
  if (H5Oget_info_by_name2(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return "";
  std::string key = ObjectKeyOf(loc, info.fileno, info.addr);
#endif
  *type = ObjectTypeName(info.type);
  return key;
}

bool ObjectMetadataSane(hid_t loc, const char* name) {
  // Every field, as H5Ovisit asks for them: the metadata sizes (layout, chunk and link indexes,
  // heaps) and the header and attribute counts (a dense attribute index is walked for them).
#if H5_VERSION_GE(1, 12, 0)
  H5O_info2_t info;
  H5O_native_info_t native;
  return H5Oget_info_by_name3(loc, name, &info, H5O_INFO_ALL, H5P_DEFAULT) >= 0 &&
         H5Oget_native_info_by_name(loc, name, &native, H5O_NATIVE_INFO_ALL, H5P_DEFAULT) >= 0;
#else
  H5O_info_t info;
  return H5Oget_info_by_name2(loc, name, &info, H5O_INFO_ALL, H5P_DEFAULT) >= 0;
#endif
}

int ObjectHeaderVersion(hid_t loc, const char* name) {
#if H5_VERSION_GE(1, 12, 0)
  H5O_native_info_t info;
  if (H5Oget_native_info_by_name(loc, name, &info, H5O_NATIVE_INFO_HDR, H5P_DEFAULT) < 0) return -1;
#else
  H5O_info_t info;
  if (H5Oget_info_by_name2(loc, name, &info, H5O_INFO_HDR, H5P_DEFAULT) < 0) return -1;
#endif
  return static_cast<int>(info.hdr.version);
}

}  // namespace h5swmr
