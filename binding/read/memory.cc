#include "read/memory.h"

#include <cstdlib>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace h5swmr {

MallocTuning TuneMallocForFrames() {
  static MallocTuning tuning;
  static std::once_flag once;
  std::call_once(once, [] {
#if defined(__GLIBC__)
    const char* off = std::getenv("H5SWMR_MALLOC_TUNING");
    if (off && std::string(off) == "0") {
      tuning.reason = "H5SWMR_MALLOC_TUNING=0";
    } else if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_")) {
      tuning.reason = "the environment sets MALLOC_MMAP_THRESHOLD_ or MALLOC_TRIM_THRESHOLD_";
    } else {
      tuning.mmapThreshold = size_t(32) << 20;
      tuning.trimThreshold = size_t(256) << 20;
      tuning.tuned = mallopt(M_MMAP_THRESHOLD, static_cast<int>(tuning.mmapThreshold)) == 1 &&
                     mallopt(M_TRIM_THRESHOLD, static_cast<int>(tuning.trimThreshold)) == 1;
      if (!tuning.tuned) tuning.reason = "mallopt refused";
    }
#else
    tuning.reason = "not glibc";
#endif
  });
  return tuning;
}

MallocUse MallocInUse() {
  MallocUse use;
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 m = mallinfo2();
  use.known = true;
  use.inUse = m.uordblks + m.hblkhd;
  use.keptFree = m.fordblks;
#endif
  return use;
}

}  // namespace h5swmr
