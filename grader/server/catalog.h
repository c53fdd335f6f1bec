// The exercise catalog of gograderd: every exercise of the rubrics directory,
// loaded once and validated (core::LoadAllExercises + core::ValidateExercise),
// shared by the service (which exercises Submit accepts, ListExercises) and
// the workers (the rubric a grading uses). Reload (SIGHUP, the admin RPC
// ReloadExercises) swaps in a new catalog only when every exercise in it is
// valid; otherwise the loaded one stays. A grading keeps the bundle it
// started with across a reload.
#ifndef GOGRADER_GRADER_SERVER_CATALOG_H_
#define GOGRADER_GRADER_SERVER_CATALOG_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grader/core/rubric/rubric.h"
#include "proto/gograder/v1/api.pb.h"

namespace gograder::server {

class ExerciseCatalog {
 public:
  using Bundle = std::shared_ptr<const core::ExerciseBundle>;

  // Loads and validates every exercise of `rubrics_dir`. FailedPrecondition
  // naming every problem (file:line:column for parse errors) when one is
  // invalid.
  static absl::StatusOr<std::unique_ptr<ExerciseCatalog>> Load(std::string rubrics_dir);

  // Loads the rubrics directory again and, when every exercise is valid,
  // replaces the catalog; returns what changed. On any problem the current
  // catalog stays and the error (FailedPrecondition) says why.
  absl::StatusOr<gograder::v1::ReloadExercisesResponse> Reload();

  // The exercise `id`; NotFound when the catalog has no such exercise.
  absl::StatusOr<Bundle> Find(absl::string_view id) const;

  // Every exercise, sorted by id.
  std::vector<Bundle> List() const;

  // The directory the exercises are loaded from.
  const std::string& rubrics_dir() const { return rubrics_dir_; }

 private:
  using Exercises = std::map<std::string, Bundle, std::less<>>;
  ExerciseCatalog(std::string rubrics_dir, std::shared_ptr<const Exercises> exercises)
      : rubrics_dir_(std::move(rubrics_dir)), exercises_(std::move(exercises)) {}
  std::shared_ptr<const Exercises> Snapshot() const;

  const std::string rubrics_dir_;
  std::mutex reload_mutex_;  // one reload at a time
  mutable std::mutex mutex_;
  std::shared_ptr<const Exercises> exercises_;
};

// One line for the log about a reload: what changed, or why nothing did.
std::string DescribeReload(const absl::StatusOr<gograder::v1::ReloadExercisesResponse>& reload);

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_CATALOG_H_
