// The process-wide HDF5 lock. libhdf5 may or may not be built thread-safe (Debian's is, with one
// global mutex of its own); either way only one HDF5 call runs at a time, so we serialise every
// call here and keep the ownership state of our handles under the same lock.
#pragma once
#include <hdf5.h>
#include <mutex>

namespace h5swmr {

std::recursive_mutex& Hdf5Mutex();

// RAII guard: take the lock, and make sure this thread never lets HDF5 print its error stack
// (auto-printing is a per-thread setting in HDF5; libuv pool threads start with it on).
class Hdf5Lock {
 public:
  Hdf5Lock() : guard_(Hdf5Mutex()) {
    thread_local bool silenced = false;
    if (!silenced) {
      H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
      silenced = true;
    }
  }
  Hdf5Lock(const Hdf5Lock&) = delete;
  Hdf5Lock& operator=(const Hdf5Lock&) = delete;

 private:
  std::lock_guard<std::recursive_mutex> guard_;
};

}  // namespace h5swmr
