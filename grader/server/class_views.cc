#include "grader/server/class_views.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gograder::server {
namespace {

using gograder::v1::GradeReport;
using gograder::v1::Submission;

bool Graded(const Submission& submission) {
  return submission.has_report() && submission.report().status() == GradeReport::GRADED;
}

// True when `candidate` (later than `current`) replaces it as the best.
bool Better(const Submission& candidate, const Submission& current) {
  if (!Graded(candidate)) return !Graded(current);
  return !Graded(current) || candidate.report().score() >= current.report().score();
}

}  // namespace

std::string PickName(Pick pick) {
  switch (pick) {
    case Pick::kAll:
      return "all";
    case Pick::kLatestPerStudent:
      return "latest-per-student";
    case Pick::kBestPerStudent:
      return "best-per-student";
  }
  return "all";
}

Pick PickOf(gograder::v1::RegradeAllRequest::Scope scope) {
  switch (scope) {
    case gograder::v1::RegradeAllRequest::LATEST_PER_STUDENT:
      return Pick::kLatestPerStudent;
    case gograder::v1::RegradeAllRequest::BEST_PER_STUDENT:
      return Pick::kBestPerStudent;
    default:
      return Pick::kAll;
  }
}

std::vector<Submission> PickSubmissions(const std::vector<Submission>& finished, Pick pick) {
  if (pick == Pick::kAll) return finished;
  // Index in `finished` of the counted submission of each student.
  std::map<std::pair<std::string, std::string>, size_t> counted;
  for (size_t i = 0; i < finished.size(); ++i) {
    const Submission& submission = finished[i];
    std::string student = submission.student_id().empty()
                              ? absl::StrCat("\n", submission.submission_id())
                              : submission.student_id();
    auto [it, inserted] = counted.try_emplace({submission.course_id(), student}, i);
    if (inserted) continue;
    if (pick == Pick::kLatestPerStudent || Better(submission, finished[it->second])) {
      it->second = i;
    }
  }
  std::vector<bool> keep(finished.size(), false);
  for (const auto& [student, index] : counted) keep[index] = true;
  std::vector<Submission> picked;
  for (size_t i = 0; i < finished.size(); ++i) {
    if (keep[i]) picked.push_back(finished[i]);
  }
  return picked;
}

std::string RegradeNewsKey(const std::string& regrade_id) {
  return absl::StrCat("regrade:", regrade_id);
}

gograder::v1::RegradeProgress ProgressOf(const store::Regrade& regrade) {
  gograder::v1::RegradeProgress progress;
  progress.set_regrade_id(regrade.regrade_id);
  progress.set_total(static_cast<int>(regrade.items.size()));
  progress.set_dry_run(regrade.spec.dry_run);
  progress.set_rubric_digest(regrade.spec.rubric_digest);
  for (const store::RegradeItem& item : regrade.items) {
    switch (item.state) {
      case store::RegradeItem::State::kPending:
        progress.set_pending(progress.pending() + 1);
        break;
      case store::RegradeItem::State::kGraded:
        progress.set_graded(progress.graded() + 1);
        break;
      case store::RegradeItem::State::kFailed:
        progress.set_failed(progress.failed() + 1);
        break;
    }
  }
  return progress;
}

gograder::v1::RegradeSummary SummaryOf(const store::Regrade& regrade) {
  gograder::v1::RegradeSummary summary;
  *summary.mutable_progress() = ProgressOf(regrade);
  for (const store::RegradeItem& item : regrade.items) {
    if (item.state == store::RegradeItem::State::kPending) continue;
    bool same_score = item.before.has_value() == item.after.has_value() &&
                      (!item.before.has_value() || *item.before == *item.after);
    bool not_applied = !item.applied && !regrade.spec.dry_run;
    if (same_score && !not_applied) {
      summary.set_unchanged(summary.unchanged() + 1);
      continue;
    }
    gograder::v1::ScoreChange* change = summary.add_changes();
    change->set_submission_id(item.submission_id);
    change->set_course_id(item.course_id);
    change->set_student_id(item.student_id);
    change->set_had_score(item.before.has_value());
    change->set_before(item.before.value_or(0));
    change->set_has_score(item.after.has_value());
    change->set_after(item.after.value_or(0));
    change->set_applied(item.applied);
    change->set_note(item.note);
  }
  return summary;
}

}  // namespace gograder::server
