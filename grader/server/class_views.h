// What the teachers' RPCs make of a course's finished submissions: which
// submission of each student counts (RegradeAll's scope, ExportGradebook's
// choice), and a regrade's progress and score changes as API messages.
#ifndef GOGRADER_GRADER_SERVER_CLASS_VIEWS_H_
#define GOGRADER_GRADER_SERVER_CLASS_VIEWS_H_

#include <string>
#include <vector>

#include "grader/store/store.h"
#include "proto/gograder/v1/api.pb.h"

namespace gograder::server {

enum class Pick { kAll, kLatestPerStudent, kBestPerStudent };

// The scope's name as recorded with a regrade: "all", "latest-per-student",
// "best-per-student".
std::string PickName(Pick pick);

// RegradeAll's scope as a Pick (unspecified = all).
Pick PickOf(gograder::v1::RegradeAllRequest::Scope scope);

// The submissions of `finished` (oldest first, as Store::Finished returns
// them) that `pick` counts, in the same order. A student is a (course,
// student id) pair; submissions without a student id stand alone. Best: the
// highest GRADED score, the later one on a tie; a student without any
// GRADED report counts with their latest.
std::vector<gograder::v1::Submission> PickSubmissions(
    const std::vector<gograder::v1::Submission>& finished, Pick pick);

// How far `regrade` got.
gograder::v1::RegradeProgress ProgressOf(const store::Regrade& regrade);

// The EventHub key of a regrade's news (never a submission id).
std::string RegradeNewsKey(const std::string& regrade_id);

// The progress and every item whose score changed (or, in a dry run, would
// change) or whose new report was not applied; the others are counted as
// unchanged.
gograder::v1::RegradeSummary SummaryOf(const store::Regrade& regrade);

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_CLASS_VIEWS_H_
