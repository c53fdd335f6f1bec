#include "grader/store/store_internal.h"

#include <set>
#include <string>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::store::internal {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Optional;

TEST(StoreInternalTest, IdsAreHexAndSortByTime) {
  absl::BitGen bitgen;
  absl::Time t = absl::FromUnixMillis(1700000000000);
  std::string first = NewId(t, bitgen);
  EXPECT_THAT(first, MatchesRegex("[0-9a-f]{32}"));
  EXPECT_EQ(first.substr(0, 12), "018bcfe56800");
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(NewId(t, bitgen));
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_LT(*ids.rbegin(), NewId(t + absl::Milliseconds(1), bitgen));
}

TEST(StoreInternalTest, PageSizes) {
  EXPECT_EQ(PageSize(0), 50);
  EXPECT_EQ(PageSize(-3), 50);
  EXPECT_EQ(PageSize(7), 7);
  EXPECT_EQ(PageSize(10000), 500);
}

TEST(StoreInternalTest, PageTokensRoundTripAndRejectGarbage) {
  gograder::v1::Submission last;
  last.set_submitted_at("2026-01-02T03:04:05.000006Z");
  last.set_submission_id("0123abcd");
  std::string token = EncodePageToken(last);
  EXPECT_THAT(DecodePageToken(token),
              IsOkAndHolds(std::make_pair(std::string("2026-01-02T03:04:05.000006Z"),
                                          std::string("0123abcd"))));
  for (const std::string bad : {"not a token!", "bm8tc2VwYXJhdG9ycw", "MnxhfGI" /* 2|a|b */}) {
    EXPECT_THAT(DecodePageToken(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(StoreInternalTest, ANewReportReplacesTheCurrentOneUnlessItWouldLoseAGrade) {
  const Outcome graded_60{true, 60}, graded_80{true, 80}, failed{false, 0};
  EXPECT_EQ(ReasonToKeepCurrent(graded_60, std::nullopt, false), "");
  EXPECT_EQ(ReasonToKeepCurrent(failed, std::nullopt, false), "");
  EXPECT_EQ(ReasonToKeepCurrent(failed, failed, false), "");
  EXPECT_EQ(ReasonToKeepCurrent(graded_60, failed, true), "");
  EXPECT_EQ(ReasonToKeepCurrent(failed, graded_60, false), kNoteFailedKeepsGraded);
  EXPECT_EQ(ReasonToKeepCurrent(graded_60, graded_80, false), "");
  EXPECT_EQ(ReasonToKeepCurrent(graded_60, graded_80, true), kNoteKeepMax);
  EXPECT_EQ(ReasonToKeepCurrent(graded_80, graded_60, true), "");
  gograder::v1::GradeReport report;
  report.set_status(gograder::v1::GradeReport::GRADED);
  report.set_score(12.5);
  EXPECT_TRUE(OutcomeOf(report).graded);
  EXPECT_EQ(OutcomeOf(report).score, 12.5);
}

TEST(StoreInternalTest, RoundRobinPositionGoesAcrossCoursesThenStudents) {
  // c1 first (s1: 3 queued, s2: 1), then c2 (s3: 2).
  const std::vector<Line> courses = {{"c1", 4}, {"c2", 2}};
  const std::vector<Line> c1_students = {{"s1", 3}, {"s2", 1}};
  // Order: c1/s1#1 c2 c1/s2#1 c2 c1/s1#2 c1/s1#3.
  EXPECT_EQ(RoundRobinPosition(courses, "c1", c1_students, "s1", 1), 1);
  EXPECT_EQ(RoundRobinPosition(courses, "c1", c1_students, "s2", 1), 3);
  EXPECT_EQ(RoundRobinPosition(courses, "c1", c1_students, "s1", 2), 5);
  EXPECT_EQ(RoundRobinPosition(courses, "c1", c1_students, "s1", 3), 6);
  EXPECT_EQ(RoundRobinPosition(courses, "c2", {{"s3", 2}}, "s3", 2), 4);
  EXPECT_EQ(RoundRobinPosition(courses, "c9", c1_students, "s1", 1), std::nullopt);
  EXPECT_EQ(RoundRobinPosition(courses, "c1", c1_students, "s9", 1), std::nullopt);
  EXPECT_EQ(RoundRobinPosition(courses, "c1", c1_students, "s1", 0), std::nullopt);
}

// Fake counts: queued per course and per (course, student), and the
// acceptance times of the last hour, the same for every scope.
struct FakeQueue {
  int64_t queued = 0, course_queued = 0, student_queued = 0;
  std::vector<absl::Time> accepted;
  int queued_asked = 0;

  LimitQueries Queries() {
    LimitQueries queries;
    queries.queued = [this](const std::string* course,
                            const std::string* student) -> absl::StatusOr<int64_t> {
      ++queued_asked;
      if (course == nullptr) return queued;
      return student == nullptr ? course_queued : student_queued;
    };
    queries.accepted_since = [this](const std::string&, const std::string*,
                                    absl::Time) -> absl::StatusOr<std::vector<absl::Time>> {
      return accepted;
    };
    return queries;
  }
};

TEST(StoreInternalTest, QueueLimitsAreCheckedStudentFirstThenCourseThenQueue) {
  NewSubmission submission;
  submission.course_id = "c1";
  submission.student_id = "s1";
  const absl::Time now = absl::FromUnixSeconds(1800000000);
  FakeQueue queue;
  queue.queued = 10;
  queue.course_queued = 5;
  queue.student_queued = 2;
  EXPECT_OK(CheckQueueLimits(submission, {}, now, queue.Queries()));
  EXPECT_EQ(queue.queued_asked, 0);  // no limit, nothing counted
  QueueLimits all{.queued = 10, .queued_per_course = 5, .queued_per_student = 2};
  EXPECT_THAT(RefusedLimitLabel(CheckQueueLimits(submission, all, now, queue.Queries())),
              Optional(std::string("student_queue_limit")));
  queue.student_queued = 1;
  EXPECT_THAT(RefusedLimitLabel(CheckQueueLimits(submission, all, now, queue.Queries())),
              Optional(std::string("course_queue_limit")));
  queue.course_queued = 4;
  EXPECT_THAT(CheckQueueLimits(submission, all, now, queue.Queries()),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("queue is full")));
  queue.queued = 9;
  EXPECT_OK(CheckQueueLimits(submission, all, now, queue.Queries()));

  // Hourly: 3 accepted in the window, limit 2: room again when the second
  // oldest leaves it.
  queue.accepted = {now - absl::Minutes(50), now - absl::Minutes(40), now - absl::Minutes(1)};
  absl::Status hourly =
      CheckQueueLimits(submission, {.hourly_per_student = 2}, now, queue.Queries());
  EXPECT_THAT(RefusedLimitLabel(hourly), Optional(std::string("student_hourly_limit")));
  EXPECT_THAT(hourly, StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("(in 20m)")));
  EXPECT_THAT(RefusedLimitLabel(
                  CheckQueueLimits(submission, {.hourly_per_course = 3}, now, queue.Queries())),
              Optional(std::string("course_hourly_limit")));
  EXPECT_OK(CheckQueueLimits(submission, {.hourly_per_course = 4}, now, queue.Queries()));
}

TEST(StoreInternalTest, ItemStates) {
  EXPECT_EQ(ItemStateName(kItemDropped), "dropped");
  EXPECT_EQ(ItemStateName(9), "in state 9");
  EXPECT_EQ(PublicItemState(kItemGraded), RegradeItem::State::kGraded);
  EXPECT_EQ(PublicItemState(kItemFailed), RegradeItem::State::kFailed);
  for (int state : {kItemPending, kItemRunning, kItemDropped}) {
    EXPECT_EQ(PublicItemState(state), RegradeItem::State::kPending) << state;
  }
}

TEST(StoreInternalTest, AClaimIsCurrentWhileRunningUnderItsNumberOnItsNode) {
  EXPECT_OK(CheckClaimCurrent("submission 'a'", 2, true, "being graded", 2, "n1", "n1"));
  absl::Status status = CheckClaimCurrent("submission 'a'", 1, false, "queued again", 2, "", "n1");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(status.message(),
            "submission 'a': claim 1 is no longer current: it was taken over by claim 2 and is "
            "now queued again");
  EXPECT_EQ(CheckClaimCurrent("x", 1, true, "being graded", 2, "n2", "n1").message(),
            "x: claim 1 is no longer current: it was taken over by claim 2 of node n2 and is now "
            "being graded");
  EXPECT_EQ(CheckClaimCurrent("x", 2, false, "cancelled", 2, "n1", "n1").message(),
            "x: claim 2 is no longer current: it is cancelled");
  EXPECT_EQ(CheckClaimCurrent("x", 2, true, "being graded", 2, "n2", "n1").message(),
            "x: claim 2 is no longer current: it is claimed by node n2, not by this node (n1)");
  EXPECT_EQ(SubmissionStateWords(gograder::v1::Submission::DONE), "finished");
  EXPECT_EQ(ItemStateWords(kItemPending), "pending again");
  EXPECT_EQ(ItemStateWords(kItemDropped), "dropped");
}

TEST(StoreInternalTest, ALostGradingSaysHowOftenAndWhere) {
  EXPECT_EQ(LostGradingNote(1, "n1"),
            "the grading was lost once (its node stopped renewing its lease: node n1)");
  EXPECT_EQ(LostGradingError(3, "n1"),
            "the grading was lost 3 times (its node stopped renewing its lease: node n1); the "
            "submission can be regraded");
}

TEST(StoreInternalTest, WhatCanBeRegraded) {
  gograder::v1::Submission s;
  s.set_state(gograder::v1::Submission::DONE);
  s.set_exercise_id("e1");
  s.set_course_id("c1");
  RegradeSpec spec;
  spec.exercise_id = "e1";
  EXPECT_EQ(RegradeProblem(s, spec), "");
  spec.course_id = "c1";
  EXPECT_EQ(RegradeProblem(s, spec), "");
  spec.course_id = "c2";
  EXPECT_EQ(RegradeProblem(s, spec), "is of course 'c1', not 'c2'");
  spec.exercise_id = "e2";
  EXPECT_EQ(RegradeProblem(s, spec), "is of exercise 'e1', not 'e2'");
  s.set_state(gograder::v1::Submission::QUEUED);
  EXPECT_EQ(RegradeProblem(s, spec), "is QUEUED, not DONE");
}

}  // namespace
}  // namespace gograder::store::internal
