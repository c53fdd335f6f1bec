// Test support for the renderers' tests: hand-built reports (passed,
// partial, build failed, grading failed, hostile) and output checks (a small
// XML well-formedness check, expat when available).
#ifndef GOGRADER_GRADER_CORE_RENDER_RENDER_TEST_SUPPORT_H_
#define GOGRADER_GRADER_CORE_RENDER_RENDER_TEST_SUPPORT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "grader/core/render/render.h"
#include "grader/core/render/render_internal.h"
#include "gtest/gtest.h"
#include "proto/gograder/v1/report.pb.h"
#include "proto/gograder/v1/rubric.pb.h"
#include "proto/gograder/v1/sandbox.pb.h"

#ifdef GOGRADER_RENDER_TEST_EXPAT
#include <expat.h>
#endif

namespace gograder::core::render_testing {

using gograder::v1::GradeReport;
using gograder::v1::SandboxResult;
using gograder::v1::TestResult;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// ---------------------------------------------------------------------------
// Hand-built reports.

inline void AddCriterion(GradeReport* report, absl::string_view id, absl::string_view title,
                         double points, double max_points, absl::string_view reason,
                         std::vector<std::string> tests = {},
                         gograder::v1::Visibility visibility = gograder::v1::VISIBLE) {
  gograder::v1::CriterionResult* criterion = report->add_criteria();
  criterion->set_id(std::string(id));
  criterion->set_title(std::string(title));
  criterion->set_points(points);
  criterion->set_max_points(max_points);
  criterion->set_reason(std::string(reason));
  criterion->set_visibility(visibility);
  for (const std::string& test : tests) criterion->add_tests(test);
}

inline TestResult* AddTest(GradeReport* report, absl::string_view name, TestResult::Status status,
                           double elapsed, absl::string_view output = "") {
  TestResult* test = report->add_tests();
  test->set_name(std::string(name));
  test->set_package("example.com/crawler");
  test->set_status(status);
  test->set_elapsed_seconds(elapsed);
  test->set_output(std::string(output));
  return test;
}

inline void AddAnnotation(GradeReport* report, absl::string_view file, int line, int column,
                          gograder::v1::Severity severity, absl::string_view message,
                          absl::string_view source) {
  gograder::v1::Annotation* annotation = report->add_annotations();
  annotation->set_file(std::string(file));
  annotation->set_line(line);
  annotation->set_column(column);
  annotation->set_severity(severity);
  annotation->set_message(std::string(message));
  annotation->set_source(std::string(source));
}

inline gograder::v1::StepRun* AddStep(GradeReport* report, gograder::v1::Step step,
                                      SandboxResult::Verdict verdict, int64_t wall_us,
                                      int64_t cpu_us, int64_t memory) {
  gograder::v1::StepRun* run = report->add_steps();
  run->set_step(step);
  run->set_verdict(verdict);
  run->set_wall_time_us(wall_us);
  run->set_cpu_time_us(cpu_us);
  run->set_peak_memory_bytes(memory);
  return run;
}

inline GradeReport PassedReport() {
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_exercise_id("phase1/crawler");
  report.set_score(100);
  report.set_max_score(100);
  report.set_toolchain("go1.26.8 linux/amd64");
  report.set_duration_seconds(12.3);
  report.set_graded_at("2026-11-27T10:00:00Z");
  AddCriterion(&report, "tests.limits", "Concurrency limits", 80, 80, "all 2 tests passed",
               {"TestHiddenLimits_Global", "TestHiddenLimits_PerHost"});
  AddCriterion(&report, "vet", "go vet", 20, 20, "no findings");
  AddTest(&report, "TestHiddenLimits_Global", TestResult::PASSED, 0.52);
  AddTest(&report, "TestHiddenLimits_PerHost", TestResult::PASSED, 0.01);
  AddStep(&report, gograder::v1::BUILD, SandboxResult::OK, 1'200'000, 3'400'000, 220'725'248);
  AddStep(&report, gograder::v1::TEST, SandboxResult::OK, 4'500'000, 9'000'000, 104'857'600);
  return report;
}

// Lost points in several ways, with hidden and after-due-date criteria,
// annotations and flags.
inline GradeReport PartialReport() {
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_exercise_id("phase1/crawler");
  report.set_score(57.5);
  report.set_max_score(100);
  report.set_toolchain("go1.26.8 linux/amd64");
  report.set_duration_seconds(75);
  report.set_rubric_digest("sha256:rubric");
  report.set_submission_digest("sha256:submission");
  AddCriterion(&report, "tests.limits", "Concurrency limits", 10, 20,
               "TestHiddenLimits_Global: max in-flight 50, want 4",
               {"TestHiddenLimits_Global", "TestHiddenLimits_PerHost"});
  AddCriterion(&report, "race", "No data races", 0, 15, "DATA RACE in Crawl",
               {"TestHiddenLimits_Global", "TestHiddenLimits_PerHost"});
  AddCriterion(&report, "vet", "go vet", 2.5, 5, "1 finding");
  gograder::v1::CriterionResult* bench = report.add_criteria();
  bench->set_id("bench.get");
  bench->set_title("Get speed");
  bench->set_points(5);
  bench->set_max_points(10);
  bench->set_reason("2.4x slower than the reference");
  bench->set_ratio(2.4);
  bench->set_student_ns_per_op(1200);
  bench->set_reference_ns_per_op(500);
  AddCriterion(&report, "tests.secret", "Secret behaviour", 20, 20, "all 1 tests passed",
               {"TestHiddenSecret_A"}, gograder::v1::HIDDEN);
  AddCriterion(&report, "tests.late", "Late checks", 0, 10, "TestHiddenLate_B: wrong",
               {"TestHiddenLate_B"}, gograder::v1::AFTER_DUE_DATE);
  AddCriterion(&report, "static", "Static rules", 20, 20, "all rules kept");

  TestResult* global = AddTest(&report, "TestHiddenLimits_Global", TestResult::FAILED, 0.52,
                               "=== RUN   TestHiddenLimits_Global\n"
                               "    limits_test.go:42: max in-flight 50, want 4\n"
                               "--- FAIL: TestHiddenLimits_Global (0.52s)\n");
  global->add_failed_subtests("TestHiddenLimits_Global/burst");
  AddTest(&report, "TestHiddenLimits_PerHost", TestResult::PASSED, 0.01);
  AddTest(&report, "TestHiddenSecret_A", TestResult::PASSED, 0.02);
  AddTest(&report, "TestHiddenLate_B", TestResult::FAILED, 0.03, "late_test.go:9: wrong\n");

  AddAnnotation(&report, "crawler.go", 12, 5, gograder::v1::WARNING,
                "call of f copies lock value: sync.Mutex", "vet:copylocks");
  AddAnnotation(&report, "crawler.go", 30, 0, gograder::v1::ERROR, "TestHiddenLate_B failed here",
                "test");
  AddAnnotation(&report, "", 0, 0, gograder::v1::NOTICE, "3 goroutines still running", "test");
  report.add_flags("TestHiddenLate_B reported twice");
  report.add_flags("forged \"--- PASS\" line in test output");

  AddStep(&report, gograder::v1::BUILD, SandboxResult::OK, 1'200'000, 3'400'000, 220'725'248);
  gograder::v1::StepRun* test = AddStep(&report, gograder::v1::TEST, SandboxResult::NONZERO_EXIT,
                                        4'500'000, 9'000'000, 104'857'600);
  test->set_exit_code(1);
  test->add_argv("go");
  test->add_argv("test");
  test->add_argv("-run=^TestHiddenLate_B$");
  gograder::v1::StepRun* round = AddStep(&report, gograder::v1::BENCH, SandboxResult::TIME_LIMIT,
                                         10'000'000, 9'800'000, 52'428'800);
  round->set_label("student round 1");
  round->set_message("wall time limit 10s reached");
  return report;
}

// PassedReport handed in 1 day 2 h 3 m late under a 10%-per-day policy:
// 20 of its 100 points taken off.
inline GradeReport LateReport() {
  GradeReport report = PassedReport();
  report.set_score(80);
  gograder::v1::LatePenalty* late = report.mutable_late();
  late->set_submitted_at("2026-12-03T02:02:00Z");
  late->set_due_at("2026-12-01T23:59:00Z");
  late->set_late_seconds(93780);
  late->set_late_units(2);
  late->set_percent(20);
  late->set_points(20);
  late->set_raw_score(100);
  late->set_rule("10% per started day late, at most 50%");
  return report;
}

inline GradeReport BuildFailedReport() {
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_exercise_id("phase1/crawler");
  report.set_score(0);
  report.set_max_score(100);
  report.set_build_failed(true);
  AddCriterion(&report, "tests.limits", "Concurrency limits", 0, 100, "build failed",
               {"TestHiddenLimits_Global"});
  AddTest(&report, "TestHiddenLimits_Global", TestResult::MISSING, 0);
  AddAnnotation(&report, "crawler.go", 7, 2, gograder::v1::ERROR, "undefined: foo", "build");
  gograder::v1::StepRun* build = AddStep(&report, gograder::v1::BUILD, SandboxResult::NONZERO_EXIT,
                                         800'000, 1'100'000, 52'428'800);
  build->set_exit_code(1);
  return report;
}

inline GradeReport GradingFailedReport() {
  GradeReport report;
  report.set_status(GradeReport::GRADING_FAILED);
  report.set_exercise_id("phase1/crawler");
  report.set_error("sandbox: cgroup setup failed: Device or resource busy");
  report.set_toolchain("go1.26.8 linux/amd64");
  // A partial grading's numbers must never show.
  report.set_score(42);
  report.set_max_score(100);
  AddCriterion(&report, "tests.limits", "Concurrency limits", 42, 100, "partial");
  AddStep(&report, gograder::v1::BUILD, SandboxResult::SETUP_ERROR, 0, 0, 0)
      ->set_message("cgroup busy");
  return report;
}

// Strings a student controls, as hostile as they get.
constexpr absl::string_view kHostile =
    "]]><script>alert('x')</script> & \"q\" \x01\x1b[2J\xff\xfe ok\xe2\x80\xae 100%\r\n"
    "::add-mask::secret, a:b";

inline GradeReport HostileReport() {
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_exercise_id(std::string("phase1/<crawler>&") + "\x02");
  report.set_score(1);
  report.set_max_score(2);
  AddCriterion(&report, std::string("tests.x"), std::string(kHostile), 1, 2, std::string(kHostile),
               {"TestHiddenX"});
  AddCriterion(&report, std::string("vet"), "go vet", 0, 1, std::string(kHostile));
  TestResult* test =
      AddTest(&report, "TestHiddenX", TestResult::FAILED, 0.1, std::string(kHostile));
  test->add_failed_subtests(std::string(kHostile));
  AddAnnotation(&report, std::string("dir,a:b%.go"), 3, 4, gograder::v1::ERROR,
                std::string(kHostile), std::string(kHostile));
  report.add_flags(std::string(kHostile));
  report.set_toolchain(std::string(kHostile));
  return report;
}

// ---------------------------------------------------------------------------
// Checks.

inline std::string Render(const GradeReport& report, ReportFormat format,
                          RenderOptions options = {}) {
  return RenderReport(report, format, options);
}

inline bool IsValidUtf8(absl::string_view s) { return render_internal::ValidUtf8(s) == s; }

// A small XML 1.0 well-formedness check, enough for what the JUnit renderer
// writes: balanced elements, quoted attributes without raw '<' or bare '&',
// character data without '<' or bare '&' (outside CDATA), no forbidden
// characters. Returns an empty string or what is wrong.
inline std::string XmlProblem(absl::string_view xml) {
  if (!IsValidUtf8(xml)) return "invalid UTF-8";
  for (size_t pos = 0; pos < xml.size();) {
    const char32_t cp = render_internal::NextCodePoint(xml, &pos);
    const bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                    (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!ok) return "forbidden character before byte " + std::to_string(pos);
  }
  const auto entity_ok = [](absl::string_view rest) {
    for (absl::string_view e :
         {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#9;", "&#10;", "&#13;"}) {
      if (absl::StartsWith(rest, e)) return true;
    }
    return false;
  };
  std::vector<std::string> open;
  size_t i = 0;
  if (absl::StartsWith(xml, "<?xml")) i = xml.find("?>") + 2;
  while (i < xml.size()) {
    if (absl::StartsWith(xml.substr(i), "<![CDATA[")) {
      const size_t end = xml.find("]]>", i + 9);
      if (end == absl::string_view::npos) return "unterminated CDATA";
      if (open.empty()) return "CDATA outside the root element";
      i = end + 3;
    } else if (xml[i] == '<') {
      const bool closing = i + 1 < xml.size() && xml[i + 1] == '/';
      size_t j = i + (closing ? 2 : 1);
      const size_t name_start = j;
      while (j < xml.size() && (absl::ascii_isalnum(xml[j]) || xml[j] == '-' || xml[j] == '_')) {
        ++j;
      }
      const std::string name(xml.substr(name_start, j - name_start));
      if (name.empty()) return "bad tag at byte " + std::to_string(i);
      // Attributes: name="value" pairs.
      while (j < xml.size() && xml[j] != '>' && xml[j] != '/') {
        if (xml[j] == ' ') {
          ++j;
          continue;
        }
        const size_t eq = xml.find("=\"", j);
        if (eq == absl::string_view::npos) return "bad attribute in <" + name + ">";
        for (size_t k = j; k < eq; ++k) {
          if (!absl::ascii_isalnum(xml[k]) && xml[k] != '_') return "bad attribute name";
        }
        const size_t close = xml.find('"', eq + 2);
        if (close == absl::string_view::npos) return "unterminated attribute";
        for (size_t k = eq + 2; k < close; ++k) {
          if (xml[k] == '<') return "raw < in attribute of <" + name + ">";
          if (xml[k] == '&' && !entity_ok(xml.substr(k))) return "bare & in attribute";
        }
        j = close + 1;
      }
      if (j >= xml.size()) return "unterminated tag <" + name + ">";
      const bool self_closing = xml[j] == '/';
      if (self_closing) ++j;
      if (j >= xml.size() || xml[j] != '>') return "bad tag end in <" + name + ">";
      if (closing) {
        if (open.empty() || open.back() != name) return "unbalanced </" + name + ">";
        open.pop_back();
      } else if (!self_closing) {
        open.push_back(name);
      }
      i = j + 1;
    } else {
      if (xml[i] == '&' && !entity_ok(xml.substr(i))) return "bare & in text";
      if (xml[i] == '>' && !open.empty()) return "raw > in text";
      if (open.empty() && xml[i] != '\n') return "text outside the root element";
      ++i;
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

#ifdef GOGRADER_RENDER_TEST_EXPAT
// Parses `xml` with expat; returns an empty string or the parser's error.
inline std::string ExpatProblem(const std::string& xml) {
  XML_Parser parser = XML_ParserCreate("UTF-8");
  std::string problem;
  if (XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), /*isFinal=*/1) ==
      XML_STATUS_ERROR) {
    problem = std::string(XML_ErrorString(XML_GetErrorCode(parser))) + " at line " +
              std::to_string(XML_GetCurrentLineNumber(parser));
  }
  XML_ParserFree(parser);
  return problem;
}
#endif

inline void ExpectWellFormedXml(const std::string& xml) {
  EXPECT_EQ(XmlProblem(xml), "") << xml;
#ifdef GOGRADER_RENDER_TEST_EXPAT
  EXPECT_EQ(ExpatProblem(xml), "") << xml;
#endif
}

}  // namespace gograder::core::render_testing

#endif  // GOGRADER_GRADER_CORE_RENDER_RENDER_TEST_SUPPORT_H_
