#include "grader/store/store_internal.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grader/store/fair_queue.h"

namespace gograder::store::internal {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr absl::string_view kPageTokenVersion = "1";

}  // namespace

std::string NewId(absl::Time now, absl::BitGen& bitgen) {
  uint64_t ms = static_cast<uint64_t>(absl::ToUnixMillis(now)) & ((uint64_t{1} << 48) - 1);
  uint64_t high = absl::Uniform<uint64_t>(bitgen);
  uint64_t low = absl::Uniform<uint64_t>(bitgen) & 0xffff;
  return absl::StrCat(absl::Hex(ms, absl::kZeroPad12), absl::Hex(high, absl::kZeroPad16),
                      absl::Hex(low, absl::kZeroPad4));
}

int PageSize(int requested) {
  return requested <= 0 ? kDefaultPageSize : std::min(requested, kMaxPageSize);
}

std::string EncodePageToken(const gograder::v1::Submission& last) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kPageTokenVersion, "|", last.submitted_at(), "|", last.submission_id()));
}

absl::StatusOr<std::pair<std::string, std::string>> DecodePageToken(const std::string& token) {
  std::string raw;
  if (absl::WebSafeBase64Unescape(token, &raw)) {
    std::vector<std::string> parts = absl::StrSplit(raw, '|');
    if (parts.size() == 3 && parts[0] == kPageTokenVersion) {
      return std::make_pair(std::move(parts[1]), std::move(parts[2]));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid page token '", token, "'"));
}

std::optional<int64_t> RoundRobinPosition(const std::vector<Line>& courses,
                                          const std::string& course,
                                          const std::vector<Line>& students,
                                          const std::string& student, int64_t rank) {
  auto find = [](const std::vector<Line>& lines, const std::string& key) -> std::optional<size_t> {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].key == key) return i;
    }
    return std::nullopt;
  };
  auto lengths = [](const std::vector<Line>& lines) {
    std::vector<int64_t> lengths;
    for (const Line& line : lines) lengths.push_back(line.queued);
    return lengths;
  };
  std::optional<size_t> course_index = find(courses, course);
  std::optional<size_t> student_index = find(students, student);
  if (rank < 1 || !course_index.has_value() || !student_index.has_value()) return std::nullopt;
  int64_t in_course = RoundRobinPlace(lengths(students), *student_index, rank);
  return RoundRobinPlace(lengths(courses), *course_index, in_course);
}

absl::Status CheckQueueLimits(const NewSubmission& submission, const QueueLimits& limits,
                              absl::Time now, const LimitQueries& queries) {
  Refusal refusal;
  refusal.course_id = submission.course_id;
  refusal.student_id = submission.student_id;
  refusal.now = now;
  for (bool per_student : {true, false}) {
    const std::string* student = per_student ? &submission.student_id : nullptr;
    int queued_limit = per_student ? limits.queued_per_student : limits.queued_per_course;
    if (queued_limit > 0) {
      absl::StatusOr<int64_t> queued = queries.queued(&submission.course_id, student);
      if (!queued.ok()) return queued.status();
      if (*queued >= queued_limit) {
        refusal.limit = per_student ? QueueLimit::kQueuedPerStudent : QueueLimit::kQueuedPerCourse;
        refusal.count = static_cast<int>(*queued);
        refusal.value = queued_limit;
        return RefusalStatus(refusal);
      }
    }
    int hourly_limit = per_student ? limits.hourly_per_student : limits.hourly_per_course;
    if (hourly_limit > 0) {
      absl::StatusOr<std::vector<absl::Time>> accepted =
          queries.accepted_since(submission.course_id, student, now - absl::Hours(1));
      if (!accepted.ok()) return accepted.status();
      if (static_cast<int64_t>(accepted->size()) >= hourly_limit) {
        refusal.limit = per_student ? QueueLimit::kHourlyPerStudent : QueueLimit::kHourlyPerCourse;
        refusal.count = static_cast<int>(accepted->size());
        refusal.value = hourly_limit;
        // Room again once all but hourly_limit - 1 have left the window.
        refusal.retry_at = (*accepted)[accepted->size() - hourly_limit] + absl::Hours(1);
        return RefusalStatus(refusal);
      }
    }
  }
  if (limits.queued > 0) {
    absl::StatusOr<int64_t> queued = queries.queued(nullptr, nullptr);
    if (!queued.ok()) return queued.status();
    if (*queued >= limits.queued) {
      refusal.limit = QueueLimit::kQueued;
      refusal.count = static_cast<int>(*queued);
      refusal.value = limits.queued;
      return RefusalStatus(refusal);
    }
  }
  return absl::OkStatus();
}

Outcome OutcomeOf(const gograder::v1::GradeReport& report) {
  return Outcome{report.status() == gograder::v1::GradeReport::GRADED, report.score()};
}

std::string ReasonToKeepCurrent(const Outcome& outcome, const std::optional<Outcome>& current,
                                bool keep_max) {
  if (!current.has_value() || !current->graded) return "";
  if (!outcome.graded) return std::string(kNoteFailedKeepsGraded);
  if (keep_max && outcome.score < current->score) return std::string(kNoteKeepMax);
  return "";
}

std::string ItemStateName(int64_t state) {
  switch (state) {
    case kItemPending:
      return "pending";
    case kItemRunning:
      return "running";
    case kItemGraded:
      return "graded";
    case kItemFailed:
      return "failed";
    case kItemDropped:
      return "dropped";
  }
  return absl::StrCat("in state ", state);
}

RegradeItem::State PublicItemState(int64_t state) {
  switch (state) {
    case kItemGraded:
      return RegradeItem::State::kGraded;
    case kItemFailed:
      return RegradeItem::State::kFailed;
  }
  return RegradeItem::State::kPending;
}

std::string SubmissionStateWords(gograder::v1::Submission::State state) {
  switch (state) {
    case gograder::v1::Submission::QUEUED:
      return "queued again";
    case gograder::v1::Submission::RUNNING:
      return "being graded";
    case gograder::v1::Submission::DONE:
      return "finished";
    case gograder::v1::Submission::CANCELLED:
      return "cancelled";
    default:
      return gograder::v1::Submission::State_Name(state);
  }
}

std::string ItemStateWords(int64_t state) {
  return state == kItemPending ? "pending again" : ItemStateName(state);
}

absl::Status CheckClaimCurrent(absl::string_view what, int64_t claim, bool running,
                               absl::string_view state_words, int64_t latest,
                               absl::string_view latest_node, absl::string_view node_id) {
  std::string why;
  if (latest != claim) {
    why = absl::StrCat("it was taken over by claim ", latest,
                       latest_node.empty() ? "" : absl::StrCat(" of node ", latest_node),
                       " and is now ", state_words);
  } else if (!running) {
    why = absl::StrCat("it is ", state_words);
  } else if (latest_node != node_id) {
    why = absl::StrCat("it is claimed by node ", latest_node, ", not by this node (", node_id, ")");
  } else {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      absl::StrCat(what, ": claim ", claim, " is no longer current: ", why));
}

std::string LostGradingNote(int64_t attempts, absl::string_view node_id) {
  return absl::StrCat("the grading was lost ",
                      attempts == 1 ? "once" : absl::StrCat(attempts, " times"),
                      " (its node stopped renewing its lease: node ", node_id, ")");
}

std::string LostGradingError(int64_t attempts, absl::string_view node_id) {
  return absl::StrCat(LostGradingNote(attempts, node_id), "; the submission can be regraded");
}

std::string RegradeProblem(const gograder::v1::Submission& submission, const RegradeSpec& spec) {
  if (submission.state() != gograder::v1::Submission::DONE) {
    return absl::StrCat("is ", gograder::v1::Submission::State_Name(submission.state()),
                        ", not DONE");
  }
  if (submission.exercise_id() != spec.exercise_id) {
    return absl::StrCat("is of exercise '", submission.exercise_id(), "', not '", spec.exercise_id,
                        "'");
  }
  if (!spec.course_id.empty() && submission.course_id() != spec.course_id) {
    return absl::StrCat("is of course '", submission.course_id(), "', not '", spec.course_id, "'");
  }
  return "";
}

absl::Status SubmissionNotFound(const std::string& submission_id) {
  return absl::NotFoundError(absl::StrCat("submission '", submission_id, "' not found"));
}

absl::Status RegradeNotFound(const std::string& regrade_id) {
  return absl::NotFoundError(absl::StrCat("regrade '", regrade_id, "' not found"));
}

}  // namespace gograder::store::internal
