// Interleaved benchmark rounds, student and reference, as pure bookkeeping:
// which runs count and what they measured. The grading runs the binaries.
#ifndef GOGRADER_GRADER_CORE_SCORING_BENCH_ROUNDS_H_
#define GOGRADER_GRADER_CORE_SCORING_BENCH_ROUNDS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace gograder::core {

// One run of one side's benchmark binary.
struct BenchmarkRun {
  bool reference = false;  // the reference solution's binary, else the student's
  std::string out;         // its stdout (benchmark lines, then the nonce line)
  std::string nonce_line;  // printed by the binary once its benchmarks returned
  bool exited_ok = false;  // the run's verdict was OK
  std::string limit;       // why a limit cut it short; empty when none did
};

// ns/op samples per benchmark name, and why the student's rounds stopped.
struct BenchmarkTally {
  std::map<std::string, std::vector<double>> student_ns, reference_ns;
  std::string problem;  // empty while every student run completed
};

// Adds `run` to `tally`. A student run that did not complete sets
// tally.problem (the rounds stop; the student loses the benchmarks); a
// reference run that did not complete is our failure (Internal).
absl::Status RecordBenchmarkRun(const BenchmarkRun& run, BenchmarkTally& tally);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_SCORING_BENCH_ROUNDS_H_
