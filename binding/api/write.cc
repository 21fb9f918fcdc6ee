// The write side: create chunked (optionally compressed) and virtual datasets, extend, write
// hyperslabs from typed arrays, flush. Enough for users writing results live (and joining them) and
// for our own test writers.
#include <cmath>
#include <vector>

#include "filters/bitshuffle_filter.h"
#include "api/dataset.h"
#include "decode/blosc_hdf5.h"
#include "decode/bslz4.h"
#include "decode/zstd_hdf5.h"
#include "hdf5/dtype.h"
#include "api/js_error.h"
#include "api/file.h"
#include "api/value_writer.h"
#include "hdf5/lock.h"

namespace h5swmr {

namespace {

// Array of non-negative integers, with null meaning unlimited when `allowUnlimited`.
std::vector<hsize_t> DimsOption(const Napi::Value& v, const char* what, bool allowUnlimited) {
  std::vector<hsize_t> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) Fail("ERR_INVALID_ARG", std::string(what) + " must be an array");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (allowUnlimited && (e.IsNull() || (e.IsNumber() && e.As<Napi::Number>().DoubleValue() == INFINITY))) {
      out.push_back(H5S_UNLIMITED);
      continue;
    }
    double d = e.IsNumber() ? e.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0) || d != static_cast<double>(static_cast<hsize_t>(d)))
      Fail("ERR_INVALID_ARG", std::string(what) + "[" + std::to_string(i) + "] must be a non-negative integer" +
                                  (allowUnlimited ? " or null (unlimited)" : ""));
    out.push_back(static_cast<hsize_t>(d));
  }
  return out;
}

void CheckWritable(const FileState& file, const std::string& what) {
  if (!file.writable) Fail("H5_READ_ONLY", "Cannot " + what + ": the file '" + file.path + "' is open read-only");
}

// A SWMR writer cannot add objects: every dataset is created before startSwmrWrite().
void CheckCreatable(const FileState& file, const std::string& path) {
  CheckWritable(file, "create dataset '" + path + "'");
  if (file.swmrWriting)
    Fail("H5_SWMR_RESTRICTED", "Cannot create dataset '" + path +
                                   "' after SWMR writing started: create every object before startSwmrWrite()");
}

// fillValue: a number (converted by HDF5 to the dataset's type), a bigint, or a boolean.
void SetFillValue(hid_t dcpl, hid_t type, const std::string& dtype, const Napi::Value& fill) {
  herr_t status = 0;
  if (fill.IsNumber()) {
    double v = fill.As<Napi::Number>().DoubleValue();
    if (dtype == "bool") {
      int8_t b = v != 0;
      status = H5Pset_fill_value(dcpl, type, &b);
    } else {
      status = H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &v);
    }
  } else if (fill.IsBigInt()) {
    // uint64 fills past 2^63 keep their bits through the unsigned type.
    bool lossless = false;
    if (dtype == "uint64") {
      uint64_t v = fill.As<Napi::BigInt>().Uint64Value(&lossless);
      status = H5Pset_fill_value(dcpl, H5T_NATIVE_UINT64, &v);
    } else {
      int64_t v = fill.As<Napi::BigInt>().Int64Value(&lossless);
      status = H5Pset_fill_value(dcpl, H5T_NATIVE_INT64, &v);
    }
    if (!lossless) Fail("ERR_INVALID_ARG", "fillValue does not fit in a 64-bit integer of the dataset's sign");
  } else if (fill.IsBoolean()) {
    int8_t b = fill.As<Napi::Boolean>().Value();
    status = H5Pset_fill_value(dcpl, type, &b);
  }
  if (status < 0) ThrowHdf5("Cannot set the fill value", "ERR_INVALID_ARG");
}

// A regular hyperslab from { start, stride?, count (null = unlimited), block? } on `space`, which
// must lie within `extent` along every dimension whose count is limited (as HDF5 requires of a VDS).
void SelectHyperslab(hid_t space, const Napi::Value& v, const std::vector<hsize_t>& extent, const std::string& what) {
  const size_t rank = extent.size();
  if (!v.IsObject()) Fail("ERR_INVALID_ARG", what + " must be { start, stride?, count, block? }");
  Napi::Object o = v.As<Napi::Object>();
  std::vector<hsize_t> start = DimsOption(o.Get("start"), (what + ".start").c_str(), false);
  std::vector<hsize_t> stride = DimsOption(o.Get("stride"), (what + ".stride").c_str(), false);
  std::vector<hsize_t> count = DimsOption(o.Get("count"), (what + ".count").c_str(), true);
  std::vector<hsize_t> block = DimsOption(o.Get("block"), (what + ".block").c_str(), false);
  if (stride.empty()) stride.assign(rank, 1);
  if (block.empty()) block.assign(rank, 1);
  if (start.size() != rank || stride.size() != rank || count.size() != rank || block.size() != rank)
    Fail("ERR_INVALID_ARG", what + ": start, stride, count and block need one entry per dimension (" + std::to_string(rank) + ")");
  for (size_t d = 0; d < rank; d++) {
    if (count[d] == H5S_UNLIMITED) continue;
    if (count[d] == 0 || block[d] == 0 || start[d] + (count[d] - 1) * stride[d] + block[d] > extent[d])
      Fail("ERR_INVALID_ARG", what + " reaches past dimension " + std::to_string(d) + " (size " + std::to_string(extent[d]) +
                                  ") or selects nothing there");
  }
  if (H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), stride.data(), count.data(), block.data()) < 0)
    ThrowHdf5("Invalid " + what + " selection", "ERR_INVALID_ARG");
}

}  // namespace

// createDataset(path, { dtype, shape, maxshape?, chunks?, compression?, compressionLevel?, shuffle?,
//                       bitshuffleBlockSize?, bloscCompressor?, bloscShuffle?, fillValue?, filterEdgeChunks? })
Napi::Value NativeFile::CreateDataset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].As<Napi::String>();
  Napi::Object o = info[1].As<Napi::Object>();
  auto ds = Guarded(env, [&]() {
    CheckCreatable(*file, path);
    Napi::Value dtypeSpec = o.Get("dtype");
    std::string dtype = dtypeSpec.IsString() ? dtypeSpec.As<Napi::String>().Utf8Value() : "";
    std::vector<hsize_t> shape = DimsOption(o.Get("shape"), "shape", false);
    std::vector<hsize_t> maxshape = DimsOption(o.Get("maxshape"), "maxshape", true);
    std::vector<hsize_t> chunks = DimsOption(o.Get("chunks"), "chunks", false);
    std::string compression = o.Get("compression").IsString() ? o.Get("compression").As<Napi::String>().Utf8Value() : "none";
    int level = o.Get("compressionLevel").IsNumber() ? o.Get("compressionLevel").As<Napi::Number>().Int32Value() : 4;
    // Byte shuffle helps deflate; bitshuffle already does (better) what it would.
    bool shuffle = o.Get("shuffle").IsBoolean() ? o.Get("shuffle").As<Napi::Boolean>().Value()
                                                : compression == "deflate" || compression == "gzip";
    Napi::Value blockOption = o.Get("bitshuffleBlockSize");
    double blockSize = blockOption.IsNumber() ? blockOption.As<Napi::Number>().DoubleValue() : 0;
    Napi::Value fill = o.Get("fillValue");
    Napi::Value filterEdges = o.Get("filterEdgeChunks");
    const bool levelGiven = o.Get("compressionLevel").IsNumber();
    // blosc's inner codec (hdf5-blosc's codes) and shuffle (0 none, 1 byte, 2 bit).
    static const char* const kBloscCodecs[] = {"blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"};
    std::string bloscCodec = o.Get("bloscCompressor").IsString() ? o.Get("bloscCompressor").As<Napi::String>().Utf8Value() : "lz4";
    std::string bloscShuffle = o.Get("bloscShuffle").IsString() ? o.Get("bloscShuffle").As<Napi::String>().Utf8Value() : "byte";
    unsigned bloscCode = 6;
    for (unsigned i = 0; i < 6; i++) if (bloscCodec == kBloscCodecs[i]) bloscCode = i;

    if (maxshape.empty()) maxshape = shape;
    if (maxshape.size() != shape.size()) Fail("ERR_INVALID_ARG", "maxshape must have one entry per dimension of shape");
    for (size_t i = 0; i < shape.size(); i++)
      if (maxshape[i] != H5S_UNLIMITED && maxshape[i] < shape[i]) Fail("ERR_INVALID_ARG", "maxshape is smaller than shape");
    if (compression != "none" && compression != "deflate" && compression != "gzip" && compression != "bslz4" &&
        compression != "bszstd" && compression != "zstd" && compression != "blosc")
      Fail("ERR_INVALID_ARG", "compression must be 'none', 'deflate', 'bslz4', 'bszstd', 'zstd' or 'blosc'");
    if ((compression == "bszstd" || compression == "zstd") && levelGiven && (level < 1 || level > 22))
      Fail("ERR_INVALID_ARG", "compressionLevel for '" + compression + "' must be a zstd level from 1 to 22");
    if (compression == "blosc" && levelGiven && (level < 0 || level > 9))
      Fail("ERR_INVALID_ARG", "compressionLevel for 'blosc' must be from 0 to 9");
    if (compression == "blosc" && bloscCode == 6)
      Fail("ERR_INVALID_ARG", "bloscCompressor must be 'blosclz', 'lz4', 'lz4hc', 'snappy', 'zlib' or 'zstd'");
    if (compression == "blosc" && bloscShuffle != "none" && bloscShuffle != "byte" && bloscShuffle != "bit")
      Fail("ERR_INVALID_ARG", "bloscShuffle must be 'none', 'byte' or 'bit'");
    if (!(blockSize >= 0 && blockSize < 4294967296.0) || blockSize != static_cast<double>(static_cast<unsigned>(blockSize)) ||
        static_cast<unsigned>(blockSize) % 8)
      Fail("ERR_INVALID_ARG", "bitshuffleBlockSize must be 0 (automatic) or a multiple of 8 elements");
    bool needsChunks = compression != "none" || shuffle || maxshape != shape;
    if (chunks.empty() && needsChunks) {
      // Default: one element along growing dimensions, whole extent along the others — one frame per chunk.
      for (size_t i = 0; i < shape.size(); i++)
        chunks.push_back(maxshape[i] == H5S_UNLIMITED || maxshape[i] != shape[i] ? 1 : (shape[i] ? shape[i] : 1));
    }
    if (!chunks.empty() && chunks.size() != shape.size())
      Fail("ERR_INVALID_ARG", "chunks must have one entry per dimension of shape");
    for (hsize_t c : chunks) if (c == 0) Fail("ERR_INVALID_ARG", "chunk dimensions must be >= 1");

    Hdf5Lock lock;
    ScopedId type(FileTypeFromSpec(dtypeSpec, "dtype"), H5Tclose);
    ScopedId space(shape.empty() ? H5Screate(H5S_SCALAR)
                                 : H5Screate_simple(static_cast<int>(shape.size()), shape.data(), maxshape.data()),
                   H5Sclose);
    ScopedId dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (!chunks.empty()) {
      H5Pset_chunk(dcpl, static_cast<int>(chunks.size()), chunks.data());
      if (shuffle) H5Pset_shuffle(dcpl);
      // H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS: chunks past the extent's edge are stored unfiltered.
      if (filterEdges.IsBoolean() && !filterEdges.As<Napi::Boolean>().Value())
        H5Pset_chunk_opts(dcpl, H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS);
      if (compression == "deflate" || compression == "gzip") H5Pset_deflate(dcpl, static_cast<unsigned>(level));
      if (compression == "bslz4" || compression == "bszstd") {
        // Optional, as h5py sets third-party filters; set_local adds {major, minor, element size}.
        // zstd's level: compressionLevel, else 3 (hdf5plugin's default).
        const bool zstd = compression == "bszstd";
        if (zstd && !EnsureBitshuffleZstd())
          Fail("H5_FILTER_UNAVAILABLE", "Cannot write bitshuffle-zstd to '" + path + "': no 32008 filter with zstd");
        const int zstdLevel = levelGiven ? level : 3;
        const unsigned cd[3] = {static_cast<unsigned>(blockSize), zstd ? decode::kBitshuffleZstd : decode::kBitshuffleLz4,
                                static_cast<unsigned>(zstdLevel)};
        if (H5Pset_filter(dcpl, decode::kBitshuffleFilter, H5Z_FLAG_OPTIONAL, zstd ? 3 : 2, cd) < 0)
          ThrowHdf5("Cannot set the bitshuffle filter for '" + path + "'", "H5_FILTER_UNAVAILABLE");
      }
      if (compression == "zstd") {
        const unsigned cd[1] = {static_cast<unsigned>(levelGiven ? level : 3)};
        if (H5Pset_filter(dcpl, decode::kZstdFilter, H5Z_FLAG_OPTIONAL, 1, cd) < 0)
          ThrowHdf5("Cannot set the zstd filter for '" + path + "'", "H5_FILTER_UNAVAILABLE");
      }
      if (compression == "blosc") {
        // Slots 0-3 are set_local's (revision, format, type size, chunk bytes), as with hdf5-blosc.
        const unsigned cd[7] = {0, 0, 0, 0, static_cast<unsigned>(levelGiven ? level : 5),
                                bloscShuffle == "none" ? 0u : bloscShuffle == "bit" ? 2u : 1u, bloscCode};
        if (H5Pset_filter(dcpl, decode::kBloscFilter, H5Z_FLAG_OPTIONAL, 7, cd) < 0)
          ThrowHdf5("Cannot set the blosc filter for '" + path + "'", "H5_FILTER_UNAVAILABLE");
      }
    }
    SetFillValue(dcpl, type, dtype, fill);
    ScopedId lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t id = H5Dcreate2(file->id, path.c_str(), type, space, lcpl, dcpl, H5P_DEFAULT);
    if (id < 0) ThrowHdf5("Cannot create dataset '" + path + "' in '" + file->path + "'", "H5_WRITE_FAILED");
    H5Dclose(id);
    return NativeDataset::OpenState(file, path);
  });
  return NativeDataset::Wrap(env, ds);
}

// createVirtualDataset(path, { dtype, shape, maxshape?, fillValue?, mappings: [{ file, dataset,
//   vspace: hyperslab, srcShape, srcMaxshape?, srcspace: hyperslab }] }): a VDS (HDF5 1.10) over
// regions of source datasets, which need not exist yet. An unlimited count on both sides makes the
// mapping grow with its source (the extent then follows the sources, H5D_VDS_LAST_AVAILABLE).
// Nothing is opened afterwards: HDF5 1.14 opens the sources to learn the extent, and a source
// still open for writing elsewhere makes that fail; readers open it (SWMR) when they want it.
Napi::Value NativeFile::CreateVirtualDataset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].As<Napi::String>();
  Napi::Object o = info[1].As<Napi::Object>();
  Guarded(env, [&]() {
    CheckCreatable(*file, path);
    std::string dtype = o.Get("dtype").IsString() ? o.Get("dtype").As<Napi::String>().Utf8Value() : "";
    std::vector<hsize_t> shape = DimsOption(o.Get("shape"), "shape", false);
    std::vector<hsize_t> maxshape = DimsOption(o.Get("maxshape"), "maxshape", true);
    if (maxshape.empty()) maxshape = shape;
    if (shape.empty() || maxshape.size() != shape.size())
      Fail("ERR_INVALID_ARG", "a virtual dataset needs a shape of at least one dimension, and maxshape one entry per dimension");
    for (size_t i = 0; i < shape.size(); i++)
      if (maxshape[i] != H5S_UNLIMITED && maxshape[i] < shape[i]) Fail("ERR_INVALID_ARG", "maxshape is smaller than shape");
    if (!o.Get("mappings").IsArray()) Fail("ERR_INVALID_ARG", "mappings must be an array");
    Napi::Array mappings = o.Get("mappings").As<Napi::Array>();

    Hdf5Lock lock;
    ScopedId type(FileTypeForName(dtype), H5Tclose);
    ScopedId space(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), maxshape.data()), H5Sclose);
    ScopedId dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    SetFillValue(dcpl, type, dtype, o.Get("fillValue"));
    for (uint32_t i = 0; i < mappings.Length(); i++) {
      const std::string what = "mappings[" + std::to_string(i) + "]";
      if (!mappings.Get(i).IsObject()) Fail("ERR_INVALID_ARG", what + " must be an object");
      Napi::Object m = mappings.Get(i).As<Napi::Object>();
      if (!m.Get("file").IsString() || !m.Get("dataset").IsString())
        Fail("ERR_INVALID_ARG", what + " needs a file and a dataset name");
      std::vector<hsize_t> srcShape = DimsOption(m.Get("srcShape"), (what + ".srcShape").c_str(), false);
      std::vector<hsize_t> srcMax = DimsOption(m.Get("srcMaxshape"), (what + ".srcMaxshape").c_str(), true);
      if (srcMax.empty()) srcMax = srcShape;
      if (srcShape.empty() || srcMax.size() != srcShape.size())
        Fail("ERR_INVALID_ARG", what + " needs srcShape (and srcMaxshape, one entry per dimension)");
      for (size_t d = 0; d < srcShape.size(); d++)
        if (srcMax[d] != H5S_UNLIMITED && srcMax[d] < srcShape[d]) Fail("ERR_INVALID_ARG", what + ": srcMaxshape is smaller than srcShape");
      ScopedId vspace(H5Scopy(space), H5Sclose);
      SelectHyperslab(vspace, m.Get("vspace"), shape, what + ".vspace");
      ScopedId srcspace(H5Screate_simple(static_cast<int>(srcShape.size()), srcShape.data(), srcMax.data()), H5Sclose);
      SelectHyperslab(srcspace, m.Get("srcspace"), srcShape, what + ".srcspace");
      const std::string name = m.Get("file").As<Napi::String>();
      const std::string dset = m.Get("dataset").As<Napi::String>();
      if (H5Pset_virtual(dcpl, vspace, name.c_str(), dset.c_str(), srcspace) < 0)
        ThrowHdf5("Cannot map " + what + " ('" + name + "' " + dset + ") into '" + path + "'", "ERR_INVALID_ARG");
    }
    ScopedId lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t id = H5Dcreate2(file->id, path.c_str(), type, space, lcpl, dcpl, H5P_DEFAULT);
    if (id < 0) ThrowHdf5("Cannot create virtual dataset '" + path + "' in '" + file->path + "'", "H5_WRITE_FAILED");
    H5Dclose(id);
  });
  return env.Undefined();
}

Napi::Value NativeDataset::Extend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  std::vector<hsize_t> dims = Guarded(env, [&]() {
    std::vector<hsize_t> shape = DimsOption(info[0], "shape", false);
    CheckWritable(*ds->file, "extend '" + ds->path + "'");
    Hdf5Lock lock;
    if (H5Dset_extent(ds->id, shape.data()) < 0)
      ThrowHdf5("Cannot extend '" + ds->path + "'", "H5_BAD_SELECTION");
    return Extent(DataspaceOf(ds->id, ds->path));
  });
  return DimsToJs(env, dims);
}

// write(selection | null, typedArray): HDF5 converts from the array's type to the dataset's.
Napi::Value NativeDataset::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  Guarded(env, [&]() {
    Selection sel = ParseSelection(info[0]);
    BufferView view = ViewOf(info[1]);
    CheckWritable(*ds->file, "write '" + ds->path + "'");
    Hdf5Lock lock;
    if (!ds->type.supported) Fail("H5_BAD_BUFFER", "Cannot write a typed array to '" + ds->path + "' (" + ds->type.typeClass + "): give values");
    hid_t memType = MemoryTypeForArray(view.type);
    size_t elemSize = view.length ? view.bytes / view.length : 1;
    // Complex numbers and arrays of numbers: several typed-array elements each, in the dataset's own layout.
    const size_t per = ds->type.elements;
    if (per > 1) {
      if (view.type != ds->type.arrayType)
        Fail("H5_BAD_BUFFER", "Cannot write a " + std::string(ArrayTypeName(view.type)) + " to '" + ds->path + "' (" + ds->type.dtype +
                                  "): use a " + ArrayTypeName(ds->type.arrayType));
      memType = ds->memType;
    }
    // HDF5 cannot convert integers to enums: write enum/bool data through the dataset's own type.
    if ((ds->type.typeClass == "enum" || ds->type.typeClass == "bool") && elemSize == ds->type.memSize &&
        view.type != napi_float32_array && view.type != napi_float64_array)
      memType = ds->memType;
    if (memType < 0) Fail("H5_BAD_BUFFER", std::string("Cannot write a ") + ArrayTypeName(view.type));
    ScopedId fileSpace = DataspaceOf(ds->id, ds->path);
    std::vector<hsize_t> dims = Extent(fileSpace);
    ApplySelection(sel, fileSpace, dims);
    hsize_t n = SelectionSize(sel, dims);
    if (n * per != view.length)
      Fail("H5_BAD_BUFFER", "The array has " + std::to_string(view.length) + " elements but the selection of '" +
                                ds->path + "' has " + std::to_string(n * per));
    if (n == 0) return;
    ScopedId memSpace(MemorySpace(sel, dims), H5Sclose);
    if (H5Dwrite(ds->id, memType, memSpace, fileSpace, H5P_DEFAULT, view.data) < 0)
      ThrowHdf5("Cannot write '" + ds->path + "'", "H5_WRITE_FAILED");
  });
  return env.Undefined();
}

// writeValues(selection | null, values): strings, records, sequences... (api/value_writer.h), in the
// dataset's own type; an array of the selection's size, or one value for one element.
Napi::Value NativeDataset::WriteValues(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  Guarded(env, [&]() {
    Selection sel = ParseSelection(info[0]);
    CheckWritable(*ds->file, "write '" + ds->path + "'");
    Hdf5Lock lock;
    const ValueType& type = *ds->value.type;
    if (type.kind == ValueKind::Unsupported || !ds->value.memory)
      Fail("H5_UNSUPPORTED_TYPE", "Cannot write '" + ds->path + "': its datatype (" + type.unsupported + ") is not supported");
    // HDF5 keeps variable-length data in the file's global heap, which a SWMR writer's flushes do
    // not publish: readers would see the new extent with empty values.
    if (ds->file->swmrWriting && type.HasVariableData())
      Fail("H5_SWMR_RESTRICTED", "Cannot write '" + ds->path + "': variable-length data (" + type.dtype +
                                     ") is outside what SWMR makes visible to readers; use fixed-length strings ({ string: N })");
    ScopedId fileSpace = DataspaceOf(ds->id, ds->path);
    std::vector<hsize_t> dims = Extent(fileSpace);
    ApplySelection(sel, fileSpace, dims);
    hsize_t n = SelectionSize(sel, dims);
    ValueWriteBuffer buffer;
    FillValues(type, info[1], static_cast<size_t>(n), buffer, "'" + ds->path + "'");
    if (n == 0) return;
    ScopedId memSpace(MemorySpace(sel, dims), H5Sclose);
    if (H5Dwrite(ds->id, ds->value.memory->id(), memSpace, fileSpace, H5P_DEFAULT, buffer.bytes.data()) < 0)
      ThrowHdf5("Cannot write '" + ds->path + "'", "H5_WRITE_FAILED");
  });
  return env.Undefined();
}

Napi::Value NativeDataset::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  Guarded(env, [&]() {
    CheckWritable(*ds->file, "flush '" + ds->path + "'");
    Hdf5Lock lock;
    if (H5Dflush(ds->id) < 0) ThrowHdf5("Cannot flush '" + ds->path + "'", "H5_WRITE_FAILED");
  });
  return env.Undefined();
}

}  // namespace h5swmr
