#include "grader/store/fair_queue.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace gograder::store {
namespace {

// The payload type URL under which RefusalStatus stores the limit's label.
constexpr absl::string_view kLimitPayload = "type.googleapis.com/gograder.store.QueueLimit";

// Whom a limit applies to, for the message.
std::string Who(const Refusal& refusal, bool per_student) {
  std::string course = absl::StrCat("course '", refusal.course_id, "'");
  if (!per_student) return course;
  return absl::StrCat("student '", refusal.student_id, "'",
                      refusal.student_id.empty() ? " (no student_id given)" : "", " of ", course);
}

// "; retry after <time> (in <duration>)", both rounded up to the second.
std::string RetryAfter(const Refusal& refusal) {
  absl::Duration wait = absl::Ceil(refusal.retry_at - refusal.now, absl::Seconds(1));
  if (wait <= absl::ZeroDuration()) return "; retry now";
  return absl::StrCat(
      "; retry after ",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", refusal.now + wait, absl::UTCTimeZone()), " (in ",
      absl::FormatDuration(wait), ")");
}

}  // namespace

absl::string_view LimitLabel(QueueLimit limit) {
  switch (limit) {
    case QueueLimit::kQueued:
      return "queue_full";
    case QueueLimit::kQueuedPerCourse:
      return "course_queue_limit";
    case QueueLimit::kQueuedPerStudent:
      return "student_queue_limit";
    case QueueLimit::kHourlyPerCourse:
      return "course_hourly_limit";
    case QueueLimit::kHourlyPerStudent:
      return "student_hourly_limit";
  }
  return "queue_full";
}

absl::Status RefusalStatus(const Refusal& refusal) {
  std::string message;
  switch (refusal.limit) {
    case QueueLimit::kQueued:
      message =
          absl::StrCat("the grading queue is full (", refusal.count, " submissions queued, limit ",
                       refusal.value, "); retry when some are graded");
      break;
    case QueueLimit::kQueuedPerCourse:
    case QueueLimit::kQueuedPerStudent: {
      bool student = refusal.limit == QueueLimit::kQueuedPerStudent;
      message = absl::StrCat(Who(refusal, student), " has ", refusal.count,
                             " submissions queued (limit ", refusal.value, " per ",
                             student ? "student" : "course", "); retry when one of them is graded");
      break;
    }
    case QueueLimit::kHourlyPerCourse:
    case QueueLimit::kHourlyPerStudent: {
      bool student = refusal.limit == QueueLimit::kHourlyPerStudent;
      message =
          absl::StrCat(Who(refusal, student), " made ", refusal.count,
                       " submissions in the last hour (limit ", refusal.value, " per hour per ",
                       student ? "student" : "course", ")", RetryAfter(refusal));
      break;
    }
  }
  absl::Status status = absl::ResourceExhaustedError(message);
  status.SetPayload(kLimitPayload, absl::Cord(LimitLabel(refusal.limit)));
  return status;
}

std::optional<std::string> RefusedLimitLabel(const absl::Status& status) {
  if (!absl::IsResourceExhausted(status)) return std::nullopt;
  auto label = status.GetPayload(kLimitPayload);  // absl::optional<absl::Cord>
  if (!label.has_value()) return std::nullopt;
  return std::string(*label);
}

int64_t RoundRobinPlace(const std::vector<int64_t>& lengths, size_t queue, int64_t rank) {
  // The item is taken in visit `rank`; every queue visited before its queue
  // gives up to `rank` items by then, every queue after it up to rank - 1.
  int64_t place = rank;
  for (size_t i = 0; i < lengths.size(); ++i) {
    if (i == queue) continue;
    place += std::min(lengths[i], i < queue ? rank : rank - 1);
  }
  return place;
}

}  // namespace gograder::store
