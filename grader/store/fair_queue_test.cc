#include "grader/store/fair_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"

namespace gograder::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

TEST(RoundRobinPlaceTest, VisitsEachQueueOncePerRound) {
  // Queues a, b, c of lengths 3, 1, 2: a1 b1 c1 a2 c2 a3.
  std::vector<int64_t> lengths = {3, 1, 2};
  EXPECT_EQ(RoundRobinPlace(lengths, 0, 1), 1);
  EXPECT_EQ(RoundRobinPlace(lengths, 1, 1), 2);
  EXPECT_EQ(RoundRobinPlace(lengths, 2, 1), 3);
  EXPECT_EQ(RoundRobinPlace(lengths, 0, 2), 4);
  EXPECT_EQ(RoundRobinPlace(lengths, 2, 2), 5);
  EXPECT_EQ(RoundRobinPlace(lengths, 0, 3), 6);
  EXPECT_EQ(RoundRobinPlace({7}, 0, 5), 5);
  EXPECT_EQ(RoundRobinPlace({3, 1}, 0, 2), 3);
}

TEST(RefusalStatusTest, QueuedLimitsNameTheLimitItsValueAndWhom) {
  Refusal refusal{QueueLimit::kQueuedPerStudent, "cs101", "ann", 5, 5};
  absl::Status status = RefusalStatus(refusal);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_EQ(status.message(),
            "student 'ann' of course 'cs101' has 5 submissions queued (limit 5 per student); "
            "retry when one of them is graded");
  EXPECT_THAT(RefusedLimitLabel(status), Optional(std::string("student_queue_limit")));

  refusal.limit = QueueLimit::kQueuedPerCourse;
  refusal.count = 200;
  refusal.value = 150;  // lowered below what is queued
  status = RefusalStatus(refusal);
  EXPECT_EQ(status.message(),
            "course 'cs101' has 200 submissions queued (limit 150 per course); retry when one of "
            "them is graded");
  EXPECT_THAT(RefusedLimitLabel(status), Optional(std::string("course_queue_limit")));

  refusal.limit = QueueLimit::kQueued;
  status = RefusalStatus(refusal);
  EXPECT_THAT(std::string(status.message()), HasSubstr("the grading queue is full (200 "));
  EXPECT_THAT(RefusedLimitLabel(status), Optional(std::string("queue_full")));

  refusal.limit = QueueLimit::kQueuedPerStudent;
  refusal.student_id = "";
  EXPECT_THAT(std::string(RefusalStatus(refusal).message()),
              HasSubstr("student '' (no student_id given) of course 'cs101' has 200"));
}

TEST(RefusalStatusTest, HourlyLimitsSayWhenToRetry) {
  absl::Time now = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
  Refusal refusal{QueueLimit::kHourlyPerStudent, "cs101", "ann", 20, 20};
  refusal.now = now;
  refusal.retry_at = now + absl::Minutes(12) + absl::Milliseconds(2500);  // rounded up
  absl::Status status = RefusalStatus(refusal);
  EXPECT_EQ(status.message(),
            "student 'ann' of course 'cs101' made 20 submissions in the last hour (limit 20 per "
            "hour per student); retry after 2026-01-01T00:12:03Z (in 12m3s)");
  EXPECT_THAT(RefusedLimitLabel(status), Optional(std::string("student_hourly_limit")));

  refusal.limit = QueueLimit::kHourlyPerCourse;
  refusal.retry_at = now - absl::Seconds(1);  // already past (a race with the clock)
  status = RefusalStatus(refusal);
  EXPECT_EQ(status.message(),
            "course 'cs101' made 20 submissions in the last hour (limit 20 per hour per course); "
            "retry now");
  EXPECT_THAT(RefusedLimitLabel(status), Optional(std::string("course_hourly_limit")));
}

TEST(RefusalStatusTest, OtherStatusesNameNoLimit) {
  EXPECT_EQ(RefusedLimitLabel(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(RefusedLimitLabel(absl::ResourceExhaustedError("disk full")), std::nullopt);
  EXPECT_EQ(RefusedLimitLabel(absl::InvalidArgumentError("x")), std::nullopt);
}

}  // namespace
}  // namespace gograder::store
