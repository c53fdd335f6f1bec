// Building the directories a grading runs in: the student's module as
// submitted (build, vet, gofmt, static rules, their own tests), and test
// workspaces where the hidden tests replace the student's tests, with the
// exercise's allowlisted modules required offline; and removing those a
// crashed process left behind.
#ifndef GOGRADER_GRADER_CORE_GRADING_WORKSPACE_H_
#define GOGRADER_GRADER_CORE_GRADING_WORKSPACE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grader/core/files/files.h"
#include "grader/core/rubric/rubric.h"
#include "grader/core/toolchain/toolchain.h"

namespace gograder::core {

// Requires the allowlisted modules the exercise names in the module at `dir`
// (appending to go.mod) and adds the toolchain's go.sum lines, so the offline
// go command resolves them from the read-only module cache.
absl::Status RequireExerciseModules(const std::string& dir, const gograder::v1::Exercise& exercise,
                                    const Toolchain& toolchain);

// A secret written into the generated TestMain: a run whose output does not
// end with its line was cut short (or forged) and its results are not trusted.
struct RunNonce {
  std::string key;    // random, hex
  std::string value;  // random, hex; printed as value ^ key so it is not a literal in the binary
  // The line the generated TestMain prints after m.Run returns.
  std::string Line() const;
};

// A fresh random nonce.
RunNonce NewRunNonce();

// Copies `files` (relative to the exercise's tests/; all hidden files when
// empty) into the module at `dir` and writes the generated TestMain into each
// directory that received one (and, for -race builds, an exit without the
// race runtime's 1 s sleep). Each copy's name gets a random part
// (zz_hidden_dedup_test.go -> zz_hidden_dedup_3fa9c2e1_test.go), so no
// #include, .incbin or embed pattern of the submission can name it. Fails if
// a hidden file's package clause cannot be read.
absl::Status AddHiddenTests(const std::string& dir, const ExerciseBundle& exercise,
                            const std::vector<std::string>& files, const RunNonce& nonce);

// Fills `dir` (created) with what a hidden test binary sees where it runs:
// the exercise's tests/ tree without any Go file (testdata/ and other
// fixtures) and the test package's directory, but no hidden source.
absl::Status PrepareTestRunDirectory(const std::string& dir, const ExerciseBundle& exercise);

// Claims `work_root` for this process (once; later calls do nothing):
// creates and locks owner-<pid>.lock there for the life of the process, then
// removes what processes that are gone left behind (a crash, a SIGKILL): their
// grade-<pid>-* workspaces, sandbox-<pid>-* scratch files and lock. A process
// counts as gone when its lock file is no longer locked, or, without one,
// when no process has its pid.
absl::Status ClaimWorkRoot(const std::string& work_root);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GRADING_WORKSPACE_H_
