// Groups and links: list a group's members with their link type, tell what a path points to,
// create groups. Soft and external links are followed by HDF5 when objects are opened.
#include <vector>

#include "api/js_error.h"
#include "api/file.h"
#include "hdf5/lock.h"

namespace h5swmr {

namespace {

struct Member {
  std::string name;
  std::string linkType;    // 'hard' | 'soft' | 'external'
  std::string objectType;  // 'group' | 'dataset' | 'datatype' | 'missing' (dangling link)
  std::string target;      // soft: path; external: object path
  std::string targetFile;  // external only
  std::string objectKey;   // identity of what the link resolves to ("" when missing)
};

struct ObjectAtPath {
  std::string type;  // 'group' | 'dataset' | 'datatype' | 'other' | 'missing'
  std::string key;   // ObjectKey of it
};

// Does every component of `path` exist (as a link that resolves)? Avoids an error on a missing path.
bool PathResolves(hid_t loc, const std::string& path) {
  if (path.empty() || path == "/" || path == ".") return true;
  size_t pos = path[0] == '/' ? 1 : 0;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    std::string prefix = path.substr(0, next == std::string::npos ? path.size() : next);
    if (next != pos && !prefix.empty() && prefix != "/") {
      if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
      if (H5Oexists_by_name(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  H5Eclear2(H5E_DEFAULT);
  return true;
}

ObjectAtPath ObjectTypeAt(hid_t loc, const std::string& name) {
  std::string type;
  std::string key = ObjectAt(loc, name.c_str(), &type);
  if (key.empty()) {
    H5Eclear2(H5E_DEFAULT);
    return {"missing", ""};
  }
  return {type, key};
}

// HDF5 1.12 added H5Literate2 (links by token, not address) and deprecated the 1.10 call.
#if H5_VERSION_GE(1, 12, 0)
using LinkInfo = H5L_info2_t;
#define H5SWMR_LITERATE H5Literate2
#else
using LinkInfo = H5L_info_t;
#define H5SWMR_LITERATE H5Literate
#endif

// Members collected by H5Literate's callback. Nothing thrown inside it may cross libhdf5's C frames:
// a failure is kept and thrown after the iteration.
struct LinkCollector {
  std::vector<Member> members;
  std::string failure;
};

// Soft and external link values are paths: a value of more than 1 MiB is a damaged link message.
constexpr size_t kMaxLinkValue = size_t(1) << 20;

herr_t CollectLink(hid_t group, const char* name, const LinkInfo* info, void* data) {
  auto* c = static_cast<LinkCollector*>(data);
  try {
    Member m;
    m.name = name ? name : "";
    if (info->type == H5L_TYPE_HARD) {
      m.linkType = "hard";
    } else if (info->type == H5L_TYPE_SOFT || info->type == H5L_TYPE_EXTERNAL) {
      if (info->u.val_size > kMaxLinkValue) {
        c->failure = "link '" + m.name + "' claims a value of " + std::to_string(info->u.val_size) + " bytes (a damaged link message)";
        return -1;
      }
      std::vector<char> buf(info->u.val_size + 1, 0);
      H5Lget_val(group, name, buf.data(), buf.size(), H5P_DEFAULT);
      if (info->type == H5L_TYPE_SOFT) {
        m.linkType = "soft";
        m.target = buf.data();
      } else {
        m.linkType = "external";
        const char* file = nullptr;
        const char* obj = nullptr;
        if (H5Lunpack_elink_val(buf.data(), buf.size(), nullptr, &file, &obj) >= 0) {
          m.targetFile = file ? file : "";
          m.target = obj ? obj : "";
        }
      }
    } else {
      m.linkType = "user";
    }
    // For external links this opens the target file (and closes it again): a missing target file
    // shows up as 'missing' rather than an error, as the data files of a live scan appear over time.
    if (m.linkType == "user") {
      m.objectType = "other";
    } else {
      ObjectAtPath at = ObjectTypeAt(group, name);
      // A hard link cannot dangle: an object it names that cannot be read is damage, not absence.
      m.objectType = at.type == "missing" && m.linkType == "hard" ? "damaged" : at.type;
      m.objectKey = at.key;
    }
    c->members.push_back(std::move(m));
    return 0;
  } catch (const std::exception& e) {
    c->failure = std::string("listing failed: ") + e.what();
    return -1;
  }
}

// Every object below a group, each once, as HDF5's H5Ovisit finds them (h5py's visititems walks
// with it). H5Ovisit keeps the groups it is in pinned in the metadata cache, so a damaged file whose
// link structure loops back on itself fails here with an error, where a walk by H5Literate, group by
// group, goes on into the loop and reaches libhdf5's crashes (CVE-2024-32609 on 1.14 and 2.x).
struct VisitedObject {
  std::string path;
  H5O_type_t type;
#if H5_VERSION_GE(1, 12, 0)
  H5O_token_t token;
#else
  haddr_t addr;
#endif
  unsigned long fileno;
};

struct VisitCollector {
  std::vector<VisitedObject> objects;
};

#if H5_VERSION_GE(1, 12, 0)
using ObjectInfo = H5O_info2_t;
#else
using ObjectInfo = H5O_info_t;
#endif

// Nothing thrown inside: libhdf5's C frames are between us and the caller.
herr_t CollectObject(hid_t start, const char* name, const ObjectInfo* info, void* data) {
  auto* c = static_cast<VisitCollector*>(data);
#if H5_VERSION_GE(1, 12, 0)
  // h5py visits with the 1.10 call (H5Ovisit2), whose every-field info includes the sizes of each
  // object's metadata (its link or chunk index walked) before HDF5 goes into a group: a B-tree node
  // that is its own child fails there with an error, where H5Ovisit3 alone recurses into it until
  // the stack runs out (gh-4432-poc-05 on 1.14). The same sizes, asked for here.
  H5O_native_info_t native;
  if (H5Oget_native_info_by_name(start, name, &native, H5O_NATIVE_INFO_ALL, H5P_DEFAULT) < 0) return -1;
#else
  (void)start;
#endif
  try {
    VisitedObject o;
    o.path = name ? name : "";
    o.type = info->type;
    o.fileno = info->fileno;
#if H5_VERSION_GE(1, 12, 0)
    o.token = info->token;
#else
    o.addr = info->addr;
#endif
    c->objects.push_back(std::move(o));
    return 0;
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

// visit(path): [{ path, objectType, objectKey }] for every object below `path` (not itself), names
// relative to it, in HDF5's name order.
Napi::Value NativeFile::Visit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "/";
  struct Found {
    std::string path, type, key;
  };
  std::vector<Found> found = Guarded(env, [&]() {
    Hdf5Lock lock;
    if (!PathResolves(file->id, path)) Fail("H5_NOT_FOUND", "No object '" + path + "' in '" + file->path + "'");
    ScopedId start(H5Oopen(file->id, path.c_str(), H5P_DEFAULT), H5Oclose);
    if (!start.valid()) ThrowHdf5("Cannot open '" + path + "' in '" + file->path + "'", "H5_ERROR");
    VisitCollector out;
    // The fields h5py's visititems asks for (H5O_INFO_ALL, and on 1.12+ the native sizes in the
    // callback): the same metadata is read in the same order, so the same damage is met as an error.
#if H5_VERSION_GE(1, 12, 0)
    herr_t status = H5Ovisit3(start, H5_INDEX_NAME, H5_ITER_INC, CollectObject, &out, H5O_INFO_ALL);
#else
    herr_t status = H5Ovisit2(start, H5_INDEX_NAME, H5_ITER_INC, CollectObject, &out, H5O_INFO_ALL);
#endif
    if (status < 0) ThrowHdf5("Cannot walk the objects below '" + path + "' in '" + file->path + "'", "H5_ERROR");
    std::vector<Found> result;
    result.reserve(out.objects.size());
    for (const auto& o : out.objects) {
      if (o.path == ".") continue;  // the start itself
      Found f;
      f.path = o.path;
      f.type = ObjectTypeName(o.type);
#if H5_VERSION_GE(1, 12, 0)
      f.key = ObjectKeyOf(start, o.fileno, o.token);
#else
      f.key = ObjectKeyOf(start, o.fileno, o.addr);
#endif
      result.push_back(std::move(f));
    }
    return result;
  });
  Napi::Array result = Napi::Array::New(env, found.size());
  for (size_t i = 0; i < found.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("path", found[i].path);
    o.Set("objectType", found[i].type);
    o.Set("objectKey", found[i].key);
    result.Set(i, o);
  }
  return result;
}

Napi::Value NativeFile::List(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "/";
  std::vector<Member> members = Guarded(env, [&]() {
    Hdf5Lock lock;
    if (!PathResolves(file->id, path)) Fail("H5_NOT_FOUND", "No group '" + path + "' in '" + file->path + "'");
    ScopedId group(H5Gopen2(file->id, path.c_str(), H5P_DEFAULT), H5Gclose);
    if (!group.valid()) ThrowHdf5("Cannot open group '" + path + "' in '" + file->path + "'", "H5_NOT_A_GROUP");
    // What h5py's visititems makes sure of before it walks a group: its link index is sound (a
    // B-tree node that is its own child, a sibling past the end of the file crash libhdf5 1.10).
    if (!ObjectMetadataSane(group, "."))
      ThrowDamaged("Cannot list group '" + path + "' in '" + file->path + "': its link index is damaged");
    LinkCollector out;
    H5_index_t index = H5_INDEX_NAME;
    if (H5SWMR_LITERATE(group, index, H5_ITER_INC, nullptr, CollectLink, &out) < 0) {
      if (!out.failure.empty()) Fail("H5_CORRUPT", "Cannot list group '" + path + "' in '" + file->path + "': " + out.failure);
      ThrowHdf5("Cannot list group '" + path + "'", "H5_ERROR");
    }
    return out.members;
  });
  Napi::Array result = Napi::Array::New(env, members.size());
  for (size_t i = 0; i < members.size(); i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", members[i].name);
    o.Set("linkType", members[i].linkType);
    o.Set("objectType", members[i].objectType);
    if (!members[i].target.empty()) o.Set("target", members[i].target);
    if (!members[i].targetFile.empty()) o.Set("targetFile", members[i].targetFile);
    if (!members[i].objectKey.empty()) o.Set("objectKey", members[i].objectKey);
    result.Set(i, o);
  }
  return result;
}

ObjectAtPath ResolvedObject(const std::shared_ptr<FileState>& file, const std::string& path) {
  Hdf5Lock lock;
  if (!PathResolves(file->id, path)) return {"missing", ""};
  return ObjectTypeAt(file->id, path);
}

// 'group' | 'dataset' | 'datatype' | null when nothing resolves at `path`.
Napi::Value NativeFile::ObjectType(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].As<Napi::String>();
  ObjectAtPath at = Guarded(env, [&]() { return ResolvedObject(file, path); });
  if (at.type == "missing") return env.Null();
  return Napi::String::New(env, at.type);
}

// The identity of the object at `path` (equal for every path to it), or null when nothing resolves.
Napi::Value NativeFile::ObjectKeyAt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].As<Napi::String>();
  ObjectAtPath at = Guarded(env, [&]() { return ResolvedObject(file, path); });
  if (at.key.empty()) return env.Null();
  return Napi::String::New(env, at.key);
}

Napi::Value NativeFile::CreateGroup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Open(env);
  std::string path = info[0].As<Napi::String>();
  Guarded(env, [&]() {
    if (!file->writable) Fail("H5_READ_ONLY", "Cannot create group '" + path + "': the file is open read-only");
    if (file->swmrWriting)
      Fail("H5_SWMR_RESTRICTED", "Cannot create group '" + path +
                                     "' after SWMR writing started: create every object before startSwmrWrite()");
    Hdf5Lock lock;
    ScopedId lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl, 1);
    ScopedId group(H5Gcreate2(file->id, path.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!group.valid()) ThrowHdf5("Cannot create group '" + path + "'", "H5_WRITE_FAILED");
  });
  return env.Undefined();
}

}  // namespace h5swmr
