#include "read/chunk_reader.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "filters/bitshuffle_filter.h"
#include "decode/bslz4.h"
#include "decode/decode_error.h"
#include "read/decode_counters.h"
#include "hdf5/errors.h"
#include "hdf5/handle.h"
#include "read/pool.h"
#include "hdf5/properties.h"

namespace h5swmr {

namespace {


hsize_t Product(const std::vector<hsize_t>& v) {
  hsize_t n = 1;
  for (hsize_t x : v) n *= x;
  return n;
}

// A chunk is one contiguous run of the target when every dimension before the first one it spans
// more than one element of has extent 1, and it covers the target fully in every later dimension.
bool ChunksAreContiguous(const std::vector<hsize_t>& chunk, const std::vector<hsize_t>& count) {
  size_t d = 0;
  while (d < chunk.size() && chunk[d] == 1) d++;
  for (size_t e = d + 1; e < chunk.size(); e++)
    if (chunk[e] != count[e]) return false;
  return true;
}

// Element offset of `pos` (target coordinates) in a row-major array of shape `count`.
size_t LinearOffset(const std::vector<hsize_t>& pos, const std::vector<hsize_t>& count) {
  size_t offset = 0;
  for (size_t d = 0; d < count.size(); d++) offset = offset * count[d] + pos[d];
  return offset;
}

// Row-major number of the chunk at `offset` in the dataset's chunk grid (the frame number for one
// frame per chunk).
hsize_t ChunkNumber(const std::vector<hsize_t>& offset, const std::vector<hsize_t>& chunk,
                    const std::vector<hsize_t>& dims) {
  hsize_t number = 0;
  for (size_t d = 0; d < chunk.size(); d++) number = number * ((dims[d] + chunk[d] - 1) / chunk[d]) + offset[d] / chunk[d];
  return number;
}

std::string ChunkName(const FetchedChunks& f, size_t i) {
  return "chunk " + std::to_string(ChunkNumber(f.offsets[i], f.layout->chunk, f.dims)) + " (at " +
         JoinDims(f.offsets[i]) + ") of " + f.what;
}

std::atomic<size_t> fetchBatchBytes{64u << 20};

[[noreturn]] void CorruptChunk(const FetchedChunks& f, size_t i, const std::string& why) {
  throw H5Failure("H5_CORRUPT_CHUNK", "Corrupt " + ChunkName(f, i) + ": " + why);
}

// Copy the box [lo, hi) (chunk coordinates) of a decoded chunk to `origin` in a target of shape
// `count`, one innermost row at a time.
void CopyBox(const uint8_t* chunkData, const std::vector<hsize_t>& chunk, const std::vector<hsize_t>& lo,
             const std::vector<hsize_t>& hi, uint8_t* target, const std::vector<hsize_t>& origin,
             const std::vector<hsize_t>& count, size_t elemSize) {
  const size_t rank = chunk.size();
  const size_t rowBytes = (hi[rank - 1] - lo[rank - 1]) * elemSize;
  std::vector<hsize_t> within(lo), pos(rank);
  for (;;) {
    for (size_t d = 0; d < rank; d++) pos[d] = origin[d] + within[d] - lo[d];
    std::memcpy(target + LinearOffset(pos, count) * elemSize, chunkData + LinearOffset(within, chunk) * elemSize, rowBytes);
    size_t d = rank - 1;
    while (d-- > 0) {  // next row: odometer over all but the last dimension
      if (++within[d] < hi[d]) break;
      within[d] = lo[d];
    }
    if (d == size_t(-1)) return;
  }
}

}  // namespace

const char* PathName(ReadPath path) { return path == ReadPath::Direct ? "direct" : "hdf5"; }

std::shared_ptr<const ChunkLayout> DescribeChunkLayout(hid_t dataset, hid_t fileType, hid_t memType) {
  auto layout = std::make_shared<ChunkLayout>();
  layout->storedElemSize = H5Tget_size(fileType);
  layout->storedIsNative = memType >= 0 && H5Tequal(fileType, memType) > 0;
  ScopedId dcpl(H5Dget_create_plist(dataset), H5Pclose);
  H5D_layout_t kind = dcpl.valid() ? H5Pget_layout(dcpl) : H5D_LAYOUT_ERROR;
  layout->layout = LayoutName(kind);
  if (kind == H5D_CHUNKED) {
    hsize_t dims[H5S_MAX_RANK];
    int rank = H5Pget_chunk(dcpl, H5S_MAX_RANK, dims);
    if (rank > 0) layout->chunk.assign(dims, dims + rank);
    unsigned opts = 0;
    if (H5Pget_chunk_opts(dcpl, &opts) >= 0)
      layout->unfilteredEdgeChunks = (opts & H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS) != 0;
    for (const PipelineFilter& f : FilterPipeline(dcpl)) {
      decode::FilterStep step;
      step.id = f.id;
      step.cd = f.cd;
      step.name = f.name;
      // H5Dread of bitshuffle-zstd needs a 32008 filter that knows zstd (not Debian 12's plugin).
      if (step.id == decode::kBitshuffleFilter &&
          decode::BitshuffleCompression(step.cd.data(), step.cd.size()) == decode::kBitshuffleZstd)
        EnsureBitshuffleZstd();
      std::string why = f.cdTruncated ? "filter " + std::to_string(step.id) + " has more parameters than we read"
                                      : decode::WhyNotDecodable(step);
      if (layout->filterProblem.empty() && !why.empty()) layout->filterProblem = why;
      layout->filters.push_back(std::move(step));
    }
  }
  H5Eclear2(H5E_DEFAULT);
  return layout;
}

std::string WhyNotDirect(const ChunkLayout& layout, const Selection& sel, const std::vector<hsize_t>& dims, bool raw) {
  if (layout.layout != "chunked") return "the dataset's layout is " + layout.layout + ", not chunked";
  if (!layout.filterProblem.empty()) return layout.filterProblem;
  if (!raw && !layout.storedIsNative) return "the stored type needs converting (byte order or float16)";
  if (layout.chunk.size() != dims.size() || dims.empty()) return "the chunk rank does not match the dataset's";
  bool whole = true;
  for (size_t d = 0; d < dims.size(); d++) {
    hsize_t start = sel.all ? 0 : sel.start[d];
    hsize_t count = sel.all ? dims[d] : sel.count[d];
    hsize_t step = sel.all ? 1 : sel.step[d];
    if (count > 1 && step != 1) return "the selection has a step";
    if (start % layout.chunk[d] || count % layout.chunk[d]) whole = false;
    // The filter mask of such a chunk still says "filtered": only H5Dread knows to skip the filters.
    if (layout.unfilteredEdgeChunks && !layout.filters.empty() && count &&
        ((start + count - 1) / layout.chunk[d] + 1) * layout.chunk[d] > dims[d])
      return "the selection touches an edge chunk, stored unfiltered (H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS)";
  }
  // Parts of compressed chunks: fetch and decode the chunk (for bitshuffle-LZ4 only the blocks the
  // part needs), outside the lock. Parts of uncompressed chunks: H5Dread reads only the bytes needed.
  if (!whole && layout.filters.empty())
    return "the selection is not made of whole chunks (chunks " + JoinDims(layout.chunk) + ") and they are not compressed";
  return "";
}

bool PlanChunks(DatasetState& ds, const Selection& sel, const std::vector<hsize_t>& dims, FetchedChunks* out) {
  FetchedChunks& f = *out;
  f.layout = ds.layout;
  f.what = "'" + ds.path + "' in '" + ds.file->path + "'";
  f.dims = dims;
  f.start = sel.all ? std::vector<hsize_t>(dims.size(), 0) : sel.start;
  f.count = sel.all ? dims : sel.count;
  const ChunkLayout& layout = *f.layout;
  const size_t rank = dims.size();

  // The chunks the selection touches: from the one holding its first element to the one holding its last.
  std::vector<hsize_t> first(rank), grid(rank), index(rank, 0);
  for (size_t d = 0; d < rank; d++) {
    first[d] = f.start[d] / layout.chunk[d];
    grid[d] = (f.start[d] + f.count[d] - 1) / layout.chunk[d] - first[d] + 1;
  }
  const hsize_t chunks = Product(grid);
  f.offsets.reserve(chunks);
  f.sizes.reserve(chunks);
  for (hsize_t c = 0; c < chunks; c++) {
    std::vector<hsize_t> offset(rank);
    for (size_t d = 0; d < rank; d++) offset[d] = (first[d] + index[d]) * layout.chunk[d];
    hsize_t size = 0;
    if (H5Dget_chunk_storage_size(ds.id, offset.data(), &size) < 0 || size == 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;  // not written (yet): H5Dread reads the fill value
    }
    f.offsets.push_back(std::move(offset));
    f.sizes.push_back(size);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < grid[d]) break;
      index[d] = 0;
    }
  }
  f.stored.resize(chunks);
  f.masks.assign(chunks, 0);
  f.deferred.assign(chunks, DeferredRead());
  return true;
}

size_t FetchChunks(DatasetState& ds, const ReadTarget& target, FetchedChunks& f, size_t from) {
  const ChunkLayout& layout = *f.layout;
  const size_t rank = f.dims.size();
  const size_t chunkBytes = Product(layout.chunk) * layout.storedElemSize;
  const bool straight = layout.filters.empty() && ChunksAreContiguous(layout.chunk, f.count);
  size_t held = 0;  // stored bytes this batch keeps in memory until it is decoded
  size_t c = from;
  const size_t batchBytes = fetchBatchBytes.load(std::memory_order_relaxed);
  for (; c < f.offsets.size() && (c == from || held < batchBytes); c++) {
    // A later batch runs after the lock was released: look the chunk up again.
    if (from > 0 && (H5Dget_chunk_storage_size(ds.id, f.offsets[c].data(), &f.sizes[c]) < 0 || f.sizes[c] == 0))
      ThrowHdf5("Cannot find " + ChunkName(f, c) + " again", "H5_READ_FAILED");
    const hsize_t size = f.sizes[c];
    // Compressed chunks can outgrow their data a little (headers, incompressible blocks); far more
    // means a corrupt chunk index, and the allocation must not follow it.
    if (size > 2 * chunkBytes + 65536)
      CorruptChunk(f, c, "stored size " + std::to_string(size) + " bytes for " + std::to_string(chunkBytes) +
                             " bytes of data");
    void* into;
    if (straight && size == chunkBytes) {  // (no filters: the selection is whole chunks)
      std::vector<hsize_t> origin(rank);
      for (size_t d = 0; d < rank; d++) origin[d] = f.offsets[c][d] - f.start[d];
      into = static_cast<uint8_t*>(target.data) + LinearOffset(origin, f.count) * layout.storedElemSize;
    } else {
      f.stored[c].resize(size);
      held += size;
      into = f.stored[c].data();
    }
    // Files opened with ReaderDriver(): the driver notes where the bytes are, DecodeChunks preads them.
    DeferRawRead defer(into, size);
    if (ReadStoredChunk(ds.id, f.offsets[c].data(), &f.masks[c], into, size) < 0)
      ThrowHdf5("Cannot read " + ChunkName(f, c), "H5_READ_FAILED");
    f.deferred[c] = defer.read;
  }
  return c;
}

void DecodeChunks(FetchedChunks& f, const ReadTarget& target, size_t from, size_t to) {
  const ChunkLayout& layout = *f.layout;
  const size_t rank = f.count.size();
  const size_t elemSize = layout.storedElemSize;
  const size_t chunkBytes = Product(layout.chunk) * elemSize;
  const bool contiguous = ChunksAreContiguous(layout.chunk, f.count);
  uint8_t* base = static_cast<uint8_t*>(target.data);
  DecodePool::Get().ParallelFor(to - from, [&](size_t k) {
    const size_t c = from + k;
    if (f.stored[c].empty() && !f.deferred[c].pending()) return;  // read straight into the target
    DecodeScope counted;  // the chunk's work outside the lock: its bytes' pread, its decode
    if (int e = CompleteDeferredRead(f.deferred[c]))
      throw H5Failure("H5_READ_FAILED", "Cannot read " + ChunkName(f, c) + ": " + strerror(e) + " (" +
                                            std::to_string(f.deferred[c].size) + " bytes at file offset " +
                                            std::to_string(f.deferred[c].addr) + ")");
    if (f.stored[c].empty()) return;  // pread straight into the target
    // The part of the chunk the selection takes, [lo, hi) in chunk coordinates, and where it goes.
    std::vector<hsize_t> lo(rank), hi(rank), origin(rank);
    bool whole = true;
    for (size_t d = 0; d < rank; d++) {
      const hsize_t at = f.offsets[c][d], end = f.start[d] + f.count[d];
      lo[d] = f.start[d] > at ? f.start[d] - at : 0;
      hi[d] = std::min<hsize_t>(end - at, layout.chunk[d]);
      origin[d] = at + lo[d] - f.start[d];
      whole = whole && lo[d] == 0 && hi[d] == layout.chunk[d];
    }
    thread_local std::vector<uint8_t> chunkScratch;
    uint8_t* into;
    if (whole && contiguous) {
      into = base + LinearOffset(origin, f.count) * elemSize;
    } else {
      if (chunkScratch.size() < chunkBytes) chunkScratch.resize(chunkBytes);
      into = chunkScratch.data();
    }
    try {
      if (whole) {
        decode::DecodeChunk(layout.filters, f.masks[c], f.stored[c].data(), f.stored[c].size(), into, chunkBytes);
      } else {
        std::vector<hsize_t> last(hi);
        for (hsize_t& x : last) x--;
        decode::DecodeChunkRange(layout.filters, f.masks[c], f.stored[c].data(), f.stored[c].size(), into, chunkBytes,
                                 LinearOffset(lo, layout.chunk) * elemSize, (LinearOffset(last, layout.chunk) + 1) * elemSize);
      }
    } catch (const decode::UndecodableMode& e) {
      throw H5Failure("H5_FILTER_UNAVAILABLE", "Cannot decode " + ChunkName(f, c) + ": " + e.what());
    } catch (const decode::DecodeError& e) {
      CorruptChunk(f, c, e.what());
    }
    if (!(whole && contiguous)) CopyBox(into, layout.chunk, lo, hi, base, origin, f.count, elemSize);
    std::vector<uint8_t>().swap(f.stored[c]);  // free as we go: many-chunk reads hold less at once
  });
}

size_t SetFetchBatchBytes(size_t bytes) { return fetchBatchBytes.exchange(bytes); }

}  // namespace h5swmr
