#include "hdf5/errors.h"

#include <cstdio>
#include <cstring>
#include <utility>


namespace h5swmr {

namespace {

std::string MessageOf(hid_t id) {
  char buf[256] = {0};
  if (H5Eget_msg(id, nullptr, buf, sizeof buf) < 0) return "";
  return buf;
}

herr_t Collect(unsigned, const H5E_error2_t* err, void* data) {
  auto* frames = static_cast<std::vector<StackFrame>*>(data);
  StackFrame frame;
  frame.function = err->func_name ? err->func_name : "";
  frame.description = err->desc ? err->desc : "";
  frame.major = MessageOf(err->maj_num);
  frame.minor = MessageOf(err->min_num);
  frame.file = err->file_name ? err->file_name : "";
  frame.line = err->line;
  frames->push_back(std::move(frame));
  return 0;
}

bool Has(const std::vector<StackFrame>& stack, const char* needle) {
  for (const auto& f : stack) {
    if (f.description.find(needle) != std::string::npos) return true;
    if (f.minor.find(needle) != std::string::npos) return true;
  }
  return false;
}

// A structure libhdf5 decoded and found impossible (unchecksummed metadata, the pre-1.8 formats
// h5py and most software still write by default): a damaged file, whatever call met it.
bool IsDamage(const std::vector<StackFrame>& stack) {
  static const char* const kWords[] = {
      "wrong B-tree signature", "bad version number", "unable to decode", "can't decode", "Invalid layout",
      "addr overflow",          "bad heap free list", "unshareable class flagged as shareable",
      "bad object header",      "wrong signature",    "incorrect signature", "bad B-tree", "corrupt object header",
      "name length causes read past end of buffer", "data size exceeds buffer size", "ran off end of input buffer",
      "bad heap pointer", "bad heap index", "data size exceeds addressable range",
      // A metadata cache entry met twice on one path: the file's structure loops back on itself.
      "entry is already pinned",
  };
  for (const char* w : kWords)
    if (Has(stack, w)) return true;
  return false;
}

// Map the stack to a stable code. Order matters: the most specific cause wins.
std::string Classify(const std::vector<StackFrame>& stack, const std::string& fallback) {
  if (Has(stack, "unable to lock file")) return "H5_LOCKED";
  if (Has(stack, "file is not already open for SWMR writing")) return "H5_SWMR_NOT_ACTIVE";
  if (Has(stack, "file is already open for write")) return "H5_FILE_IN_USE";
  if (Has(stack, "file signature not found")) return "H5_NOT_HDF5";
  if (Has(stack, "truncated file")) return "H5_TRUNCATED";
  if (Has(stack, "incorrect metadata checksum")) return "H5_CORRUPT";
  if (Has(stack, "filter returned failure during read")) return "H5_CORRUPT_CHUNK";
  if (Has(stack, "errno = 13")) return "EACCES";
  if (Has(stack, "errno = 2,")) return "ENOENT";
  if (Has(stack, "corrupt chunk")) return "H5_CORRUPT_CHUNK";  // our bitshuffle filter's wording
  // A plugin that is not there: HDF5's own words for it ("can't load entry" is the metadata cache's
  // failure to decode a damaged structure, not a plugin's).
  if (Has(stack, "required filter") || Has(stack, "can't locate plugin") || Has(stack, "search in paths failed"))
    return "H5_FILTER_UNAVAILABLE";
  if (IsDamage(stack)) return "H5_CORRUPT";
  if (Has(stack, "object not found") || Has(stack, "doesn't exist") ||
      Has(stack, "component not found") || Has(stack, "Object not found"))
    return "H5_NOT_FOUND";
  return fallback;
}

// Which kind of metadata a checksum failure was in: the innermost frame below the cache layer.
std::string MetadataKind(const std::vector<StackFrame>& stack) {
  static const std::pair<const char*, const char*> kinds[] = {
      {"H5EA", "extensible-array chunk index"}, {"H5FA", "fixed-array chunk index"},
      {"H5B2", "v2 B-tree"},                    {"H5B_", "v1 B-tree"},
      {"H5HF", "fractal heap (link or attribute storage)"}, {"H5HL", "local heap (group names)"},
      {"H5HG", "global heap"},                  {"H5F__super", "superblock"},
      {"H5F__cache_super", "superblock"},       {"H5O", "object header"},
      {"H5A_", "attribute"},                    {"H5G_", "group"},
  };
  for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
    for (const auto& [prefix, kind] : kinds)
      if (it->function.rfind(prefix, 0) == 0) return kind;
  }
  return "metadata";
}

// "truncated file: eof = 20000, sblock->base_addr = 0, stored_eof = 32820" -> the two sizes.
std::string TruncationDetail(const std::vector<StackFrame>& stack) {
  for (const auto& f : stack) {
    unsigned long long eof = 0, base = 0, stored = 0;
    if (sscanf(f.description.c_str(), "truncated file: eof = %llu, sblock->base_addr = %llu, stored_eof = %llu",
               &eof, &base, &stored) == 3)
      return "the file is truncated: its superblock says it ends at byte " + std::to_string(stored + base) +
             " but it has " + std::to_string(eof) + " bytes (a copy taken mid-write, or a full disk?)";
  }
  return "";
}

}  // namespace

std::vector<StackFrame> TakeErrorStack() {
  std::vector<StackFrame> frames;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, Collect, &frames);
  H5Eclear2(H5E_DEFAULT);
  return frames;
}

H5Failure Hdf5Failure(const std::string& what, const std::string& fallbackCode) {
  auto stack = TakeErrorStack();
  std::string code = Classify(stack, fallbackCode);
  std::string message = what;
  std::string truncation = code == "H5_TRUNCATED" ? TruncationDetail(stack) : "";
  if (code == "H5_CORRUPT" && Has(stack, "incorrect metadata checksum")) {
    message += ": corrupt " + MetadataKind(stack) + " (metadata checksum still wrong after every read attempt)";
  } else if (code == "H5_CORRUPT" && !stack.empty()) {
    message += ": damaged " + MetadataKind(stack) + " (" + stack.back().description + ")";
  } else if (!truncation.empty()) {
    message += ": " + truncation;
  } else if (!stack.empty()) {
    // The innermost frame usually says why (e.g. "unable to lock file, errno = 11 ...").
    message += ": " + stack.back().description;
  }
  if (!stack.empty()) {
    message += "\nHDF5 error stack:";
    for (size_t i = 0; i < stack.size(); i++) {
      const auto& f = stack[i];
      message += "\n  #" + std::to_string(i) + " " + f.function + "(): " + f.description + " [" +
                 f.major + " / " + f.minor + "]";
    }
  }
  return H5Failure(code, message, std::move(stack));
}

void ThrowHdf5(const std::string& what, const std::string& fallbackCode) {
  throw Hdf5Failure(what, fallbackCode);
}

void ThrowDamaged(const std::string& what) {
  H5Failure failure = Hdf5Failure(what, "H5_CORRUPT");
  failure.code = "H5_CORRUPT";
  throw failure;
}

void Fail(const std::string& code, const std::string& message) {
  H5Eclear2(H5E_DEFAULT);
  throw H5Failure(code, message);
}

}  // namespace h5swmr
