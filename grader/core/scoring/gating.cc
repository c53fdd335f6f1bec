#include "grader/core/scoring/gating.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "grader/core/scoring/scoring.h"

namespace gograder::core {
namespace {

using ::gograder::v1::Exercise;
using ::gograder::v1::Phase;
using ::gograder::v1::StyleScaling;
using ::gograder::v1::TestResult;

bool IsStyle(const Criterion& criterion) {
  return criterion.has_vet() || criterion.has_gofmt() || criterion.has_static_rules();
}

bool IsBehaviourGroup(const Criterion& criterion) {
  return criterion.has_tests() && !criterion.tests().allocations();
}

// Why a required group does not vouch for the code, or "" when every test passed.
std::string RequirementFailure(const Criterion& group, const CriterionResult& result,
                               const std::map<std::string, TestResult>& tests) {
  int failed = 0;
  for (const std::string& name : result.tests()) {
    auto found = tests.find(name);
    if (found == tests.end() || found->second.status() != TestResult::PASSED) ++failed;
  }
  if (result.tests().empty()) return absl::StrCat(group.id(), " was not graded");
  if (failed == 0) return "";
  return absl::StrCat(failed, " of ", result.tests_size(), " tests of ", group.id(), " (",
                      group.title(), ") failed");
}

}  // namespace

StyleScaling EffectiveStyleScaling(const Exercise& exercise, const Phase& phase) {
  if (exercise.style_scaling() != v1::STYLE_SCALING_UNSPECIFIED) return exercise.style_scaling();
  if (phase.style_scaling() != v1::STYLE_SCALING_UNSPECIFIED) return phase.style_scaling();
  return v1::BY_TEST_POINTS;
}

std::vector<std::string> UnmetRequirements(const Exercise& exercise, const Criterion& criterion,
                                           const std::map<std::string, CriterionResult>& scored,
                                           const std::map<std::string, TestResult>& tests) {
  std::vector<std::string> failures;
  for (const std::string& id : criterion.requires_tests()) {
    auto group = std::find_if(exercise.criteria().begin(), exercise.criteria().end(),
                              [&](const Criterion& other) { return other.id() == id; });
    if (group == exercise.criteria().end()) {
      failures.push_back(
          absl::StrCat("it requires the unknown criterion ", id, " (a rubric error)"));
      continue;
    }
    auto result = scored.find(id);
    std::string failure = RequirementFailure(
        *group, result == scored.end() ? CriterionResult() : result->second, tests);
    if (!failure.empty()) failures.push_back(std::move(failure));
  }
  return failures;
}

void ApplyGates(const Exercise& exercise, StyleScaling scaling,
                const std::map<std::string, TestResult>& tests,
                std::vector<CriterionResult>& results) {
  std::map<std::string, CriterionResult> scored;
  for (int i = 0; i < exercise.criteria_size(); ++i) scored[exercise.criteria(i).id()] = results[i];
  // A requirement is judged on its group's test statuses, which no gate changes.
  for (int i = 0; i < exercise.criteria_size(); ++i) {
    std::vector<std::string> failures =
        UnmetRequirements(exercise, exercise.criteria(i), scored, tests);
    if (failures.empty()) continue;
    if (results[i].points() == 0) {
      results[i].set_reason(absl::StrCat(
          results[i].reason(), " (its requirement fails: ", absl::StrJoin(failures, "; "), ")"));
      continue;
    }
    results[i].set_reason(
        absl::StrCat("not scored: ", absl::StrJoin(failures, "; "),
                     "; this criterion counts only when the code it judges passes its tests"
                     " (measured: ",
                     results[i].reason(), ")"));
    results[i].set_points(0);
  }
  if (scaling != v1::BY_TEST_POINTS) return;
  double earned = 0, available = 0;
  for (int i = 0; i < exercise.criteria_size(); ++i) {
    if (!IsBehaviourGroup(exercise.criteria(i))) continue;
    earned += results[i].points();
    available += results[i].max_points();
  }
  if (available <= 0) return;
  double share = std::clamp(earned / available, 0.0, 1.0);
  if (share >= 1) return;
  for (int i = 0; i < exercise.criteria_size(); ++i) {
    if (!IsStyle(exercise.criteria(i)) || results[i].points() == 0) continue;
    double full = results[i].points();
    results[i].set_points(RoundPoints(full * share));
    results[i].set_reason(absl::StrFormat(
        "%s; scaled to %.0f%% (%.2f of %.2f points), the share of test points earned (%.2f of "
        "%.2f): style "
        "counts in proportion to working code",
        results[i].reason(), share * 100, results[i].points(), full, earned, available));
  }
}

}  // namespace gograder::core
