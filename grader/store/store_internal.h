// What every Store implementation shares besides fair_queue.h: submission
// and regrade ids, List's page tokens and page sizes, a queued submission's
// place in the round robin, the rule that decides whether a new report
// becomes current (with the notes a regrade item records when it does not),
// regrade items' states and what may be regraded, the messages of a claim
// that is no longer current and of a grading given up after lost leases,
// and the NotFound errors.
#ifndef GOGRADER_GRADER_STORE_STORE_INTERNAL_H_
#define GOGRADER_GRADER_STORE_STORE_INTERNAL_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grader/store/store.h"
#include "proto/gograder/v1/api.pb.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::store::internal {

// A regrade's id is this prefix and a submission-style id.
inline constexpr absl::string_view kRegradeIdPrefix = "rg-";

// A regrade item's note when its report did not become current.
inline constexpr absl::string_view kNoteDryRun = "dry run";
inline constexpr absl::string_view kNoteFailedKeepsGraded =
    "grading failed on our side: the GRADED report stays";
inline constexpr absl::string_view kNoteKeepMax = "keep-max: the current score is higher";
inline constexpr absl::string_view kNoteDropped = "dropped: the regrade was reverted";

// A new id made at `now`: the time in ms (48 bits) then 80 random bits, as
// 32 hex digits, so ids sort roughly by creation time.
std::string NewId(absl::Time now, absl::BitGen& bitgen);

// The page size List uses for `requested` (0 or less: the default, 50; at
// most 500).
int PageSize(int requested);

// The token of the page after the one ending with `last`.
std::string EncodePageToken(const gograder::v1::Submission& last);

// The (submitted_at, submission id) after which the page of `token` starts;
// InvalidArgument when it is not a token of EncodePageToken.
absl::StatusOr<std::pair<std::string, std::string>> DecodePageToken(const std::string& token);

// One line of the round robin: a course, or a student of a course, and how
// many submissions it has queued.
struct Line {
  std::string key;  // the course or student id
  int64_t queued = 0;
};

// The 1-based place in the queue of the `rank`-th (1-based) queued
// submission of `student` in `course`, given the courses with queued work
// and the students of `course` with queued work, each in the order the
// round robin serves them; nullopt when the course or student is not among
// them or the rank is below 1.
std::optional<int64_t> RoundRobinPosition(const std::vector<Line>& courses,
                                          const std::string& course,
                                          const std::vector<Line>& students,
                                          const std::string& student, int64_t rank);

// What CheckQueueLimits asks of the store, inside the insert's transaction.
// A null student id means the whole course; a null course id (`queued`
// only) the whole queue.
struct LimitQueries {
  // Submissions queued now.
  std::function<absl::StatusOr<int64_t>(const std::string* course_id,
                                        const std::string* student_id)>
      queued;
  // When the submissions accepted after `since` were, oldest first.
  std::function<absl::StatusOr<std::vector<absl::Time>>(
      const std::string& course_id, const std::string* student_id, absl::Time since)>
      accepted_since;
};

// OK when one more submission of `submission`'s student fits `limits` at
// `now`; else the RefusalStatus of the first limit it would exceed: the
// student's, then the course's (queued, then hourly), then the whole queue's.
absl::Status CheckQueueLimits(const NewSubmission& submission, const QueueLimits& limits,
                              absl::Time now, const LimitQueries& queries);

// What the current-report rule compares of a report.
struct Outcome {
  bool graded = false;  // status GRADED
  double score = 0;
};

// The outcome of `report`.
Outcome OutcomeOf(const gograder::v1::GradeReport& report);

// Why a new report with `outcome` must not replace the current report
// (`current`; nullopt when there is none); empty when it may. A report that
// is not GRADED never replaces a GRADED one; with `keep_max`, a lower score
// does not either.
std::string ReasonToKeepCurrent(const Outcome& outcome, const std::optional<Outcome>& current,
                                bool keep_max);

// A regrade item's state as the stores keep it. A dropped item (its
// regrade was reverted before it was graded) is never claimed again.
enum ItemState : int {
  kItemPending = 0,
  kItemRunning = 1,
  kItemGraded = 2,
  kItemFailed = 3,
  kItemDropped = 4,
};

// "pending", "running", ... for messages.
std::string ItemStateName(int64_t state);

// The state RegradeItem shows for a stored `state` (running and dropped
// items show as pending; the note says why a dropped one stays so).
RegradeItem::State PublicItemState(int64_t state);

// What a submission in `state` is, for a message about a claim of it:
// "queued again", "being graded", "finished", "cancelled".
std::string SubmissionStateWords(gograder::v1::Submission::State state);

// What a regrade item in stored `state` is, likewise: "pending again",
// "running", "graded", ...
std::string ItemStateWords(int64_t state);

// What a renewal (RenewLease) of claim `claim` of `what` (a submission or a
// regrade item, named for the message) finds: OK when it is still current -
// running (`running`), `claim` its latest claim (`latest`), taken by this
// node (`latest_node` is `node_id`) - else FailedPrecondition saying why
// not: taken over by a later claim (of its node), or `state_words` (the
// state it is in instead), or claimed by another node.
absl::Status CheckClaimCurrent(absl::string_view what, int64_t claim, bool running,
                               absl::string_view state_words, int64_t latest,
                               absl::string_view latest_node, absl::string_view node_id);

// Why a grading was given up after its claims' leases expired `attempts`
// times, the last one on `node_id` (a regrade item's note).
std::string LostGradingNote(int64_t attempts, absl::string_view node_id);

// The error of the GRADING_FAILED report of a submission given up so.
std::string LostGradingError(int64_t attempts, absl::string_view node_id);

// Why `submission` cannot be regraded under `spec` (not DONE, of another
// exercise, or of another course when the spec names one), as the end of
// "submission '<id>' ..."; empty when it can.
std::string RegradeProblem(const gograder::v1::Submission& submission, const RegradeSpec& spec);

// NotFound naming the submission, or the regrade.
absl::Status SubmissionNotFound(const std::string& submission_id);
absl::Status RegradeNotFound(const std::string& regrade_id);

}  // namespace gograder::store::internal

#endif  // GOGRADER_GRADER_STORE_STORE_INTERNAL_H_
