// File-descriptor helpers shared by submission intake and the submission-tree
// check. Every function works relative to a directory fd, never follows a
// symbolic link and never leaves the directory it starts from.
#ifndef GOGRADER_GRADER_CORE_INTAKE_INTAKE_FS_H_
#define GOGRADER_GRADER_CORE_INTAKE_INTAKE_FS_H_

#include <unistd.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/fd.h"

namespace gograder::core::intake_internal {

using ::gograder::UniqueFd;

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

}  // namespace gograder::core::intake_internal

#endif  // GOGRADER_GRADER_CORE_INTAKE_INTAKE_FS_H_
