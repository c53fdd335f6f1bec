// Copying module trees and sealed binaries (whole-file helpers: base/files.h).
#ifndef GOGRADER_GRADER_CORE_FILES_FILES_H_
#define GOGRADER_GRADER_CORE_FILES_FILES_H_

#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "base/files.h"

namespace gograder::core {

// Copies the regular files and directories of a module tree into `to`
// (created), never following a symlink. With `skip_tests`, *_test.go files
// are left out.
absl::Status CopyModule(const std::string& from, const std::string& to, bool skip_tests);

// Copies the regular file `from` (never through a symlink) to a new file
// `to` with mode 0111: it can be run but not read or changed by any uid other
// than ours, e.g. a compiled hidden test binary seen by the student's code.
absl::Status CopyExecuteOnly(const std::string& from, const std::string& to);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_FILES_FILES_H_
