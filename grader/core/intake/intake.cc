// Theory of operation.
//
// Three sources feed one Extractor, entry by entry:
//   CopyDirectory  walks a directory with openat(O_NOFOLLOW) and fstatat(AT_SYMLINK_NOFOLLOW),
//   CopyArchive    reads libarchive headers and data (tar, tar.gz, zip; content-detected),
//   IntakeFileMap  hands over (path, content) pairs.
// For each entry the Extractor
//   1. Admit: cleans the raw name into path components or rejects it (absolute, "..", control
//      characters, too long/deep, ...); skips VCS/editor junk; rejects every kind but regular
//      files and directories; rejects duplicates; counts entries and files against the limits.
//   2. CreateDirectory / WriteFile: walks the parent chain from an fd of the destination, one
//      component at a time with openat(O_DIRECTORY|O_NOFOLLOW) / mkdirat(0755), and creates the
//      file with openat(O_CREAT|O_EXCL|O_NOFOLLOW, 0644). Bytes are counted as they are copied
//      (never trusting a header), against the per-file and the total limit.
// Finish then strips a lone top-level directory holding go.mod (renames inside the destination).
// On any error Finish empties the destination again. (The digest is AcceptSubmission's, over
// the tree as it is graded.)
//
// Nothing intake creates is a link and every creation is relative to a directory fd it created
// itself (or the destination's), so no name can lead a write outside the destination.
#include "grader/core/intake/intake.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/status_macros.h"
#include "grader/core/intake/intake_fs.h"

namespace gograder::core {
namespace {

using ::gograder::WriteAll;
using intake_internal::ListDirectory;
using intake_internal::OpenDirectoryAt;
using intake_internal::RemoveDirectoryContents;
using intake_internal::UniqueFd;

constexpr size_t kCopyBufferBytes = 64 << 10;

// Directory names skipped wherever they occur, and file names skipped.
constexpr absl::string_view kJunkDirectories[] = {".git", ".hg", ".svn", "__MACOSX"};
constexpr absl::string_view kJunkFiles[] = {".DS_Store"};

// Entries of any kind (directories and skipped junk included) an archive may hold.
int64_t MaxEntries(const IntakeLimits& limits) {
  return std::max<int64_t>(64, int64_t{8} * limits.max_files);
}

// Bytes of the decompressed archive stream read before giving up: the data
// (accepted and skipped) plus generous room for headers and padding.
int64_t MaxStreamBytes(const IntakeLimits& limits) {
  return 2 * limits.max_total_bytes + MaxEntries(limits) * 4096;
}

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    uint32_t min;
    uint32_t code;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, min = 0x80, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, min = 0x800, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, min = 0x10000, code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      unsigned char next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

// The entry name as shown in messages: quoted, escaped, and cut when huge.
std::string Quote(absl::string_view raw) {
  constexpr size_t kShown = 200;
  bool cut = raw.size() > kShown;
  absl::string_view shown = raw.substr(0, kShown);
  std::string escaped =
      IsValidUtf8(shown) ? absl::Utf8SafeCHexEscape(shown) : absl::CHexEscape(shown);
  return absl::StrCat("\"", escaped, cut ? "...\"" : "\"");
}

absl::Status EntryError(absl::string_view raw, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("entry ", Quote(raw), ": ", reason));
}

absl::Status TooLarge(absl::string_view raw, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("too large: ", what, " (at entry ", Quote(raw), ")"));
}

enum class EntryKind { kRegular, kDirectory, kSymlink, kHardLink, kDevice, kFifo, kSocket, kOther };

// Why an entry of `kind` is refused, or nullptr when it is accepted.
const char* RefusalOfKind(EntryKind kind) {
  switch (kind) {
    case EntryKind::kRegular:
    case EntryKind::kDirectory:
      return nullptr;
    case EntryKind::kSymlink:
      return "symbolic links are not accepted";
    case EntryKind::kHardLink:
      return "hard links are not accepted";
    case EntryKind::kDevice:
      return "device files are not accepted";
    case EntryKind::kFifo:
      return "FIFOs (named pipes) are not accepted";
    case EntryKind::kSocket:
      return "sockets are not accepted";
    case EntryKind::kOther:
      break;
  }
  return "only regular files and directories are accepted";
}

// Splits a raw entry name into clean path components ("." and empty ones
// dropped). An empty result is the submission's root. The error message is
// the reason alone; the caller names the entry.
absl::StatusOr<std::vector<std::string>> CleanEntryPath(absl::string_view raw, bool is_directory,
                                                        const IntakeLimits& limits) {
  if (raw.empty()) return absl::InvalidArgumentError("empty name");
  if (raw.size() > static_cast<size_t>(limits.max_path_bytes)) {
    return absl::InvalidArgumentError(
        absl::StrCat("path is longer than ", limits.max_path_bytes, " bytes"));
  }
  for (char c : raw) {
    if (c == '\0') return absl::InvalidArgumentError("NUL byte in the name");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("control character in the name");
    }
  }
  if (!IsValidUtf8(raw)) return absl::InvalidArgumentError("name is not valid UTF-8");
  if (raw.find('\\') != absl::string_view::npos) {
    return absl::InvalidArgumentError("backslash in the name (directories are separated by /)");
  }
  if (raw.front() == '/') return absl::InvalidArgumentError("absolute paths are not accepted");
  if (!is_directory && raw.back() == '/') {
    return absl::InvalidArgumentError("a file name cannot end with /");
  }
  std::vector<std::string> components;
  for (absl::string_view part : absl::StrSplit(raw, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return absl::InvalidArgumentError("\"..\" is not accepted in paths");
    if (part.size() > NAME_MAX) {
      return absl::InvalidArgumentError(
          absl::StrCat("a file or directory name is longer than ", NAME_MAX, " bytes"));
    }
    components.emplace_back(part);
  }
  if (components.empty() && !is_directory) return absl::InvalidArgumentError("not a file name");
  if (components.size() > static_cast<size_t>(limits.max_path_depth)) {
    return absl::InvalidArgumentError(
        absl::StrCat("path is deeper than ", limits.max_path_depth, " directories"));
  }
  return components;
}

bool IsJunk(const std::vector<std::string>& components, bool is_directory) {
  for (const std::string& part : components) {
    for (absl::string_view junk : kJunkDirectories) {
      if (part == junk) return true;
    }
  }
  if (!is_directory && !components.empty()) {
    for (absl::string_view junk : kJunkFiles) {
      if (components.back() == junk) return true;
    }
  }
  return false;
}

// Reads up to `size` bytes of an entry's content into `buffer`; 0 at the end.
using ChunkReader = std::function<absl::StatusOr<size_t>(char* buffer, size_t size)>;

// An entry that passed Admit.
struct AdmittedEntry {
  bool skipped = false;  // junk, a repeated directory or the root itself: create nothing
  std::string raw;       // the name as the source gave it, for messages
  std::vector<std::string> components;
  std::string path;  // components joined by "/"
};

class Extractor {
 public:
  static absl::StatusOr<std::unique_ptr<Extractor>> Create(const std::string& destination,
                                                           const IntakeLimits& limits) {
    UniqueFd dir(open(destination.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) return ErrnoStatus(absl::StrCat("open destination ", destination));
    // Listing stops with InvalidArgument past one name: not empty either way.
    absl::StatusOr<std::vector<std::string>> names = ListDirectory(dir.get(), 1);
    if (!names.ok() && !absl::IsInvalidArgument(names.status())) return names.status();
    if (!names.ok() || !names->empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("destination ", destination, " is not empty"));
    }
    struct stat info;
    if (fstat(dir.get(), &info) != 0) return ErrnoStatus("fstat destination");
    return std::unique_ptr<Extractor>(new Extractor(std::move(dir), info, limits));
  }

  const struct stat& destination_info() const { return destination_info_; }
  const IntakeLimits& limits() const { return limits_; }

  // Checks one entry. Returns the cleaned entry (marked `skipped` for junk,
  // a repeated directory or the root itself), or an error naming the entry.
  absl::StatusOr<AdmittedEntry> Admit(absl::string_view raw, EntryKind kind,
                                      absl::string_view detail = "") {
    AdmittedEntry entry;
    entry.raw = std::string(raw);
    if (++entries_ > MaxEntries(limits_)) {
      return TooLarge(raw, absl::StrCat("more than ", MaxEntries(limits_), " entries"));
    }
    bool is_directory = kind == EntryKind::kDirectory;
    absl::StatusOr<std::vector<std::string>> components =
        CleanEntryPath(raw, is_directory, limits_);
    if (!components.ok()) return EntryError(raw, components.status().message());
    if (components->empty() || IsJunk(*components, is_directory)) {
      entry.skipped = true;
      return entry;
    }
    if (const char* refusal = RefusalOfKind(kind)) {
      return EntryError(raw, detail.empty() ? refusal : absl::StrCat(refusal, " (", detail, ")"));
    }
    entry.components = *std::move(components);
    entry.path = absl::StrJoin(entry.components, "/");
    // Every ancestor must be (or become) a directory.
    std::string ancestor;
    for (size_t i = 0; i + 1 < entry.components.size(); ++i) {
      absl::StrAppend(&ancestor, i == 0 ? "" : "/", entry.components[i]);
      auto it = created_.find(ancestor);
      if (it != created_.end() && !it->second) {
        return EntryError(raw, absl::StrCat("\"", ancestor, "\" is a file, not a directory"));
      }
    }
    auto it = created_.find(entry.path);
    if (it != created_.end()) {
      // A directory listed twice is harmless; anything else is a duplicate.
      if (is_directory && it->second) {
        entry.skipped = true;
        return entry;
      }
      return EntryError(raw, "duplicate entry (the path appears more than once)");
    }
    if (!is_directory && static_cast<int>(files_.size()) >= limits_.max_files) {
      return TooLarge(raw, absl::StrCat("more than ", limits_.max_files, " files"));
    }
    RETURN_IF_ERROR(CheckCaseCollisions(entry));
    return entry;
  }

  // Refuses a path that, or whose ancestor, differs from an admitted one only
  // in letter case: it would be the same file on a case-insensitive file
  // system, and Go refuses such modules. Records the path and its ancestors.
  absl::Status CheckCaseCollisions(const AdmittedEntry& entry) {
    std::string prefix;
    for (const std::string& component : entry.components) {
      absl::StrAppend(&prefix, prefix.empty() ? "" : "/", component);
      auto [it, inserted] = case_folded_.try_emplace(absl::AsciiStrToLower(prefix), prefix);
      if (!inserted && it->second != prefix) {
        return EntryError(entry.raw, absl::StrCat(Quote(prefix), " and ", Quote(it->second),
                                                  " differ only in letter case"));
      }
    }
    return absl::OkStatus();
  }

  // Creates an admitted directory (and its parents), mode 0755.
  absl::Status CreateDirectory(const AdmittedEntry& entry) {
    ASSIGN_OR_RETURN(UniqueFd dir, OpenDirectoryChain(entry, entry.components.size()));
    return absl::OkStatus();
  }

  // Creates an admitted file, mode 0644, copying its content from `read`.
  absl::Status WriteFile(const AdmittedEntry& entry, const ChunkReader& read) {
    ASSIGN_OR_RETURN(UniqueFd parent, OpenDirectoryChain(entry, entry.components.size() - 1));
    const std::string& name = entry.components.back();
    UniqueFd out(openat(parent.get(), name.c_str(),
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!out.valid()) return ErrnoStatus(absl::StrCat("create ", Quote(entry.path)));
    created_[entry.path] = false;
    files_.push_back(entry.path);
    if (fchmod(out.get(), 0644) != 0) return ErrnoStatus("fchmod");
    int64_t file_bytes = 0;
    for (;;) {
      ASSIGN_OR_RETURN(size_t n, read(buffer_.data(), buffer_.size()));
      if (n == 0) break;
      file_bytes += static_cast<int64_t>(n);
      bytes_ += static_cast<int64_t>(n);
      if (file_bytes > limits_.max_file_bytes) {
        return TooLarge(entry.raw,
                        absl::StrCat("a file holds more than ", limits_.max_file_bytes, " bytes"));
      }
      if (bytes_ > limits_.max_total_bytes) {
        return TooLarge(entry.raw,
                        absl::StrCat("more than ", limits_.max_total_bytes, " bytes in total"));
      }
      RETURN_IF_ERROR(WriteAll(out.get(), absl::string_view(buffer_.data(), n)));
    }
    return absl::OkStatus();
  }

  // Counts the declared size of a skipped (junk) archive entry, which the
  // archive reader will still have to decompress to skip.
  absl::Status CountSkippedBytes(absl::string_view raw, int64_t size) {
    skipped_bytes_ += std::max<int64_t>(0, size);
    if (skipped_bytes_ > limits_.max_total_bytes) {
      return TooLarge(raw, absl::StrCat("skipped VCS and editor files hold more than ",
                                        limits_.max_total_bytes, " bytes"));
    }
    return absl::OkStatus();
  }

  // Ends intake: on error empties the destination and returns `status`;
  // otherwise strips a GitHub-style top directory and returns the summary.
  absl::StatusOr<IntakeSummary> Finish(absl::Status status) {
    if (status.ok()) status = StripTopDirectory();
    IntakeSummary summary;
    if (status.ok()) {
      summary.files = static_cast<int>(files_.size());
      summary.bytes = bytes_;
    }
    if (!status.ok()) {
      absl::Status cleared = RemoveDirectoryContents(destination_.get());
      if (!cleared.ok()) {
        return absl::Status(status.code(),
                            absl::StrCat(status.message(),
                                         "; emptying the destination failed: ", cleared.message()));
      }
      return status;
    }
    return summary;
  }

 private:
  Extractor(UniqueFd destination, const struct stat& info, const IntakeLimits& limits)
      : destination_(std::move(destination)),
        destination_info_(info),
        limits_(limits),
        buffer_(kCopyBufferBytes) {}

  // Opens (creating as needed) the directory made of the first `count`
  // components of `entry`, one component at a time, never following links.
  absl::StatusOr<UniqueFd> OpenDirectoryChain(const AdmittedEntry& entry, size_t count) {
    UniqueFd dir(fcntl(destination_.get(), F_DUPFD_CLOEXEC, 0));
    if (!dir.valid()) return ErrnoStatus("dup");
    std::string path;
    for (size_t i = 0; i < count; ++i) {
      const std::string& name = entry.components[i];
      absl::StrAppend(&path, i == 0 ? "" : "/", name);
      bool created = false;
      if (!created_.count(path)) {
        if (mkdirat(dir.get(), name.c_str(), 0755) != 0) {
          return ErrnoStatus(absl::StrCat("create directory ", Quote(path)));
        }
        created_[path] = true;
        created = true;
      }
      ASSIGN_OR_RETURN(UniqueFd child, OpenDirectoryAt(dir.get(), name));
      if (created && fchmod(child.get(), 0755) != 0) return ErrnoStatus("fchmod");
      dir = std::move(child);
    }
    return dir;
  }

  // GitHub's "Download ZIP" puts the module in "<repo>-<branch>/": when the
  // only top-level entry is a directory holding go.mod, move its contents up.
  absl::Status StripTopDirectory() {
    std::vector<std::string> top;
    for (const auto& [path, is_directory] : created_) {
      if (path.find('/') == std::string::npos) top.push_back(path);
    }
    if (top.size() != 1 || !created_[top[0]]) return absl::OkStatus();
    const std::string prefix = top[0] + "/";
    auto go_mod = created_.find(prefix + "go.mod");
    if (go_mod == created_.end() || go_mod->second) return absl::OkStatus();

    std::set<std::string> children;
    for (const auto& [path, is_directory] : created_) {
      if (absl::StartsWith(path, prefix) && path.find('/', prefix.size()) == std::string::npos) {
        children.insert(path.substr(prefix.size()));
      }
    }
    // Move the directory aside first when one of its children has its name.
    std::string holder = top[0];
    if (children.count(holder)) {
      holder += ".intake";
      while (children.count(holder)) holder += "_";
      if (renameat2(destination_.get(), top[0].c_str(), destination_.get(), holder.c_str(),
                    RENAME_NOREPLACE) != 0) {
        return ErrnoStatus("rename top directory");
      }
    }
    {
      ASSIGN_OR_RETURN(UniqueFd from, OpenDirectoryAt(destination_.get(), holder));
      for (const std::string& child : children) {
        if (renameat2(from.get(), child.c_str(), destination_.get(), child.c_str(),
                      RENAME_NOREPLACE) != 0) {
          return ErrnoStatus(absl::StrCat("move ", Quote(child), " out of ", Quote(top[0])));
        }
      }
    }
    if (unlinkat(destination_.get(), holder.c_str(), AT_REMOVEDIR) != 0) {
      return ErrnoStatus("remove top directory");
    }
    std::map<std::string, bool> stripped;
    for (const auto& [path, is_directory] : created_) {
      if (path != top[0]) stripped[path.substr(prefix.size())] = is_directory;
    }
    created_ = std::move(stripped);
    for (std::string& file : files_) file = file.substr(prefix.size());
    return absl::OkStatus();
  }

  UniqueFd destination_;
  struct stat destination_info_;
  IntakeLimits limits_;
  std::vector<char> buffer_;
  // Every path created, relative to the destination: true for directories.
  std::map<std::string, bool> created_;
  // Every admitted path and ancestor, by its lowercase form.
  std::map<std::string, std::string> case_folded_;
  std::vector<std::string> files_;
  int64_t entries_ = 0;
  int64_t bytes_ = 0;
  int64_t skipped_bytes_ = 0;
};

EntryKind KindOfMode(mode_t mode) {
  if (S_ISREG(mode)) return EntryKind::kRegular;
  if (S_ISDIR(mode)) return EntryKind::kDirectory;
  if (S_ISLNK(mode)) return EntryKind::kSymlink;
  if (S_ISCHR(mode) || S_ISBLK(mode)) return EntryKind::kDevice;
  if (S_ISFIFO(mode)) return EntryKind::kFifo;
  if (S_ISSOCK(mode)) return EntryKind::kSocket;
  return EntryKind::kOther;
}

// Copies the tree below the open directory `dirfd` (whose path in the
// submission is `prefix`), never following links.
absl::Status CopyDirectory(int dirfd, const std::string& prefix, Extractor& extractor) {
  const int64_t max_entries = MaxEntries(extractor.limits());
  absl::StatusOr<std::vector<std::string>> listed =
      ListDirectory(dirfd, static_cast<size_t>(max_entries));
  if (absl::IsInvalidArgument(listed.status())) {
    return TooLarge(prefix.empty() ? "." : prefix,
                    absl::StrCat("a directory holds more than ", max_entries, " entries"));
  }
  if (!listed.ok()) return listed.status();
  std::vector<std::string> names = *std::move(listed);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string path = prefix.empty() ? name : absl::StrCat(prefix, "/", name);
    struct stat info;
    if (fstatat(dirfd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus(absl::StrCat("stat ", Quote(path)));
    }
    EntryKind kind = KindOfMode(info.st_mode);
    if (kind == EntryKind::kRegular && info.st_nlink > 1) kind = EntryKind::kHardLink;
    if (kind == EntryKind::kDirectory) {
      const struct stat& destination = extractor.destination_info();
      if (info.st_dev == destination.st_dev && info.st_ino == destination.st_ino) {
        return absl::InvalidArgumentError(
            absl::StrCat("the destination is inside the source (at ", Quote(path), ")"));
      }
    }
    ASSIGN_OR_RETURN(AdmittedEntry entry, extractor.Admit(path, kind));
    if (entry.skipped) continue;
    if (kind == EntryKind::kDirectory) {
      ASSIGN_OR_RETURN(UniqueFd child, OpenDirectoryAt(dirfd, name));
      struct stat opened;
      if (fstat(child.get(), &opened) != 0) return ErrnoStatus("fstat");
      if (opened.st_dev != info.st_dev || opened.st_ino != info.st_ino) {
        return EntryError(path, "changed while it was being copied");
      }
      RETURN_IF_ERROR(extractor.CreateDirectory(entry));
      RETURN_IF_ERROR(CopyDirectory(child.get(), path, extractor));
      continue;
    }
    UniqueFd in(openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!in.valid()) return ErrnoStatus(absl::StrCat("open ", Quote(path)));
    struct stat opened;
    if (fstat(in.get(), &opened) != 0) return ErrnoStatus("fstat");
    if (!S_ISREG(opened.st_mode) || opened.st_nlink != 1 || opened.st_dev != info.st_dev ||
        opened.st_ino != info.st_ino) {
      return EntryError(path, "changed while it was being copied");
    }
    int fd = in.get();
    RETURN_IF_ERROR(extractor.WriteFile(
        entry, [fd, &path](char* buffer, size_t size) -> absl::StatusOr<size_t> {
          for (;;) {
            ssize_t n = read(fd, buffer, size);
            if (n >= 0) return static_cast<size_t>(n);
            if (errno != EINTR) return ErrnoStatus(absl::StrCat("read ", Quote(path)));
          }
        }));
  }
  return absl::OkStatus();
}

struct ArchiveReadFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchiveReader = std::unique_ptr<struct archive, ArchiveReadFree>;

// A reader of tar (ustar, pax, GNU), gzip-compressed tar and zip, and of
// nothing else: no "raw" format, so any other input is an error.
absl::StatusOr<ArchiveReader> NewArchiveReader() {
  ArchiveReader reader(archive_read_new());
  if (reader == nullptr) return absl::InternalError("archive_read_new failed");
  if (archive_read_support_filter_gzip(reader.get()) != ARCHIVE_OK ||
      archive_read_support_format_tar(reader.get()) != ARCHIVE_OK ||
      archive_read_support_format_zip(reader.get()) != ARCHIVE_OK) {
    return absl::InternalError(
        absl::StrCat("libarchive setup: ", archive_error_string(reader.get())));
  }
  return reader;
}

std::string ArchiveError(struct archive* a) {
  const char* message = archive_error_string(a);
  return message != nullptr ? message : "unknown error";
}

EntryKind KindOfArchiveEntry(struct archive_entry* entry) {
  if (archive_entry_hardlink(entry) != nullptr) return EntryKind::kHardLink;
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
      return EntryKind::kRegular;
    case AE_IFDIR:
      return EntryKind::kDirectory;
    case AE_IFLNK:
      return EntryKind::kSymlink;
    case AE_IFCHR:
    case AE_IFBLK:
      return EntryKind::kDevice;
    case AE_IFIFO:
      return EntryKind::kFifo;
    case AE_IFSOCK:
      return EntryKind::kSocket;
    default:
      return EntryKind::kOther;
  }
}

// Extracts every entry of an opened archive through `extractor`.
absl::Status CopyArchive(struct archive* a, Extractor& extractor) {
  const int64_t max_stream_bytes = MaxStreamBytes(extractor.limits());
  for (int index = 0;; ++index) {
    struct archive_entry* header = nullptr;
    int result = archive_read_next_header(a, &header);
    if (result == ARCHIVE_EOF) break;
    if (result < ARCHIVE_WARN) {
      if (index == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("not a .tar, .tar.gz or .zip archive: ", ArchiveError(a)));
      }
      return absl::InvalidArgumentError(
          absl::StrCat("cannot read the archive after ", index, " entries: ", ArchiveError(a)));
    }
    if (archive_filter_bytes(a, 0) > max_stream_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("too large: the archive expands to more than ", max_stream_bytes, " bytes"));
    }
    // Names are UTF-8 whatever the process locale; fall back to the raw bytes
    // (checked for UTF-8 by Admit) when libarchive cannot convert them.
    const char* name = archive_entry_pathname_utf8(header);
    if (name == nullptr) name = archive_entry_pathname(header);
    if (name == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("entry number ", index + 1, " has no name"));
    }
    EntryKind kind = KindOfArchiveEntry(header);
    std::string detail;
    if (kind == EntryKind::kSymlink && archive_entry_symlink(header) != nullptr) {
      detail = absl::StrCat("-> ", Quote(archive_entry_symlink(header)));
    } else if (kind == EntryKind::kHardLink) {
      detail = absl::StrCat("=> ", Quote(archive_entry_hardlink(header)));
    }
    ASSIGN_OR_RETURN(AdmittedEntry entry, extractor.Admit(name, kind, detail));
    if (entry.skipped) {
      if (archive_entry_size_is_set(header)) {
        RETURN_IF_ERROR(extractor.CountSkippedBytes(name, archive_entry_size(header)));
      }
      continue;
    }
    if (kind == EntryKind::kDirectory) {
      RETURN_IF_ERROR(extractor.CreateDirectory(entry));
      continue;
    }
    const std::string& raw = entry.raw;
    RETURN_IF_ERROR(
        extractor.WriteFile(entry, [a, &raw](char* buffer, size_t size) -> absl::StatusOr<size_t> {
          la_ssize_t n = archive_read_data(a, buffer, size);
          if (n < 0) return EntryError(raw, absl::StrCat("cannot read: ", ArchiveError(a)));
          return static_cast<size_t>(n);
        }));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<IntakeSummary> IntakeSubmission(const std::string& source,
                                               const std::string& destination,
                                               const IntakeLimits& limits) {
  ASSIGN_OR_RETURN(std::unique_ptr<Extractor> extractor, Extractor::Create(destination, limits));
  UniqueFd in(open(source.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!in.valid()) {
    if (errno == ELOOP) {
      return absl::InvalidArgumentError(
          absl::StrCat("submission ", source, " is a symbolic link; give the real path"));
    }
    return ErrnoStatus(absl::StrCat("open submission ", source));
  }
  struct stat info;
  if (fstat(in.get(), &info) != 0) return ErrnoStatus("fstat submission");
  if (S_ISDIR(info.st_mode)) {
    if (info.st_dev == extractor->destination_info().st_dev &&
        info.st_ino == extractor->destination_info().st_ino) {
      return absl::InvalidArgumentError("the destination is the source directory");
    }
    return extractor->Finish(CopyDirectory(in.get(), "", *extractor));
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("submission ", source, " is neither a directory nor an archive file"));
  }
  ASSIGN_OR_RETURN(ArchiveReader reader, NewArchiveReader());
  if (archive_read_open_fd(reader.get(), in.get(), kCopyBufferBytes) != ARCHIVE_OK) {
    return extractor->Finish(absl::InvalidArgumentError(
        absl::StrCat("not a .tar, .tar.gz or .zip archive: ", ArchiveError(reader.get()))));
  }
  return extractor->Finish(CopyArchive(reader.get(), *extractor));
}

absl::StatusOr<IntakeSummary> IntakeArchiveBytes(absl::string_view archive,
                                                 const std::string& destination,
                                                 const IntakeLimits& limits) {
  ASSIGN_OR_RETURN(std::unique_ptr<Extractor> extractor, Extractor::Create(destination, limits));
  ASSIGN_OR_RETURN(ArchiveReader reader, NewArchiveReader());
  if (archive_read_open_memory(reader.get(), archive.data(), archive.size()) != ARCHIVE_OK) {
    return extractor->Finish(absl::InvalidArgumentError(
        absl::StrCat("not a .tar, .tar.gz or .zip archive: ", ArchiveError(reader.get()))));
  }
  return extractor->Finish(CopyArchive(reader.get(), *extractor));
}

absl::StatusOr<IntakeSummary> IntakeFileMap(
    const std::vector<std::pair<std::string, std::string>>& files, const std::string& destination,
    const IntakeLimits& limits) {
  ASSIGN_OR_RETURN(std::unique_ptr<Extractor> extractor, Extractor::Create(destination, limits));
  auto copy_all = [&]() -> absl::Status {
    for (const auto& [name, content] : files) {
      ASSIGN_OR_RETURN(AdmittedEntry entry, extractor->Admit(name, EntryKind::kRegular));
      if (entry.skipped) continue;
      absl::string_view left = content;
      RETURN_IF_ERROR(
          extractor->WriteFile(entry, [&left](char* buffer, size_t size) -> absl::StatusOr<size_t> {
            size_t n = std::min(size, left.size());
            std::copy_n(left.data(), n, buffer);
            left.remove_prefix(n);
            return n;
          }));
    }
    return absl::OkStatus();
  };
  return extractor->Finish(copy_all());
}

}  // namespace gograder::core
