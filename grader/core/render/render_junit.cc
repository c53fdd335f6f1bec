// The JUnit XML format, for CI dashboards (Jenkins, GitLab, test reporters).
//
// One <testsuite> per report, named after the exercise. Test cases:
//   - one per test of the report, classname = the first criterion covering
//     it (else its package), FAILED as <failure>, MISSING and DUPLICATED as
//     <error>, SKIPPED as <skipped>;
//   - one per criterion its tests do not already stand for (vet, gofmt, race,
//     static rules, benchmarks, coverage): a <failure> when points were lost,
//     with the reason;
//   - "build" when the build failed; "grading" (an <error>) when the grading
//     failed, which is not a grade.
// Score, maximum and per-criterion points are <properties>. Output is valid
// XML 1.0 whatever the strings hold: characters XML forbids are stripped,
// markup is escaped and "]]>" never ends a CDATA section early.
#include <cmath>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "grader/core/render/render_internal.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core::render_internal {
namespace {

using gograder::v1::Annotation;
using gograder::v1::CriterionResult;
using gograder::v1::GradeReport;
using gograder::v1::TestResult;

constexpr int kOutputHeadLines = 50;
constexpr int kOutputTailLines = 150;
constexpr size_t kOutputMaxBytes = 64 * 1024;

// Returns `s` as one or more CDATA sections (empty for empty `s`).
std::string CData(absl::string_view s) {
  std::string text;
  text.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    const char32_t cp = NextCodePoint(s, &pos);
    if (IsXmlChar(cp)) AppendUtf8(cp, &text);
  }
  if (text.empty()) return "";
  return absl::StrCat("<![CDATA[", absl::StrReplaceAll(text, {{"]]>", "]]]]><![CDATA[>"}}), "]]>");
}

std::string Seconds(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  return absl::StrFormat("%.3f", seconds);
}

struct TestCase {
  enum Outcome { kPassed, kFailure, kError, kSkipped };
  std::string classname;
  std::string name;
  double time = 0;
  Outcome outcome = kPassed;
  std::string message;  // <failure message=...>
  std::string type;     // <failure type=...>
  std::string body;     // CDATA content of the <failure>/<error>
};

// Annotations whose source names the criterion, one per line.
std::string AnnotationsOf(const GradeReport& report, const CriterionResult& criterion) {
  std::vector<std::string> lines;
  for (const Annotation& annotation : report.annotations()) {
    if (AnnotationBelongsTo(annotation, criterion)) lines.push_back(FormatAnnotation(annotation));
  }
  return absl::StrJoin(lines, "\n");
}

TestCase CaseOfTest(const TestResult& test, absl::string_view classname) {
  TestCase c;
  c.classname = std::string(classname);
  c.name = test.name().empty() ? "(unnamed test)" : test.name();
  c.time = test.elapsed_seconds();
  switch (test.status()) {
    case TestResult::PASSED:
      return c;
    case TestResult::SKIPPED:
      c.outcome = TestCase::kSkipped;
      return c;
    case TestResult::FAILED:
      c.outcome = TestCase::kFailure;
      c.message = "test failed";
      break;
    case TestResult::MISSING:
      c.outcome = TestCase::kError;
      c.message = "no result: the test did not compile, crashed or timed out";
      break;
    case TestResult::DUPLICATED:
      c.outcome = TestCase::kError;
      c.message = "the test was reported more than once or with conflicting results";
      break;
    default:
      c.outcome = TestCase::kError;
      c.message = "the test has no status";
      break;
  }
  c.type = TestStatusName(test.status());
  if (test.failed_subtests_size() > 0) {
    absl::StrAppend(&c.message, "; failed subtests: ", absl::StrJoin(test.failed_subtests(), ", "));
  }
  c.body = TrimOutput(test.output(), kOutputHeadLines, kOutputTailLines, kOutputMaxBytes);
  return c;
}

std::vector<TestCase> CasesOfGradedReport(const GradeReport& report) {
  std::vector<TestCase> cases;
  if (report.build_failed()) {
    TestCase build;
    build.classname = "build";
    build.name = "go build";
    build.outcome = TestCase::kFailure;
    build.message = "build failed: the code does not compile";
    build.type = "build";
    std::vector<std::string> lines;
    for (const Annotation& annotation : report.annotations()) {
      if (absl::StartsWith(annotation.source(), "build") ||
          annotation.severity() == gograder::v1::ERROR) {
        lines.push_back(FormatAnnotation(annotation));
      }
    }
    build.body = absl::StrJoin(lines, "\n");
    cases.push_back(build);
  }

  // Each test belongs to the first criterion that covers it.
  std::map<std::string, int> owner;
  for (int i = 0; i < report.criteria_size(); ++i) {
    for (const std::string& name : report.criteria(i).tests()) owner.emplace(name, i);
  }
  const auto owner_of = [&owner](const std::string& name) {
    const auto it = owner.find(name);
    return it == owner.end() ? -1 : it->second;
  };
  for (const TestResult& test : report.tests()) {
    const int i = owner_of(test.name());
    std::string classname = i >= 0 ? report.criteria(i).id() : test.package();
    if (classname.empty()) classname = "tests";
    cases.push_back(CaseOfTest(test, classname));
  }

  for (int i = 0; i < report.criteria_size(); ++i) {
    const CriterionResult& criterion = report.criteria(i);
    // A test group is already shown by its tests when it owns every test it
    // lists and any points it lost show as a failing test. Any other
    // criterion (race, vet, benchmarks, ...) gets a test case of its own.
    const std::vector<const TestResult*> tests = TestsOf(report, criterion);
    bool shown_by_tests =
        criterion.tests_size() > 0 && static_cast<int>(tests.size()) >= criterion.tests_size();
    bool any_failing = false;
    for (const std::string& name : criterion.tests()) {
      if (owner_of(name) != i) shown_by_tests = false;
    }
    for (const TestResult* test : tests) any_failing = any_failing || IsFailing(*test);
    if (shown_by_tests && (!LostPoints(criterion) || any_failing)) continue;

    TestCase c;
    c.classname = criterion.id().empty() ? "criteria" : criterion.id();
    c.name = criterion.title().empty() ? c.classname : criterion.title();
    if (LostPoints(criterion)) {
      c.outcome = TestCase::kFailure;
      c.type = "points lost";
      c.message = absl::StrCat(FormatScore(criterion.points(), criterion.max_points()), " points");
      if (!criterion.reason().empty()) absl::StrAppend(&c.message, ": ", criterion.reason());
      std::vector<std::string> body = {c.message};
      for (const TestResult* test : tests) {
        if (IsFailing(*test)) {
          body.push_back(absl::StrCat(test->name(), ": ", TestStatusName(test->status())));
        }
      }
      const std::string annotations = AnnotationsOf(report, criterion);
      if (!annotations.empty()) body.push_back(annotations);
      c.body = absl::StrJoin(body, "\n");
    }
    cases.push_back(c);
  }
  return cases;
}

void AppendProperty(absl::string_view name, absl::string_view value, std::string* out) {
  if (value.empty()) return;
  absl::StrAppend(out, "      <property name=\"", XmlEscape(name), "\" value=\"", XmlEscape(value),
                  "\"/>\n");
}

}  // namespace

std::string RenderJUnit(const GradeReport& report) {
  std::vector<TestCase> cases;
  if (IsGraded(report)) {
    cases = CasesOfGradedReport(report);
  } else {
    TestCase grading;
    grading.classname = "gograder";
    grading.name = "grading";
    grading.outcome = TestCase::kError;
    grading.type = "grading failed";
    grading.message = absl::StrCat("grading failed (not a grade; the submission can be regraded)",
                                   report.error().empty() ? "" : ": ", report.error());
    grading.body = absl::StrCat(kNotAGrade, "\n", report.error());
    cases.push_back(grading);
  }
  int failures = 0;
  int errors = 0;
  int skipped = 0;
  for (const TestCase& c : cases) {
    failures += c.outcome == TestCase::kFailure;
    errors += c.outcome == TestCase::kError;
    skipped += c.outcome == TestCase::kSkipped;
  }
  const std::string name =
      XmlEscape(report.exercise_id().empty() ? "gograder" : report.exercise_id());
  const std::string time = Seconds(report.duration_seconds());
  const std::string counts = absl::StrFormat(R"(tests="%d" failures="%d" errors="%d" skipped="%d")",
                                             cases.size(), failures, errors, skipped);

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  absl::StrAppend(&out, "<testsuites name=\"gograder\" ", counts, " time=\"", time, "\">\n");
  absl::StrAppend(&out, "  <testsuite name=\"", name, "\" ", counts, " time=\"", time, "\"");
  if (!report.graded_at().empty()) {
    absl::StrAppend(&out, " timestamp=\"", XmlEscape(report.graded_at()), "\"");
  }
  out += ">\n    <properties>\n";
  AppendProperty("status",
                 GradeReport::Status_IsValid(report.status())
                     ? GradeReport::Status_Name(report.status())
                     : absl::StrCat(static_cast<int>(report.status())),
                 &out);
  if (IsGraded(report)) {
    AppendProperty("score", FormatPoints(report.score()), &out);
    AppendProperty("max_score", FormatPoints(report.max_score()), &out);
    AppendProperty("build_failed", report.build_failed() ? "true" : "false", &out);
    for (const CriterionResult& criterion : report.criteria()) {
      AppendProperty(absl::StrCat("criterion.", criterion.id()),
                     FormatScore(criterion.points(), criterion.max_points()), &out);
    }
  } else {
    AppendProperty("error", report.error(), &out);
  }
  AppendProperty("toolchain", report.toolchain(), &out);
  AppendProperty("rubric_digest", report.rubric_digest(), &out);
  AppendProperty("submission_digest", report.submission_digest(), &out);
  for (const std::string& flag : report.flags()) AppendProperty("flag", flag, &out);
  out += "    </properties>\n";

  for (const TestCase& c : cases) {
    absl::StrAppend(&out, "    <testcase classname=\"", XmlEscape(c.classname), "\" name=\"",
                    XmlEscape(c.name), "\" time=\"", Seconds(c.time), "\"");
    if (c.outcome == TestCase::kPassed) {
      out += "/>\n";
      continue;
    }
    out += ">\n";
    if (c.outcome == TestCase::kSkipped) {
      out += "      <skipped/>\n";
    } else {
      const char* element = c.outcome == TestCase::kFailure ? "failure" : "error";
      absl::StrAppend(&out, "      <", element, " message=\"", XmlEscape(c.message), "\" type=\"",
                      XmlEscape(c.type), "\">", CData(c.body), "</", element, ">\n");
    }
    out += "    </testcase>\n";
  }

  std::vector<std::string> lines;
  for (const Annotation& annotation : report.annotations()) {
    lines.push_back(FormatAnnotation(annotation));
  }
  for (const std::string& flag : report.flags()) lines.push_back(absl::StrCat("flag: ", flag));
  if (!lines.empty()) {
    absl::StrAppend(&out, "    <system-out>", CData(absl::StrJoin(lines, "\n")), "</system-out>\n");
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace gograder::core::render_internal
