// Wake on write: one inotify descriptor watching some files' inodes (it stays on the file a follower
// has open when the path is renamed or replaced). Plain C++ (no N-API, no HDF5); api/file_watch.cc
// gives it to JS for the synchronous followers (the asynchronous ones use Node's fs.watch, the same
// inotify inside libuv's event loop). Linux only: elsewhere Open fails and followers poll.
#pragma once
#include <string>
#include <vector>

namespace h5swmr {

class InotifyWatch {
 public:
  InotifyWatch() = default;
  ~InotifyWatch() { Close(); }
  InotifyWatch(const InotifyWatch&) = delete;
  InotifyWatch& operator=(const InotifyWatch&) = delete;

  // Watch `paths` for writes, renames and deletion. 0, or the errno of the first failure (then
  // `failedPath` names the file, empty when inotify itself could not start) and nothing is watched.
  int Open(const std::vector<std::string>& paths, std::string* failedPath);
  // Block this thread until a watched file is written (true) or `ms` pass (false).
  bool Wait(double ms);
  // True if a file was written since the last Wait or Drain.
  bool Drain();
  void Close();

 private:
  int fd_ = -1;
};

}  // namespace h5swmr
