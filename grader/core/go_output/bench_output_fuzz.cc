// libFuzzer target: the output of `go test -bench` (plain text or -json)
// read by ParseBenchmarkOutput, then MedianNsPerOp of every name found, as
// the benchmark rounds do.
#include <cmath>

#include "base/fuzzing.h"
#include "grader/core/go_output/bench_output.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gograder::core;
  using gograder::FuzzExpect;
  std::vector<BenchmarkSample> samples = ParseBenchmarkOutput(gograder::FuzzInput(data, size));
  for (const BenchmarkSample& sample : samples) {
    FuzzExpect(sample.iterations > 0, "a sample has a positive iteration count");
    FuzzExpect(std::isfinite(sample.ns_per_op) && sample.ns_per_op >= 0,
               "a sample's ns/op is finite and not negative");
    FuzzExpect(sample.procs >= 1, "procs is at least 1");
    FuzzExpect(IsBenchmarkName(sample.name.substr(0, sample.name.find('/'))),
               "a sample is a benchmark's");
    absl::StatusOr<double> median = MedianNsPerOp(samples, sample.name);
    FuzzExpect(median.ok() && std::isfinite(*median) && *median >= 0,
               "the median of a name found is finite and not negative");
  }
  return 0;
}
