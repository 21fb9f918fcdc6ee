// The file driver h5swmr opens files for reading with. It is HDF5's sec2 driver (POSIX pread) in
// read-only form, plus one thing sec2 cannot do: hand a raw chunk read back to us instead of doing
// it. libhdf5 1.10.8 copies a chunk's bytes from the page cache under its global lock, so two
// threads reading uncompressed frames take turns. H5Dread_chunk looks the chunk up in the index
// (fast) and then asks the driver for its bytes; with a DeferRawRead armed, the driver notes where
// they are and returns, and the caller preads them after releasing the lock, in parallel with
// other reads. The chunk's bytes never move once the writer has indexed them (SWMR appends), so
// reading them a little later reads the same bytes.
#pragma once
#include <hdf5.h>

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace h5swmr {

// The driver's id (registered on first use; call under the HDF5 lock).
hid_t ReaderDriver();

// A raw-data read the driver was asked for and left to the caller.
struct DeferredRead {
  int fd = -1;
  haddr_t addr = HADDR_UNDEF;
  size_t size = 0;
  void* into = nullptr;
  bool pending() const { return fd >= 0; }
};

// While alive on this thread, a raw-data read of exactly `size` bytes into `into`, on a file opened
// with ReaderDriver(), is recorded rather than done (once). Anything else reads as usual.
struct DeferRawRead {
  DeferRawRead(void* into, size_t size);
  ~DeferRawRead();
  DeferRawRead(const DeferRawRead&) = delete;
  DeferRawRead& operator=(const DeferRawRead&) = delete;

  DeferredRead read;  // pending() once the driver has left the read to us
  DeferRawRead* outer;
};

// Files this process has open for writing, by device and inode (call under the HDF5 lock). HDF5
// shares one open file per process only between opens through the same driver; a reader of a file
// open here for writing uses sec2 so that it shares the writer's (and does not trip over its lock).
void NoteOpenForWriting(dev_t device, ino_t inode);
void NoteClosedForWriting(dev_t device, ino_t inode);
bool IsOpenForWriting(dev_t device, ino_t inode);

// Do a deferred read (outside the HDF5 lock): pread until done, zeros past the end of the file as
// sec2 gives. Returns 0, or the errno of an I/O error.
int CompleteDeferredRead(const DeferredRead& read);

}  // namespace h5swmr
