// The direct-chunk read path. libhdf5 runs one call at a time, filters included, so compressed
// reads through H5Dread never run in parallel. For selections made of whole chunks, or of parts of
// compressed chunks, we instead take the HDF5 lock only to locate each chunk's stored bytes
// (H5Dget_chunk_storage_size + H5Dread_chunk, a few microseconds, O(1) per chunk; the reader driver
// leaves the pread itself to us) and read and decode them outside it, on the decode pool, straight
// into the caller's buffer. A part of a bitshuffle-LZ4 chunk decodes only the blocks it needs.
// Everything else, and any chunk not written yet (fill value), goes through H5Dread. Both paths give
// the same bytes.
#pragma once
#include <hdf5.h>

#include <memory>
#include <string>
#include <vector>

#include "decode/pipeline.h"
#include "hdf5/reader_driver.h"
#include "hdf5/selection.h"
#include "hdf5/stored_chunk.h"

namespace h5swmr {

struct DatasetState;

// What the direct path needs to know about a dataset; fixed for the life of its id.
struct ChunkLayout {
  std::string layout;               // 'chunked' | 'contiguous' | 'compact' | 'virtual'
  std::vector<hsize_t> chunk;       // chunk dims (chunked only)
  std::vector<decode::FilterStep> filters;
  std::string filterProblem;        // "" when every filter has a built-in decoder
  bool unfilteredEdgeChunks = false;  // H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS: edge chunks stored as they are
  size_t storedElemSize = 0;        // bytes per element in the file
  bool storedIsNative = false;      // typed reads need no conversion of the stored bytes
};

// Under the lock, when the dataset is opened.
std::shared_ptr<const ChunkLayout> DescribeChunkLayout(hid_t dataset, hid_t fileType, hid_t memType);

enum class ReadPath { Direct, Hdf5 };
const char* PathName(ReadPath path);

// Where a read goes. `raw`: the stored bytes of each element (file type, no conversion).
struct ReadTarget {
  void* data = nullptr;
  size_t bytes = 0;
  bool raw = false;
};

// Why a read of `sel` (on an extent of `dims`) cannot take the direct path; "" if it can.
std::string WhyNotDirect(const ChunkLayout& layout, const Selection& sel, const std::vector<hsize_t>& dims, bool raw);

// Raw chunks fetched under the lock, to decode after it is released.
struct FetchedChunks {
  std::shared_ptr<const ChunkLayout> layout;
  std::string what;                          // "'/path' in 'file.h5'", for errors
  std::vector<hsize_t> dims;                 // extent when fetched
  std::vector<hsize_t> start, count;         // the selection (count: the target's shape)
  std::vector<std::vector<hsize_t>> offsets;  // each chunk's first element, dataset coordinates
  std::vector<hsize_t> sizes;                // each chunk's stored bytes
  std::vector<std::vector<uint8_t>> stored;  // stored bytes (empty: read straight into the target)
  std::vector<uint32_t> masks;               // filters skipped per chunk
  std::vector<DeferredRead> deferred;        // bytes the reader driver left for us to pread
};

// Under the lock, for a selection WhyNotDirect accepts: which chunks, and their stored sizes.
// Returns false when a chunk is not written yet (H5Dread then supplies the fill value).
bool PlanChunks(DatasetState& ds, const Selection& sel, const std::vector<hsize_t>& dims, FetchedChunks* out);

// Stored bytes a batch of fetched chunks may hold before they are decoded (default 64 MiB): a thin
// selection through many compressed frames (a pixel over a whole scan) is read a batch at a time,
// not all at once. Settable for tests; returns the previous value.
size_t SetFetchBatchBytes(size_t bytes);

// Under the lock: fetch chunks from `from` on, up to a batch of them held in memory (at least one).
// Returns the end of the batch.
size_t FetchChunks(DatasetState& ds, const ReadTarget& target, FetchedChunks& fetched, size_t from);

// Outside the lock: read the bytes the reader driver deferred for chunks [from, to), and decode
// them into the target, spread over the decode pool. A chunk that does not decode is an
// H5_CORRUPT_CHUNK failure naming the dataset and chunk.
void DecodeChunks(FetchedChunks& fetched, const ReadTarget& target, size_t from, size_t to);

}  // namespace h5swmr
