// File-descriptor helpers shared by submission intake and the submission-tree
// check. Every function works relative to a directory fd, never follows a
// symbolic link and never leaves the directory it starts from.
#ifndef GOGRADER_GRADER_CORE_INTAKE_FS_H_
#define GOGRADER_GRADER_CORE_INTAKE_FS_H_

#include <unistd.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder::core::intake_internal {

// Owns one file descriptor and closes it.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Opens the directory `name` (one path component) inside `dirfd` for reading,
// refusing a symbolic link at `name`.
absl::StatusOr<UniqueFd> OpenDirectoryAt(int dirfd, const std::string& name);

// Returns the names in the directory `dirfd` (without "." and ".."), or an
// error once there are more than `max_names`.
absl::StatusOr<std::vector<std::string>> ListDirectory(int dirfd, size_t max_names);

// Removes everything inside the directory `dirfd`, never following links.
absl::Status RemoveDirectoryContents(int dirfd);

// Removes `name` inside `dirfd`: a file, or a directory with all it holds.
absl::Status RemoveTreeAt(int dirfd, const std::string& name);

// Writes all of `data` to `fd`, retrying short writes.
absl::Status WriteAll(int fd, absl::string_view data);

}  // namespace gograder::core::intake_internal

#endif  // GOGRADER_GRADER_CORE_INTAKE_FS_H_
