#include "grader/core/go_output/bench_output.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/go_output/go_output_fixtures.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::vector<std::string> NamesWithProcs(const std::vector<BenchmarkSample>& samples) {
  std::vector<std::string> names;
  for (const BenchmarkSample& sample : samples) {
    names.push_back(sample.name + "@" + std::to_string(sample.procs));
  }
  return names;
}

// -count 3 -cpu 1,2 -benchmem over BenchmarkJoin and BenchmarkJoinSizes/n={1,64}.
const std::vector<std::string>& CapturedNames() {
  static const auto* names = [] {
    auto* list = new std::vector<std::string>;
    for (const char* name :
         {"BenchmarkJoin", "BenchmarkJoinSizes/n=1", "BenchmarkJoinSizes/n=64"}) {
      for (const char* procs : {"@1", "@2"}) {
        for (int i = 0; i < 3; ++i) list->push_back(std::string(name) + procs);
      }
    }
    return list;
  }();
  return *names;
}

TEST(ParseBenchmarkOutputTest, PlainTextResults) {
  const std::vector<BenchmarkSample> samples =
      ParseBenchmarkOutput(ReadGoOutputFixture("bench.txt"));
  EXPECT_EQ(NamesWithProcs(samples), CapturedNames());
  for (const BenchmarkSample& sample : samples) {
    EXPECT_EQ(sample.iterations, 2000) << sample.name;
    EXPECT_GT(sample.ns_per_op, 0) << sample.name;
    if (sample.name == "BenchmarkJoin") {
      EXPECT_EQ(sample.bytes_per_op, 32);
      EXPECT_EQ(sample.allocs_per_op, 1);
    } else if (sample.name == "BenchmarkJoinSizes/n=64") {
      EXPECT_EQ(sample.bytes_per_op, 1280);  // after the extra "items/op" metric
      EXPECT_EQ(sample.allocs_per_op, 2);
    }
  }
}

TEST(ParseBenchmarkOutputTest, JsonEventsGiveTheSameResults) {
  // In the JSON stream most result lines carry no Test field, and test2json
  // may split one over two output events (the capture had some).
  const std::vector<BenchmarkSample> samples =
      ParseBenchmarkOutput(ReadGoOutputFixture("bench.json"));
  EXPECT_EQ(NamesWithProcs(samples), CapturedNames());
  for (const BenchmarkSample& sample : samples) EXPECT_EQ(sample.iterations, 2000);
}

TEST(ParseBenchmarkOutputTest, ResultWithoutBenchmem) {
  EXPECT_THAT(ParseBenchmarkOutput(ReadGoOutputFixture("bench_fail.json")), SizeIs(1));
  const std::vector<BenchmarkSample> samples =
      ParseBenchmarkOutput("BenchmarkLogs-2     \t     100\t        69.60 ns/op\n");
  ASSERT_THAT(samples, SizeIs(1));
  EXPECT_EQ(samples[0].name, "BenchmarkLogs");
  EXPECT_EQ(samples[0].procs, 2);
  EXPECT_EQ(samples[0].iterations, 100);
  EXPECT_DOUBLE_EQ(samples[0].ns_per_op, 69.6);
  EXPECT_EQ(samples[0].bytes_per_op, -1);
  EXPECT_EQ(samples[0].allocs_per_op, -1);
}

TEST(ParseBenchmarkOutputTest, IgnoresEverythingElse) {
  EXPECT_THAT(ParseBenchmarkOutput(""), IsEmpty());
  EXPECT_THAT(ParseBenchmarkOutput("goos: linux\n"
                                   "BenchmarkJoin\n"  // name line of -v
                                   "--- FAIL: BenchmarkFails\n"
                                   "Benchmarking is fun 100 1 ns/op\n"  // not a benchmark name
                                   "BenchmarkX\tmany\t5 ns/op\n"        // no iteration count
                                   "BenchmarkX\t0\t5 ns/op\n"           // zero iterations
                                   "BenchmarkX\t10\t5 B/op\n"           // no ns/op
                                   "BenchmarkX\t10\t5 ns/op\t3\n"       // dangling value
                                   "BenchmarkX\t10\tNaN ns/op\n"        // not finite
                                   "BenchmarkX\t10\t-3 ns/op\n"         // negative
                                   "BenchmarkX\t10\tfast ns/op\n"       // not a number
                                   "prefixBenchmarkX\t10\t5 ns/op\n"    // glued to output
                                   "PASS\nok  \texample.com/m\t0.1s\n"),
              IsEmpty());
}

TEST(ParseBenchmarkOutputTest, ProcsSuffixAndNames) {
  const std::vector<BenchmarkSample> samples = ParseBenchmarkOutput(
      "Benchmark-8 10 1 ns/op\n"
      "BenchmarkA/size-8 10 1 ns/op\n"  // ambiguous: read as procs 8, as Go's tools do
      "BenchmarkA/case#01-4 10 1 ns/op\n"
      "BenchmarkA/x- 10 1 ns/op\n"
      "BenchmarkA/y-0 10 1 ns/op\n"
      "Benchmark_under-16 10 1 ns/op\r\n");
  EXPECT_THAT(NamesWithProcs(samples),
              ElementsAre("Benchmark@8", "BenchmarkA/size@8", "BenchmarkA/case#01@4",
                          "BenchmarkA/x-@1", "BenchmarkA/y-0@1", "Benchmark_under@16"));
}

TEST(ParseBenchmarkOutputTest, JsonOutputJoinedPerPackage) {
  const std::vector<BenchmarkSample> samples = ParseBenchmarkOutput(
      R"({"Action":"output","Package":"p","Output":"BenchmarkP-2 \t"}
{"Action":"output","Package":"q","Output":"BenchmarkQ \t 10\t 7 ns/op\n"}
{"Action":"output","Package":"p","Test":"BenchmarkP","Output":"  20\t 3.5 ns/op\t 8 B/op\t 1 allocs/op\n"}
{"Action":"pass","Package":"p"}
BenchmarkPlain 30 9 ns/op
{"Action":"output","Package":"p","Output":"BenchmarkTail 5 1 ns/op"}
)");
  ASSERT_THAT(NamesWithProcs(samples),
              ElementsAre("BenchmarkQ@1", "BenchmarkP@2", "BenchmarkPlain@1", "BenchmarkTail@1"));
  EXPECT_EQ(samples[1].iterations, 20);
  EXPECT_DOUBLE_EQ(samples[1].ns_per_op, 3.5);
  EXPECT_EQ(samples[1].bytes_per_op, 8);
}

TEST(MedianNsPerOpTest, PoolsEveryProcsCountOfTheName) {
  const std::vector<BenchmarkSample> samples = ParseBenchmarkOutput(
      "BenchmarkA 10 5 ns/op\nBenchmarkA-2 10 1 ns/op\nBenchmarkA 10 3 ns/op\n"
      "BenchmarkB 10 100 ns/op\nBenchmarkB 10 200 ns/op\n"
      "BenchmarkA/sub 10 1000 ns/op\n");
  EXPECT_EQ(*MedianNsPerOp(samples, "BenchmarkA"), 3);
  EXPECT_EQ(*MedianNsPerOp(samples, "BenchmarkB"), 150);  // even count: mean of the middle two
  EXPECT_EQ(*MedianNsPerOp(samples, "BenchmarkA/sub"), 1000);
  EXPECT_THAT(MedianNsPerOp(samples, "BenchmarkC"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(MedianNsPerOp(samples, "BenchmarkA-2"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(MedianNsPerOp({}, "BenchmarkA"), StatusIs(absl::StatusCode::kNotFound));
}

TEST(MedianNsPerOpTest, CapturedRunMedianLiesAmongItsSamples) {
  const std::vector<BenchmarkSample> samples =
      ParseBenchmarkOutput(ReadGoOutputFixture("bench.txt"));
  std::vector<double> join;
  for (const BenchmarkSample& sample : samples) {
    if (sample.name == "BenchmarkJoin") join.push_back(sample.ns_per_op);
  }
  ASSERT_THAT(join, SizeIs(6));
  std::sort(join.begin(), join.end());
  const absl::StatusOr<double> median = MedianNsPerOp(samples, "BenchmarkJoin");
  ASSERT_TRUE(median.ok()) << median.status();
  EXPECT_DOUBLE_EQ(*median, (join[2] + join[3]) / 2);
}

TEST(IsBenchmarkNameTest, FollowsTheTestingPackageRule) {
  EXPECT_TRUE(IsBenchmarkName("Benchmark"));
  EXPECT_TRUE(IsBenchmarkName("BenchmarkJoin"));
  EXPECT_TRUE(IsBenchmarkName("Benchmark_x"));
  EXPECT_TRUE(IsBenchmarkName("Benchmark/sub"));
  EXPECT_FALSE(IsBenchmarkName("Benchmarking"));
  EXPECT_FALSE(IsBenchmarkName("TestBenchmark"));
  EXPECT_FALSE(IsBenchmarkName(""));
}

}  // namespace
}  // namespace gograder::core
