#include "hdf5/reader_driver.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>


namespace h5swmr {

namespace {

thread_local DeferRawRead* armed = nullptr;

// HDF5 lays a driver's own fields after the public ones; it fills `pub` after open returns.
struct ReaderFile {
  H5FD_t pub;
  int fd;
  haddr_t eoa;
  haddr_t eof;
  dev_t device;
  ino_t inode;
  bool ignoreDisabledLocks;
  bool swmrRead;
};

// Same limit as sec2 (largest offset an off_t holds).
constexpr haddr_t kMaxAddr = (static_cast<haddr_t>(1) << (8 * sizeof(off_t) - 1)) - 1;

// Errors go on HDF5's stack in sec2's words, so errors.cc classifies them the same way.
herr_t Push(const char* func, hid_t minor, const std::string& message) {
  H5Epush2(H5E_DEFAULT, __FILE__, func, __LINE__, H5E_ERR_CLS, H5E_VFL, minor, "%s", message.c_str());
  return -1;
}

std::string Errno(int e) {
  return "errno = " + std::to_string(e) + ", error message = '" + strerror(e) + "'";
}

// sec2's read: pread until done, retrying interrupted calls; past the end of the file, zeros.
// Returns 0 or the errno.
int PreadAll(int fd, haddr_t addr, size_t size, void* into) {
  auto* out = static_cast<unsigned char*>(into);
  while (size > 0) {
    size_t chunk = size < static_cast<size_t>(0x7ffff000) ? size : static_cast<size_t>(0x7ffff000);
    ssize_t got;
    do {
      got = pread(fd, out, chunk, static_cast<off_t>(addr));
    } while (got < 0 && errno == EINTR);
    if (got < 0) return errno;
    if (got == 0) {
      std::memset(out, 0, size);
      break;
    }
    size -= static_cast<size_t>(got);
    addr += static_cast<haddr_t>(got);
    out += got;
  }
  return 0;
}

H5FD_t* Open(const char* name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
  if (flags & (H5F_ACC_RDWR | H5F_ACC_CREAT | H5F_ACC_TRUNC | H5F_ACC_EXCL)) {
    Push("Open", H5E_CANTOPENFILE, std::string("unable to open file: name = '") + name +
                                       "': h5swmr's reader driver opens files read-only");
    return nullptr;
  }
  if (maxaddr == 0 || (maxaddr != HADDR_UNDEF && maxaddr > kMaxAddr)) {
    Push("Open", H5E_BADRANGE, "bogus maxaddr");
    return nullptr;
  }
  int fd = open(name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    Push("Open", H5E_CANTOPENFILE, std::string("unable to open file: name = '") + name + "', " + Errno(e) + ", flags = " +
                                       std::to_string(flags));
    return nullptr;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    Push("Open", H5E_BADFILE, "unable to fstat file, " + Errno(e));
    return nullptr;
  }
  auto* file = static_cast<ReaderFile*>(std::calloc(1, sizeof(ReaderFile)));
  if (!file) {
    close(fd);
    Push("Open", H5E_CANTALLOC, "unable to allocate file struct");
    return nullptr;
  }
  file->fd = fd;
  file->eof = static_cast<haddr_t>(st.st_size);
  file->device = st.st_dev;
  file->inode = st.st_ino;
  // As sec2: HDF5_USE_FILE_LOCKING=BEST_EFFORT (or the access list) says to ignore a file system
  // without locks (flock fails with ENOSYS).
  const char* env = std::getenv("HDF5_USE_FILE_LOCKING");
  hbool_t use = true, ignore = true;
#if H5_VERSION_GE(1, 10, 7)
  if (H5Pget_file_locking(fapl, &use, &ignore) < 0) ignore = true;
#else
  (void)fapl;
#endif
  if (env && std::strcmp(env, "BEST_EFFORT") == 0) ignore = true;
  else if (env && (std::strcmp(env, "TRUE") == 0 || std::strcmp(env, "1") == 0)) ignore = false;
  file->ignoreDisabledLocks = ignore;
  file->swmrRead = (flags & H5F_ACC_SWMR_READ) != 0;
  return &file->pub;
}

herr_t Close(H5FD_t* pub) {
  auto* file = reinterpret_cast<ReaderFile*>(pub);
  int rc = close(file->fd);
  int e = errno;
  std::free(file);
  return rc == 0 ? 0 : Push("Close", H5E_CANTCLOSEFILE, "unable to close file, " + Errno(e));
}

int Compare(const H5FD_t* a, const H5FD_t* b) {
  auto* f1 = reinterpret_cast<const ReaderFile*>(a);
  auto* f2 = reinterpret_cast<const ReaderFile*>(b);
  if (f1->device != f2->device) return f1->device < f2->device ? -1 : 1;
  if (f1->inode != f2->inode) return f1->inode < f2->inode ? -1 : 1;
  return 0;
}

// sec2's features (SWMR included), so HDF5 treats these files exactly as it treats sec2's.
herr_t Query(const H5FD_t*, unsigned long* flags) {
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
           H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_POSIX_COMPAT_HANDLE | H5FD_FEAT_SUPPORTS_SWMR_IO
#ifdef H5FD_FEAT_DEFAULT_VFD_COMPATIBLE
           | H5FD_FEAT_DEFAULT_VFD_COMPATIBLE
#endif
      ;
  return 0;
}

// A SWMR reader's end of allocation is the one the superblock had when it opened; the writer has
// allocated past it since (HDF5 skips its own EOA check on SWMR reads for that reason). HDF5 1.14
// checks a contiguous dataset's storage against it when (re)opening one, so a flag the writer
// allocated later reads as "invalid dataset size, likely file corruption". For SWMR reads, report the
// file's current size when it is larger: everything the writer allocated and wrote is within it.
haddr_t GetEoa(const H5FD_t* pub, H5FD_mem_t) {
  auto* file = reinterpret_cast<const ReaderFile*>(pub);
  struct stat st;
  if (file->swmrRead && fstat(file->fd, &st) == 0 && static_cast<haddr_t>(st.st_size) > file->eoa)
    return static_cast<haddr_t>(st.st_size);
  return file->eoa;
}

herr_t SetEoa(H5FD_t* pub, H5FD_mem_t, haddr_t addr) {
  reinterpret_cast<ReaderFile*>(pub)->eoa = addr;
  return 0;
}

haddr_t GetEof(const H5FD_t* pub, H5FD_mem_t) { return reinterpret_cast<const ReaderFile*>(pub)->eof; }

herr_t GetHandle(H5FD_t* pub, hid_t, void** handle) {
  *handle = &reinterpret_cast<ReaderFile*>(pub)->fd;
  return 0;
}

herr_t Read(H5FD_t* pub, H5FD_mem_t type, hid_t, haddr_t addr, size_t size, void* buf) {
  auto* file = reinterpret_cast<ReaderFile*>(pub);
  if (addr == HADDR_UNDEF || addr > kMaxAddr || size > kMaxAddr - addr)
    return Push("Read", H5E_OVERFLOW, "addr overflow, addr = " + std::to_string(addr));
  DeferRawRead* defer = armed;
  if (type == H5FD_MEM_DRAW && defer && !defer->read.pending() && buf == defer->read.into) {
    // H5Dread_chunk reads the size the index holds now, into a buffer sized from an earlier lookup:
    // a writer that rewrote the chunk meanwhile must not make us write past that buffer.
    if (size != defer->read.size)
      return Push("Read", H5E_READERROR, "chunk of " + std::to_string(size) + " bytes at offset " + std::to_string(addr) +
                                             " does not fit the " + std::to_string(defer->read.size) +
                                             " bytes it had when looked up (rewritten meanwhile?)");
    defer->read.fd = file->fd;
    defer->read.addr = addr;
    return 0;
  }
  if (file->swmrRead && type != H5FD_MEM_DRAW && addr >= file->eof) {
    // Metadata that starts past the end of the file is not there: a SWMR writer writes what it
    // links to before the link (refresh the size first: a live file grows). Failing at once spares
    // HDF5's retries of a checksum that zeros never match: 27 attempts, 134 ms of sleeps, per read,
    // twice per dataset on 1.14 — a truncated file with a few datasets took seconds (issue 24).
    struct stat st;
    if (fstat(file->fd, &st) == 0) file->eof = static_cast<haddr_t>(st.st_size);
    if (addr >= file->eof)
      return Push("Read", H5E_READERROR, "truncated file: metadata at offset " + std::to_string(addr) + " (" + std::to_string(size) +
                                             " bytes) is past the end of the file (" + std::to_string(file->eof) + " bytes)");
  }
  if (int e = PreadAll(file->fd, addr, size, buf))
    return Push("Read", H5E_READERROR, "file read failed: file descriptor = " + std::to_string(file->fd) + ", " +
                                           Errno(e) + ", total read size = " + std::to_string(size) +
                                           ", offset = " + std::to_string(addr));
  return 0;
}

herr_t Write(H5FD_t*, H5FD_mem_t, hid_t, haddr_t, size_t, const void*) {
  return Push("Write", H5E_WRITEERROR, "h5swmr's reader driver opens files read-only");
}

herr_t Lock(H5FD_t* pub, hbool_t rw) {
  auto* file = reinterpret_cast<ReaderFile*>(pub);
  if (flock(file->fd, (rw ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
    int e = errno;
    if (file->ignoreDisabledLocks && e == ENOSYS) return 0;
    return Push("Lock", H5E_CANTLOCKFILE, "unable to lock file, " + Errno(e));
  }
  return 0;
}

herr_t Unlock(H5FD_t* pub) {
  auto* file = reinterpret_cast<ReaderFile*>(pub);
  if (flock(file->fd, LOCK_UN) < 0) {
    int e = errno;
    if (file->ignoreDisabledLocks && e == ENOSYS) return 0;
    return Push("Unlock", H5E_CANTUNLOCKFILE, "unable to unlock file, " + Errno(e));
  }
  return 0;
}

H5FD_class_t MakeClass() {
  H5FD_class_t c;
  std::memset(&c, 0, sizeof c);
#ifdef H5FD_CLASS_VERSION  // HDF5 >= 1.13: the class carries its version and a driver value
  c.version = H5FD_CLASS_VERSION;
  c.value = static_cast<H5FD_class_value_t>(H5_VFD_RESERVED + 0x5357);  // past the library's; unregistered
#endif
  c.name = "h5swmr_reader";
  c.maxaddr = kMaxAddr;
  c.fc_degree = H5F_CLOSE_WEAK;
  c.open = Open;
  c.close = Close;
  c.cmp = Compare;
  c.query = Query;
  c.get_eoa = GetEoa;
  c.set_eoa = SetEoa;
  c.get_eof = GetEof;
  c.get_handle = GetHandle;
  c.read = Read;
  c.write = Write;
  c.lock = Lock;
  c.unlock = Unlock;
  const H5FD_mem_t dichotomy[H5FD_MEM_NTYPES] = H5FD_FLMAP_DICHOTOMY;  // as sec2
  std::memcpy(c.fl_map, dichotomy, sizeof dichotomy);
  return c;
}

const H5FD_class_t kReaderClass = MakeClass();

std::vector<std::pair<dev_t, ino_t>>& OpenForWriting() {
  static std::vector<std::pair<dev_t, ino_t>> files;  // one entry per open (a file may be open twice)
  return files;
}

}  // namespace

void NoteOpenForWriting(dev_t device, ino_t inode) { OpenForWriting().emplace_back(device, inode); }

void NoteClosedForWriting(dev_t device, ino_t inode) {
  auto& files = OpenForWriting();
  for (auto it = files.begin(); it != files.end(); ++it) {
    if (*it == std::make_pair(device, inode)) {
      files.erase(it);
      return;
    }
  }
}

bool IsOpenForWriting(dev_t device, ino_t inode) {
  for (const auto& f : OpenForWriting())
    if (f == std::make_pair(device, inode)) return true;
  return false;
}

hid_t ReaderDriver() {
  static hid_t id = H5FDregister(&kReaderClass);  // < 0 if refused: files then open with sec2
  return id;
}

DeferRawRead::DeferRawRead(void* into, size_t size) : outer(armed) {
  read.into = into;
  read.size = size;
  armed = this;
}

DeferRawRead::~DeferRawRead() { armed = outer; }

int CompleteDeferredRead(const DeferredRead& read) {
  return read.pending() ? PreadAll(read.fd, read.addr, read.size, read.into) : 0;
}

}  // namespace h5swmr
