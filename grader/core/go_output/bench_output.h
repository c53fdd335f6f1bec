// Benchmark results from the output of `go test -bench`.
#ifndef GOGRADER_GRADER_CORE_GO_OUTPUT_BENCH_OUTPUT_H_
#define GOGRADER_GRADER_CORE_GO_OUTPUT_BENCH_OUTPUT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder::core {

// One result line of a benchmark.
struct BenchmarkSample {
  std::string name;  // "BenchmarkJoin", "BenchmarkJoin/n=64": without the -N suffix
  int procs = 1;     // the -N suffix (GOMAXPROCS); 1 when there is none
  int64_t iterations = 0;
  double ns_per_op = 0;
  double bytes_per_op = -1;   // -1 without -benchmem
  double allocs_per_op = -1;  // -1 without -benchmem
};

// Reads the result lines ("BenchmarkX-2   \t  200000\t      1234 ns/op\t  16
// B/op\t  1 allocs/op", other "value unit" metrics allowed and ignored) of
// `go test -bench`, from its plain text or from `go test -json` events, whose
// Output fields are joined per package first (test2json may split one result
// line over two events). A line counts only with a positive iteration count
// and a finite, non-negative ns/op. A trailing "-N" is taken as the procs
// suffix, as Go's own tools do, so a sub-benchmark named "size-8" run with
// GOMAXPROCS=1 reads as "size" with procs 8.
std::vector<BenchmarkSample> ParseBenchmarkOutput(absl::string_view text);

// Whether a test name ("BenchmarkJoin/n=64") is a benchmark's: "Benchmark"
// alone or followed by a character that is not a lower-case letter.
bool IsBenchmarkName(absl::string_view name);

// Median ns/op of the samples named `name` (a name without -N suffix; the
// samples of every procs count pooled), or NotFound when there is none.
absl::StatusOr<double> MedianNsPerOp(const std::vector<BenchmarkSample>& samples,
                                     absl::string_view name);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GO_OUTPUT_BENCH_OUTPUT_H_
