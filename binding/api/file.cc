#include "api/file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "api/env_data.h"
#include "api/dataset.h"
#include "api/js_error.h"
#include "hdf5/lock.h"
#include "hdf5/reader_driver.h"

namespace h5swmr {

namespace {

// Chosen by measurement (docs/ROBUSTNESS.md): live follow tests at the writer's maximum rate needed
// at most 10-99 retries (HDF5 reports decades), usually 1-9; 2^27 ns of cumulative sleep is 0.13 s,
// so a file with a few corrupt metadata blocks fails within about a second, while a writer
// descheduled for ~60 ms in the middle of a metadata write still causes no false failure.
constexpr unsigned kDefaultReadAttempts = 27;

bool BoolOption(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = o.Get(key);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : fallback;
}

double NumberOption(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

}  // namespace

Napi::Function NativeFile::Define(Napi::Env env) {
  return DefineClass(env, "NativeFile",
                     {
                         InstanceMethod<&NativeFile::Entry<&NativeFile::Close>>("close"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::GetInfo>>("info"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::StartSwmrWrite>>("startSwmrWrite"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::Flush>>("flush"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::OpenDataset>>("openDataset"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::RetryInfo>>("retryInfo"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::MetadataCacheInfo>>("metadataCacheInfo"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::List>>("list"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::ObjectType>>("objectType"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::ObjectKeyAt>>("objectKey"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::Visit>>("visit"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::CreateGroup>>("createGroup"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::ReadAttrs>>("readAttrs"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::WriteAttr>>("writeAttr"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::WriteAttrValues>>("writeAttrValues"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::CreateDataset>>("createDataset"),
                         InstanceMethod<&NativeFile::Entry<&NativeFile::CreateVirtualDataset>>("createVirtualDataset"),
                     });
}

// The constructor's body runs at the boundary too (a C++ exception from it would end the process).
NativeFile::NativeFile(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeFile>(info) {
  Guarded(info.Env(), [&]() { Init(info); });
}

void NativeFile::Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    throw Napi::TypeError::New(env, "NativeFile(path: string, mode: 'r'|'a'|'w'|'x', options)");
  }
  std::string path = info[0].As<Napi::String>();
  std::string mode = info[1].As<Napi::String>();
  Napi::Object opts = info.Length() > 2 && info[2].IsObject() ? info[2].As<Napi::Object>()
                                                              : Napi::Object::New(env);
  bool swmr = BoolOption(opts, "swmr", false);
  Napi::Value locking = opts.Get("locking");
  double chunkCacheBytes = NumberOption(opts, "chunkCacheBytes", 0);
  double readAttempts = NumberOption(opts, "metadataReadAttempts", 0);
  Napi::Value driverOption = opts.Get("driver");
  std::string driver = driverOption.IsString() ? driverOption.As<Napi::String>().Utf8Value() : "h5swmr";

  state_ = Guarded(env, [&]() {
    if (mode != "r" && mode != "a" && mode != "w" && mode != "x")
      Fail("ERR_INVALID_ARG", "mode must be 'r', 'a', 'w' or 'x', got '" + mode + "'");
    if (!driverOption.IsUndefined() && !(driverOption.IsString() && (driver == "h5swmr" || driver == "sec2")))
      Fail("ERR_INVALID_ARG", "options.driver must be 'h5swmr' or 'sec2'");
    struct stat st;
    if (mode == "r" || mode == "a") {
      if (stat(path.c_str(), &st) != 0) {
        int e = errno;
        Fail(e == ENOENT ? "ENOENT" : e == EACCES ? "EACCES" : e == ENOTDIR ? "ENOTDIR" : "H5_OPEN_FAILED",
             "Cannot open '" + path + "': " +
                 (e == ENOENT ? "no such file" : e == ENOTDIR ? "a part of the path is not a directory" : strerror(e)));
      }
      if (S_ISDIR(st.st_mode)) Fail("EISDIR", "Cannot open '" + path + "': it is a directory, not an HDF5 file");
      if (access(path.c_str(), mode == "r" ? R_OK : R_OK | W_OK) != 0 && errno == EACCES)
        Fail("EACCES", "Cannot open '" + path + "': permission denied (" + (mode == "r" ? "read" : "read and write") + ")");
    }
    Hdf5Lock lock;
    ScopedId fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
    if (locking.IsBoolean()) {
#if H5_VERSION_GE(1, 10, 7)
      H5Pset_file_locking(fapl, locking.As<Napi::Boolean>().Value(), true);
#endif
    }
    // Chunk cache on the FAPL, not the DAPL: H5Drefresh resets a dataset's access list. With one
    // frame per chunk a zero-size cache lets H5Dread write straight into the caller's buffer.
    H5Pset_cache(fapl, 0, 521, static_cast<size_t>(chunkCacheBytes), 0.75);
    // A SWMR reader retries a metadata read whose checksum fails (a torn read of something the
    // writer is rewriting), sleeping 1 ns, 2 ns, 4 ns... between attempts. HDF5's default of 100
    // attempts turns a damaged file into a stall of hours; kDefaultReadAttempts bounds it.
    if (swmr && mode == "r")
      H5Pset_metadata_read_attempts(fapl, readAttempts >= 1 ? static_cast<unsigned>(readAttempts) : kDefaultReadAttempts);

    auto file = std::make_shared<FileState>();
    file->path = path;
    hid_t fid;
    if (mode == "r") {
      file->swmrRead = swmr;
      // Chunk bytes pread outside the HDF5 lock; but a file this process writes is read through sec2,
      // whose open file HDF5 then shares with the writer's.
      if (driver == "h5swmr" && !IsOpenForWriting(st.st_dev, st.st_ino) && ReaderDriver() >= 0 &&
          H5Pset_driver(fapl, ReaderDriver(), nullptr) >= 0)
        file->driver = "h5swmr";
      else
        file->driver = "sec2";
      fid = H5Fopen(path.c_str(), H5F_ACC_RDONLY | (swmr ? H5F_ACC_SWMR_READ : 0), fapl);
      if (fid < 0)
        ThrowHdf5("Cannot open '" + path + "' for " + (swmr ? "SWMR reading" : "reading"),
                  "H5_OPEN_FAILED");
    } else {
      // Writers need the 1.10 format (v3 superblock) for SWMR.
      H5Pset_libver_bounds(fapl, H5F_LIBVER_V110, H5F_LIBVER_LATEST);
      file->writable = true;
      if (mode == "a") {
        file->swmrWriting = swmr;
        fid = H5Fopen(path.c_str(), H5F_ACC_RDWR | (swmr ? H5F_ACC_SWMR_WRITE : 0), fapl);
      } else {
        fid = H5Fcreate(path.c_str(), mode == "w" ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT, fapl);
      }
      if (fid < 0) ThrowHdf5("Cannot open '" + path + "' for writing", "H5_OPEN_FAILED");
      if (stat(path.c_str(), &st) == 0) {
        NoteOpenForWriting(st.st_dev, st.st_ino);
        file->notedForWriting = true;
        file->device = st.st_dev;
        file->inode = st.st_ino;
      }
    }
    file->id = fid;
    return file;
  });
  AddonData* data = GetAddonData(env);
  auto& files = data->files;
  files.erase(std::remove_if(files.begin(), files.end(), [](auto& w) { return w.expired(); }), files.end());
  files.push_back(state_);
}

NativeFile::~NativeFile() {
  if (state_) {
    Hdf5Lock lock;
    RequestClose(state_);
  }
}

std::shared_ptr<FileState> NativeFile::Open(Napi::Env env) const {
  if (!state_ || state_->closeRequested || state_->released)
    ThrowJs(env, H5Failure("H5_CLOSED", "The file is closed"));
  return state_;
}

Napi::Value NativeFile::Close(const Napi::CallbackInfo& info) {
  if (state_) {
    Hdf5Lock lock;
    RequestClose(state_);
  }
  return info.Env().Undefined();
}

Napi::Value NativeFile::GetInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  bool closed = !state_ || state_->closeRequested || state_->released;
  o.Set("path", state_ ? state_->path : "");
  o.Set("writable", state_ && state_->writable);
  o.Set("swmrRead", state_ && state_->swmrRead);
  o.Set("swmrWriting", state_ && state_->swmrWriting);
  o.Set("driver", state_ ? state_->driver : "");
  o.Set("closed", closed);
  o.Set("released", !state_ || state_->released);
  return o;
}

Napi::Value NativeFile::StartSwmrWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  Guarded(env, [&]() {
    if (!file->writable) Fail("H5_READ_ONLY", "startSwmrWrite() needs a file opened for writing");
    Hdf5Lock lock;
    if (H5Fstart_swmr_write(file->id) < 0)
      ThrowHdf5("Cannot start SWMR writing on '" + file->path + "'", "H5_SWMR_START_FAILED");
    file->swmrWriting = true;
  });
  return env.Undefined();
}

Napi::Value NativeFile::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  Guarded(env, [&]() {
    if (!file->writable) Fail("H5_READ_ONLY", "flush() needs a file opened for writing");
    Hdf5Lock lock;
    if (H5Fflush(file->id, H5F_SCOPE_LOCAL) < 0) ThrowHdf5("Cannot flush '" + file->path + "'", "H5_WRITE_FAILED");
  });
  return env.Undefined();
}

Napi::Value NativeFile::OpenDataset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].As<Napi::String>();
  auto ds = Guarded(env, [&]() {
    Hdf5Lock lock;
    return NativeDataset::OpenState(file, path);
  });
  return NativeDataset::Wrap(env, ds);
}

Napi::Value NativeFile::RetryInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  return Guarded(env, [&]() -> Napi::Value {
    Hdf5Lock lock;
    H5F_retry_info_t retry;
    if (H5Fget_metadata_read_retry_info(file->id, &retry) < 0)
      ThrowHdf5("Cannot get metadata read retry info", "H5_ERROR");
    Napi::Object o = Napi::Object::New(env);
    ScopedId fapl(H5Fget_access_plist(file->id), H5Pclose);
    unsigned attempts = 0;
    H5Pget_metadata_read_attempts(fapl, &attempts);
    o.Set("attempts", attempts);
    o.Set("bins", retry.nbins);
    Napi::Array perType = Napi::Array::New(env);
    for (unsigned t = 0; t < H5F_NUM_METADATA_READ_RETRY_TYPES; t++) {
      Napi::Array bins = Napi::Array::New(env, retry.nbins);
      for (unsigned b = 0; b < retry.nbins; b++) bins.Set(b, retry.retries[t] ? retry.retries[t][b] : 0);
      perType.Set(t, bins);
      if (retry.retries[t]) H5free_memory(retry.retries[t]);
    }
    o.Set("retries", perType);
    return o;
  });
}

// HDF5's metadata cache of this file (H5Fget_mdc_size, H5Fget_mdc_config): what a long follow keeps.
Napi::Value NativeFile::MetadataCacheInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  return Guarded(env, [&]() -> Napi::Value {
    Hdf5Lock lock;
    size_t maxSize = 0, minClean = 0, current = 0;
    int entries = 0;
    if (H5Fget_mdc_size(file->id, &maxSize, &minClean, &current, &entries) < 0)
      ThrowHdf5("Cannot get the metadata cache size", "H5_ERROR");
    H5AC_cache_config_t config;
    config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (H5Fget_mdc_config(file->id, &config) < 0) ThrowHdf5("Cannot get the metadata cache configuration", "H5_ERROR");
    Napi::Object o = Napi::Object::New(env);
    o.Set("maxSize", static_cast<double>(maxSize));
    o.Set("currentSize", static_cast<double>(current));
    o.Set("entries", entries);
    o.Set("configuredMaxSize", static_cast<double>(config.max_size));
    return o;
  });
}

}  // namespace h5swmr
