#include "grader/core/intake/intake_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace gograder::core::intake_internal {

absl::StatusOr<UniqueFd> OpenDirectoryAt(int dirfd, const std::string& name) {
  UniqueFd fd(openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(absl::StrCat("open directory ", name));
  return fd;
}

absl::StatusOr<std::vector<std::string>> ListDirectory(int dirfd, size_t max_names) {
  // A fresh open description, so that the caller's fd offset is untouched.
  UniqueFd fd(openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("open directory");
  DIR* dir = fdopendir(fd.get());
  if (dir == nullptr) return ErrnoStatus("fdopendir");
  fd.release();  // Owned by `dir` now.
  std::vector<std::string> names;
  absl::Status status;
  errno = 0;
  while (struct dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (names.size() >= max_names) {
      status = absl::InvalidArgumentError(
          absl::StrCat("too large: a directory holds more than ", max_names, " entries"));
      break;
    }
    names.push_back(std::move(name));
    errno = 0;
  }
  if (status.ok() && errno != 0) status = ErrnoStatus("readdir");
  closedir(dir);
  if (!status.ok()) return status;
  return names;
}

absl::Status RemoveDirectoryContents(int dirfd) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirectory(dirfd, SIZE_MAX));
  for (const std::string& name : names) RETURN_IF_ERROR(RemoveTreeAt(dirfd, name));
  return absl::OkStatus();
}

absl::Status RemoveTreeAt(int dirfd, const std::string& name) {
  if (unlinkat(dirfd, name.c_str(), 0) == 0) return absl::OkStatus();
  if (errno != EISDIR) return ErrnoStatus(absl::StrCat("remove ", name));
  {
    ASSIGN_OR_RETURN(UniqueFd child, OpenDirectoryAt(dirfd, name));
    RETURN_IF_ERROR(RemoveDirectoryContents(child.get()));
  }
  if (unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0) {
    return ErrnoStatus(absl::StrCat("remove directory ", name));
  }
  return absl::OkStatus();
}

}  // namespace gograder::core::intake_internal
