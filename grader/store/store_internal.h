// What every Store implementation shares besides fair_queue.h: submission
// and regrade ids, List's page tokens and page sizes, the rule that decides
// whether a new report becomes current (with the notes a regrade item
// records when it does not), and the NotFound errors.
#ifndef GOGRADER_GRADER_STORE_STORE_INTERNAL_H_
#define GOGRADER_GRADER_STORE_STORE_INTERNAL_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
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

// NotFound naming the submission, or the regrade.
absl::Status SubmissionNotFound(const std::string& submission_id);
absl::Status RegradeNotFound(const std::string& regrade_id);

}  // namespace gograder::store::internal

#endif  // GOGRADER_GRADER_STORE_STORE_INTERNAL_H_
