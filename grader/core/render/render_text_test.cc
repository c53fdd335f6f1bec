#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/render/render.h"
#include "grader/core/render/render_internal.h"
#include "grader/core/render/render_test_support.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using namespace render_testing;  // NOLINT: the shared reports and checks of render_test_support.h

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

TEST(RenderTextTest, LatePenaltyLineUnderTheScore) {
  const std::string text = Render(LateReport(), ReportFormat::kText);
  EXPECT_THAT(text,
              HasSubstr("  Score:      80 / 100\n"
                        "  Status:     graded\n"
                        "  Late:       -20 points (20% of the max score): handed in 1 day 2 h "
                        "after the due time 2026-12-01T23:59:00Z; raw score 100 (10% per "
                        "started day late, at most 50%)\n"));
  EXPECT_THAT(Render(LateReport(), ReportFormat::kText, {.student_view = true}),
              HasSubstr("  Late:       -20 points"));
}

TEST(RenderTextTest, NoLateLineWithoutPenaltyPoints) {
  GradeReport extended = LateReport();
  extended.set_score(100);
  extended.mutable_late()->set_extension(true);
  extended.mutable_late()->set_late_seconds(0);
  extended.mutable_late()->set_late_units(0);
  extended.mutable_late()->set_percent(0);
  extended.mutable_late()->set_points(0);
  EXPECT_THAT(Render(extended, ReportFormat::kText), Not(HasSubstr("Late")));
  EXPECT_EQ(Render(extended, ReportFormat::kText), Render(PassedReport(), ReportFormat::kText));
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

}  // namespace
}  // namespace gograder::core
