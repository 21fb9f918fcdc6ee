// How the process's malloc treats the memory new frames are made on. A read into a new array (read,
// readAsync, frames without reuseBuffers) gets V8 memory that glibc's malloc serves: by default a
// 512 KiB frame is a fresh mapping, faulted in page by page by the thread that fills it and unmapped
// when freed, or heap memory trimmed back to the kernel as soon as 1 MiB lies free at its top. Both
// cost more than the read itself at detector rates. So, at load, frames up to 32 MiB are served from
// malloc's heap and up to 256 MiB of freed memory stay with the process for the next ones (glibc's
// M_MMAP_THRESHOLD and M_TRIM_THRESHOLD; memory beyond that goes back). 256, not 128: V8 lets
// ~100 MiB of garbage frames pile up between collections, and with 8 MiB frames, 4 in flight, a
// 128 MiB bound gave them back and faulted them in again (0.4x the rate at 2 in flight). Not when
// the environment sets MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_ itself, nor with
// H5SWMR_MALLOC_TUNING=0.
#pragma once
#include <cstddef>
#include <string>

namespace h5swmr {

struct MallocTuning {
  bool tuned = false;
  size_t mmapThreshold = 0;
  size_t trimThreshold = 0;
  std::string reason;  // why not, when not
};

// Once per process, at load.
MallocTuning TuneMallocForFrames();

// What malloc has handed out and not had back (glibc mallinfo2: heap and mmapped chunks in use), and
// what it keeps free for later: a leak shows in the first, the tuning's retained memory in the second.
struct MallocUse {
  bool known = false;
  size_t inUse = 0;
  size_t keptFree = 0;
};
MallocUse MallocInUse();

}  // namespace h5swmr
