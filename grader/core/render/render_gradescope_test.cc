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
#include "nlohmann/json.hpp"

namespace gograder::core {
namespace {

using namespace render_testing;  // NOLINT: the shared reports and checks of render_test_support.h

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

TEST(RenderGradescopeTest, LatePenaltyInTheTopLevelOutput) {
  const nlohmann::json json =
      nlohmann::json::parse(Render(LateReport(), ReportFormat::kGradescope));
  EXPECT_DOUBLE_EQ(json["score"].get<double>(), 80);
  EXPECT_THAT(json["output"].get<std::string>(),
              HasSubstr("phase1/crawler: 80/100 points.\n\nLate penalty: -20 points (20% of the "
                        "max score): handed in 1 day 2 h after the due time 2026-12-01T23:59:00Z; "
                        "raw score 100 (10% per started day late, at most 50%)."));
  EXPECT_THAT(Render(PassedReport(), ReportFormat::kGradescope), Not(HasSubstr("Late penalty")));
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

}  // namespace
}  // namespace gograder::core
