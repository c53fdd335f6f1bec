#include "grader/core/gradebook/gradebook.h"

#include <map>
#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/gradebook/csv.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using gograder::v1::Exercise;
using gograder::v1::GradeReport;
using gograder::v1::TestResult;
using ::testing::ElementsAre;
using ::testing::SizeIs;

Exercise TwoCriteria() {
  Exercise exercise;
  exercise.set_id("phase1/crawler");
  gograder::v1::Criterion* tests = exercise.add_criteria();
  tests->set_id("tests.limits");
  tests->set_title("Concurrency limits");
  tests->set_points(80);
  gograder::v1::Criterion* vet = exercise.add_criteria();
  vet->set_id("vet");
  vet->set_title("go vet");
  vet->set_points(20);
  return exercise;
}

GradeReport Report(double limits, double vet) {
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_exercise_id("phase1/crawler");
  report.set_score(limits + vet);
  report.set_max_score(100);
  gograder::v1::CriterionResult* criterion = report.add_criteria();
  criterion->set_id("tests.limits");
  criterion->set_points(limits);
  criterion->set_max_points(80);
  criterion->set_reason(limits == 80 ? "all 2 tests passed" : "TestHiddenLimits_Global failed");
  criterion = report.add_criteria();
  criterion->set_id("vet");
  criterion->set_points(vet);
  criterion->set_max_points(20);
  TestResult* test = report.add_tests();
  test->set_name("TestHiddenLimits_Global");
  test->set_status(limits == 80 ? TestResult::PASSED : TestResult::FAILED);
  if (limits != 80) {
    test->add_failed_subtests("TestHiddenLimits_Global/burst");
    test->add_failed_subtests("TestHiddenLimits_Global/slow");
  }
  return report;
}

GradebookRow Row(const std::string& id, std::optional<GradeReport> report) {
  GradebookRow row;
  row.student_id = id;
  row.report = std::move(report);
  if (row.report) row.submitted_at = "2026-12-01T20:00:00Z";
  return row;
}

// The four kinds of student: graded with a late penalty, build failed,
// grading failed, missing.
std::vector<GradebookRow> Class() {
  GradeReport late = Report(70, 15);
  late.set_score(68);
  late.mutable_late()->set_raw_score(85);
  late.mutable_late()->set_points(17);
  late.mutable_late()->set_percent(17);
  late.mutable_late()->set_late_seconds(3600);
  late.mutable_late()->set_due_at("2026-12-01T23:59:00Z");
  late.mutable_late()->set_rule("17% per started hour late");
  GradeReport build_failed = Report(0, 0);
  build_failed.set_build_failed(true);
  GradeReport failed = Report(40, 20);
  failed.set_status(GradeReport::GRADING_FAILED);
  failed.set_error("sandbox: cgroup busy");
  std::vector<GradebookRow> rows = {Row("alice", late), Row("bob", build_failed),
                                    Row("carol", failed), Row("dave", std::nullopt)};
  rows[0].commit = "0123456789abcdef0123456789abcdef01234567";
  return rows;
}

std::vector<std::vector<std::string>> Parse(const std::string& csv) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsv(csv, "out.csv");
  EXPECT_OK(records);
  std::vector<std::vector<std::string>> rows;
  if (records.ok()) {
    for (const CsvRecord& record : *records) rows.push_back(record.fields);
  }
  return rows;
}

TEST(GradebookStatusTest, FromTheReport) {
  std::vector<GradebookRow> rows = Class();
  EXPECT_EQ(StatusOf(rows[0]), GradebookStatus::kGraded);
  EXPECT_EQ(StatusOf(rows[1]), GradebookStatus::kBuildFailed);
  EXPECT_EQ(StatusOf(rows[2]), GradebookStatus::kGradingFailed);
  EXPECT_EQ(StatusOf(rows[3]), GradebookStatus::kMissing);
  EXPECT_EQ(StatusName(GradebookStatus::kGraded), "graded");
  EXPECT_EQ(StatusName(GradebookStatus::kBuildFailed), "build_failed");
  EXPECT_EQ(StatusName(GradebookStatus::kGradingFailed), "grading_failed");
  EXPECT_EQ(StatusName(GradebookStatus::kMissing), "missing");
  GradebookRow unset = Row("x", GradeReport());
  EXPECT_EQ(StatusOf(unset), GradebookStatus::kGradingFailed) << "no status is no grade";
}

TEST(WideGradebookCsvTest, HeaderMaxRowAndOneRowPerStudent) {
  const std::vector<std::vector<std::string>> table =
      Parse(WideGradebookCsv(TwoCriteria(), Class()));
  ASSERT_THAT(table, SizeIs(6));
  EXPECT_THAT(table[0],
              ElementsAre("student_id", "submitted_at", "commit", "raw_score", "late_penalty",
                          "score", "max_score", "status", "tests.limits", "vet"));
  EXPECT_THAT(table[1], ElementsAre("max", "", "", "100", "", "100", "100", "", "80", "20"));
  EXPECT_THAT(table[2], ElementsAre("alice", "2026-12-01T20:00:00Z",
                                    "0123456789abcdef0123456789abcdef01234567", "85", "17", "68",
                                    "100", "graded", "70", "15"));
  EXPECT_THAT(table[3], ElementsAre("bob", "2026-12-01T20:00:00Z", "", "0", "0", "0", "100",
                                    "build_failed", "0", "0"));
  EXPECT_THAT(table[4], ElementsAre("carol", "2026-12-01T20:00:00Z", "", "", "", "", "100",
                                    "grading_failed", "", ""))
      << "our failure is never a student's zero";
  EXPECT_THAT(table[5], ElementsAre("dave", "", "", "", "", "", "100", "missing", "", ""));
}

TEST(WideGradebookCsvTest, NumbersHaveAtMostTwoDecimals) {
  Exercise exercise = TwoCriteria();
  exercise.mutable_criteria(1)->set_points(20.5);
  GradeReport report = Report(12.5, 1.0 / 3);
  const std::vector<std::vector<std::string>> table =
      Parse(WideGradebookCsv(exercise, {Row("alice", report)}));
  ASSERT_THAT(table, SizeIs(3));
  EXPECT_EQ(table[1][3], "100.5");
  EXPECT_EQ(table[2][3], "12.83");
  EXPECT_EQ(table[2][8], "12.5");
  EXPECT_EQ(table[2][9], "0.33");
}

TEST(WideGradebookCsvTest, ACriterionTheReportLacksIsEmpty) {
  GradeReport report = Report(80, 20);
  report.mutable_criteria()->RemoveLast();
  const std::vector<std::vector<std::string>> table =
      Parse(WideGradebookCsv(TwoCriteria(), {Row("alice", report)}));
  ASSERT_THAT(table, SizeIs(3));
  EXPECT_EQ(table[2][8], "80");
  EXPECT_EQ(table[2][9], "");
}

TEST(WideGradebookCsvTest, HostileCellsAreQuotedAndNeutralised) {
  std::vector<GradebookRow> rows = {Row("=cmd|' /C calc'!A0", Report(80, 20)),
                                    Row("a,\"b\"\nc", Report(80, 20)),
                                    Row("bad\xff utf8", std::nullopt)};
  const std::string csv = WideGradebookCsv(TwoCriteria(), rows);
  const std::vector<std::vector<std::string>> table = Parse(csv);
  ASSERT_THAT(table, SizeIs(5));
  EXPECT_EQ(table[2][0], "'=cmd|' /C calc'!A0");
  EXPECT_EQ(table[3][0], "a,\"b\"\nc");
  EXPECT_EQ(table[4][0], "bad\xEF\xBF\xBD utf8");
  for (const auto& row : table) EXPECT_THAT(row, SizeIs(10));
}

TEST(LongGradebookCsvTest, RowsPerCriterionAndTestAndOneStatusRowPerStudent) {
  const std::vector<std::vector<std::string>> table =
      Parse(LongGradebookCsv(TwoCriteria(), Class()));
  ASSERT_THAT(table, SizeIs(11));
  EXPECT_THAT(table[0],
              ElementsAre("student_id", "kind", "id", "points", "max_points", "result", "detail"));
  EXPECT_THAT(table[1],
              ElementsAre("alice", "status", "", "68", "100", "graded",
                          "late: -17 points (17% of the max score): handed in 1 h after the "
                          "due time 2026-12-01T23:59:00Z; raw score 85 (17% per started "
                          "hour late)"));
  EXPECT_THAT(table[2], ElementsAre("alice", "criterion", "tests.limits", "70", "80", "partial",
                                    "TestHiddenLimits_Global failed"));
  EXPECT_THAT(table[3], ElementsAre("alice", "criterion", "vet", "15", "20", "partial", ""));
  EXPECT_THAT(table[4], ElementsAre("alice", "test", "TestHiddenLimits_Global", "", "", "failed",
                                    "TestHiddenLimits_Global/burst;TestHiddenLimits_Global/slow"));
  EXPECT_THAT(table[5], ElementsAre("bob", "status", "", "0", "100", "build_failed", ""));
  EXPECT_THAT(table[6], ElementsAre("bob", "criterion", "tests.limits", "0", "80", "zero",
                                    "TestHiddenLimits_Global failed"));
  EXPECT_EQ(table[8][1], "test");
  EXPECT_THAT(table[9], ElementsAre("carol", "status", "", "", "100", "grading_failed",
                                    "sandbox: cgroup busy"));
  EXPECT_THAT(table[10], ElementsAre("dave", "status", "", "", "100", "missing", ""));
}

TEST(LongGradebookCsvTest, FullMarksAndPassedTests) {
  const std::vector<std::vector<std::string>> table =
      Parse(LongGradebookCsv(TwoCriteria(), {Row("alice", Report(80, 20))}));
  ASSERT_THAT(table, SizeIs(5));
  EXPECT_THAT(table[2], ElementsAre("alice", "criterion", "tests.limits", "80", "80", "full",
                                    "all 2 tests passed"));
  EXPECT_EQ(table[4][5], "passed");
  EXPECT_EQ(table[4][6], "");
}

TEST(LongGradebookCsvTest, ReasonsWithCommasQuotesAndNewlinesRoundTrip) {
  GradeReport report = Report(10, 20);
  const std::string reason = "got \"a, b\"\r\nwant \"c\"\n=1+1";
  report.mutable_criteria(0)->set_reason(reason);
  report.mutable_tests(0)->set_name("@TestHidden,\"x\"");
  const std::string csv = LongGradebookCsv(TwoCriteria(), {Row("alice", report)});
  const std::vector<std::vector<std::string>> table = Parse(csv);
  ASSERT_THAT(table, SizeIs(5));
  EXPECT_EQ(table[2][6], reason);
  EXPECT_EQ(table[4][2], "'@TestHidden,\"x\"") << "a formula gets an apostrophe";
  for (const auto& row : table) EXPECT_THAT(row, SizeIs(7));
}

TEST(LongGradebookCsvTest, NegativeNumbersAreNotTakenForFormulas) {
  GradeReport report = Report(80, 20);
  report.mutable_criteria(1)->set_points(-2.5);  // a penalty criterion
  const std::vector<std::vector<std::string>> table =
      Parse(LongGradebookCsv(TwoCriteria(), {Row("alice", report)}));
  ASSERT_THAT(table, SizeIs(5));
  EXPECT_EQ(table[3][3], "-2.5");
  EXPECT_EQ(table[3][5], "zero");
}

}  // namespace
}  // namespace gograder::core
