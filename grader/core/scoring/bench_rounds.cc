#include "grader/core/scoring/bench_rounds.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grader/core/go_output/bench_output.h"

namespace gograder::core {

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
    tally.problem = absl::StrCat("the benchmark run failed: ", why);
    return absl::OkStatus();
  }
  for (const BenchmarkSample& sample : ParseBenchmarkOutput(run.out)) {
    (run.reference ? tally.reference_ns : tally.student_ns)[sample.name].push_back(
        sample.ns_per_op);
  }
  return absl::OkStatus();
}

}  // namespace gograder::core
