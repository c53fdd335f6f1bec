#include "grader/server/catalog.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gograder::server {
namespace {

using Exercises = std::map<std::string, ExerciseCatalog::Bundle, std::less<>>;

// Every exercise of `rubrics_dir`, or FailedPrecondition listing what is wrong.
absl::StatusOr<std::shared_ptr<const Exercises>> LoadValidExercises(
    const std::string& rubrics_dir) {
  absl::StatusOr<std::vector<core::ExerciseBundle>> loaded = core::LoadAllExercises(rubrics_dir);
  if (!loaded.ok()) return absl::FailedPreconditionError(loaded.status().message());
  std::vector<std::string> problems;
  auto exercises = std::make_shared<Exercises>();
  for (core::ExerciseBundle& bundle : *loaded) {
    if (absl::Status valid = core::ValidateExercise(bundle); !valid.ok()) {
      problems.push_back(std::string(valid.message()));
      continue;
    }
    std::string id = bundle.exercise.id();
    exercises->emplace(std::move(id),
                       std::make_shared<const core::ExerciseBundle>(std::move(bundle)));
  }
  if (!problems.empty()) return absl::FailedPreconditionError(absl::StrJoin(problems, "; "));
  if (exercises->empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no exercises in ", rubrics_dir, " (expected <phase>/<name>/exercise.textproto)"));
  }
  return exercises;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ExerciseCatalog>> ExerciseCatalog::Load(std::string rubrics_dir) {
  absl::StatusOr<std::shared_ptr<const Exercises>> exercises = LoadValidExercises(rubrics_dir);
  if (!exercises.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot load the exercises of ", rubrics_dir,
                                                      ": ", exercises.status().message()));
  }
  return std::unique_ptr<ExerciseCatalog>(
      new ExerciseCatalog(std::move(rubrics_dir), *std::move(exercises)));
}

absl::StatusOr<gograder::v1::ReloadExercisesResponse> ExerciseCatalog::Reload() {
  std::lock_guard<std::mutex> reloading(reload_mutex_);
  std::shared_ptr<const Exercises> old = Snapshot();
  absl::StatusOr<std::shared_ptr<const Exercises>> loaded = LoadValidExercises(rubrics_dir_);
  if (!loaded.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the exercises were not reloaded (the ", old->size(),
                     " loaded ones stay): ", loaded.status().message()));
  }
  gograder::v1::ReloadExercisesResponse changes;
  for (const auto& [id, bundle] : **loaded) {
    auto before = old->find(id);
    if (before == old->end()) {
      changes.add_added(id);
    } else if (before->second->digest != bundle->digest) {
      changes.add_changed(id);
    }
  }
  for (const auto& [id, bundle] : *old) {
    if (!(*loaded)->contains(id)) changes.add_removed(id);
  }
  changes.set_exercises(static_cast<int32_t>((*loaded)->size()));
  std::lock_guard<std::mutex> lock(mutex_);
  exercises_ = *std::move(loaded);
  return changes;
}

absl::StatusOr<ExerciseCatalog::Bundle> ExerciseCatalog::Find(absl::string_view id) const {
  std::shared_ptr<const Exercises> exercises = Snapshot();
  auto it = exercises->find(id);
  if (it == exercises->end()) {
    return absl::NotFoundError(
        absl::StrCat("unknown exercise \"", id, "\" (ListExercises names the known ones)"));
  }
  return it->second;
}

std::vector<ExerciseCatalog::Bundle> ExerciseCatalog::List() const {
  std::shared_ptr<const Exercises> exercises = Snapshot();
  std::vector<Bundle> list;
  for (const auto& [id, bundle] : *exercises) list.push_back(bundle);
  return list;
}

std::shared_ptr<const ExerciseCatalog::Exercises> ExerciseCatalog::Snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return exercises_;
}

std::string DescribeReload(const absl::StatusOr<gograder::v1::ReloadExercisesResponse>& reload) {
  if (!reload.ok()) return std::string(reload.status().message());
  auto ids = [](const auto& list) {
    return list.empty() ? std::string("none") : absl::StrJoin(list, ", ");
  };
  return absl::StrCat("reloaded ", reload->exercises(),
                      " exercise(s); added: ", ids(reload->added()),
                      "; removed: ", ids(reload->removed()), "; changed: ", ids(reload->changed()));
}

}  // namespace gograder::server
