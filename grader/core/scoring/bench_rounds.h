// Interleaved benchmark rounds, student and reference, as pure bookkeeping:
// which runs count and what they measured. The grading runs the binaries.
#ifndef GOGRADER_GRADER_CORE_SCORING_BENCH_ROUNDS_H_
#define GOGRADER_GRADER_CORE_SCORING_BENCH_ROUNDS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace gograder::core {

// One run of one benchmark by one side's binary.
struct BenchmarkRun {
  std::string benchmark;   // the one benchmark it ran
  bool reference = false;  // the reference solution's binary, else the student's
  std::string out;         // its stdout (benchmark lines, then the nonce line)
  std::string nonce_line;  // printed by the binary once its benchmarks returned
  bool exited_ok = false;  // the run's verdict was OK
  std::string limit;       // why a limit cut it short; empty when none did
};

// ns/op samples per benchmark name, and why a benchmark's rounds stopped.
struct BenchmarkTally {
  std::map<std::string, std::vector<double>> student_ns, reference_ns;
  std::map<std::string, std::string>
      problems;  // by benchmark; none while its student runs complete
};

// The budget of a student's run: `factor` (default 20 when 0) times the
// reference's run of the same round, at least 2 s, at most `step_limit`.
absl::Duration StudentRunBudget(absl::Duration reference_run, double factor,
                                absl::Duration step_limit);

// Why a student's run killed at its `budget` scores nothing.
std::string OverBudgetReason(absl::Duration reference_run, double factor, absl::Duration budget);

// Adds `run` to `tally`: the median of its samples of `run.benchmark`, one
// entry per run, so that the entries of both sides pair up round by round.
// A student run that did not complete sets the
// benchmark's problem (its rounds stop; the student loses that benchmark
// only); a reference run that did not complete is our failure (Internal).
absl::Status RecordBenchmarkRun(const BenchmarkRun& run, BenchmarkTally& tally);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_SCORING_BENCH_ROUNDS_H_
