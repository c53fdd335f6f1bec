#include "grader/core/scoring/bench_rounds.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/go_output/go_output_fixtures.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kNonce[] = "gograder-run-complete 0123abcd";

TEST(RecordBenchmarkRunTest, ACompleteRunAddsTheMedianOfItsSamplesPerSide) {
  // bench.txt has six samples of BenchmarkJoin (94.47 90.34 76.38 73.43
  // 92.54 82.61 ns/op) and others of BenchmarkJoinSizes, which do not count.
  const std::string out = ReadGoOutputFixture("bench.txt") + kNonce + "\n";
  BenchmarkTally tally;
  ASSERT_OK(RecordBenchmarkRun({"BenchmarkJoin", false, out, kNonce, true, ""}, tally));
  ASSERT_OK(RecordBenchmarkRun({"BenchmarkJoin", true, out, kNonce, true, ""}, tally));
  ASSERT_OK(RecordBenchmarkRun({"BenchmarkJoin", true, out, kNonce, true, ""}, tally));
  EXPECT_TRUE(tally.problems.empty());
  EXPECT_THAT(tally.student_ns["BenchmarkJoin"], ElementsAre(DoubleEq((82.61 + 90.34) / 2)));
  EXPECT_THAT(tally.reference_ns["BenchmarkJoin"], SizeIs(2));  // one entry per run
  EXPECT_EQ(tally.student_ns.count("BenchmarkJoinSizes/n=1"), 0u);
}

TEST(RecordBenchmarkRunTest, ARunWithoutItsBenchmarkMeasuresNothing) {
  const std::string out = ReadGoOutputFixture("bench.txt") + kNonce + "\n";
  BenchmarkTally tally;
  ASSERT_OK(RecordBenchmarkRun({"BenchmarkOther", false, out, kNonce, true, ""}, tally));
  EXPECT_EQ(tally.problems["BenchmarkOther"], "the run printed no result for BenchmarkOther");
  EXPECT_THAT(RecordBenchmarkRun({"BenchmarkOther", true, out, kNonce, true, ""}, tally),
              StatusIs(absl::StatusCode::kInternal));
}

TEST(RecordBenchmarkRunTest, AStudentRunWithoutTheNonceStopsTheRounds) {
  BenchmarkTally tally;
  ASSERT_TRUE(
      RecordBenchmarkRun(
          {"BenchmarkJoin", false, ReadGoOutputFixture("bench.txt"), kNonce, true, ""}, tally)
          .ok());
  EXPECT_THAT(tally.problems["BenchmarkJoin"], HasSubstr("the benchmark run failed"));
  EXPECT_TRUE(tally.student_ns.empty());  // a run that did not complete measures nothing
}

TEST(RecordBenchmarkRunTest, AStudentLimitIsTheProblem) {
  BenchmarkTally tally;
  ASSERT_TRUE(RecordBenchmarkRun(
                  {"BenchmarkJoin", false, "", kNonce, false, "CPU time limit (20 s)"}, tally)
                  .ok());
  EXPECT_EQ(tally.problems["BenchmarkJoin"], "the benchmark run failed: CPU time limit (20 s)");
}

TEST(StudentRunBudgetTest, AFactorOfTheReferenceBetweenAFloorAndTheStepLimit) {
  const absl::Duration step = absl::Seconds(120);
  EXPECT_EQ(StudentRunBudget(absl::Seconds(1), 0, step), absl::Seconds(20));  // default 20x
  EXPECT_EQ(StudentRunBudget(absl::Seconds(1), 5, step), absl::Seconds(5));
  EXPECT_EQ(StudentRunBudget(absl::Milliseconds(10), 20, step), absl::Seconds(2));  // the floor
  EXPECT_EQ(StudentRunBudget(absl::Seconds(30), 20, step), step);
  EXPECT_EQ(StudentRunBudget(absl::Seconds(30), 20, absl::ZeroDuration()), absl::Seconds(600));
  EXPECT_EQ(OverBudgetReason(absl::Seconds(1), 0, absl::Seconds(20)),
            "it ran longer than 20x the reference's run of the same round (20.0 s; the reference "
            "took 1.00 s) and was stopped");
}

TEST(RecordBenchmarkRunTest, AFailedReferenceRunIsOurFailure) {
  BenchmarkTally tally;
  absl::Status status =
      RecordBenchmarkRun({"BenchmarkJoin", true, "panic: boom\n", kNonce, false, ""}, tally);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(status.message(),
              HasSubstr("reference solution's benchmark run failed: panic: boom"));
}

}  // namespace
}  // namespace gograder::core
