// Fair queueing of submissions: the admission limits a Store's Insert checks
// (per student, per course, per hour), the ResourceExhausted status that names
// the limit that refused a submission, and the position of a submission in
// the round-robin order in which ClaimNext takes work.
//
// A student is identified within a course: (course_id, student_id). The
// hourly limits count the submissions accepted in the last hour (a sliding
// window); an idempotent retry of an accepted submission is no new submission
// and is never refused.
#ifndef GOGRADER_GRADER_STORE_FAIR_QUEUE_H_
#define GOGRADER_GRADER_STORE_FAIR_QUEUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gograder::store {

// What Insert admits; 0 = unlimited for every field.
struct QueueLimits {
  int queued = 0;              // submissions queued at once, all courses together
  int queued_per_course = 0;   // queued at once in one course
  int queued_per_student = 0;  // queued at once by one student of a course
  int hourly_per_course = 0;   // accepted in one course in any hour
  int hourly_per_student = 0;  // accepted from one student of a course in any hour
};

// Which limit refused a submission. Its label (LimitLabel) is what metrics
// count refusals by.
enum class QueueLimit {
  kQueued,            // "queue_full"
  kQueuedPerCourse,   // "course_queue_limit"
  kQueuedPerStudent,  // "student_queue_limit"
  kHourlyPerCourse,   // "course_hourly_limit"
  kHourlyPerStudent,  // "student_hourly_limit"
};

// The label of `limit` (see QueueLimit).
absl::string_view LimitLabel(QueueLimit limit);

// Everything a refusal message says.
struct Refusal {
  QueueLimit limit = QueueLimit::kQueued;
  std::string course_id, student_id;
  int count = 0;  // queued now, or accepted in the last hour
  int value = 0;  // the limit
  // Hourly limits: when the window has room again (the count drops below the
  // limit), and the time the message counts from.
  absl::Time retry_at = absl::InfinitePast();
  absl::Time now = absl::InfinitePast();
};

// ResourceExhausted naming the limit, its value, whom it applies to and, for
// the hourly limits, when to retry; the limit's label rides along as a
// payload (RefusedLimitLabel reads it).
absl::Status RefusalStatus(const Refusal& refusal);

// The label of the limit that refused a submission with `status` (made by
// RefusalStatus), or nullopt for any other status.
std::optional<std::string> RefusedLimitLabel(const absl::Status& status);

// The 1-based place of one item in a round robin over queues: `lengths` are
// the queues' lengths in the order the round robin visits them (each visit
// takes one item from each non-empty queue), the item is the `rank`-th
// (1-based) of queue `queue`. E.g. lengths {3, 1}, queue 0, rank 2: the
// order is q0 q1 q0 q0, so 3.
int64_t RoundRobinPlace(const std::vector<int64_t>& lengths, size_t queue, int64_t rank);

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_FAIR_QUEUE_H_
