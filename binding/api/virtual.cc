// Virtual datasets: the mapping from regions of the virtual dataset to source datasets, so that a
// frame can be read from its source directly. (Reading a live VDS where a source has not reached
// yet crashes libhdf5 1.10.8; reading the source does not, and keeps the fast paths.)
#include <vector>

#include "api/dataset.h"
#include "api/js_error.h"
#include "hdf5/lock.h"

namespace h5swmr {

namespace {

Napi::Value Dims(Napi::Env env, const std::vector<hsize_t>& v) { return DimsToJs(env, v); }

// One selection as JS: { type: 'all' | 'hyperslab' | 'none' | 'points' | 'irregular', dims, start,
// stride, count, block } (count may hold null = unlimited, for mappings that grow with the source).
Napi::Object DescribeSelection(Napi::Env env, hid_t space) {
  Napi::Object o = Napi::Object::New(env);
  int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(rank > 0 ? rank : 0), maxdims(rank > 0 ? rank : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), maxdims.data());
  o.Set("dims", Dims(env, dims));
  o.Set("maxdims", Dims(env, maxdims));
  switch (H5Sget_select_type(space)) {
    case H5S_SEL_ALL: o.Set("type", "all"); break;
    case H5S_SEL_NONE: o.Set("type", "none"); break;
    case H5S_SEL_POINTS: o.Set("type", "points"); break;
    case H5S_SEL_HYPERSLABS: {
      if (H5Sis_regular_hyperslab(space) > 0) {
        std::vector<hsize_t> start(rank), stride(rank), count(rank), block(rank);
        H5Sget_regular_hyperslab(space, start.data(), stride.data(), count.data(), block.data());
        o.Set("type", "hyperslab");
        o.Set("start", Dims(env, start));
        o.Set("stride", Dims(env, stride));
        o.Set("count", Dims(env, count));
        o.Set("block", Dims(env, block));
      } else {
        o.Set("type", "irregular");
      }
      break;
    }
    default: o.Set("type", "unknown");
  }
  H5Eclear2(H5E_DEFAULT);
  return o;
}

std::string VirtualString(ssize_t (*get)(hid_t, size_t, char*, size_t), hid_t dcpl, size_t i) {
  ssize_t n = get(dcpl, i, nullptr, 0);
  if (n < 0) return "";
  std::vector<char> buf(n + 1, 0);
  get(dcpl, i, buf.data(), buf.size());
  return buf.data();
}

}  // namespace

// virtualMapping() -> null for other layouts, else [{ file, dataset, vspace, srcspace }]
Napi::Value NativeDataset::VirtualMapping(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ds = Open(env);
  return Guarded(env, [&]() -> Napi::Value {
    Hdf5Lock lock;
    ScopedId dcpl(H5Dget_create_plist(ds->id), H5Pclose);
    if (!dcpl.valid()) ThrowHdf5("Cannot get the creation properties of '" + ds->path + "'", "H5_ERROR");
    if (H5Pget_layout(dcpl) != H5D_VIRTUAL) return env.Null();
    size_t count = 0;
    if (H5Pget_virtual_count(dcpl, &count) < 0) ThrowHdf5("Cannot read the virtual mapping of '" + ds->path + "'", "H5_ERROR");
    Napi::Array out = Napi::Array::New(env, count);
    for (size_t i = 0; i < count; i++) {
      Napi::Object m = Napi::Object::New(env);
      m.Set("file", VirtualString(H5Pget_virtual_filename, dcpl, i));
      m.Set("dataset", VirtualString(H5Pget_virtual_dsetname, dcpl, i));
      ScopedId vspace(H5Pget_virtual_vspace(dcpl, i), H5Sclose);
      ScopedId srcspace(H5Pget_virtual_srcspace(dcpl, i), H5Sclose);
      if (!vspace.valid() || !srcspace.valid()) ThrowHdf5("Cannot read mapping " + std::to_string(i) + " of '" + ds->path + "'", "H5_ERROR");
      m.Set("vspace", DescribeSelection(env, vspace));
      m.Set("srcspace", DescribeSelection(env, srcspace));
      out.Set(i, m);
    }
    return out;
  });
}

}  // namespace h5swmr
