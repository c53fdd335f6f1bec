// Theory of operation: one pass over the lines. Each line that is a JSON
// object with a string "Action" is a test2json event; any other non-blank line
// goes to non_json. Events with a Test are folded into the top-level test
// (the name up to the first '/') of their package; events without one are the
// package's own (output, pass/fail/skip); events with an ImportPath are the
// build's (build-output, build-fail). Statuses are settled at the end, when
// every event has been seen, and outputs are trimmed then.
#include "grader/core/go_output/test_events.h"

#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grader/core/go_output/bench_output.h"
#include "grader/core/go_output/output_text.h"
#include "nlohmann/json.hpp"

namespace gograder::core {
namespace {

using gograder::v1::TestResult;

// A test2json event, the fields we use.
struct Event {
  std::string action;
  std::string package;
  std::string test;
  std::string output;
  std::string import_path;
  std::string failed_build;
  std::string key;
  std::string value;
  std::optional<double> elapsed;
};

// Reads an optional string field; false when it is there with another type.
bool ReadString(const nlohmann::json& object, const char* name, std::string* out) {
  const auto it = object.find(name);
  if (it == object.end()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

// Parses one line as a test2json event; nullopt when it is not one (not a
// JSON object, no string "Action", or a known field of the wrong type).
std::optional<Event> ParseEvent(absl::string_view line) {
  const nlohmann::json object =
      nlohmann::json::parse(line.begin(), line.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return std::nullopt;
  const auto action = object.find("Action");
  if (action == object.end() || !action->is_string()) return std::nullopt;
  Event event;
  event.action = action->get<std::string>();
  if (!ReadString(object, "Package", &event.package) || !ReadString(object, "Test", &event.test) ||
      !ReadString(object, "Output", &event.output) ||
      !ReadString(object, "ImportPath", &event.import_path) ||
      !ReadString(object, "FailedBuild", &event.failed_build) ||
      !ReadString(object, "Key", &event.key) || !ReadString(object, "Value", &event.value)) {
    return std::nullopt;
  }
  const auto elapsed = object.find("Elapsed");
  if (elapsed != object.end()) {
    if (!elapsed->is_number()) return std::nullopt;
    event.elapsed = elapsed->get<double>();
  }
  return event;
}

bool IsTerminal(absl::string_view action) {
  return action == "pass" || action == "fail" || action == "skip";
}

TestResult::Status StatusOf(absl::string_view terminal_action) {
  if (terminal_action == "pass") return TestResult::PASSED;
  if (terminal_action == "skip") return TestResult::SKIPPED;
  return TestResult::FAILED;
}

struct SubtestState {
  bool ended = false;
};

// What we know of one top-level test while reading.
struct TrackedTest {
  TestOutcome outcome;
  std::string output;
  bool saw_fail = false;
  TestResult::Status last_terminal = TestResult::STATUS_UNSPECIFIED;
  bool benchmark = false;
  bool running = false;                    // run or cont seen, and no pause or terminal event since
  bool ended_by_next = false;              // a benchmark that another test of its package followed
  std::vector<std::string> subtest_order;  // full names, in order of first appearance
  std::map<std::string, SubtestState> subtests;
  std::set<std::string> failed_subtests;  // those in outcome.failed_subtests
};

struct TrackedPackage {
  std::string partial_line;  // package output not yet ended by '\n'
  bool passed = false;       // package-level pass or skip
  // Indexes into Parser::tests_ of the top-level tests running now: tests,
  // and benchmarks that have not ended (normally at most one of either).
  std::set<size_t> running_tests;
  std::set<size_t> running_benchmarks;
};

struct TrackedBuild {
  BuildFailure failure;
  bool failed = false;
};

class Parser {
 public:
  explicit Parser(size_t max_output_bytes) : max_output_bytes_(max_output_bytes) {}

  void Line(absl::string_view line) {
    if (absl::StripAsciiWhitespace(line).empty()) return;
    std::optional<Event> event = ParseEvent(line);
    if (!event.has_value()) {
      absl::StrAppend(&non_json_, line, "\n");
      return;
    }
    if (!event->import_path.empty() &&
        (event->action == "build-output" || event->action == "build-fail")) {
      BuildEvent(*event);
    } else if (!event->test.empty()) {
      TestEvent(*event);
    } else {
      PackageEvent(*event);
    }
  }

  TestRun Finish() {
    TestRun run;
    for (auto& [name, package] : packages_) {
      if (!package.partial_line.empty()) {
        package_lines_.push_back(std::move(package.partial_line));
        package.partial_line.clear();
      }
    }
    for (TrackedTest& tracked : tests_) run.tests.push_back(Settle(tracked));
    for (TrackedBuild& build : builds_) {
      if (build.failed) run.build_failures.push_back(std::move(build.failure));
    }
    run.failed_packages = std::move(failed_packages_);
    run.package_output = std::move(package_lines_);
    run.non_json = TrimMiddle(SanitizeUtf8(non_json_), max_output_bytes_);
    run.attributes = std::move(attributes_);
    return run;
  }

 private:
  // The index of a top-level test, tracked from now on if new.
  size_t Test(const std::string& package, const std::string& name) {
    const auto [it, inserted] = test_index_.try_emplace({package, name}, tests_.size());
    if (inserted) {
      TrackedTest tracked;
      tracked.outcome.package = package;
      tracked.outcome.name = name;
      tracked.benchmark = IsBenchmarkName(name);
      tests_.push_back(std::move(tracked));
    }
    return it->second;
  }

  void SetRunning(const std::string& package, size_t index, bool running) {
    TrackedTest& tracked = tests_[index];
    tracked.running = running;
    std::set<size_t>& set = tracked.benchmark ? packages_[package].running_benchmarks
                                              : packages_[package].running_tests;
    if (running) {
      set.insert(index);
    } else {
      set.erase(index);
    }
  }

  TrackedBuild& Build(const std::string& import_path) {
    const auto [it, inserted] = build_index_.try_emplace(import_path, builds_.size());
    if (inserted) {
      TrackedBuild build;
      build.failure.import_path = import_path;
      builds_.push_back(std::move(build));
    }
    return builds_[it->second];
  }

  void BuildEvent(const Event& event) {
    TrackedBuild& build = Build(event.import_path);
    if (event.action == "build-output") {
      build.failure.output += event.output;
    } else {
      build.failed = true;
    }
  }

  void TestEvent(const Event& event) {
    const size_t slash = event.test.find('/');
    const bool is_subtest = slash != std::string::npos;
    const size_t index = Test(event.package, event.test.substr(0, slash));
    TrackedTest& tracked = tests_[index];
    const std::string& action = event.action;

    if (action == "output" || action == "bench") {
      tracked.output += event.output;
      return;
    }
    if (action == "attr") {
      attributes_.emplace_back(event.test, absl::StrCat(event.key, "=", event.value));
      return;
    }
    if (is_subtest) {
      SubtestState& subtest = Subtest(tracked, event.test);
      if (IsTerminal(action)) {
        subtest.ended = true;
        if (action == "fail") AddFailedSubtest(tracked, event.test);
      }
      return;
    }
    if (action == "run") {
      StartTopLevel(event.package, index);
    } else if (action == "cont") {
      SetRunning(event.package, index, true);
    } else if (action == "pause") {
      SetRunning(event.package, index, false);
    } else if (IsTerminal(action)) {
      ++tracked.outcome.terminal_events;
      SetRunning(event.package, index, false);
      if (action == "fail") tracked.saw_fail = true;
      tracked.last_terminal = StatusOf(action);
      if (event.elapsed.has_value()) tracked.outcome.elapsed_seconds = *event.elapsed;
    }
  }

  // A top-level "run": go test runs top-level tests one at a time (a parallel
  // one pauses before the next starts, and all resume only after the last
  // has started), so another one still running means forged framing -- or a
  // benchmark that passed, for which test2json sends no terminal event.
  void StartTopLevel(const std::string& package, size_t started) {
    TrackedPackage& tracked_package = packages_[package];
    for (size_t other : tracked_package.running_benchmarks) {
      if (other == started) continue;
      tests_[other].ended_by_next = true;
      tests_[other].running = false;
    }
    const bool started_is_running = tracked_package.running_benchmarks.count(started) > 0;
    tracked_package.running_benchmarks.clear();
    if (started_is_running) tracked_package.running_benchmarks.insert(started);
    const size_t others_running =
        tracked_package.running_tests.size() - tracked_package.running_tests.count(started);
    if (others_running > 0) tests_[started].outcome.started_out_of_turn = true;
    SetRunning(package, started, true);
  }

  SubtestState& Subtest(TrackedTest& tracked, const std::string& name) {
    const auto [it, inserted] = tracked.subtests.try_emplace(name);
    if (inserted) tracked.subtest_order.push_back(name);
    return it->second;
  }

  static void AddFailedSubtest(TrackedTest& tracked, const std::string& name) {
    if (tracked.failed_subtests.insert(name).second) {
      tracked.outcome.failed_subtests.push_back(name);
    }
  }

  void PackageEvent(const Event& event) {
    TrackedPackage& package = packages_[event.package];
    if (event.action == "output" || event.action == "bench") {
      const size_t searched = package.partial_line.size();  // holds no '\n'
      package.partial_line += event.output;
      size_t start = 0;
      for (size_t newline = package.partial_line.find('\n', searched); newline != std::string::npos;
           newline = package.partial_line.find('\n', start)) {
        package_lines_.push_back(package.partial_line.substr(start, newline - start));
        start = newline + 1;
      }
      package.partial_line.erase(0, start);
      return;
    }
    if (!IsTerminal(event.action)) return;  // start, and actions we do not know
    if (!package.partial_line.empty()) {
      package_lines_.push_back(std::move(package.partial_line));
      package.partial_line.clear();
    }
    if (event.action == "fail") {
      if (failed_package_set_.insert(event.package).second) {
        failed_packages_.push_back(event.package);
      }
      if (!event.failed_build.empty()) Build(event.failed_build).failed = true;
    } else {
      package.passed = true;
    }
  }

  TestOutcome Settle(TrackedTest& tracked) {
    if (tracked.outcome.terminal_events > 0) {
      tracked.outcome.status = tracked.saw_fail || !tracked.outcome.failed_subtests.empty()
                                   ? TestResult::FAILED
                                   : tracked.last_terminal;
    } else if (tracked.benchmark &&
               (tracked.ended_by_next || packages_[tracked.outcome.package].passed)) {
      tracked.outcome.status =
          tracked.outcome.failed_subtests.empty() ? TestResult::PASSED : TestResult::FAILED;
    } else {
      // Started and never ended: the binary crashed or timed out in it.
      tracked.outcome.status = TestResult::FAILED;
      if (!tracked.benchmark) {
        for (const std::string& name : tracked.subtest_order) {
          if (!tracked.subtests[name].ended) AddFailedSubtest(tracked, name);
        }
      }
    }
    tracked.outcome.output = TrimMiddle(tracked.output, max_output_bytes_);
    tracked.output.clear();
    return std::move(tracked.outcome);
  }

  const size_t max_output_bytes_;
  std::vector<TrackedTest> tests_;
  std::map<std::pair<std::string, std::string>, size_t> test_index_;
  std::map<std::string, TrackedPackage> packages_;
  std::vector<TrackedBuild> builds_;
  std::map<std::string, size_t> build_index_;
  std::vector<std::string> failed_packages_;
  std::set<std::string> failed_package_set_;
  std::vector<std::string> package_lines_;
  std::string non_json_;
  std::vector<std::pair<std::string, std::string>> attributes_;
};

}  // namespace

absl::StatusOr<TestRun> ParseTestEvents(absl::string_view json_lines, size_t max_output_bytes) {
  try {
    Parser parser(max_output_bytes);
    for (absl::string_view line : SplitLines(json_lines)) parser.Line(line);
    return parser.Finish();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("parsing go test -json output: ", e.what()));
  }
}

}  // namespace gograder::core
