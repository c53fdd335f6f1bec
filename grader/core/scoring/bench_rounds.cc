#include "grader/core/scoring/bench_rounds.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grader/core/go_output/bench_output.h"
#include "grader/core/scoring/scoring.h"

namespace gograder::core {

namespace {
constexpr double kDefaultBudgetFactor = 20;
constexpr absl::Duration kMinimumBudget = absl::Seconds(2);
}  // namespace

absl::Duration StudentRunBudget(absl::Duration reference_run, double factor,
                                absl::Duration step_limit) {
  if (factor <= 0) factor = kDefaultBudgetFactor;
  absl::Duration budget = std::max(kMinimumBudget, reference_run * factor);
  return step_limit > absl::ZeroDuration() ? std::min(step_limit, budget) : budget;
}

std::string OverBudgetReason(absl::Duration reference_run, double factor, absl::Duration budget) {
  if (factor <= 0) factor = kDefaultBudgetFactor;
  return absl::StrFormat(
      "it ran longer than %gx the reference's run of the same round (%.1f s; the reference took "
      "%.2f s) "
      "and was stopped",
      factor, absl::ToDoubleSeconds(budget), absl::ToDoubleSeconds(reference_run));
}

absl::Status RecordBenchmarkRun(const BenchmarkRun& run, BenchmarkTally& tally) {
  if (!run.exited_ok || !absl::StrContains(run.out, run.nonce_line)) {
    constexpr size_t kTail = 800;
    std::string why =
        !run.limit.empty()
            ? run.limit
            : std::string(absl::StripAsciiWhitespace(absl::string_view(run.out).substr(
                  run.out.size() > kTail ? run.out.size() - kTail : 0)));
    if (run.reference)
      return absl::InternalError("the reference solution's benchmark run failed: " + why);
    tally.problems[run.benchmark] = absl::StrCat("the benchmark run failed: ", why);
    return absl::OkStatus();
  }
  std::vector<double> samples;
  for (const BenchmarkSample& sample : ParseBenchmarkOutput(run.out)) {
    if (sample.name == run.benchmark) samples.push_back(sample.ns_per_op);
  }
  if (samples.empty()) {
    if (run.reference)
      return absl::InternalError(
          absl::StrCat("the reference solution's run printed no result for ", run.benchmark));
    tally.problems[run.benchmark] = absl::StrCat("the run printed no result for ", run.benchmark);
    return absl::OkStatus();
  }
  (run.reference ? tally.reference_ns : tally.student_ns)[run.benchmark].push_back(
      Median(std::move(samples)));
  return absl::OkStatus();
}

}  // namespace gograder::core
