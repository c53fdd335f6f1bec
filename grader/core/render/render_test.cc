#include "grader/core/render/render.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/render/render_internal.h"
#include "grader/core/render/render_test_support.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace gograder::core {
namespace {

using namespace render_testing;  // NOLINT: the shared reports and checks of render_test_support.h

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

TEST(RenderHelpersTest, FormatsLatenessInItsTwoLargestUnits) {
  EXPECT_EQ(render_internal::FormatLateness(0), "0 s");
  EXPECT_EQ(render_internal::FormatLateness(40), "40 s");
  EXPECT_EQ(render_internal::FormatLateness(12 * 60 + 5), "12 m 5 s");
  EXPECT_EQ(render_internal::FormatLateness(5 * 3600 + 20 * 60 + 7), "5 h 20 m");
  EXPECT_EQ(render_internal::FormatLateness(86400), "1 day");
  EXPECT_EQ(render_internal::FormatLateness(86400 + 5), "1 day");
  EXPECT_EQ(render_internal::FormatLateness(2 * 86400 + 3 * 3600 + 59), "2 days 3 h");
}

TEST(RenderHelpersTest, LatePenaltyLineIsEmptyWithoutPoints) {
  gograder::v1::LatePenalty late;
  late.set_late_seconds(3600);
  late.set_due_at("2026-12-01T23:59:00Z");
  EXPECT_EQ(render_internal::LatePenaltyLine(late), "");
  late.set_points(2.5);
  late.set_percent(5);
  late.set_raw_score(50);
  late.set_extension(true);
  EXPECT_EQ(render_internal::LatePenaltyLine(late),
            "-2.5 points (5% of the max score): handed in 1 h after the extended due time "
            "2026-12-01T23:59:00Z; raw score 50");
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
