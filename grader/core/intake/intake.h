// Submission intake: copies a student's submission (a directory, a .tar,
// .tar.gz/.tgz or .zip archive, or a map of files) into a fresh workspace
// directory. Every name in a submission is hostile: intake refuses anything
// that could write outside the workspace or smuggle in links, devices or more
// data than the limits allow, and reports the offending entry by name.
#ifndef GOGRADER_GRADER_CORE_INTAKE_INTAKE_H_
#define GOGRADER_GRADER_CORE_INTAKE_INTAKE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder::core {

struct IntakeLimits {
  int max_files = 2000;
  // Counted while extracting (zip bombs), never taken from archive headers.
  int64_t max_total_bytes = 64 << 20;
  int64_t max_file_bytes = 16 << 20;
  int max_path_depth = 32;  // components of one path
  int max_path_bytes = 512;
};

struct IntakeSummary {
  int files = 0;      // regular files written
  int64_t bytes = 0;  // their total size
};

// Copies the submission at `source` into `destination`, an existing empty
// directory. `source` is a directory (walked without following symbolic links;
// `source` itself must not be one) or an archive file (tar, gzip-compressed tar
// or zip, recognized by content, not by name).
//
// Rejected with InvalidArgument naming the entry: absolute paths, ".."
// components, backslashes, NUL/control characters or invalid UTF-8 in names,
// paths longer than max_path_bytes or deeper than max_path_depth, a name of
// more than 255 bytes between slashes (NAME_MAX), symbolic and
// hard links, devices, FIFOs and sockets, duplicate entries, and (with a
// message starting "too large: ") more files or bytes than `limits` allow.
// Files are written 0644 and directories 0755 whatever the source says.
// VCS and editor junk (.git/, .hg/, .svn/, __MACOSX/, .DS_Store) is skipped.
// When everything sits in one top-level directory holding go.mod (GitHub's
// "Download ZIP" layout), that directory is stripped. Nothing is ever written
// outside `destination`, and on any error `destination` is left empty.
absl::StatusOr<IntakeSummary> IntakeSubmission(const std::string& source,
                                               const std::string& destination,
                                               const IntakeLimits& limits = {});

// Like IntakeSubmission, for an archive held in memory (a gRPC upload).
absl::StatusOr<IntakeSummary> IntakeArchiveBytes(absl::string_view archive,
                                                 const std::string& destination,
                                                 const IntakeLimits& limits = {});

// Like IntakeSubmission, for a map of relative path -> file content (a gRPC
// request's map<string, bytes>). Directories are implied by the paths.
absl::StatusOr<IntakeSummary> IntakeFileMap(
    const std::vector<std::pair<std::string, std::string>>& files, const std::string& destination,
    const IntakeLimits& limits = {});

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_INTAKE_INTAKE_H_
