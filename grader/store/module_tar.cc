#include "grader/store/module_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/fd.h"
#include "base/status_macros.h"
#include "grader/core/files/digest.h"

namespace gograder::store {
namespace {

namespace fs = std::filesystem;

constexpr size_t kCopyBufferBytes = 1 << 16;
constexpr size_t kDigestHexDigits = 64;

struct ArchiveWriteFree {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct ArchiveReadFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct ArchiveEntryFree {
  void operator()(struct archive_entry* entry) const { archive_entry_free(entry); }
};

// One entry of a module tree: its path relative to the module's root
// ("/"-separated), and whether it is a directory.
struct TreeEntry {
  std::string path;
  bool directory = false;
};

// The directories and regular files below `dir`, sorted by path.
absl::StatusOr<std::vector<TreeEntry>> ListTree(const std::string& dir) {
  std::error_code error;
  fs::file_status root = fs::symlink_status(dir, error);
  if (error || !fs::exists(root)) return absl::NotFoundError(absl::StrCat(dir, ": no such module"));
  if (!fs::is_directory(root)) {
    return absl::InvalidArgumentError(absl::StrCat(dir, " is not a directory"));
  }
  std::vector<TreeEntry> entries;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    fs::file_status status = it->symlink_status(error);
    if (error) break;
    std::string path = it->path().lexically_relative(dir).generic_string();
    if (fs::is_directory(status)) {
      entries.push_back(TreeEntry{std::move(path), true});
    } else if (fs::is_regular_file(status)) {
      entries.push_back(TreeEntry{std::move(path), false});
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("module ", dir, ": '", path, "' is neither a regular file nor a directory"));
    }
  }
  if (error) return absl::InternalError(absl::StrCat("listing ", dir, ": ", error.message()));
  std::sort(entries.begin(), entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.path < b.path; });
  return entries;
}

// The content of the regular file `path`, never through a symbolic link.
absl::StatusOr<std::string> ReadRegularFile(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(absl::StrCat("open ", path));
  struct stat info;
  if (fstat(fd.get(), &info) != 0) return ErrnoStatus(absl::StrCat("stat ", path));
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a regular file"));
  }
  std::string content;
  char buffer[kCopyBufferBytes];
  while (true) {
    ssize_t got = read(fd.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoStatus(absl::StrCat("read ", path));
    if (got == 0) return content;
    content.append(buffer, static_cast<size_t>(got));
  }
}

la_ssize_t AppendToString(struct archive*, void* out, const void* buffer, size_t length) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

absl::Status ArchiveError(struct archive* a, absl::string_view what) {
  const char* message = archive_error_string(a);
  return absl::InternalError(
      absl::StrCat("tar: ", what, ": ", message != nullptr ? message : "unknown error"));
}

// Why the tar entry path `path` may not be unpacked; empty when it may.
// Accepted: relative paths of non-empty components other than "." and ".."
// (a directory's may end in "/").
std::string PathProblem(absl::string_view path) {
  if (path.empty()) return "an empty path";
  if (path.front() == '/') return "an absolute path";
  if (path.back() == '/') path.remove_suffix(1);
  for (absl::string_view component : absl::StrSplit(path, '/')) {
    if (component.empty()) return "an empty path component";
    if (component == "." || component == "..") return absl::StrCat("a '", component, "' component");
  }
  return "";
}

// Creates the directory `path` and its missing parents (never through a
// link: an unpacked tree has none).
absl::Status MakeDirectories(const fs::path& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error)
    return absl::InternalError(absl::StrCat("mkdir ", path.string(), ": ", error.message()));
  return absl::OkStatus();
}

// Copies the data of the current entry of `a` into the new file `path`.
absl::Status WriteEntryData(struct archive* a, const fs::path& path) {
  UniqueFd out(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!out.valid()) return ErrnoStatus(absl::StrCat("create ", path.string()));
  char buffer[kCopyBufferBytes];
  while (true) {
    la_ssize_t got = archive_read_data(a, buffer, sizeof buffer);
    if (got < 0) {
      return absl::DataLossError(
          absl::StrCat("tar: reading ", path.string(), ": ", archive_error_string(a)));
    }
    if (got == 0) break;
    RETURN_IF_ERROR(WriteAll(out.get(), absl::string_view(buffer, static_cast<size_t>(got))));
  }
  if (close(out.release()) != 0) return ErrnoStatus(absl::StrCat("close ", path.string()));
  return absl::OkStatus();
}

bool IsHexDigest(absl::string_view digest) {
  return digest.size() == kDigestHexDigits && std::all_of(digest.begin(), digest.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

absl::StatusOr<std::string> PackModule(const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<TreeEntry> entries, ListTree(dir));
  std::unique_ptr<struct archive, ArchiveWriteFree> writer(archive_write_new());
  if (writer == nullptr) return absl::ResourceExhaustedError("archive_write_new failed");
  std::string tar;
  // GNU tar: long names without extended headers, and names go in as
  // their bytes (no locale translates them).
  if (archive_write_set_format_gnutar(writer.get()) != ARCHIVE_OK ||
      archive_write_add_filter_none(writer.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(writer.get(), 1) != ARCHIVE_OK ||
      archive_write_open(writer.get(), &tar, nullptr, AppendToString, nullptr) != ARCHIVE_OK) {
    return ArchiveError(writer.get(), "setup");
  }
  std::unique_ptr<struct archive_entry, ArchiveEntryFree> entry(archive_entry_new());
  if (entry == nullptr) return absl::ResourceExhaustedError("archive_entry_new failed");
  for (const TreeEntry& tree_entry : entries) {
    std::string content;
    if (!tree_entry.directory) {
      ASSIGN_OR_RETURN(content, ReadRegularFile((fs::path(dir) / tree_entry.path).string()));
    }
    archive_entry_clear(entry.get());
    archive_entry_set_pathname(entry.get(), tree_entry.path.c_str());
    archive_entry_set_filetype(entry.get(), tree_entry.directory ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(entry.get(), tree_entry.directory ? 0755 : 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(content.size()));
    archive_entry_set_mtime(entry.get(), 0, 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    if (archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK) {
      return ArchiveError(writer.get(), tree_entry.path);
    }
    if (!content.empty() && archive_write_data(writer.get(), content.data(), content.size()) !=
                                static_cast<la_ssize_t>(content.size())) {
      return ArchiveError(writer.get(), tree_entry.path);
    }
  }
  if (archive_write_close(writer.get()) != ARCHIVE_OK) return ArchiveError(writer.get(), "close");
  return tar;
}

absl::Status UnpackModule(absl::string_view tar, const std::string& destination) {
  std::unique_ptr<struct archive, ArchiveReadFree> reader(archive_read_new());
  if (reader == nullptr) return absl::ResourceExhaustedError("archive_read_new failed");
  if (archive_read_support_format_tar(reader.get()) != ARCHIVE_OK ||
      archive_read_open_memory(reader.get(), tar.data(), tar.size()) != ARCHIVE_OK) {
    return absl::DataLossError(
        absl::StrCat("tar: cannot open the archive: ", archive_error_string(reader.get())));
  }
  std::set<std::string> seen;
  while (true) {
    struct archive_entry* entry = nullptr;
    int result = archive_read_next_header(reader.get(), &entry);
    if (result == ARCHIVE_EOF) return absl::OkStatus();
    if (result != ARCHIVE_OK) {
      return absl::DataLossError(absl::StrCat("tar: malformed after ", seen.size(),
                                              " entries: ", archive_error_string(reader.get())));
    }
    const char* name = archive_entry_pathname(entry);  // the bytes, untranslated
    std::string path = name != nullptr ? name : "";
    auto refuse = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat("tar entry '", path, "': ", why));
    };
    if (std::string problem = PathProblem(path); !problem.empty()) return refuse(problem);
    bool directory = archive_entry_filetype(entry) == AE_IFDIR;
    if (archive_entry_hardlink(entry) != nullptr ||
        (!directory && archive_entry_filetype(entry) != AE_IFREG)) {
      return refuse("neither a regular file nor a directory");
    }
    if (path.back() == '/') path.pop_back();
    if (!seen.insert(path).second) return refuse("in the archive twice");
    fs::path target = fs::path(destination) / path;
    if (directory) {
      RETURN_IF_ERROR(MakeDirectories(target));
    } else {
      RETURN_IF_ERROR(MakeDirectories(target.parent_path()));
      RETURN_IF_ERROR(WriteEntryData(reader.get(), target));
    }
  }
}

absl::StatusOr<std::string> CachedModuleDir(
    const std::string& cache_dir, const std::string& digest,
    absl::FunctionRef<absl::StatusOr<std::string>()> fetch) {
  if (!IsHexDigest(digest)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", digest, "' is not a SHA-256 digest (64 lowercase hex digits)"));
  }
  const fs::path final_dir = fs::path(cache_dir) / digest;
  std::error_code error;
  if (fs::is_directory(fs::symlink_status(final_dir, error))) return final_dir.string();
  RETURN_IF_ERROR(MakeDirectories(cache_dir));
  ASSIGN_OR_RETURN(std::string tar, fetch());
  if (std::string actual = core::Sha256Hex(tar); actual != digest) {
    return absl::DataLossError(
        absl::StrCat("the stored files ", digest, " are corrupt: their SHA-256 is ", actual));
  }
  std::string temp = (fs::path(cache_dir) / absl::StrCat(".tmp-", digest, "-XXXXXX")).string();
  if (mkdtemp(temp.data()) == nullptr) return ErrnoStatus(absl::StrCat("mkdtemp ", temp));
  absl::Status unpacked = UnpackModule(tar, temp);
  if (unpacked.ok() && chmod(temp.c_str(), 0755) != 0) {
    unpacked = ErrnoStatus(absl::StrCat("chmod ", temp));
  }
  if (unpacked.ok() && rename(temp.c_str(), final_dir.c_str()) == 0) return final_dir.string();
  const int rename_errno = errno;
  fs::remove_all(temp, error);
  if (!unpacked.ok()) {
    return absl::Status(unpacked.code(), absl::StrCat("unpacking the stored files ", digest, ": ",
                                                      unpacked.message()));
  }
  // Another thread or process unpacked the same files first.
  if ((rename_errno == ENOTEMPTY || rename_errno == EEXIST) &&
      fs::is_directory(fs::symlink_status(final_dir, error))) {
    return final_dir.string();
  }
  return ErrnoStatus(absl::StrCat("rename ", temp, " to ", final_dir.string()), rename_errno);
}

}  // namespace gograder::store
