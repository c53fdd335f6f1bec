// Scoring: from what the steps measured to points per criterion, each with a
// reason a student can act on. Pure functions: the evidence in, the result out.
#ifndef GOGRADER_GRADER_CORE_SCORING_SCORING_H_
#define GOGRADER_GRADER_CORE_SCORING_SCORING_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "proto/gograder/v1/report.pb.h"
#include "proto/gograder/v1/rubric.pb.h"

namespace gograder::core {

using gograder::v1::Criterion;
using gograder::v1::CriterionResult;

// A criterion result with id, title, visibility and max points filled in, 0 points.
CriterionResult EmptyResult(const Criterion& criterion);

// One line on why a test did not pass: "TestX: <first line of its failure>".
std::string DescribeTest(const gograder::v1::TestResult& test);

// Hidden tests of the group (the report's results for exactly the tests the
// group expects): points * passed / expected, or all-or-nothing.
CriterionResult ScoreTestGroup(const Criterion& criterion,
                               const std::vector<gograder::v1::TestResult>& expected);

// Findings of one tool (vet, gofmt): full points when there are none.
CriterionResult ScoreFindings(const Criterion& criterion, const std::vector<std::string>& findings,
                              absl::string_view clean_reason);

// What the race step found.
struct RaceOutcome {
  bool completed = false;  // the race run ran to the end (no crash, limit or build failure)
  int tests = 0;           // hidden tests the race run ran
  std::vector<std::string>
      failed_tests;  // of those, the ones that did not pass under -race (with why)
  int races = 0;     // "WARNING: DATA RACE" reports
  std::vector<std::string> racy_tests;  // tests during which a race was reported
  std::string problem;                  // why it did not complete
};
// Full points only when the run completed, every race test passed under
// -race and no race was reported.
CriterionResult ScoreRace(const Criterion& criterion, const RaceOutcome& outcome);

// Benchmark ratio, banded: the median over rounds of student ns/op divided by
// the reference's ns/op of the same (interleaved) round.
CriterionResult ScoreBenchmark(const Criterion& criterion, const std::vector<double>& student_ns,
                               const std::vector<double>& reference_ns, absl::string_view problem);

// Coverage of the student's own tests, linear between the criterion's bounds.
CriterionResult ScoreCoverage(const Criterion& criterion, std::optional<double> percent,
                              absl::string_view problem);

// One equal share per rule; `broken` lists the reasons of broken rules.
CriterionResult ScoreRules(const Criterion& criterion, int rules,
                           const std::vector<std::string>& broken);

// Median of a non-empty list.
double Median(std::vector<double> values);

// Rounds points to two decimals for stable reports.
double RoundPoints(double points);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_SCORING_SCORING_H_
