// What a dataset's creation property list says, read one way for every caller: the layout's name and
// the filter pipeline (dataset info, the direct path's ChunkLayout, error messages).
#pragma once
#include <hdf5.h>

#include <string>
#include <vector>

namespace h5swmr {

// 'chunked' | 'contiguous' | 'compact' | 'virtual' | 'unknown'
const char* LayoutName(H5D_layout_t layout);

struct PipelineFilter {
  unsigned id = 0;
  std::string name;             // the filter's comment as stored ("" if none)
  std::vector<unsigned> cd;     // cd_values (at most kMaxCdValues)
  bool cdTruncated = false;     // the filter has more cd_values than were read
  bool optional = false;        // H5Z_FLAG_OPTIONAL
};
constexpr size_t kMaxCdValues = 32;

// The filters in the order HDF5 applies them on write (empty for a dcpl without filters).
std::vector<PipelineFilter> FilterPipeline(hid_t dcpl);

// "32008 (bitshuffle), 1 (deflate)": the pipeline's filters, or only those HDF5 cannot load now.
std::string FilterList(hid_t dcpl, bool onlyMissing);

}  // namespace h5swmr
