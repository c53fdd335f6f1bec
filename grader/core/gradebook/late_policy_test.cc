#include "grader/core/gradebook/late_policy.h"

#include <string>

#include "absl/time/time.h"
#include "base/files.h"
#include "base/status_matchers.h"
#include "base/temp_dir.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using gograder::v1::GradeReport;
using gograder::v1::LatePolicy;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kDue[] = "2026-12-01T23:59:00Z";

absl::Time Due() {
  absl::Time time;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, kDue, &time, &error)) << error;
  return time;
}

LatePolicy PerDay(double percent, double max_percent = 0, int64_t grace_seconds = 0) {
  LatePolicy policy;
  policy.set_due(kDue);
  policy.set_percent_per_day(percent);
  policy.set_max_percent(max_percent);
  policy.set_grace_seconds(grace_seconds);
  return policy;
}

GradeReport Graded(double score, double max_score = 100) {
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_score(score);
  report.set_max_score(max_score);
  return report;
}

GradeReport Applied(const LatePolicy& policy, absl::Duration after_due, double score = 85,
                    const std::string& student = "alice") {
  GradeReport report = Graded(score);
  ApplyLatePolicy(policy, student, Due() + after_due, report);
  return report;
}

// --- ApplyLatePolicy --------------------------------------------------------

TEST(ApplyLatePolicyTest, OnTimeRecordsNoPenalty) {
  GradeReport report = Applied(PerDay(10), -absl::Hours(3));
  ASSERT_TRUE(report.has_late());
  EXPECT_EQ(report.score(), 85);
  EXPECT_EQ(report.late().late_seconds(), 0);
  EXPECT_EQ(report.late().late_units(), 0);
  EXPECT_EQ(report.late().points(), 0);
  EXPECT_EQ(report.late().raw_score(), 85);
  EXPECT_EQ(report.late().due_at(), kDue);
  EXPECT_EQ(report.late().submitted_at(), "2026-12-01T20:59:00Z");
  EXPECT_FALSE(report.late().extension());
}

TEST(ApplyLatePolicyTest, WithinGraceIsOnTime) {
  GradeReport report = Applied(PerDay(10, 0, 900), absl::Seconds(900));
  EXPECT_EQ(report.score(), 85);
  EXPECT_EQ(report.late().late_seconds(), 0);
  EXPECT_EQ(report.late().late_units(), 0);
  EXPECT_EQ(report.late().percent(), 0);
}

TEST(ApplyLatePolicyTest, OneSecondPastGraceCostsAStartedDayCountedFromTheDueTime) {
  GradeReport report = Applied(PerDay(10, 0, 900), absl::Seconds(901));
  EXPECT_EQ(report.late().late_seconds(), 901);
  EXPECT_EQ(report.late().late_units(), 1);
  EXPECT_EQ(report.late().percent(), 10);
  EXPECT_EQ(report.late().points(), 10);
  EXPECT_EQ(report.score(), 75);
}

TEST(ApplyLatePolicyTest, ExactlyNDaysIsNDaysAndOneSecondMoreIsAnother) {
  EXPECT_EQ(Applied(PerDay(10), absl::Hours(48)).late().late_units(), 2);
  EXPECT_EQ(Applied(PerDay(10), absl::Hours(48)).score(), 65);
  EXPECT_EQ(Applied(PerDay(10), absl::Hours(48) + absl::Seconds(1)).late().late_units(), 3);
  EXPECT_EQ(Applied(PerDay(10), absl::Hours(48) + absl::Seconds(1)).score(), 55);
}

TEST(ApplyLatePolicyTest, PenaltyIsAShareOfTheMaxScoreNotOfTheScore) {
  GradeReport report = Graded(30, 50);
  ApplyLatePolicy(PerDay(10), "alice", Due() + absl::Hours(30), report);
  EXPECT_EQ(report.late().percent(), 20);
  EXPECT_EQ(report.late().points(), 10);  // 20% of 50
  EXPECT_EQ(report.score(), 20);
}

TEST(ApplyLatePolicyTest, TheCapLimitsThePercent) {
  GradeReport report = Applied(PerDay(10, 50), absl::Hours(24 * 9));
  EXPECT_EQ(report.late().late_units(), 9);
  EXPECT_EQ(report.late().percent(), 50);
  EXPECT_EQ(report.late().points(), 50);
  EXPECT_EQ(report.score(), 35);
  // Without a cap the penalty may take all of it.
  EXPECT_EQ(Applied(PerDay(10), absl::Hours(24 * 20)).late().percent(), 100);
}

TEST(ApplyLatePolicyTest, PointsNeverExceedTheRawScore) {
  GradeReport report = Applied(PerDay(30), absl::Hours(24 * 2), /*score=*/40);
  EXPECT_EQ(report.late().percent(), 60);
  EXPECT_EQ(report.late().points(), 40);
  EXPECT_EQ(report.score(), 0);
  EXPECT_EQ(report.late().raw_score(), 40);
}

TEST(ApplyLatePolicyTest, PerHourCountsStartedHours) {
  LatePolicy policy;
  policy.set_due(kDue);
  policy.set_percent_per_hour(2.5);
  GradeReport report = Applied(policy, absl::Minutes(61));
  EXPECT_EQ(report.late().late_units(), 2);
  EXPECT_EQ(report.late().percent(), 5);
  EXPECT_EQ(report.score(), 80);
  EXPECT_EQ(report.late().rule(), "2.5% per started hour late");
}

TEST(ApplyLatePolicyTest, AnExtensionMovesTheDueTimeOfThatStudentOnly) {
  LatePolicy policy = PerDay(10);
  LatePolicy::Extension* extension = policy.add_extensions();
  extension->set_student_id("bob");
  extension->set_due("2026-12-03T23:59:00Z");
  GradeReport bob = Applied(policy, absl::Hours(47), 85, "bob");
  EXPECT_EQ(bob.score(), 85);
  EXPECT_TRUE(bob.late().extension());
  EXPECT_EQ(bob.late().due_at(), "2026-12-03T23:59:00Z");
  EXPECT_EQ(bob.late().late_seconds(), 0);
  GradeReport late_bob = Applied(policy, absl::Hours(49), 85, "bob");
  EXPECT_EQ(late_bob.late().late_seconds(), 3600);
  EXPECT_EQ(late_bob.score(), 75);
  GradeReport alice = Applied(policy, absl::Hours(47), 85, "alice");
  EXPECT_FALSE(alice.late().extension());
  EXPECT_EQ(alice.score(), 65);
}

TEST(ApplyLatePolicyTest, ApplyingTwiceStartsFromTheRawScore) {
  GradeReport report = Applied(PerDay(10), absl::Hours(30));
  ASSERT_EQ(report.score(), 65);
  const GradeReport once = report;
  ApplyLatePolicy(PerDay(10), "alice", Due() + absl::Hours(30), report);
  EXPECT_EQ(report.SerializeAsString(), once.SerializeAsString());
}

TEST(ApplyLatePolicyTest, AChangedPolicyReplacesTheOldPenalty) {
  GradeReport report = Applied(PerDay(10), absl::Hours(30));
  ASSERT_EQ(report.score(), 65);
  ApplyLatePolicy(PerDay(5), "alice", Due() + absl::Hours(30), report);
  EXPECT_EQ(report.late().raw_score(), 85);
  EXPECT_EQ(report.late().points(), 10);
  EXPECT_EQ(report.score(), 75);
  // A policy that forgives lateness gives the raw score back.
  LatePolicy lenient = PerDay(5);
  lenient.set_due("2026-12-10T00:00:00Z");
  ApplyLatePolicy(lenient, "alice", Due() + absl::Hours(30), report);
  EXPECT_EQ(report.score(), 85);
  EXPECT_EQ(report.late().points(), 0);
}

TEST(ApplyLatePolicyTest, GradingFailedIsUntouched) {
  GradeReport report;
  report.set_status(GradeReport::GRADING_FAILED);
  report.set_score(42);
  ApplyLatePolicy(PerDay(10), "alice", Due() + absl::Hours(100), report);
  EXPECT_FALSE(report.has_late());
  EXPECT_EQ(report.score(), 42);
}

TEST(ApplyLatePolicyTest, WithoutAPenaltyLatenessIsRecordedWithZeroPoints) {
  LatePolicy policy;
  policy.set_due(kDue);
  GradeReport report = Applied(policy, absl::Hours(5));
  ASSERT_TRUE(report.has_late());
  EXPECT_EQ(report.late().late_seconds(), 5 * 3600);
  EXPECT_EQ(report.late().points(), 0);
  EXPECT_EQ(report.score(), 85);
  EXPECT_EQ(report.late().rule(), "no penalty");
}

TEST(ApplyLatePolicyTest, AnUnparsableDueLeavesTheReportAlone) {
  LatePolicy policy = PerDay(10);
  policy.set_due("tomorrow");
  GradeReport report = Applied(policy, absl::Hours(5));
  EXPECT_FALSE(report.has_late());
  EXPECT_EQ(report.score(), 85);
}

TEST(LatePolicyRuleTest, NamesRateCapAndGrace) {
  EXPECT_EQ(LatePolicyRule(PerDay(10, 50, 900)),
            "10% per started day late, at most 50%, 15m grace");
  EXPECT_EQ(Applied(PerDay(10, 50, 900), absl::Hours(1)).late().rule(),
            "10% per started day late, at most 50%, 15m grace");
  EXPECT_EQ(LatePolicyRule(PerDay(12.5, 100)), "12.5% per started day late");
}

// --- ValidateLatePolicy -----------------------------------------------------

TEST(ValidateLatePolicyTest, AcceptsAGoodPolicy) {
  LatePolicy policy = PerDay(10, 50, 900);
  LatePolicy::Extension* extension = policy.add_extensions();
  extension->set_student_id("bob");
  extension->set_due("2026-12-03T23:59:00+01:00");
  EXPECT_OK(ValidateLatePolicy(policy));
}

TEST(ValidateLatePolicyTest, NamesTheBadField) {
  LatePolicy no_due = PerDay(10);
  no_due.clear_due();
  EXPECT_THAT(ValidateLatePolicy(no_due),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("due is required")));
  LatePolicy bad_due = PerDay(10);
  bad_due.set_due("2026-12-01 23:59");
  EXPECT_THAT(ValidateLatePolicy(bad_due),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("due \"2026-12-01 23:59\"")));
  EXPECT_THAT(ValidateLatePolicy(PerDay(10, 0, -1)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("grace_seconds")));
  EXPECT_THAT(ValidateLatePolicy(PerDay(101)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("percent_per_day")));
  EXPECT_THAT(ValidateLatePolicy(PerDay(10, -5)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_percent")));
  LatePolicy hourly;
  hourly.set_due(kDue);
  hourly.set_percent_per_hour(-1);
  EXPECT_THAT(ValidateLatePolicy(hourly),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("percent_per_hour")));
}

TEST(ValidateLatePolicyTest, NamesTheStudentOfABadOrRepeatedExtension) {
  LatePolicy policy = PerDay(10);
  LatePolicy::Extension* first = policy.add_extensions();
  first->set_student_id("bob");
  first->set_due("next week");
  EXPECT_THAT(ValidateLatePolicy(policy),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("extensions[0]"), HasSubstr("\"bob\""),
                             HasSubstr("\"next week\""))));
  first->set_due("2026-12-03T23:59:00Z");
  *policy.add_extensions() = *first;
  EXPECT_THAT(ValidateLatePolicy(policy),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("extensions[1]"), HasSubstr("\"bob\""),
                             HasSubstr("already has an extension"))));
}

// --- Files ------------------------------------------------------------------

class LatePolicyFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_.path() + "/" + name;
    EXPECT_OK(WriteWholeFile(path, content));
    return path;
  }
  TempDir dir_{"gograder_late_policy_test_"};
};

TEST_F(LatePolicyFileTest, LoadsAValidPolicy) {
  const std::string path =
      Write("late.textproto",
            "# the usual\n"
            "due: \"2026-12-01T23:59:00Z\"\n"
            "grace_seconds: 900\n"
            "percent_per_day: 10\n"
            "max_percent: 50\n"
            "extensions { student_id: \"bob\" due: \"2026-12-03T23:59:00Z\" }\n");
  ASSERT_OK_AND_ASSIGN(LatePolicy policy, LoadLatePolicyFile(path));
  EXPECT_EQ(policy.percent_per_day(), 10);
  EXPECT_THAT(policy.extensions(), SizeIs(1));
}

TEST_F(LatePolicyFileTest, SyntaxErrorsNameFileAndLine) {
  const std::string path = Write("late.textproto", "due: \"2026-12-01T23:59:00Z\"\npercent: 10\n");
  EXPECT_THAT(LoadLatePolicyFile(path),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(path + ":2:")));
}

TEST_F(LatePolicyFileTest, MeaningErrorsNameFileAndField) {
  const std::string path = Write("late.textproto", "due: \"soon\"\npercent_per_day: 10\n");
  EXPECT_THAT(LoadLatePolicyFile(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(path + ": "), HasSubstr("due \"soon\""))));
}

TEST_F(LatePolicyFileTest, AMissingFileIsNotFound) {
  EXPECT_THAT(LoadLatePolicyFile(dir_.path() + "/nothing.textproto"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(LatePolicyFileTest, ExtensionsCsvAddsEveryRowAndIgnoresTheReason) {
  const std::string path = Write("extensions.csv",
                                 "\xEF\xBB\xBFstudent_id,due,reason\r\n"
                                 "bob,2026-12-03T23:59:00Z,\"ill, with a note\"\r\n"
                                 "\r\n"
                                 " carol , 2026-12-05T12:00:00+01:00 \r\n");
  LatePolicy policy = PerDay(10);
  ASSERT_OK(AddExtensionsCsv(path, policy));
  ASSERT_THAT(policy.extensions(), SizeIs(2));
  EXPECT_EQ(policy.extensions(0).student_id(), "bob");
  EXPECT_EQ(policy.extensions(0).due(), "2026-12-03T23:59:00Z");
  EXPECT_EQ(policy.extensions(1).student_id(), "carol");
  EXPECT_EQ(policy.extensions(1).due(), "2026-12-05T12:00:00+01:00");
  EXPECT_OK(ValidateLatePolicy(policy));
}

TEST_F(LatePolicyFileTest, ExtensionsCsvErrorsNameFileAndLine) {
  LatePolicy policy = PerDay(10);
  const std::string bad_time =
      Write("bad_time.csv", "student_id,due\nbob,2026-12-03T23:59:00Z\ncarol,Friday\n");
  EXPECT_THAT(AddExtensionsCsv(bad_time, policy),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(bad_time + ":3: "), HasSubstr("\"Friday\""),
                             HasSubstr("\"carol\""))));
  EXPECT_THAT(policy.extensions(), SizeIs(0)) << "a failed file adds nothing";

  const std::string missing = Write("missing.csv", "student_id,due\nbob\n");
  EXPECT_THAT(AddExtensionsCsv(missing, policy),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(missing + ":2: 1 field")));

  const std::string header = Write("header.csv", "student,deadline\nbob,2026-12-03T23:59:00Z\n");
  EXPECT_THAT(AddExtensionsCsv(header, policy),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(header + ":1: "), HasSubstr("student_id and due"))));

  const std::string twice =
      Write("twice.csv",
            "student_id,due\n\"bob\",2026-12-03T23:59:00Z\n\"multi\nline\",2026-12-03T23:59:00Z\n"
            "bob,2026-12-04T23:59:00Z\n");
  EXPECT_THAT(
      AddExtensionsCsv(twice, policy),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr(twice + ":5: "), HasSubstr("\"bob\""), HasSubstr("(line 2)"))));

  const std::string quote = Write("quote.csv", "student_id,due\nbob,\"2026-12-03T23:59:00Z\n");
  EXPECT_THAT(AddExtensionsCsv(quote, policy),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(quote + ":2: "), HasSubstr("never closed"))));
}

TEST_F(LatePolicyFileTest, ExtensionsCsvRejectsAStudentThePolicyAlreadyExtends) {
  LatePolicy policy = PerDay(10);
  LatePolicy::Extension* extension = policy.add_extensions();
  extension->set_student_id("bob");
  extension->set_due("2026-12-02T23:59:00Z");
  const std::string path = Write("extensions.csv", "student_id,due\nbob,2026-12-03T23:59:00Z\n");
  EXPECT_THAT(AddExtensionsCsv(path, policy),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(path + ":2: "), HasSubstr("in the policy"))));
  EXPECT_THAT(policy.extensions(), SizeIs(1));
}

}  // namespace
}  // namespace gograder::core
