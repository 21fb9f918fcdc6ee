#include "dataset.h"

#include <algorithm>
#include <vector>

#include "addon.h"
#include "errors.h"
#include "lock.h"
#include "read_worker.h"

namespace h5swmr {

Napi::Object ReadAllAttrs(Napi::Env env, hid_t obj, const std::string& what);  // attrs.cc

namespace {

std::string FilterList(hid_t dcpl, bool onlyMissing) {
  std::string out;
  int n = H5Pget_nfilters(dcpl);
  for (int i = 0; i < n; i++) {
    unsigned flags = 0, config = 0;
    size_t nelmts = 0;
    char name[128] = {0};
    H5Z_filter_t id = H5Pget_filter2(dcpl, i, &flags, &nelmts, nullptr, sizeof name, name, &config);
    if (onlyMissing && H5Zfilter_avail(id) > 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(id) + (name[0] ? std::string(" (") + name + ")" : std::string());
  }
  return out;
}

std::string PluginPath() {
  std::string out;
  unsigned n = 0;
  if (H5PLsize(&n) < 0) return out;
  for (unsigned i = 0; i < n; i++) {
    char buf[4096] = {0};
    if (H5PLget(i, buf, sizeof buf) < 0) continue;
    out += (out.empty() ? "" : ":") + std::string(buf);
  }
  return out;
}

// A failed H5Dread: if a filter cannot be loaded, say which one and where plugins were looked for.
[[noreturn]] void ThrowReadFailure(DatasetState& ds, const Selection& sel) {
  H5Failure failure = Hdf5Failure("Cannot read '" + ds.path + "' in '" + ds.file->path + "'", "H5_READ_FAILED");
  ScopedId dcpl(H5Dget_create_plist(ds.id), H5Pclose);
  // A filter whose format we know, in a mode we do not decode (an unknown bitshuffle compression, a
  // blosc codec), and HDF5's filter failed too: the truth is "cannot decode", not "corrupt".
  bool ourCorruptWording = false;
  for (const StackFrame& frame : failure.stack)
    if (frame.description.find("corrupt chunk") != std::string::npos) ourCorruptWording = true;
  for (const auto& step : ds.layout ? ds.layout->filters : std::vector<decode::FilterStep>{}) {
    std::string mode = decode::UnsupportedFilterMode(step);
    if (mode.empty() || ourCorruptWording) continue;
    std::string message = "Cannot read '" + ds.path + "': " + mode + ", and HDF5's filter failed too; HDF5 plugin path searched: '" +
                          PluginPath() + "' (a plugin there that decodes this mode would be used)\n" + failure.what();
    H5Eclear2(H5E_DEFAULT);
    throw H5Failure("H5_FILTER_UNAVAILABLE", message, failure.stack);
  }
  if (failure.code == "H5_CORRUPT_CHUNK" && dcpl.valid() && H5Pget_layout(dcpl) == H5D_CHUNKED && !sel.all) {
    // Name the chunk (the first one the selection touches) so the damage can be located.
    std::vector<hsize_t> chunk(sel.start.size());
    H5Pget_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    std::string at;
    for (size_t d = 0; d < chunk.size(); d++) at += (d ? ", " : "") + std::to_string(sel.start[d] / (chunk[d] ? chunk[d] : 1));
    std::string message = "Cannot read '" + ds.path + "' in '" + ds.file->path + "': corrupt compressed chunk [" + at +
                          "] (the filter failed to decode it)\n" + failure.what();
    H5Eclear2(H5E_DEFAULT);
    throw H5Failure("H5_CORRUPT_CHUNK", message, failure.stack);
  }
  std::string missing = dcpl.valid() ? FilterList(dcpl, true) : "";
  if (!missing.empty()) {
    std::string message = "Cannot read '" + ds.path + "': HDF5 filter " + missing +
                          " is not available; HDF5 plugin path searched: '" + PluginPath() +
                          "' (set HDF5_PLUGIN_PATH to the folder holding the filter plugin)\n" +
                          failure.what();
    H5Eclear2(H5E_DEFAULT);
    throw H5Failure("H5_FILTER_UNAVAILABLE", message, failure.stack);
  }
  throw failure;
}

// Identity of the object behind an id: two paths (a soft link and the hard link) give the same key.
std::string ObjectKey(hid_t id) {
#if H5_VERSION_GE(1, 12, 0)
  H5O_info2_t info;
  if (H5Oget_info3(id, &info, H5O_INFO_BASIC) < 0) return "";
  char* token = nullptr;
  H5Otoken_to_str(id, &info.token, &token);
  std::string key = std::to_string(info.fileno) + ":" + (token ? token : "");
  H5free_memory(token);
  return key;
#else
  H5O_info_t info;
  if (H5Oget_info2(id, &info, H5O_INFO_BASIC) < 0) return "";
  return std::to_string(info.fileno) + ":" + std::to_string(info.addr);
#endif
}

}  // namespace

Napi::Function NativeDataset::Define(Napi::Env env) {
  return DefineClass(env, "NativeDataset",
                     {
                         InstanceMethod<&NativeDataset::Close>("close"),
                         InstanceMethod<&NativeDataset::GetInfo>("info"),
                         InstanceMethod<&NativeDataset::GetShape>("shape"),
                         InstanceMethod<&NativeDataset::Refresh>("refresh"),
                         InstanceMethod<&NativeDataset::ReadInto>("readInto"),
                         InstanceMethod<&NativeDataset::ReadIntoAsync>("readIntoAsync"),
                         InstanceMethod<&NativeDataset::ReadPlan>("readPlan"),
                         InstanceMethod<&NativeDataset::ReadStats>("readStats"),
                         InstanceMethod<&NativeDataset::ChunkCache>("chunkCache"),
                         InstanceMethod<&NativeDataset::ReadAttrs>("readAttrs"),
                         InstanceMethod<&NativeDataset::VirtualMapping>("virtualMapping"),
                         InstanceMethod<&NativeDataset::Extend>("extend"),
                         InstanceMethod<&NativeDataset::Write>("write"),
                         InstanceMethod<&NativeDataset::Flush>("flush"),
                     });
}

NativeDataset::NativeDataset(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeDataset>(info) {}

NativeDataset::~NativeDataset() {
  if (state_) {
    Hdf5Lock lock;
    RequestClose(state_);
  }
}

Napi::Object NativeDataset::Wrap(Napi::Env env, std::shared_ptr<DatasetState> state) {
  Napi::Object obj = GetAddonData(env)->datasetClass.New({});
  Unwrap(obj)->state_ = std::move(state);
  return obj;
}

std::shared_ptr<DatasetState> NativeDataset::OpenState(const std::shared_ptr<FileState>& file,
                                                       const std::string& path) {
  hid_t id = H5Dopen2(file->id, path.c_str(), H5P_DEFAULT);
  if (id < 0) ThrowHdf5("Cannot open dataset '" + path + "' in '" + file->path + "'", "H5_NOT_FOUND");
  auto ds = std::make_shared<DatasetState>();
  ds->id = id;
  ds->path = path;
  ds->file = file;
  ds->fileType = H5Dget_type(id);
  if (ds->fileType < 0) {
    H5Dclose(id);
    ThrowHdf5("Cannot get the datatype of '" + path + "' in '" + file->path + "'", "H5_ERROR");
  }
  ds->type = DescribeType(ds->fileType);
  ds->memType = NativeMemoryType(ds->fileType);
  ds->layout = DescribeChunkLayout(id, ds->fileType, ds->memType);
  ds->objectKey = ObjectKey(id);
  H5Eclear2(H5E_DEFAULT);
  auto& list = file->datasets;
  list.erase(std::remove_if(list.begin(), list.end(), [](auto& w) { return w.expired(); }), list.end());
  list.push_back(ds);
  return ds;
}

std::shared_ptr<DatasetState> NativeDataset::Open(Napi::Env env) const {
  if (!state_ || state_->closeRequested || state_->released || state_->file->closeRequested)
    ThrowJs(env, H5Failure("H5_CLOSED", "The dataset " + (state_ ? "'" + state_->path + "' " : std::string()) +
                                            "is closed"));
  return state_;
}

Napi::Value NativeDataset::Close(const Napi::CallbackInfo& info) {
  if (state_) {
    Hdf5Lock lock;
    RequestClose(state_);
  }
  return info.Env().Undefined();
}

Napi::Array DimsToJs(Napi::Env env, const std::vector<hsize_t>& dims) {
  Napi::Array a = Napi::Array::New(env, dims.size());
  for (size_t i = 0; i < dims.size(); i++) {
    if (dims[i] == H5S_UNLIMITED) a.Set(i, env.Null());
    else a.Set(i, Napi::Number::New(env, static_cast<double>(dims[i])));
  }
  return a;
}

Napi::Value NativeDataset::GetShape(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  std::vector<hsize_t> dims = Guarded(env, [&]() {
    Hdf5Lock lock;
    ScopedId space(H5Dget_space(ds->id), H5Sclose);
    if (!space.valid()) ThrowHdf5("Cannot get the dataspace of '" + ds->path + "'", "H5_ERROR");
    return Extent(space);
  });
  return DimsToJs(env, dims);
}

Napi::Value NativeDataset::Refresh(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  std::vector<hsize_t> dims = Guarded(env, [&]() {
    Hdf5Lock lock;
    // Reloads the object header and the chunk index into this same id; the dataspace must be
    // queried again afterwards (older dataspace ids are snapshots).
    if (H5Drefresh(ds->id) < 0) ThrowHdf5("Cannot refresh '" + ds->path + "'", "H5_REFRESH_FAILED");
    ScopedId space(H5Dget_space(ds->id), H5Sclose);
    if (!space.valid()) ThrowHdf5("Cannot get the dataspace of '" + ds->path + "'", "H5_ERROR");
    return Extent(space);
  });
  return DimsToJs(env, dims);
}

Napi::Value NativeDataset::GetInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  return Guarded(env, [&]() -> Napi::Value {
    Hdf5Lock lock;
    Napi::Object o = Napi::Object::New(env);
    o.Set("path", ds->path);
    o.Set("objectKey", ds->objectKey);
    o.Set("dtype", ds->type.dtype);
    o.Set("typeClass", ds->type.typeClass);
    o.Set("supported", ds->type.supported);
    o.Set("arrayType", ArrayTypeName(ds->type.arrayType));
    o.Set("storedSize", static_cast<double>(ds->layout->storedElemSize));
    ScopedId space(H5Dget_space(ds->id), H5Sclose);
    int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(rank > 0 ? rank : 0), maxdims(rank > 0 ? rank : 0);
    if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), maxdims.data());
    o.Set("shape", DimsToJs(env, dims));
    o.Set("maxshape", DimsToJs(env, maxdims));

    ScopedId dcpl(H5Dget_create_plist(ds->id), H5Pclose);
    H5D_layout_t layout = H5Pget_layout(dcpl);
    o.Set("layout", layout == H5D_CHUNKED ? "chunked" : layout == H5D_CONTIGUOUS ? "contiguous"
                    : layout == H5D_COMPACT ? "compact" : layout == H5D_VIRTUAL ? "virtual" : "unknown");
    if (layout == H5D_CHUNKED && rank > 0) {
      std::vector<hsize_t> chunks(rank);
      H5Pget_chunk(dcpl, rank, chunks.data());
      o.Set("chunks", DimsToJs(env, chunks));
    } else {
      o.Set("chunks", env.Null());
    }
    Napi::Array filters = Napi::Array::New(env);
    int nf = H5Pget_nfilters(dcpl);
    for (int i = 0; i < nf; i++) {
      unsigned flags = 0, config = 0;
      unsigned cd[32] = {0};
      size_t ncd = 32;
      char name[128] = {0};
      H5Z_filter_t id = H5Pget_filter2(dcpl, i, &flags, &ncd, cd, sizeof name, name, &config);
      Napi::Object f = Napi::Object::New(env);
      f.Set("id", static_cast<double>(id));
      f.Set("name", name);
      Napi::Array values = Napi::Array::New(env, ncd < 32 ? ncd : 32);
      for (size_t k = 0; k < ncd && k < 32; k++) values.Set(k, cd[k]);
      f.Set("cdValues", values);
      f.Set("optional", (flags & H5Z_FLAG_OPTIONAL) != 0);
      f.Set("available", H5Zfilter_avail(id) > 0);
      filters.Set(i, f);
    }
    H5Eclear2(H5E_DEFAULT);
    o.Set("filters", filters);

    H5D_fill_value_t fillState;
    o.Set("fillValue", env.Null());
    if (ds->memType >= 0 && H5Pfill_value_defined(dcpl, &fillState) >= 0 && fillState != H5D_FILL_VALUE_UNDEFINED) {
      uint8_t buf[16] = {0};
      if (H5Pget_fill_value(dcpl, ds->memType, buf) >= 0) {
        const auto& t = ds->type;
        Napi::Value v;
        switch (t.arrayType) {
          case napi_int8_array: v = Napi::Number::New(env, *reinterpret_cast<int8_t*>(buf)); break;
          case napi_uint8_array: v = Napi::Number::New(env, *buf); break;
          case napi_int16_array: v = Napi::Number::New(env, *reinterpret_cast<int16_t*>(buf)); break;
          case napi_uint16_array: v = Napi::Number::New(env, *reinterpret_cast<uint16_t*>(buf)); break;
          case napi_int32_array: v = Napi::Number::New(env, *reinterpret_cast<int32_t*>(buf)); break;
          case napi_uint32_array: v = Napi::Number::New(env, *reinterpret_cast<uint32_t*>(buf)); break;
          case napi_float32_array: v = Napi::Number::New(env, *reinterpret_cast<float*>(buf)); break;
          case napi_float64_array: v = Napi::Number::New(env, *reinterpret_cast<double*>(buf)); break;
          case napi_bigint64_array: v = Napi::BigInt::New(env, *reinterpret_cast<int64_t*>(buf)); break;
          case napi_biguint64_array: v = Napi::BigInt::New(env, *reinterpret_cast<uint64_t*>(buf)); break;
          default: v = env.Null();
        }
        if (t.typeClass == "bool") v = Napi::Boolean::New(env, buf[0] != 0);
        o.Set("fillValue", v);
      }
    }
    H5Eclear2(H5E_DEFAULT);
    return o;
  });
}

BufferView ViewOf(const Napi::Value& value) {
  if (!value.IsTypedArray()) Fail("H5_BAD_BUFFER", "Expected a typed array to read into");
  Napi::TypedArray ta = value.As<Napi::TypedArray>();
  BufferView view;
  view.type = ta.TypedArrayType();
  view.length = ta.ElementLength();
  view.bytes = ta.ByteLength();
  view.data = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return view;
}

ReadRequest ParseReadRequest(const Napi::Value& selection, const Napi::Value& target, const Napi::Value& options) {
  ReadRequest req;
  req.sel = ParseSelection(selection);
  req.view = ViewOf(target);
  if (options.IsObject()) {
    Napi::Object o = options.As<Napi::Object>();
    Napi::Value path = o.Get("path");
    if (path.IsString()) {
      std::string p = path.As<Napi::String>().Utf8Value();
      if (p != "auto" && p != "hdf5") Fail("ERR_INVALID_ARG", "options.path must be 'auto' or 'hdf5', got '" + p + "'");
      req.allowDirect = p != "hdf5";
    } else if (!path.IsUndefined()) {
      Fail("ERR_INVALID_ARG", "options.path must be 'auto' or 'hdf5'");
    }
    Napi::Value raw = o.Get("raw");
    req.raw = raw.IsBoolean() && raw.As<Napi::Boolean>().Value();
  }
  return req;
}

ReadPath ReadSelection(DatasetState& ds, const ReadRequest& req) {
  const Selection& sel = req.sel;
  const ReadTarget target{req.view.data, req.view.bytes, req.raw};
  FetchedChunks fetched;
  size_t batchEnd = 0;
  {
    Hdf5Lock lock;
    if (ds.released) Fail("H5_CLOSED", "The dataset '" + ds.path + "' is closed");
    hid_t memType;
    size_t elemSize;
    if (req.raw) {
      if (req.view.type != napi_uint8_array)
        Fail("H5_BAD_BUFFER", std::string("Raw reads of '") + ds.path + "' fill a Uint8Array, not a " +
                                  ArrayTypeName(req.view.type));
      memType = ds.fileType;
      elemSize = ds.layout->storedElemSize;
    } else {
      if (!ds.type.supported || ds.memType < 0)
        Fail("H5_UNSUPPORTED_TYPE", "Cannot read '" + ds.path + "': datatype '" + ds.type.dtype +
                                        "' is not supported (integers, floats, bool and enums are)");
      if (req.view.type != ds.type.arrayType &&
          !(req.view.type == napi_uint8_clamped_array && ds.type.arrayType == napi_uint8_array))
        Fail("H5_BAD_BUFFER", std::string("Cannot read '") + ds.path + "' (" + ds.type.dtype + ") into a " +
                                  ArrayTypeName(req.view.type) + ": use a " + ArrayTypeName(ds.type.arrayType));
      memType = ds.memType;
      elemSize = ds.type.memSize;
    }
    ScopedId fileSpace(H5Dget_space(ds.id), H5Sclose);
    if (!fileSpace.valid()) ThrowHdf5("Cannot get the dataspace of '" + ds.path + "'", "H5_ERROR");
    std::vector<hsize_t> dims = Extent(fileSpace);
    ApplySelection(sel, fileSpace, dims);
    hsize_t n = SelectionSize(sel, dims);
    if (req.view.bytes != n * elemSize)
      Fail("H5_BAD_BUFFER", "Buffer holds " + std::to_string(req.view.bytes / elemSize) + " elements but the selection of '" +
                                ds.path + "' has " + std::to_string(n));
    if (n == 0) return ReadPath::Hdf5;
    bool direct = req.allowDirect && WhyNotDirect(*ds.layout, sel, dims, req.raw).empty() &&
                  PlanChunks(ds, sel, dims, &fetched);
    if (!direct) {
      ScopedId memSpace(MemorySpace(sel, dims), H5Sclose);
      if (H5Dread(ds.id, memType, memSpace, fileSpace, H5P_DEFAULT, req.view.data) < 0) ThrowReadFailure(ds, sel);
      ds.hdf5Reads++;
      return ReadPath::Hdf5;
    }
    batchEnd = FetchChunks(ds, target, fetched, 0);
  }
  // Outside the lock: other reads fetch their chunks meanwhile. Big reads go a batch at a time.
  DecodeChunks(fetched, target, 0, batchEnd);
  while (batchEnd < fetched.offsets.size()) {
    const size_t from = batchEnd;
    {
      Hdf5Lock lock;
      if (ds.released) Fail("H5_CLOSED", "The dataset '" + ds.path + "' is closed");
      batchEnd = FetchChunks(ds, target, fetched, from);
    }
    DecodeChunks(fetched, target, from, batchEnd);
  }
  ds.directReads++;
  for (const DeferredRead& d : fetched.deferred)
    if (d.pending()) ds.chunksReadOutsideLock++;
  return ReadPath::Direct;
}

// readInto(selection | null, typedArray, options?)
Napi::Value NativeDataset::ReadInto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  Guarded(env, [&]() { ReadSelection(*ds, ParseReadRequest(info[0], info[1], info[2])); });
  return info[1];
}

// readIntoAsync(selection | null, typedArray, options?) -> Promise<typedArray>, on the decode pool.
Napi::Value NativeDataset::ReadIntoAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  ReadRequest req = Guarded(env, [&]() { return ParseReadRequest(info[0], info[1], info[2]); });
  return QueueRead(env, ds, std::move(req), info[1].As<Napi::TypedArray>());
}

// readPlan(selection | null, options?) -> { path: 'direct' | 'hdf5', reason }: the path a read takes
// (chunks not written yet still read through HDF5, as their fill value).
Napi::Value NativeDataset::ReadPlan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  std::string reason = Guarded(env, [&]() {
    Selection sel = ParseSelection(info[0]);
    bool raw = info[1].IsObject() && info[1].As<Napi::Object>().Get("raw").ToBoolean().Value();
    Hdf5Lock lock;
    ScopedId fileSpace(H5Dget_space(ds->id), H5Sclose);
    if (!fileSpace.valid()) ThrowHdf5("Cannot get the dataspace of '" + ds->path + "'", "H5_ERROR");
    std::vector<hsize_t> dims = Extent(fileSpace);
    ApplySelection(sel, fileSpace, dims);
    if (!raw && (!ds->type.supported || ds->memType < 0)) return std::string("the datatype is not supported");
    return WhyNotDirect(*ds->layout, sel, dims, raw);
  });
  Napi::Object o = Napi::Object::New(env);
  o.Set("path", reason.empty() ? "direct" : "hdf5");
  o.Set("reason", reason);
  return o;
}

// readStats() -> { direct, hdf5 }: reads completed per path since the dataset was opened.
Napi::Value NativeDataset::ReadStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  Napi::Object o = Napi::Object::New(env);
  o.Set("direct", static_cast<double>(ds->directReads.load()));
  o.Set("chunksReadOutsideLock", static_cast<double>(ds->chunksReadOutsideLock.load()));
  o.Set("hdf5", static_cast<double>(ds->hdf5Reads.load()));
  return o;
}

// chunkCache() -> { bytes, slots, w0 }: the raw-data chunk cache this id reads through, as HDF5 reports
// it now. h5swmr sets it on the file access list (File.open's chunkCacheBytes, 0 by default) rather
// than leaving HDF5's default, which 2.0 raised from 1 MiB to 8 MiB per open dataset.
Napi::Value NativeDataset::ChunkCache(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  return Guarded(env, [&]() -> Napi::Value {
    Hdf5Lock lock;
    ScopedId dapl(H5Dget_access_plist(ds->id), H5Pclose);
    size_t slots = 0, bytes = 0;
    double w0 = 0;
    if (!dapl.valid() || H5Pget_chunk_cache(dapl, &slots, &bytes, &w0) < 0)
      ThrowHdf5("Cannot get the chunk cache of '" + ds->path + "'", "H5_ERROR");
    Napi::Object o = Napi::Object::New(env);
    o.Set("bytes", static_cast<double>(bytes));
    o.Set("slots", static_cast<double>(slots));
    o.Set("w0", w0);
    return o;
  });
}

}  // namespace h5swmr
