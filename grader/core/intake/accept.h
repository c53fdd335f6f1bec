// Accepting a submission: the one path by which a student's files become a
// module the grader will grade, used by the daemon's Submit and the CLI.
#ifndef GOGRADER_GRADER_CORE_INTAKE_ACCEPT_H_
#define GOGRADER_GRADER_CORE_INTAKE_ACCEPT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "grader/core/intake/intake.h"
#include "proto/gograder/v1/rubric.pb.h"

namespace gograder::core {

// Where a submission's files come from: exactly one of the three.
struct SubmissionSource {
  std::string path;                                        // a directory or an archive file
  std::string archive;                                     // archive bytes (an upload)
  std::vector<std::pair<std::string, std::string>> files;  // relative path -> content
  bool has_files = false;  // `files` is the source (it may be empty)
};

// A submission that passed every check, as it will be graded.
struct Accepted {
  std::string dir;  // the module root
  std::string
      digest;  // hex SHA-256 of the tree in `dir` (Sha256OfTree): the report's submission digest
  std::vector<std::string> notes;  // what was removed (vendor/, go.work), for the student's report
  int files = 0;
  int64_t bytes = 0;
};

// Writes the submission into `destination` (an existing empty directory)
// through intake (intake.h), removes what must not change the build
// (CheckSubmissionTree) and checks go.mod against `exercise`. Bad input is
// InvalidArgument naming the entry or the go.mod line; on any error
// `destination` is left empty.
absl::StatusOr<Accepted> AcceptSubmission(const SubmissionSource& source,
                                          const gograder::v1::Exercise& exercise,
                                          const std::string& destination,
                                          const IntakeLimits& limits = {});

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_INTAKE_ACCEPT_H_
