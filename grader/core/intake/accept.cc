#include "grader/core/intake/accept.h"

#include <filesystem>

#include "base/status_macros.h"
#include "grader/core/files/digest.h"
#include "grader/core/files/files.h"
#include "grader/core/intake/go_mod.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<Accepted> CheckAccepted(const IntakeSummary& summary,
                                       const gograder::v1::Exercise& exercise,
                                       const std::string& destination) {
  Accepted accepted{destination, "", {}, summary.files, summary.bytes};
  ASSIGN_OR_RETURN(accepted.notes, CheckSubmissionTree(destination));
  // CheckSubmissionTree made sure go.mod is a file at the root.
  ASSIGN_OR_RETURN(GoMod go_mod, ParseGoMod(ReadFileOrEmpty(fs::path(destination) / "go.mod")));
  RETURN_IF_ERROR(CheckGoModForExercise(go_mod, exercise));
  ASSIGN_OR_RETURN(accepted.digest, Sha256OfTree(destination));
  return accepted;
}

}  // namespace

absl::StatusOr<Accepted> AcceptSubmission(const SubmissionSource& source,
                                          const gograder::v1::Exercise& exercise,
                                          const std::string& destination,
                                          const IntakeLimits& limits) {
  absl::StatusOr<IntakeSummary> summary =
      source.has_files       ? IntakeFileMap(source.files, destination, limits)
      : !source.path.empty() ? IntakeSubmission(source.path, destination, limits)
                             : IntakeArchiveBytes(source.archive, destination, limits);
  if (!summary.ok()) return summary.status();  // intake left `destination` empty
  absl::StatusOr<Accepted> accepted = CheckAccepted(*summary, exercise, destination);
  if (!accepted.ok()) {
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(destination, error)) {
      fs::remove_all(entry.path(), error);
    }
  }
  return accepted;
}

}  // namespace gograder::core
