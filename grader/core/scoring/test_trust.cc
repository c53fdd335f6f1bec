#include "grader/core/scoring/test_trust.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gograder::core {

using ::gograder::v1::TestResult;

void JudgeTestPass(const TestPass& pass, HiddenRun& run, std::vector<std::string>& untrusted) {
  const TestRun& parsed = pass.parsed;
  const bool alone = pass.tests.size() == 1;
  if (!pass.limit.empty()) run.limit = pass.limit;
  bool complete = std::find(parsed.package_output.begin(), parsed.package_output.end(),
                            pass.nonce_line) != parsed.package_output.end();
  if (!complete && pass.exited_ok && !alone) {
    // The binary succeeded, yet the tests never ran to the end: it was cut
    // short with status 0 (os.Exit in the submission, forged output).
    run.flags.push_back(absl::StrCat(pass.label,
                                     ": the test binary exited with status 0 before its tests "
                                     "finished; its reported results were ignored"));
  }
  for (const TestOutcome& outcome : parsed.tests)
    absl::StrAppend(&run.combined_output, outcome.output);
  for (const std::string& line : parsed.package_output)
    absl::StrAppend(&run.combined_output, line, "\n");
  std::set<std::string> wanted(pass.tests.begin(), pass.tests.end());
  std::set<std::string> reported;
  for (const TestOutcome& outcome : parsed.tests) {
    if (!wanted.count(outcome.name)) continue;  // a name we did not ask for: ignore it
    reported.insert(outcome.name);
    TestResult result;
    result.set_name(outcome.name);
    result.set_package(outcome.package);
    result.set_elapsed_seconds(outcome.elapsed_seconds);
    result.set_output(outcome.output);
    for (const std::string& sub : outcome.failed_subtests) result.add_failed_subtests(sub);
    bool timed_out = absl::StrContains(outcome.output, "test timed out");
    if (outcome.terminal_events > 1 || outcome.started_out_of_turn) {
      result.set_status(TestResult::DUPLICATED);
      run.flags.push_back(absl::StrCat(outcome.name, ": reported ", outcome.terminal_events,
                                       " results or out of turn (forged test output?)"));
    } else if (complete || (alone && outcome.status == TestResult::FAILED)) {
      // A lone test that failed or crashed is its own evidence.
      result.set_status(outcome.status);
    } else if (timed_out ||
               (outcome.terminal_events == 0 && outcome.status == TestResult::FAILED)) {
      // The test that hung or crashed the binary: it failed; rerunning it alone would hang again.
      result.set_status(TestResult::FAILED);
    } else {
      untrusted.push_back(outcome.name);
      continue;
    }
    run.results[outcome.name] = std::move(result);
  }
  for (const std::string& test : pass.tests) {
    if (reported.count(test)) continue;
    if (!complete && !alone && run.limit.empty()) {
      untrusted.push_back(test);  // never started: the binary ended early; try it alone
      continue;
    }
    TestResult result;
    result.set_name(test);
    result.set_status(TestResult::MISSING);
    result.set_output(!run.limit.empty()               ? run.limit
                      : !parsed.build_failures.empty() ? "its test file does not compile"
                                                       : "never reported");
    run.results[test] = std::move(result);
  }
}

void SettleUnverified(const std::string& test, HiddenRun& run) {
  TestResult result;
  result.set_name(test);
  result.set_status(TestResult::FAILED);
  result.set_output("the test binary ended before reporting this test, also when it ran alone");
  run.results[test] = std::move(result);
  run.unverified.push_back(test);
}

}  // namespace gograder::core
