#include "grader/core/render.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/render_internal.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "proto/gograder/v1/report.pb.h"
#include "proto/gograder/v1/rubric.pb.h"
#include "proto/gograder/v1/sandbox.pb.h"

#ifdef GOGRADER_RENDER_TEST_EXPAT
#include <expat.h>
#endif

namespace gograder::core {
namespace {

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

void AddCriterion(GradeReport* report, absl::string_view id, absl::string_view title, double points,
                  double max_points, absl::string_view reason, std::vector<std::string> tests = {},
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

TestResult* AddTest(GradeReport* report, absl::string_view name, TestResult::Status status,
                    double elapsed, absl::string_view output = "") {
  TestResult* test = report->add_tests();
  test->set_name(std::string(name));
  test->set_package("example.com/crawler");
  test->set_status(status);
  test->set_elapsed_seconds(elapsed);
  test->set_output(std::string(output));
  return test;
}

void AddAnnotation(GradeReport* report, absl::string_view file, int line, int column,
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

gograder::v1::StepRun* AddStep(GradeReport* report, gograder::v1::Step step,
                               SandboxResult::Verdict verdict, int64_t wall_us, int64_t cpu_us,
                               int64_t memory) {
  gograder::v1::StepRun* run = report->add_steps();
  run->set_step(step);
  run->set_verdict(verdict);
  run->set_wall_time_us(wall_us);
  run->set_cpu_time_us(cpu_us);
  run->set_peak_memory_bytes(memory);
  return run;
}

GradeReport PassedReport() {
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
GradeReport PartialReport() {
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

GradeReport BuildFailedReport() {
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

GradeReport GradingFailedReport() {
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

GradeReport HostileReport() {
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

std::string Render(const GradeReport& report, ReportFormat format, RenderOptions options = {}) {
  return RenderReport(report, format, options);
}

bool IsValidUtf8(absl::string_view s) { return render_internal::ValidUtf8(s) == s; }

// A small XML 1.0 well-formedness check, enough for what the JUnit renderer
// writes: balanced elements, quoted attributes without raw '<' or bare '&',
// character data without '<' or bare '&' (outside CDATA), no forbidden
// characters. Returns an empty string or what is wrong.
std::string XmlProblem(absl::string_view xml) {
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
std::string ExpatProblem(const std::string& xml) {
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

void ExpectWellFormedXml(const std::string& xml) {
  EXPECT_EQ(XmlProblem(xml), "") << xml;
#ifdef GOGRADER_RENDER_TEST_EXPAT
  EXPECT_EQ(ExpatProblem(xml), "") << xml;
#endif
}

// ---------------------------------------------------------------------------
// ParseReportFormat

TEST(ParseReportFormatTest, KnowsEveryFormat) {
  EXPECT_EQ(*ParseReportFormat("text"), ReportFormat::kText);
  EXPECT_EQ(*ParseReportFormat("json"), ReportFormat::kJson);
  EXPECT_EQ(*ParseReportFormat("junit"), ReportFormat::kJUnit);
  EXPECT_EQ(*ParseReportFormat("gradescope"), ReportFormat::kGradescope);
  EXPECT_EQ(*ParseReportFormat("GitHub"), ReportFormat::kGithub);
}

TEST(ParseReportFormatTest, RejectsOthersNamingTheValidOnes) {
  for (absl::string_view name : {"", "xml", "text ", "markdown"}) {
    const absl::StatusOr<ReportFormat> format = ParseReportFormat(name);
    ASSERT_FALSE(format.ok()) << name;
    EXPECT_THAT(format, StatusIs(absl::StatusCode::kInvalidArgument));
    EXPECT_THAT(format.status().message(),
                AllOf(HasSubstr("text"), HasSubstr("json"), HasSubstr("junit"),
                      HasSubstr("gradescope"), HasSubstr("github")));
  }
}

// ---------------------------------------------------------------------------
// Helpers

TEST(RenderHelpersTest, FormatsPoints) {
  using render_internal::FormatPoints;
  EXPECT_EQ(FormatPoints(20), "20");
  EXPECT_EQ(FormatPoints(12.5), "12.5");
  EXPECT_EQ(FormatPoints(100.0 / 3), "33.33");
  EXPECT_EQ(FormatPoints(-0.0001), "0");
  EXPECT_EQ(FormatPoints(0.999), "1");
}

TEST(RenderHelpersTest, RepairsUtf8) {
  using render_internal::ValidUtf8;
  EXPECT_EQ(ValidUtf8("h\xc3\xa9llo"), "h\xc3\xa9llo");
  EXPECT_EQ(ValidUtf8("a\xff"
                      "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(ValidUtf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");                  // overlong '/'
  EXPECT_EQ(ValidUtf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(ValidUtf8("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");                  // cut short
  EXPECT_EQ(ValidUtf8("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
}

TEST(RenderHelpersTest, TrimsOutputKeepingHeadAndTail) {
  std::string output;
  for (int i = 1; i <= 100; ++i) output += "line " + std::to_string(i) + "\n";
  const std::string trimmed = render_internal::TrimOutput(output, 2, 3, 1 << 20);
  EXPECT_EQ(trimmed, "line 1\nline 2\n... (95 lines omitted) ...\nline 98\nline 99\nline 100");
  const std::string cut =
      render_internal::TrimOutput(std::string(100, 'x') + "\xc3\xa9", 2, 3, 101);
  EXPECT_EQ(cut, std::string(100, 'x') + "\n... (output cut)");
}

// ---------------------------------------------------------------------------
// text

TEST(RenderTextTest, PassedReportGolden) {
  EXPECT_EQ(Render(PassedReport(), ReportFormat::kText),
            R"(gograder report: phase1/crawler
  Score:      100 / 100
  Status:     graded
  Toolchain:  go1.26.8 linux/amd64
  Duration:   12.30 s
  Graded at:  2026-11-27T10:00:00Z

Criteria
  PASS  80/80  Concurrency limits  all 2 tests passed
  PASS  20/20  go vet              no findings

Steps
  step   verdict    wall     cpu     memory
  build  ok       1.20 s  3.40 s  210.5 MiB
  test   ok       4.50 s  9.00 s  100.0 MiB
)");
}

TEST(RenderTextTest, PartialReportGolden) {
  EXPECT_EQ(Render(PartialReport(), ReportFormat::kText),
            R"(gograder report: phase1/crawler
  Score:      57.5 / 100
  Status:     graded
  Toolchain:  go1.26.8 linux/amd64
  Duration:   1 m 15 s

Criteria
  PART  10/20  Concurrency limits  TestHiddenLimits_Global: max in-flight 50, want 4
  FAIL   0/15  No data races       DATA RACE in Crawl
  PART  2.5/5  go vet              1 finding
  PART   5/10  Get speed           2.4x slower than the reference
  PASS  20/20  Secret behaviour    all 1 tests passed
  FAIL   0/10  Late checks         TestHiddenLate_B: wrong
  PASS  20/20  Static rules        all rules kept

Failing tests (2 of 4)
  FAILED      TestHiddenLimits_Global  520 ms  example.com/crawler
              failed subtests: TestHiddenLimits_Global/burst
              | === RUN   TestHiddenLimits_Global
              |     limits_test.go:42: max in-flight 50, want 4
              | --- FAIL: TestHiddenLimits_Global (0.52s)
  FAILED      TestHiddenLate_B  30 ms  example.com/crawler
              | late_test.go:9: wrong

Annotations (3)
  crawler.go:12:5: warning: call of f copies lock value: sync.Mutex [vet:copylocks]
  crawler.go:30: error: TestHiddenLate_B failed here [test]
  notice: 3 goroutines still running [test]

Flags (2): signs the submission tried to influence its grading
  ! TestHiddenLate_B reported twice
  ! forged "--- PASS" line in test output

Steps
  step   run              verdict        wall     cpu     memory
  build                   ok           1.20 s  3.40 s  210.5 MiB
  test                    exit 1       4.50 s  9.00 s  100.0 MiB
  bench  student round 1  time limit  10.00 s  9.80 s   50.0 MiB  wall time limit 10s reached
)");
}

TEST(RenderTextTest, BuildFailedSaysSoAndShowsTheCompilerErrors) {
  const std::string text = Render(BuildFailedReport(), ReportFormat::kText);
  EXPECT_THAT(text, HasSubstr("Score:      0 / 100"));
  EXPECT_THAT(text, HasSubstr("build failed: the code does not compile"));
  EXPECT_THAT(text, HasSubstr("  crawler.go:7:2: error: undefined: foo [build]\n"));
  EXPECT_THAT(text, HasSubstr("  MISSING     TestHiddenLimits_Global  example.com/crawler\n"));
  EXPECT_THAT(text, HasSubstr("  build  exit 1"));
}

TEST(RenderTextTest, GradingFailedGolden) {
  EXPECT_EQ(Render(GradingFailedReport(), ReportFormat::kText),
            R"(gograder report: phase1/crawler
  Status:     GRADING FAILED (no score)
  Error:      sandbox: cgroup setup failed: Device or resource busy
  Toolchain:  go1.26.8 linux/amd64

  This is not a grade: the grading failed on the grader's side, not because of
  the submission. No score was given; the submission can be regraded.

Steps
  step   verdict      wall  cpu  memory
  build  setup error     -    -       -  cgroup busy
)");
}

TEST(RenderTextTest, ColourOnlyWhenAsked) {
  EXPECT_THAT(Render(PartialReport(), ReportFormat::kText), Not(HasSubstr("\x1b")));
  RenderOptions options;
  options.color = true;
  const std::string coloured = Render(PartialReport(), ReportFormat::kText, options);
  EXPECT_THAT(coloured, HasSubstr("\x1b[31mFAIL\x1b[0m"));
  EXPECT_THAT(coloured, HasSubstr("\x1b[33mPART\x1b[0m"));
  EXPECT_THAT(coloured, HasSubstr("\x1b[32mPASS\x1b[0m"));
}

TEST(RenderTextTest, NeutralisesTerminalControlsFromTheStudent) {
  const std::string text = Render(HostileReport(), ReportFormat::kText);
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, Not(HasSubstr("\x01")));
  EXPECT_THAT(text, Not(HasSubstr("\r")));
  EXPECT_THAT(text, Not(HasSubstr("\xe2\x80\xae")));  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_THAT(text, HasSubstr("\\x1b[2J"));
  EXPECT_THAT(text, HasSubstr("\\u202e"));
  EXPECT_TRUE(IsValidUtf8(text));
}

TEST(RenderTextTest, StudentViewHidesConcealedCriteriaAndTheirTests) {
  RenderOptions options;
  options.student_view = true;
  const std::string text = Render(PartialReport(), ReportFormat::kText, options);
  EXPECT_THAT(text, HasSubstr("Score:      57.5 / 100"));
  EXPECT_THAT(text, Not(HasSubstr("Secret behaviour")));
  EXPECT_THAT(text, Not(HasSubstr("Late checks")));
  EXPECT_THAT(text, Not(HasSubstr("TestHiddenLate_B")));
  EXPECT_THAT(text, Not(HasSubstr("TestHiddenSecret_A")));
  EXPECT_THAT(text, HasSubstr("+ 2 hidden criteria: 20/30 points, counted in the score"));
  // Covered by visible criteria: still shown.
  EXPECT_THAT(text, HasSubstr("TestHiddenLimits_Global"));
  EXPECT_THAT(text, HasSubstr("forged"));

  options.after_due_date = true;
  const std::string after = Render(PartialReport(), ReportFormat::kText, options);
  EXPECT_THAT(after, HasSubstr("Late checks"));
  EXPECT_THAT(after, HasSubstr("TestHiddenLate_B"));
  EXPECT_THAT(after, Not(HasSubstr("Secret behaviour")));
  EXPECT_THAT(after, HasSubstr("+ 1 hidden criterion: 20/20 points"));
}

TEST(RenderTextTest, TeacherViewShowsEverything) {
  const std::string text = Render(PartialReport(), ReportFormat::kText);
  EXPECT_THAT(text, AllOf(HasSubstr("Secret behaviour"), HasSubstr("Late checks"),
                          HasSubstr("TestHiddenLate_B reported twice")));
  EXPECT_THAT(text, Not(HasSubstr("hidden criteri")));
}

// ---------------------------------------------------------------------------
// json

TEST(RenderJsonTest, ParsesBackWithProtoFieldNamesAndDefaults) {
  const nlohmann::json json = nlohmann::json::parse(Render(PartialReport(), ReportFormat::kJson));
  EXPECT_EQ(json["status"], "GRADED");
  EXPECT_EQ(json["exercise_id"], "phase1/crawler");
  EXPECT_DOUBLE_EQ(json["score"].get<double>(), 57.5);
  EXPECT_DOUBLE_EQ(json["max_score"].get<double>(), 100);
  EXPECT_EQ(json["build_failed"], false);  // a default, printed
  EXPECT_EQ(json["error"], "");
  ASSERT_EQ(json["criteria"].size(), 7u);
  EXPECT_EQ(json["criteria"][2]["id"], "vet");
  EXPECT_DOUBLE_EQ(json["criteria"][2]["points"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(json["criteria"][2]["max_points"].get<double>(), 5);
  EXPECT_DOUBLE_EQ(json["criteria"][3]["ratio"].get<double>(), 2.4);
  EXPECT_EQ(json["criteria"][4]["visibility"], "HIDDEN");
  EXPECT_EQ(json["tests"][0]["failed_subtests"][0], "TestHiddenLimits_Global/burst");
  EXPECT_EQ(json["steps"][1]["wall_time_us"], "4500000");  // int64 is a string in proto JSON
  EXPECT_EQ(json["steps"][1]["argv"].size(), 3u);
}

TEST(RenderJsonTest, StudentViewFilters) {
  RenderOptions options;
  options.student_view = true;
  const nlohmann::json json =
      nlohmann::json::parse(Render(PartialReport(), ReportFormat::kJson, options));
  EXPECT_DOUBLE_EQ(json["score"].get<double>(), 57.5);
  std::vector<std::string> ids;
  for (const auto& criterion : json["criteria"]) ids.push_back(criterion["id"]);
  EXPECT_THAT(ids, ElementsAre("tests.limits", "race", "vet", "bench.get", "static"));
  std::vector<std::string> tests;
  for (const auto& test : json["tests"]) tests.push_back(test["name"]);
  EXPECT_THAT(tests, ElementsAre("TestHiddenLimits_Global", "TestHiddenLimits_PerHost"));
  EXPECT_EQ(json["annotations"].size(), 2u);
  EXPECT_EQ(json["flags"].size(), 1u);
  EXPECT_EQ(json["steps"][1]["argv"].size(), 0u);
  EXPECT_THAT(json.dump(), Not(HasSubstr("TestHiddenLate_B")));
}

TEST(RenderJsonTest, HostileStringsStayValidJson) {
  const std::string out = Render(HostileReport(), ReportFormat::kJson);
  EXPECT_TRUE(IsValidUtf8(out));
  const nlohmann::json json = nlohmann::json::parse(out);
  EXPECT_THAT(json["criteria"][0]["title"].get<std::string>(),
              StartsWith("]]><script>alert('x')</script> & \"q\" \x01\x1b[2J\xef\xbf\xbd"));
}

TEST(RenderJsonTest, EmptyReportRenders) {
  const nlohmann::json json = nlohmann::json::parse(Render(GradeReport(), ReportFormat::kJson));
  EXPECT_EQ(json["status"], "STATUS_UNSPECIFIED");
  EXPECT_EQ(json["score"], 0);
}

// ---------------------------------------------------------------------------
// junit

TEST(RenderJUnitTest, PassedReportGolden) {
  EXPECT_EQ(Render(PassedReport(), ReportFormat::kJUnit), R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="gograder" tests="3" failures="0" errors="0" skipped="0" time="12.300">
  <testsuite name="phase1/crawler" tests="3" failures="0" errors="0" skipped="0" time="12.300" timestamp="2026-11-27T10:00:00Z">
    <properties>
      <property name="status" value="GRADED"/>
      <property name="score" value="100"/>
      <property name="max_score" value="100"/>
      <property name="build_failed" value="false"/>
      <property name="criterion.tests.limits" value="80/80"/>
      <property name="criterion.vet" value="20/20"/>
      <property name="toolchain" value="go1.26.8 linux/amd64"/>
    </properties>
    <testcase classname="tests.limits" name="TestHiddenLimits_Global" time="0.520"/>
    <testcase classname="tests.limits" name="TestHiddenLimits_PerHost" time="0.010"/>
    <testcase classname="vet" name="go vet" time="0.000"/>
  </testsuite>
</testsuites>
)");
}

TEST(RenderJUnitTest, PartialReport) {
  const std::string xml = Render(PartialReport(), ReportFormat::kJUnit);
  ExpectWellFormedXml(xml);
  EXPECT_THAT(xml, HasSubstr(R"(<property name="score" value="57.5"/>)"));
  EXPECT_THAT(xml, HasSubstr(R"(<property name="max_score" value="100"/>)"));
  EXPECT_THAT(xml, HasSubstr(R"(<property name="criterion.vet" value="2.5/5"/>)"));
  // Tests carry the criterion that owns them.
  EXPECT_THAT(
      xml,
      HasSubstr(
          R"(<testcase classname="tests.limits" name="TestHiddenLimits_Global" time="0.520">)"));
  EXPECT_THAT(
      xml,
      HasSubstr(
          R"(<testcase classname="tests.limits" name="TestHiddenLimits_PerHost" time="0.010"/>)"));
  // The race check lost points its tests do not show: a case of its own.
  EXPECT_THAT(xml, HasSubstr(R"(<testcase classname="race" name="No data races" time="0.000">)"));
  EXPECT_THAT(
      xml, HasSubstr(R"(<failure message="0/15 points: DATA RACE in Crawl" type="points lost">)"));
  EXPECT_THAT(
      xml,
      HasSubstr(
          R"(<failure message="2.5/5 points: 1 finding" type="points lost"><![CDATA[2.5/5 points: 1 finding
crawler.go:12:5: warning: call of f copies lock value: sync.Mutex [vet:copylocks]]]></failure>)"));
  EXPECT_THAT(xml, HasSubstr(R"(<testcase classname="static" name="Static rules" time="0.000"/>)"));
  // A test group whose tests show everything gets no extra case.
  EXPECT_THAT(xml, Not(HasSubstr(R"(name="Concurrency limits")")));
  EXPECT_THAT(xml, HasSubstr(R"(tests="8" failures="5" errors="0" skipped="0")"));
}

TEST(RenderJUnitTest, BuildFailedAndMissingTests) {
  const std::string xml = Render(BuildFailedReport(), ReportFormat::kJUnit);
  ExpectWellFormedXml(xml);
  EXPECT_THAT(xml, HasSubstr(R"(<testcase classname="build" name="go build" time="0.000">
      <failure message="build failed: the code does not compile" type="build"><![CDATA[crawler.go:7:2: error: undefined: foo [build]]]></failure>)"));
  EXPECT_THAT(
      xml,
      HasSubstr(
          R"(<error message="no result: the test did not compile, crashed or timed out" type="missing">)"));
}

TEST(RenderJUnitTest, GradingFailedIsAnErrorWithoutScore) {
  const std::string xml = Render(GradingFailedReport(), ReportFormat::kJUnit);
  ExpectWellFormedXml(xml);
  EXPECT_THAT(xml, HasSubstr(R"(tests="1" failures="0" errors="1" skipped="0")"));
  EXPECT_THAT(xml, HasSubstr(R"(<testcase classname="gograder" name="grading")"));
  EXPECT_THAT(xml, HasSubstr("cgroup setup failed"));
  EXPECT_THAT(xml, HasSubstr("can be regraded"));
  EXPECT_THAT(xml, Not(HasSubstr(R"(name="score")")));
  EXPECT_THAT(xml, Not(HasSubstr("42")));
}

TEST(RenderJUnitTest, EscapesHostileStrings) {
  const std::string xml = Render(HostileReport(), ReportFormat::kJUnit);
  ExpectWellFormedXml(xml);
  EXPECT_TRUE(IsValidUtf8(xml));
  EXPECT_THAT(xml, Not(HasSubstr("\x01")));
  EXPECT_THAT(xml, Not(HasSubstr("\x1b")));
  EXPECT_THAT(xml, Not(HasSubstr("\x02")));
  EXPECT_THAT(xml, HasSubstr(R"(<testsuite name="phase1/&lt;crawler&gt;&amp;")"));
  // In attributes everything is escaped, including newlines.
  EXPECT_THAT(
      xml,
      HasSubstr(
          "<property name=\"toolchain\" "
          "value=\"]]&gt;&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot; "
          "[2J\xef\xbf\xbd\xef\xbf\xbd ok\xe2\x80\xae 100%&#13;&#10;::add-mask::secret, a:b\""));
  // In CDATA, "]]>" is split so the section does not end early.
  EXPECT_THAT(xml, HasSubstr("<![CDATA[]]]]><![CDATA[><script>alert('x')</script>"));
  EXPECT_THAT(xml, Not(HasSubstr("<script>alert('x')</script> &amp;")));
}

TEST(RenderJUnitTest, EmptyReportIsWellFormed) {
  ExpectWellFormedXml(Render(GradeReport(), ReportFormat::kJUnit));
  GradeReport graded;
  graded.set_status(GradeReport::GRADED);
  ExpectWellFormedXml(Render(graded, ReportFormat::kJUnit));
}

// ---------------------------------------------------------------------------
// gradescope

TEST(RenderGradescopeTest, PartialReport) {
  const nlohmann::json json =
      nlohmann::json::parse(Render(PartialReport(), ReportFormat::kGradescope));
  EXPECT_DOUBLE_EQ(json["score"].get<double>(), 57.5);
  EXPECT_EQ(json["output_format"], "text");
  EXPECT_EQ(json["visibility"], "visible");
  EXPECT_EQ(json["stdout_visibility"], "hidden");
  EXPECT_EQ(json["execution_time"], 75);
  ASSERT_EQ(json["tests"].size(), 7u);
  const nlohmann::json& limits = json["tests"][0];
  EXPECT_EQ(limits["name"], "Concurrency limits");
  EXPECT_DOUBLE_EQ(limits["score"].get<double>(), 10);
  EXPECT_DOUBLE_EQ(limits["max_score"].get<double>(), 20);
  EXPECT_EQ(limits["status"], "failed");
  EXPECT_EQ(limits["visibility"], "visible");
  EXPECT_EQ(limits["output"],
            "TestHiddenLimits_Global: max in-flight 50, want 4\n\n"
            "TestHiddenLimits_Global: failed (failed subtests: TestHiddenLimits_Global/burst)\n"
            "=== RUN   TestHiddenLimits_Global\n"
            "    limits_test.go:42: max in-flight 50, want 4\n"
            "--- FAIL: TestHiddenLimits_Global (0.52s)");
  EXPECT_EQ(json["tests"][2]["output"],
            "1 finding\n\ncrawler.go:12:5: warning: call of f copies lock value: sync.Mutex "
            "[vet:copylocks]");
  EXPECT_THAT(json["tests"][3]["output"].get<std::string>(),
              HasSubstr("Benchmark: 2.40x the reference (yours 1200 ns/op, reference 500 ns/op)."));
  EXPECT_EQ(json["tests"][4]["visibility"], "hidden");
  EXPECT_EQ(json["tests"][5]["visibility"], "after_due_date");
  EXPECT_EQ(json["tests"][6]["status"], "passed");
  EXPECT_EQ(json["tests"][6]["extra_data"]["criterion_id"], "static");
  // The top-level output is seen by students: nothing of concealed criteria.
  const std::string output = json["output"];
  EXPECT_THAT(output, HasSubstr("phase1/crawler: 57.5/100 points."));
  EXPECT_THAT(output, HasSubstr("Failing tests (1 of 2): TestHiddenLimits_Global."));
  EXPECT_THAT(output, Not(HasSubstr("TestHiddenLate_B")));
  EXPECT_EQ(json["extra_data"]["flags"].size(), 2u);
  EXPECT_EQ(json["extra_data"]["submission_digest"], "sha256:submission");
}

TEST(RenderGradescopeTest, GradingFailedGivesZeroSayingItIsNotAGrade) {
  const nlohmann::json json =
      nlohmann::json::parse(Render(GradingFailedReport(), ReportFormat::kGradescope));
  EXPECT_EQ(json["score"], 0);
  EXPECT_EQ(json["tests"].size(), 0u);
  EXPECT_EQ(json["extra_data"]["grading_failed"], true);
  const std::string output = json["output"];
  EXPECT_EQ(output,
            "Grading failed on the grader's side, not because of your submission: sandbox: "
            "cgroup setup failed: Device or resource busy\n\n"
            "The score of 0 is a placeholder that Gradescope requires, not a grade: your "
            "submission was not graded. Please resubmit, or ask your instructor to regrade it.");
}

TEST(RenderGradescopeTest, BuildFailed) {
  const nlohmann::json json =
      nlohmann::json::parse(Render(BuildFailedReport(), ReportFormat::kGradescope));
  EXPECT_EQ(json["score"], 0);
  EXPECT_THAT(json["output"].get<std::string>(),
              AllOf(HasSubstr("The build failed"),
                    HasSubstr("crawler.go:7:2: error: undefined: foo [build]")));
}

TEST(RenderGradescopeTest, StudentViewDropsConcealedTests) {
  RenderOptions options;
  options.student_view = true;
  const nlohmann::json json =
      nlohmann::json::parse(Render(PartialReport(), ReportFormat::kGradescope, options));
  EXPECT_DOUBLE_EQ(json["score"].get<double>(), 57.5);
  EXPECT_EQ(json["tests"].size(), 5u);
}

TEST(RenderGradescopeTest, HostileAndEmptyReportsParse) {
  const std::string hostile = Render(HostileReport(), ReportFormat::kGradescope);
  EXPECT_TRUE(IsValidUtf8(hostile));
  EXPECT_NO_THROW(nlohmann::json::parse(hostile));
  const nlohmann::json empty =
      nlohmann::json::parse(Render(GradeReport(), ReportFormat::kGradescope));
  EXPECT_EQ(empty["score"], 0);
  EXPECT_EQ(empty["extra_data"]["grading_failed"], true);
}

// ---------------------------------------------------------------------------
// github

TEST(RenderGithubTest, PartialReportGolden) {
  EXPECT_EQ(
      Render(PartialReport(), ReportFormat::kGithub),
      R"(::warning file=crawler.go,line=12,col=5,title=vet%3Acopylocks::call of f copies lock value: sync.Mutex
::error file=crawler.go,line=30,title=test::TestHiddenLate_B failed here
::notice title=test::3 goroutines still running
::warning title=Concurrency limits%3A 10/20 points::TestHiddenLimits_Global: max in-flight 50, want 4
::warning title=No data races%3A 0/15 points::DATA RACE in Crawl
::warning title=go vet%3A 2.5/5 points::1 finding
::warning title=Get speed%3A 5/10 points::2.4x slower than the reference
::warning title=Late checks%3A 0/10 points::TestHiddenLate_B: wrong
::warning title=gograder flag::TestHiddenLate_B reported twice
::warning title=gograder flag::forged "--- PASS" line in test output
::notice title=gograder::Score 57.5/100
)");
}

TEST(RenderGithubTest, EscapesDataAndProperties) {
  const std::string out = Render(HostileReport(), ReportFormat::kGithub);
  EXPECT_TRUE(IsValidUtf8(out));
  // Every line is one of our commands: the student's "::add-mask::" never
  // starts a line.
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    EXPECT_THAT(std::string(line),
                ::testing::AnyOf(StartsWith("::error "), StartsWith("::warning "),
                                 StartsWith("::notice ")));
  }
  EXPECT_THAT(out, HasSubstr("::error file=dir%2Ca%3Ab%25.go,line=3,col=4,title="));
  EXPECT_THAT(out, HasSubstr("100%25%0D%0A::add-mask::secret, a:b\n"));  // data: , and : kept
  EXPECT_THAT(out, HasSubstr("100%25%0D%0A%3A%3Aadd-mask%3A%3Asecret%2C a%3Ab::"));  // property
  EXPECT_THAT(out, Not(HasSubstr("\x01")));
  EXPECT_THAT(out, Not(HasSubstr("\x1b")));
  EXPECT_THAT(out, Not(HasSubstr("\r")));
}

TEST(RenderGithubTest, GradingFailed) {
  EXPECT_EQ(Render(GradingFailedReport(), ReportFormat::kGithub),
            "::error title=gograder::Grading failed: sandbox: cgroup setup failed: Device or "
            "resource busy%0AThis is not a grade: the grading failed on the grader's side, not "
            "because of the submission. No score was given; the submission can be regraded.\n");
}

TEST(RenderGithubTest, StudentViewDropsConcealedCriteria) {
  RenderOptions options;
  options.student_view = true;
  const std::string out = Render(PartialReport(), ReportFormat::kGithub, options);
  EXPECT_THAT(out, Not(HasSubstr("Late checks")));
  EXPECT_THAT(out, Not(HasSubstr("TestHiddenLate_B")));
  EXPECT_THAT(out, HasSubstr("::notice title=gograder::Score 57.5/100\n"));
}

// ---------------------------------------------------------------------------
// Every format, every report

TEST(RenderReportTest, EveryFormatRendersEveryReport) {
  for (const GradeReport& report : {PassedReport(), PartialReport(), BuildFailedReport(),
                                    GradingFailedReport(), HostileReport(), GradeReport()}) {
    for (ReportFormat format : {ReportFormat::kText, ReportFormat::kJson, ReportFormat::kJUnit,
                                ReportFormat::kGradescope, ReportFormat::kGithub}) {
      for (bool student_view : {false, true}) {
        RenderOptions options;
        options.student_view = student_view;
        const std::string out = Render(report, format, options);
        EXPECT_FALSE(out.empty());
        EXPECT_TRUE(IsValidUtf8(out));
      }
    }
  }
}

TEST(RenderReportTest, NoFormatShowsAScoreWhenGradingFailed) {
  const GradeReport report = GradingFailedReport();
  EXPECT_THAT(Render(report, ReportFormat::kText), Not(HasSubstr("42")));
  EXPECT_THAT(Render(report, ReportFormat::kJUnit), Not(HasSubstr("42")));
  EXPECT_THAT(Render(report, ReportFormat::kGithub), Not(HasSubstr("42")));
  EXPECT_THAT(Render(report, ReportFormat::kGradescope), Not(HasSubstr("42")));
}

}  // namespace
}  // namespace gograder::core
