#include "grader/core/scoring/gating.h"

#include "gmock/gmock.h"
#include "grader/core/scoring/scoring.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using ::gograder::v1::Exercise;
using ::gograder::v1::TestResult;
using ::testing::HasSubstr;

// tests.model 40 + tests.ttl 20, allocs 10 (requires model), bench 10
// (requires model), race 10 (requires ttl), vet 5, gofmt 5.
Exercise MakeExercise() {
  Exercise exercise;
  for (const auto& [id, points] : std::vector<std::pair<std::string, double>>{{"tests.model", 40},
                                                                              {"tests.ttl", 20},
                                                                              {"allocs", 10},
                                                                              {"bench", 10},
                                                                              {"race", 10},
                                                                              {"vet", 5},
                                                                              {"gofmt", 5}}) {
    Criterion* criterion = exercise.add_criteria();
    criterion->set_id(id);
    criterion->set_title(id);
    criterion->set_points(points);
  }
  exercise.mutable_criteria(0)->mutable_tests();
  exercise.mutable_criteria(1)->mutable_tests();
  exercise.mutable_criteria(2)->mutable_tests()->set_allocations(true);
  exercise.mutable_criteria(2)->add_requires_tests("tests.model");
  exercise.mutable_criteria(3)->mutable_benchmark()->set_benchmark("BenchmarkX");
  exercise.mutable_criteria(3)->add_requires_tests("tests.model");
  exercise.mutable_criteria(4)->mutable_race();
  exercise.mutable_criteria(4)->add_requires_tests("tests.ttl");
  exercise.mutable_criteria(5)->mutable_vet();
  exercise.mutable_criteria(6)->mutable_gofmt();
  return exercise;
}

// Every criterion at full points; groups list their tests.
std::vector<CriterionResult> FullResults(const Exercise& exercise) {
  std::vector<CriterionResult> results;
  for (const Criterion& criterion : exercise.criteria()) {
    CriterionResult result = EmptyResult(criterion);
    result.set_points(criterion.points());
    result.set_reason("measured");
    results.push_back(result);
  }
  results[0].add_tests("TestModelA");
  results[0].add_tests("TestModelB");
  results[1].add_tests("TestTTL");
  results[2].add_tests("TestAllocs");
  return results;
}

std::map<std::string, TestResult> Tests(const std::map<std::string, TestResult::Status>& statuses) {
  std::map<std::string, TestResult> tests;
  for (const auto& [name, status] : statuses) {
    tests[name].set_name(name);
    tests[name].set_status(status);
  }
  return tests;
}

TEST(ApplyGatesTest, AllTestsPassingKeepsEveryPoint) {
  Exercise exercise = MakeExercise();
  auto results = FullResults(exercise);
  ApplyGates(exercise, v1::BY_TEST_POINTS,
             Tests({{"TestModelA", TestResult::PASSED},
                    {"TestModelB", TestResult::PASSED},
                    {"TestTTL", TestResult::PASSED},
                    {"TestAllocs", TestResult::PASSED}}),
             results);
  for (const CriterionResult& result : results)
    EXPECT_EQ(result.points(), result.max_points()) << result.id();
}

TEST(ApplyGatesTest, AFailingRequiredGroupWithholdsOnlyItsDependents) {
  Exercise exercise = MakeExercise();
  auto results = FullResults(exercise);
  results[0].set_points(20);  // one of two model tests failed
  ApplyGates(exercise, v1::UNSCALED,
             Tests({{"TestModelA", TestResult::PASSED},
                    {"TestModelB", TestResult::FAILED},
                    {"TestTTL", TestResult::PASSED},
                    {"TestAllocs", TestResult::PASSED}}),
             results);
  EXPECT_EQ(results[2].points(), 0);
  EXPECT_THAT(results[2].reason(),
              HasSubstr("not scored: 1 of 2 tests of tests.model (tests.model) failed"));
  EXPECT_THAT(results[2].reason(), HasSubstr("(measured: measured)"));
  EXPECT_EQ(results[3].points(), 0);
  EXPECT_EQ(results[4].points(), 10);  // race requires tests.ttl, which passed
  EXPECT_EQ(results[5].points(), 5);   // unscaled
}

TEST(ApplyGatesTest, StyleScalesWithBehaviourPointsOnly) {
  Exercise exercise = MakeExercise();
  auto results = FullResults(exercise);
  results[0].set_points(10);  // 10 of 40
  results[1].set_points(20);  // 20 of 20: 30 of 60 behaviour points, allocs not counted
  ApplyGates(exercise, v1::BY_TEST_POINTS,
             Tests({{"TestModelA", TestResult::FAILED},
                    {"TestModelB", TestResult::PASSED},
                    {"TestTTL", TestResult::PASSED},
                    {"TestAllocs", TestResult::PASSED}}),
             results);
  EXPECT_DOUBLE_EQ(results[5].points(), 2.5);
  EXPECT_THAT(results[5].reason(), HasSubstr("scaled to 50% (2.50 of 5.00 points)"));
  EXPECT_DOUBLE_EQ(results[6].points(), 2.5);
}

TEST(ApplyGatesTest, AnEmptyPackageEarnsNothing) {
  Exercise exercise = MakeExercise();
  auto results = FullResults(exercise);
  results[0].set_points(0);
  results[1].set_points(0);
  ApplyGates(exercise, v1::BY_TEST_POINTS,
             Tests({{"TestModelA", TestResult::FAILED},
                    {"TestModelB", TestResult::MISSING},
                    {"TestTTL", TestResult::FAILED},
                    {"TestAllocs", TestResult::PASSED}}),
             results);
  double total = 0;
  for (const CriterionResult& result : results) total += result.points();
  EXPECT_EQ(total, 0);
  EXPECT_THAT(results[4].reason(), HasSubstr("1 of 1 tests of tests.ttl (tests.ttl) failed"));
}

TEST(EffectiveStyleScalingTest, ExerciseOverridesPhase) {
  Exercise exercise;
  v1::Phase phase;
  EXPECT_EQ(EffectiveStyleScaling(exercise, phase), v1::BY_TEST_POINTS);
  phase.set_style_scaling(v1::UNSCALED);
  EXPECT_EQ(EffectiveStyleScaling(exercise, phase), v1::UNSCALED);
  exercise.set_style_scaling(v1::BY_TEST_POINTS);
  EXPECT_EQ(EffectiveStyleScaling(exercise, phase), v1::BY_TEST_POINTS);
}

}  // namespace
}  // namespace gograder::core
