// A class's submissions as teachers hand them in: a directory with one module
// per student (a folder, or an archive named after the student), an archive
// of such a directory, or a GitHub Classroom assignment (a roster CSV and the
// folder of cloned student repositories).
#ifndef GOGRADER_GRADER_CLI_CLASS_INPUT_H_
#define GOGRADER_GRADER_CLI_CLASS_INPUT_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gograder::cli {

// One student of the class.
struct ClassEntry {
  std::string id;      // student id (the roster's identifier with a roster)
  std::string path;    // their module: a directory or an archive; empty = nothing handed in
  std::string commit;  // HEAD of their repository, when it is a git clone
};

// The students of `input`, sorted by id. Without `roster`, `input` is a
// directory (or an archive of one, extracted into `scratch`) whose entries
// are the students: folders, or <id>.zip/.tar/.tar.gz/.tgz. With `roster` (a
// GitHub Classroom roster CSV with identifier and github_username columns),
// `input` holds the cloned repositories, each named <assignment>-<username>
// (or <username>); every roster row is a student, one without a repository
// has an empty path. Entries that fit nothing are reported on `err` and left
// out. Bad input (two entries for one student, a roster without its columns)
// is InvalidArgument naming the file and line.
absl::StatusOr<std::vector<ClassEntry>> ListClass(const std::string& input,
                                                  const std::string& roster,
                                                  const std::string& scratch, std::ostream& err);

// The committer time of `commit` in the git clone at `dir` (read with `git
// cat-file`, which runs no hooks, with no configuration but the clone's own),
// or none when it cannot be read.
std::optional<absl::Time> CommitTime(const std::string& dir, const std::string& commit);

// The commit a git clone's HEAD points at (40 hex digits), or "" when `dir`
// is no clone or its HEAD cannot be resolved.
std::string HeadCommit(const std::string& dir);

}  // namespace gograder::cli

#endif  // GOGRADER_GRADER_CLI_CLASS_INPUT_H_
