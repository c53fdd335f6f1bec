#include "grader/core/scoring/scoring.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace gograder::core {
namespace {

using gograder::v1::TestResult;

constexpr int kMaxListed = 5;

std::string ListSome(const std::vector<std::string>& items) {
  std::vector<std::string> shown(items.begin(),
                                 items.begin() + std::min<size_t>(items.size(), kMaxListed));
  std::string text = absl::StrJoin(shown, "; ");
  if (items.size() > shown.size())
    absl::StrAppend(&text, "; and ", items.size() - shown.size(), " more");
  return text;
}

// The first line of a test's output that says why it failed.
std::string FirstFailureLine(const TestResult& test) {
  for (absl::string_view line : absl::StrSplit(test.output(), '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || absl::StartsWith(trimmed, "=== ") || absl::StartsWith(trimmed, "--- "))
      continue;
    return std::string(trimmed.substr(0, 300));
  }
  return "";
}

}  // namespace

std::string DescribeTest(const TestResult& test) {
  switch (test.status()) {
    case TestResult::MISSING:
      return absl::StrCat(test.name(), ": did not run (",
                          test.output().empty()
                              ? "its file did not compile or the test binary crashed"
                              : FirstFailureLine(test),
                          ")");
    case TestResult::DUPLICATED:
      return absl::StrCat(test.name(),
                          ": reported more than once (forged or conflicting results earn nothing)");
    case TestResult::SKIPPED:
      return absl::StrCat(test.name(), ": skipped");
    default: {
      std::string why = FirstFailureLine(test);
      return why.empty() ? absl::StrCat(test.name(), ": failed")
                         : absl::StrCat(test.name(), ": ", why);
    }
  }
}

double RoundPoints(double points) { return std::round(points * 100) / 100; }

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

CriterionResult EmptyResult(const Criterion& criterion) {
  CriterionResult result;
  result.set_id(criterion.id());
  result.set_title(criterion.title());
  result.set_max_points(criterion.points());
  result.set_visibility(criterion.visibility());
  return result;
}

CriterionResult ScoreTestGroup(const Criterion& criterion,
                               const std::vector<TestResult>& expected) {
  CriterionResult result = EmptyResult(criterion);
  std::vector<std::string> problems;
  int passed = 0;
  for (const TestResult& test : expected) {
    result.add_tests(test.name());
    if (test.status() == TestResult::PASSED) {
      ++passed;
    } else {
      problems.push_back(DescribeTest(test));
    }
  }
  if (expected.empty()) {
    result.set_reason("no hidden test belongs to this criterion (a rubric error)");
    return result;
  }
  double share = static_cast<double>(passed) / expected.size();
  if (criterion.tests().all_or_nothing() && passed != static_cast<int>(expected.size())) share = 0;
  result.set_points(RoundPoints(criterion.points() * share));
  if (problems.empty()) {
    result.set_reason(absl::StrCat("all ", expected.size(), " tests passed"));
  } else {
    result.set_reason(absl::StrCat(passed, " of ", expected.size(), " tests passed",
                                   criterion.tests().all_or_nothing() ? " (all needed)" : "", ". ",
                                   ListSome(problems)));
  }
  return result;
}

CriterionResult ScoreFindings(const Criterion& criterion, const std::vector<std::string>& findings,
                              absl::string_view clean_reason) {
  CriterionResult result = EmptyResult(criterion);
  if (findings.empty()) {
    result.set_points(criterion.points());
    result.set_reason(std::string(clean_reason));
  } else {
    result.set_reason(absl::StrCat(
        findings.size(), findings.size() == 1 ? " finding: " : " findings: ", ListSome(findings)));
  }
  return result;
}

CriterionResult ScoreRace(const Criterion& criterion, const RaceOutcome& outcome) {
  CriterionResult result = EmptyResult(criterion);
  if (!outcome.completed) {
    result.set_reason(absl::StrCat("the race detector run did not complete: ", outcome.problem));
  } else if (outcome.races > 0) {
    result.set_reason(absl::StrCat(
        outcome.races, " data race report(s)", outcome.racy_tests.empty() ? "" : " during ",
        ListSome(outcome.racy_tests), "; see the test output for the two conflicting accesses"));
  } else if (!outcome.failed_tests.empty()) {
    result.set_reason(
        absl::StrCat("not scored: ", outcome.failed_tests.size(), " of ", outcome.tests,
                     " race tests failed under -race (race freedom counts only for code that "
                     "works): ",
                     ListSome(outcome.failed_tests)));
  } else {
    result.set_points(criterion.points());
    result.set_reason("no data race detected");
  }
  return result;
}

CriterionResult ScoreBenchmark(const Criterion& criterion, const std::vector<double>& student_ns,
                               const std::vector<double>& reference_ns, absl::string_view problem) {
  CriterionResult result = EmptyResult(criterion);
  const std::string& name = criterion.benchmark().benchmark();
  if (!problem.empty() || student_ns.empty() || reference_ns.empty()) {
    result.set_reason(absl::StrCat(
        name, " did not produce a result: ", problem.empty() ? "no samples" : problem));
    return result;
  }
  double student = Median(student_ns), reference = Median(reference_ns);
  // Rounds interleave student and reference runs, so a pair shares the
  // machine's state at that moment: the median of per-round ratios cancels
  // slow drifts and outlier rounds better than a ratio of medians.
  std::vector<double> ratios;
  for (size_t i = 0; i < std::min(student_ns.size(), reference_ns.size()); ++i) {
    if (reference_ns[i] > 0) ratios.push_back(student_ns[i] / reference_ns[i]);
  }
  double ratio = ratios.empty() ? 0 : Median(ratios);
  result.set_student_ns_per_op(student);
  result.set_reference_ns_per_op(reference);
  result.set_ratio(ratio);
  std::vector<std::pair<double, double>> bands;
  for (const auto& band : criterion.benchmark().bands())
    bands.push_back({band.max_ratio(), band.share()});
  if (bands.empty()) bands = {{1.25, 1.0}, {2, 0.6}, {4, 0.25}};
  double share = 0;
  for (const auto& [max_ratio, band_share] : bands) {
    if (ratio <= max_ratio) {
      share = band_share;
      break;
    }
  }
  result.set_points(RoundPoints(criterion.points() * share));
  result.set_reason(absl::StrFormat(
      "%s: %.0f ns/op vs reference %.0f ns/op (medians of %d interleaved rounds; median round "
      "ratio %.2fx): "
      "%.0f%% of the points",
      name, student, reference, static_cast<int>(student_ns.size()), ratio, share * 100));
  return result;
}

CriterionResult ScoreCoverage(const Criterion& criterion, std::optional<double> percent,
                              absl::string_view problem) {
  CriterionResult result = EmptyResult(criterion);
  if (!percent) {
    result.set_reason(absl::StrCat("no coverage measured: ", problem));
    return result;
  }
  double zero = criterion.coverage().zero_percent() ? criterion.coverage().zero_percent() : 60;
  double full = criterion.coverage().full_percent() ? criterion.coverage().full_percent() : 85;
  double share = std::clamp((*percent - zero) / (full - zero), 0.0, 1.0);
  result.set_points(RoundPoints(criterion.points() * share));
  result.set_reason(
      absl::StrFormat("your tests cover %.1f%% of statements (0 points at %.0f%%, full at %.0f%%)",
                      *percent, zero, full));
  return result;
}

CriterionResult ScoreRules(const Criterion& criterion, int rules,
                           const std::vector<std::string>& broken) {
  CriterionResult result = EmptyResult(criterion);
  if (rules <= 0) {
    result.set_points(criterion.points());
    result.set_reason("no rules");
    return result;
  }
  int kept = std::max(0, rules - static_cast<int>(broken.size()));
  result.set_points(RoundPoints(criterion.points() * kept / rules));
  result.set_reason(broken.empty()
                        ? absl::StrCat("all ", rules, " rules kept")
                        : absl::StrCat(kept, " of ", rules, " rules kept. ", ListSome(broken)));
  return result;
}

}  // namespace gograder::core
