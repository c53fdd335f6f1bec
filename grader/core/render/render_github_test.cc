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

}  // namespace
}  // namespace gograder::core
