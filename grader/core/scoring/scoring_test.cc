#include "grader/core/scoring/scoring.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using ::gograder::v1::TestResult;
using ::testing::HasSubstr;

Criterion Make(const std::string& id, double points) {
  Criterion criterion;
  criterion.set_id(id);
  criterion.set_title(id);
  criterion.set_points(points);
  return criterion;
}

TestResult Result(const std::string& name, TestResult::Status status,
                  const std::string& output = "") {
  TestResult test;
  test.set_name(name);
  test.set_status(status);
  test.set_output(output);
  return test;
}

TEST(ScoreTestGroupTest, PartialCreditWithReasons) {
  Criterion criterion = Make("tests.limits", 22);
  criterion.mutable_tests();
  auto result = ScoreTestGroup(
      criterion,
      {Result("TestHiddenLimits_A", TestResult::PASSED),
       Result("TestHiddenLimits_B", TestResult::FAILED,
              "=== RUN   TestHiddenLimits_B\n    x_test.go:12: max in-flight 50, want 4\n"),
       Result("TestHiddenLimits_C", TestResult::MISSING)});
  EXPECT_DOUBLE_EQ(result.points(), 7.33);
  EXPECT_EQ(result.max_points(), 22);
  EXPECT_THAT(result.reason(), HasSubstr("1 of 3 tests passed"));
  EXPECT_THAT(result.reason(),
              HasSubstr("TestHiddenLimits_B: x_test.go:12: max in-flight 50, want 4"));
  EXPECT_THAT(result.reason(), HasSubstr("TestHiddenLimits_C: did not run"));
}

TEST(ScoreTestGroupTest, AllOrNothingAndDuplicates) {
  Criterion criterion = Make("tests.model", 10);
  criterion.mutable_tests()->set_all_or_nothing(true);
  auto result = ScoreTestGroup(
      criterion, {Result("A", TestResult::PASSED), Result("B", TestResult::DUPLICATED)});
  EXPECT_EQ(result.points(), 0);
  EXPECT_THAT(result.reason(), HasSubstr("B: reported more than once"));
  EXPECT_EQ(ScoreTestGroup(criterion, {Result("A", TestResult::PASSED)}).points(), 10);
}

TEST(ScoreBenchmarkTest, BandsOnTheRatioOfMedians) {
  Criterion criterion = Make("bench.get", 10);
  criterion.mutable_benchmark()->set_benchmark("BenchmarkHiddenGet");
  EXPECT_EQ(ScoreBenchmark(criterion, {100, 110, 120}, {100, 100, 100}, "").points(), 10);  // 1.10x
  auto slow = ScoreBenchmark(criterion, {300, 310, 500}, {100, 100, 100}, "");              // 3.10x
  EXPECT_EQ(slow.points(), 2.5);
  EXPECT_NEAR(slow.ratio(), 3.1, 1e-9);
  EXPECT_THAT(slow.reason(), HasSubstr("median round ratio 3.10x"));
  EXPECT_EQ(ScoreBenchmark(criterion, {900}, {100}, "").points(), 0);
  auto failed = ScoreBenchmark(criterion, {}, {}, "the benchmark run failed: panic");
  EXPECT_EQ(failed.points(), 0);
  EXPECT_THAT(failed.reason(), HasSubstr("panic"));
}

TEST(ScoreBenchmarkTest, PairsRoundsSoADisturbedRoundDoesNotDecide) {
  Criterion criterion = Make("bench.mix", 10);
  criterion.mutable_benchmark()->set_benchmark("BenchmarkHiddenMix");
  // Round 2 ran while the machine was busy: both sides slowed down together.
  auto result = ScoreBenchmark(criterion, {100, 400, 105, 110, 400}, {95, 380, 100, 100, 390}, "");
  EXPECT_NEAR(result.ratio(), 100.0 / 95, 1e-9);
  EXPECT_EQ(result.points(), 10);
}

TEST(ScoreBenchmarkTest, CustomBands) {
  Criterion criterion = Make("bench", 10);
  auto* benchmark = criterion.mutable_benchmark();
  auto* band = benchmark->add_bands();
  band->set_max_ratio(1.5);
  band->set_share(1);
  band = benchmark->add_bands();
  band->set_max_ratio(3);
  band->set_share(0.5);
  EXPECT_EQ(ScoreBenchmark(criterion, {200}, {100}, "").points(), 5);
  EXPECT_EQ(ScoreBenchmark(criterion, {400}, {100}, "").points(), 0);
}

TEST(ScoreCoverageTest, LinearBetweenBounds) {
  Criterion criterion = Make("coverage", 20);
  criterion.mutable_coverage();
  EXPECT_EQ(ScoreCoverage(criterion, 50.0, "").points(), 0);
  EXPECT_EQ(ScoreCoverage(criterion, 72.5, "").points(), 10);
  EXPECT_EQ(ScoreCoverage(criterion, 99.0, "").points(), 20);
  EXPECT_THAT(ScoreCoverage(criterion, std::nullopt, "no tests").reason(), HasSubstr("no tests"));
}

RaceOutcome Outcome(bool completed, int tests, std::vector<std::string> failed, int races,
                    std::vector<std::string> racy, std::string problem = "") {
  RaceOutcome outcome;
  outcome.completed = completed;
  outcome.tests = tests;
  outcome.failed_tests = std::move(failed);
  outcome.races = races;
  outcome.racy_tests = std::move(racy);
  outcome.problem = std::move(problem);
  return outcome;
}

TEST(ScoreRaceTest, RacesAndIncompleteRuns) {
  Criterion criterion = Make("race", 17);
  EXPECT_EQ(ScoreRace(criterion, Outcome(true, 3, {}, 0, {})).points(), 17);
  auto racy = ScoreRace(criterion, Outcome(true, 3, {}, 2, {"TestHiddenLimits_A"}));
  EXPECT_EQ(racy.points(), 0);
  EXPECT_THAT(racy.reason(), HasSubstr("2 data race report(s) during TestHiddenLimits_A"));
  EXPECT_EQ(ScoreRace(criterion, Outcome(false, 3, {}, 0, {}, "TIME_LIMIT")).points(), 0);
}

TEST(ScoreRaceTest, FailingRaceTestsWithholdThePoints) {
  Criterion criterion = Make("race", 17);
  auto result =
      ScoreRace(criterion, Outcome(true, 4,
                                   {"TestHiddenRace_A: got 0 pages", "TestHiddenRace_B: failed",
                                    "TestHiddenRace_C: failed"},
                                   0, {}));
  EXPECT_EQ(result.points(), 0);
  EXPECT_THAT(result.reason(), HasSubstr("not scored: 3 of 4 race tests failed under -race"));
  EXPECT_THAT(result.reason(), HasSubstr("TestHiddenRace_A: got 0 pages"));
}

TEST(ScoreRulesTest, EqualShares) {
  Criterion criterion = Make("static", 5);
  EXPECT_EQ(ScoreRules(criterion, 3, {}).points(), 5);
  auto result = ScoreRules(criterion, 3, {"a.go:3: calls time.Sleep"});
  EXPECT_DOUBLE_EQ(result.points(), 3.33);
  EXPECT_THAT(result.reason(), HasSubstr("2 of 3 rules kept. a.go:3: calls time.Sleep"));
}

TEST(ScoreFindingsTest, CleanOrListed) {
  Criterion criterion = Make("vet", 5);
  EXPECT_EQ(ScoreFindings(criterion, {}, "clean").points(), 5);
  auto result = ScoreFindings(criterion, {"x.go:1: copylocks"}, "clean");
  EXPECT_EQ(result.points(), 0);
  EXPECT_THAT(result.reason(), HasSubstr("1 finding: x.go:1: copylocks"));
}

}  // namespace
}  // namespace gograder::core
