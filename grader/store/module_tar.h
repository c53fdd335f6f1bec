// A submission's module as one byte string, for stores that keep files in a
// database: a deterministic tar of its regular files and directories (the
// same tree always packs to the same bytes, so equal modules share one
// content-addressed blob), and the way back to a directory, refusing any
// archive that could write outside it.
#ifndef GOGRADER_GRADER_STORE_MODULE_TAR_H_
#define GOGRADER_GRADER_STORE_MODULE_TAR_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder::store {

// The tree below `dir` as a tar (GNU format): its directories and
// regular files in sorted path order, with modes 0755 and 0644, owner 0 and
// time 0, so only the paths and contents decide the bytes. InvalidArgument
// naming the entry for a symbolic link or anything else that is neither a
// file nor a directory; NotFound when `dir` does not exist.
absl::StatusOr<std::string> PackModule(const std::string& dir);

// Writes the entries of the tar `tar` into `destination`, an existing empty
// directory. Only regular files and directories with relative paths whose
// components are neither empty, "." nor ".." are accepted; anything else
// (absolute paths, "..", links, devices, an entry twice) is InvalidArgument
// naming the entry, and a malformed tar is DataLoss. On error `destination`
// may hold part of the tree: unpack into a directory of your own (as
// CachedModuleDir does).
absl::Status UnpackModule(absl::string_view tar, const std::string& destination);

// The directory `cache_dir`/`digest` holding the module whose tar has the
// SHA-256 `digest` (64 lowercase hex digits); on first use, `fetch` supplies
// the tar, which must match the digest (DataLoss if not), and it is unpacked
// into a temporary directory beside it that is then renamed into place: a
// directory there is always complete, and several threads or processes may
// ask at once. InvalidArgument for a digest that is not 64 hex digits.
absl::StatusOr<std::string> CachedModuleDir(const std::string& cache_dir, const std::string& digest,
                                            absl::FunctionRef<absl::StatusOr<std::string>()> fetch);

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_MODULE_TAR_H_
