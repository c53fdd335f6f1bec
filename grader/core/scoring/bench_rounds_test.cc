#include "grader/core/scoring/bench_rounds.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/go_output/go_output_fixtures.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kNonce[] = "gograder-run-complete 0123abcd";

TEST(RecordBenchmarkRunTest, CompleteRunsAddTheirSamplesPerSide) {
  const std::string out = ReadGoOutputFixture("bench.txt") + kNonce + "\n";
  BenchmarkTally tally;
  ASSERT_TRUE(RecordBenchmarkRun({false, out, kNonce, true, ""}, tally).ok());
  ASSERT_TRUE(RecordBenchmarkRun({true, out, kNonce, true, ""}, tally).ok());
  EXPECT_TRUE(tally.problem.empty());
  EXPECT_THAT(tally.student_ns["BenchmarkJoin"], SizeIs(6));
  EXPECT_EQ(tally.student_ns, tally.reference_ns);
}

TEST(RecordBenchmarkRunTest, AStudentRunWithoutTheNonceStopsTheRounds) {
  BenchmarkTally tally;
  ASSERT_TRUE(
      RecordBenchmarkRun({false, ReadGoOutputFixture("bench.txt"), kNonce, true, ""}, tally).ok());
  EXPECT_THAT(tally.problem, HasSubstr("the benchmark run failed"));
  EXPECT_TRUE(tally.student_ns.empty());  // a run that did not complete measures nothing
}

TEST(RecordBenchmarkRunTest, AStudentLimitIsTheProblem) {
  BenchmarkTally tally;
  ASSERT_TRUE(RecordBenchmarkRun({false, "", kNonce, false, "CPU time limit (20 s)"}, tally).ok());
  EXPECT_EQ(tally.problem, "the benchmark run failed: CPU time limit (20 s)");
}

TEST(RecordBenchmarkRunTest, AFailedReferenceRunIsOurFailure) {
  BenchmarkTally tally;
  absl::Status status = RecordBenchmarkRun({true, "panic: boom\n", kNonce, false, ""}, tally);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(status.message(),
              HasSubstr("reference solution's benchmark run failed: panic: boom"));
}

}  // namespace
}  // namespace gograder::core
