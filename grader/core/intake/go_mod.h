// The student's go.mod: a parser for its syntax and the checks that keep a
// submission buildable offline by the grader's own Go (no toolchain switch,
// no replace leaving the module, no module the grader cannot provide), plus a
// check of the submission tree (one module, no workspace, no vendor/).
#ifndef GOGRADER_GRADER_CORE_INTAKE_GO_MOD_H_
#define GOGRADER_GRADER_CORE_INTAKE_GO_MOD_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/gograder/v1/rubric.pb.h"

namespace gograder::core {

struct GoModRequire {
  std::string path;
  std::string version;
  bool indirect = false;  // marked "// indirect"
  int line = 0;
};

struct GoModReplace {
  std::string old_path;
  std::string old_version;  // empty: every version
  std::string new_path;
  std::string new_version;  // empty: new_path is a local directory
  int line = 0;
};

struct GoMod {
  std::string module;
  std::string go_version;
  std::string toolchain;
  int module_line = 0;
  int go_line = 0;
  int toolchain_line = 0;
  std::vector<GoModRequire> requirements;  // "requires" is a C++20 keyword
  std::vector<GoModReplace> replaces;
  std::vector<std::string> excludes;  // "path@version"
  std::vector<std::string> retracts;  // "v1.2.3" or "[v1.0.0, v1.1.0]"
  std::vector<std::string> godebug;   // "key=value"
  std::vector<std::string> tools;     // tool directives (Go 1.24)
  std::vector<std::string> ignores;   // ignore directives (Go 1.25)
};

// Parses go.mod syntax: directives, ( ) blocks, // comments, "quoted" and
// `raw` strings. Errors are InvalidArgument "go.mod:LINE: message".
absl::StatusOr<GoMod> ParseGoMod(absl::string_view text);

// Checks a parsed go.mod against the exercise: the module path is
// exercise.module(); the go line exists, is at least 1.21 and at most
// exercise.go_version() (default "1.26"; a version without a patch number
// bounds the language version, so "go 1.26.3" passes a bound of "1.26"); no
// toolchain line; no replace other than of a module the grader does not
// provide by a local directory inside the submission; every require names a
// module of exercise.modules() at the version given there. Returns
// InvalidArgument listing every problem, one per line, as
// "go.mod:LINE: <what is wrong and what to do>".
absl::Status CheckGoModForExercise(const GoMod& mod, const gograder::v1::Exercise& exercise);

// Checks the submission tree rooted at `module_root` (as written by intake):
// go.mod must be a file at the root, and no other go.mod may sit in a
// directory the go command builds (testdata/ and directories named ".*" or
// "_*" are ignored by it). go.work, go.work.sum (anywhere) and the root's
// vendor/ are removed, since they must not change what the grader builds; the
// returned notes say what was removed, for the student's report.
absl::StatusOr<std::vector<std::string>> CheckSubmissionTree(const std::string& module_root);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_INTAKE_GO_MOD_H_
