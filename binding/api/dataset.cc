#include "api/dataset.h"
#include "hdf5/reader_driver.h"

#include <algorithm>
#include <vector>

#include "api/env_data.h"
#include "api/js_error.h"
#include "hdf5/lock.h"
#include "hdf5/properties.h"
#include "api/read_worker.h"
#include "api/values.h"

namespace h5swmr {

Napi::Object ReadAllAttrs(Napi::Env env, hid_t loc, const std::string& name, const std::string& what);  // attrs.cc

namespace {

std::vector<hsize_t> ReadDims(const Napi::Value& v, const char* what) {
  std::vector<hsize_t> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) Fail("H5_BAD_SELECTION", std::string("selection.") + what + " must be an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0) || d != static_cast<double>(static_cast<hsize_t>(d)))
      Fail("H5_BAD_SELECTION", std::string("selection.") + what + "[" + std::to_string(i) +
                                   "] must be a non-negative integer");
    out.push_back(static_cast<hsize_t>(d));
  }
  return out;
}

}  // namespace

Napi::Function NativeDataset::Define(Napi::Env env) {
  return DefineClass(env, "NativeDataset",
                     {
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::Close>>("close"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::GetInfo>>("info"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::FileDescriptor>>("fileDescriptor"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::GetShape>>("shape"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::Refresh>>("refresh"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::ReadInto>>("readInto"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::ReadIntoAsync>>("readIntoAsync"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::ReadPlan>>("readPlan"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::ReadStats>>("readStats"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::ChunkCache>>("chunkCache"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::ReadAttrs>>("readAttrs"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::GetValueType>>("valueType"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::ReadValues>>("readValues"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::ReadValuesAsync>>("readValuesAsync"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::VirtualMapping>>("virtualMapping"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::Extend>>("extend"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::Write>>("write"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::WriteValues>>("writeValues"),
                         InstanceMethod<&NativeDataset::Entry<&NativeDataset::Flush>>("flush"),
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
  // What h5py's visititems makes sure of before it opens a dataset: its layout and chunk index are
  // sound (libhdf5 1.10 crashes opening some damaged ones: CVE-2021-46243, -46244). Not asked of a
  // file being written (SWMR: a chunk index a writer extends is read when a read needs it, with
  // HDF5's retries) unless its headers are of the old format no SWMR writer makes.
  if ((!file->swmrRead || ObjectHeaderVersion(file->id, path.c_str()) != 2) && !ObjectMetadataSane(file->id, path.c_str()))
    ThrowDamaged("Cannot open dataset '" + path + "' in '" + file->path + "': its layout or chunk index is damaged");
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
  ds->value = DescribeValueType(ds->fileType);
  ds->type = TypedInfoOf(*ds->value.type);
  ds->memType = ds->type.supported && ds->value.memory ? H5Tcopy(ds->value.memory->id()) : H5I_INVALID_HID;
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
    return Extent(DataspaceOf(ds->id, ds->path));
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
    return Extent(DataspaceOf(ds->id, ds->path));
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
    o.Set("readable", ds->type.readable);
    o.Set("elements", static_cast<double>(ds->type.elements));
    o.Set("arrayType", ds->type.supported ? ArrayTypeName(ds->type.arrayType) : "");
    o.Set("storedSize", static_cast<double>(ds->layout->storedElemSize));
    ScopedId space = DataspaceOf(ds->id, ds->path);
    int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(rank > 0 ? rank : 0), maxdims(rank > 0 ? rank : 0);
    if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), maxdims.data());
    o.Set("shape", DimsToJs(env, dims));
    o.Set("empty", H5Sget_simple_extent_type(space) == H5S_NULL);  // h5py's Empty: no value at all
    o.Set("maxshape", DimsToJs(env, maxdims));

    ScopedId dcpl(H5Dget_create_plist(ds->id), H5Pclose);
    H5D_layout_t layout = H5Pget_layout(dcpl);
    o.Set("layout", LayoutName(layout));
    if (layout == H5D_CHUNKED && rank > 0) {
      std::vector<hsize_t> chunks(rank);
      H5Pget_chunk(dcpl, rank, chunks.data());
      o.Set("chunks", DimsToJs(env, chunks));
    } else {
      o.Set("chunks", env.Null());
    }
    std::vector<PipelineFilter> pipeline = FilterPipeline(dcpl);
    Napi::Array filters = Napi::Array::New(env, pipeline.size());
    for (size_t i = 0; i < pipeline.size(); i++) {
      const PipelineFilter& pf = pipeline[i];
      Napi::Object f = Napi::Object::New(env);
      f.Set("id", static_cast<double>(pf.id));
      f.Set("name", pf.name);
      Napi::Array values = Napi::Array::New(env, pf.cd.size());
      for (size_t k = 0; k < pf.cd.size(); k++) values.Set(k, pf.cd[k]);
      f.Set("cdValues", values);
      f.Set("optional", pf.optional);
      f.Set("available", H5Zfilter_avail(static_cast<H5Z_filter_t>(pf.id)) > 0);
      filters.Set(i, f);
    }
    H5Eclear2(H5E_DEFAULT);
    o.Set("filters", filters);

    H5D_fill_value_t fillState;
    o.Set("fillValue", env.Null());
    if (ds->memType >= 0 && ds->type.elements == 1 && ds->type.memSize <= 8 && H5Pfill_value_defined(dcpl, &fillState) >= 0 &&
        fillState != H5D_FILL_VALUE_UNDEFINED) {
      uint8_t buf[8] = {0};
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

Selection ParseSelection(const Napi::Value& value) {
  Selection sel;
  if (value.IsUndefined() || value.IsNull()) return sel;
  if (!value.IsObject()) Fail("H5_BAD_SELECTION", "selection must be an object {start, count, step?}");
  Napi::Object o = value.As<Napi::Object>();
  sel.all = false;
  sel.start = ReadDims(o.Get("start"), "start");
  sel.count = ReadDims(o.Get("count"), "count");
  sel.step = ReadDims(o.Get("step"), "step");
  if (sel.count.size() != sel.start.size())
    Fail("H5_BAD_SELECTION", "selection.start and selection.count must have the same length");
  if (sel.step.empty()) sel.step.assign(sel.start.size(), 1);
  if (sel.step.size() != sel.start.size())
    Fail("H5_BAD_SELECTION", "selection.step must have one entry per dimension");
  for (hsize_t s : sel.step)
    if (s == 0) Fail("H5_BAD_SELECTION", "selection.step entries must be >= 1");
  return sel;
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
    ScopedId fileSpace = DataspaceOf(ds->id, ds->path);
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


// fileDescriptor() -> the descriptor of the file this dataset's data is in (the target of an
// external link, not the file it was opened through), for watching the writer's writes; -1 when
// the file is not read through a POSIX descriptor (sec2 or ours) or the dataset is virtual.
Napi::Value NativeDataset::FileDescriptor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  int fd = -1;
  {
    Hdf5Lock lock;
    ScopedId dcpl(H5Dget_create_plist(ds->id), H5Pclose);
    bool isVirtual = dcpl.valid() && H5Pget_layout(dcpl) == H5D_VIRTUAL;
    ScopedId fid(isVirtual ? -1 : H5Iget_file_id(ds->id), H5Fclose);
    if (fid.valid()) {
      ScopedId fapl(H5Fget_access_plist(fid), H5Pclose);
      hid_t driver = fapl.valid() ? H5Pget_driver(fapl) : -1;
      void* handle = nullptr;
      if ((driver == H5FD_SEC2 || driver == ReaderDriver()) && H5Fget_vfd_handle(fid, H5P_DEFAULT, &handle) >= 0 && handle)
        fd = *static_cast<int*>(handle);
    }
    H5Eclear2(H5E_DEFAULT);
  }
  return Napi::Number::New(env, fd);
}

namespace {

// JS: undefined | string[] (the compound members to read).
std::unique_ptr<std::vector<std::string>> ParseFields(const Napi::Value& value) {
  if (value.IsUndefined() || value.IsNull()) return nullptr;
  if (!value.IsArray()) Fail("ERR_INVALID_ARG", "fields must be an array of member names");
  Napi::Array a = value.As<Napi::Array>();
  auto fields = std::make_unique<std::vector<std::string>>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    if (!a.Get(i).IsString()) Fail("ERR_INVALID_ARG", "fields must be an array of member names");
    fields->push_back(a.Get(i).As<Napi::String>());
  }
  return fields;
}

}  // namespace

// valueType() -> the stored type, described (api/values.h TypeToJs).
Napi::Value NativeDataset::GetValueType(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  return TypeToJs(env, *ds->value.type);
}

// readValues(selection | null, fields?) -> { count, scalar, empty, columns }: any type h5py reads (the
// type is the dataset's, or its members `fields`: lib/core/dataset.ts knows it).
Napi::Value NativeDataset::ReadValues(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  return Guarded(env, [&]() -> Napi::Value {
    Selection sel = ParseSelection(info[0]);
    auto fields = ParseFields(info[1]);
    std::unique_ptr<ValueBuffer> values = ReadDatasetValues(ds, sel, fields.get());
    return ValuesToJs(env, *values, false);
  });
}

// readValuesAsync(selection | null, fields?) -> Promise of the same, read on the decode pool.
Napi::Value NativeDataset::ReadValuesAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  Selection sel;
  std::unique_ptr<std::vector<std::string>> fields;
  Guarded(env, [&]() {
    sel = ParseSelection(info[0]);
    fields = ParseFields(info[1]);
  });
  return QueueValueRead(env, ds, std::move(sel), fields.get());
}

}  // namespace h5swmr
