#include "hdf5/properties.h"

namespace h5swmr {

const char* LayoutName(H5D_layout_t layout) {
  switch (layout) {
    case H5D_CHUNKED: return "chunked";
    case H5D_CONTIGUOUS: return "contiguous";
    case H5D_COMPACT: return "compact";
    case H5D_VIRTUAL: return "virtual";
    default: return "unknown";
  }
}

std::vector<PipelineFilter> FilterPipeline(hid_t dcpl) {
  std::vector<PipelineFilter> out;
  const int n = H5Pget_nfilters(dcpl);
  for (int i = 0; i < n; i++) {
    unsigned flags = 0, config = 0, cd[kMaxCdValues] = {0};
    size_t ncd = kMaxCdValues;
    char name[256] = {0};
    PipelineFilter f;
    f.id = static_cast<unsigned>(H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &ncd, cd, sizeof name, name, &config));
    f.name = name;
    f.cdTruncated = ncd > kMaxCdValues;
    f.cd.assign(cd, cd + (ncd < kMaxCdValues ? ncd : kMaxCdValues));
    f.optional = (flags & H5Z_FLAG_OPTIONAL) != 0;
    out.push_back(std::move(f));
  }
  return out;
}

std::string FilterList(hid_t dcpl, bool onlyMissing) {
  std::string out;
  for (const PipelineFilter& f : FilterPipeline(dcpl)) {
    if (onlyMissing && H5Zfilter_avail(static_cast<H5Z_filter_t>(f.id)) > 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(f.id) + (f.name.empty() ? std::string() : " (" + f.name + ")");
  }
  return out;
}

}  // namespace h5swmr
