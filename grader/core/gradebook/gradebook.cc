#include "grader/core/gradebook/gradebook.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "grader/core/gradebook/csv.h"
#include "grader/core/render/render_internal.h"

namespace gograder::core {
namespace {

using gograder::v1::CriterionResult;
using gograder::v1::Exercise;
using gograder::v1::GradeReport;
using gograder::v1::TestResult;
using render_internal::FormatPoints;

// Appends one CSV record of `cells` (each made spreadsheet-safe) to `out`.
void AppendRecord(const std::vector<std::string>& cells, std::string& out) {
  for (size_t i = 0; i < cells.size(); ++i) {
    absl::StrAppend(&out, i > 0 ? "," : "", SpreadsheetSafeCsvField(cells[i]));
  }
  out += "\r\n";
}

// The score before a late penalty.
double RawScore(const GradeReport& report) {
  return report.has_late() ? report.late().raw_score() : report.score();
}

// "full", "partial" or "zero"; empty for a criterion worth nothing.
std::string CriterionResultName(const CriterionResult& criterion) {
  if (criterion.max_points() <= 0) return "";
  if (criterion.points() >= criterion.max_points()) return "full";
  if (criterion.points() > 0) return "partial";
  return "zero";
}

// The detail of a student's status row: the late penalty or our error.
std::string StatusDetail(const GradebookRow& row) {
  if (!row.report) return "";
  const GradeReport& report = *row.report;
  if (!HasScore(row)) return report.error();
  const std::string late = render_internal::LatePenaltyLine(report.late());
  return late.empty() ? "" : absl::StrCat("late: ", late);
}

}  // namespace

GradebookStatus StatusOf(const GradebookRow& row) {
  if (!row.report) return GradebookStatus::kMissing;
  if (row.report->status() != GradeReport::GRADED) return GradebookStatus::kGradingFailed;
  if (row.report->build_failed()) return GradebookStatus::kBuildFailed;
  return GradebookStatus::kGraded;
}

std::string_view StatusName(GradebookStatus status) {
  switch (status) {
    case GradebookStatus::kGraded:
      return "graded";
    case GradebookStatus::kBuildFailed:
      return "build_failed";
    case GradebookStatus::kGradingFailed:
      return "grading_failed";
    case GradebookStatus::kMissing:
      return "missing";
  }
  return "missing";
}

bool HasScore(const GradebookRow& row) {
  const GradebookStatus status = StatusOf(row);
  return status == GradebookStatus::kGraded || status == GradebookStatus::kBuildFailed;
}

double ExerciseMaxScore(const Exercise& exercise) {
  double max_score = 0;
  for (const gograder::v1::Criterion& criterion : exercise.criteria()) {
    max_score += criterion.points();
  }
  return max_score;
}

std::string WideGradebookCsv(const Exercise& exercise, const std::vector<GradebookRow>& rows) {
  std::string out;
  std::vector<std::string> header = {"student_id",   "submitted_at", "commit",    "raw_score",
                                     "late_penalty", "score",        "max_score", "status"};
  for (const gograder::v1::Criterion& criterion : exercise.criteria()) {
    header.push_back(criterion.id());
  }
  AppendRecord(header, out);

  const std::string max_score = FormatPoints(ExerciseMaxScore(exercise));
  std::vector<std::string> max_row = {"max", "", "", max_score, "", max_score, max_score, ""};
  for (const gograder::v1::Criterion& criterion : exercise.criteria()) {
    max_row.push_back(FormatPoints(criterion.points()));
  }
  AppendRecord(max_row, out);

  for (const GradebookRow& row : rows) {
    const bool scored = HasScore(row);
    std::vector<std::string> cells = {row.student_id, row.submitted_at, row.commit};
    if (scored) {
      const GradeReport& report = *row.report;
      cells.push_back(FormatPoints(RawScore(report)));
      cells.push_back(FormatPoints(report.has_late() ? report.late().points() : 0));
      cells.push_back(FormatPoints(report.score()));
      cells.push_back(FormatPoints(report.max_score()));
    } else {
      cells.insert(cells.end(), {"", "", "", max_score});
    }
    cells.push_back(std::string(StatusName(StatusOf(row))));
    for (const gograder::v1::Criterion& criterion : exercise.criteria()) {
      std::string points;
      if (scored) {
        for (const CriterionResult& result : row.report->criteria()) {
          if (result.id() == criterion.id()) points = FormatPoints(result.points());
        }
      }
      cells.push_back(std::move(points));
    }
    AppendRecord(cells, out);
  }
  return out;
}

std::string LongGradebookCsv(const Exercise& exercise, const std::vector<GradebookRow>& rows) {
  std::string out;
  AppendRecord({"student_id", "kind", "id", "points", "max_points", "result", "detail"}, out);
  const std::string exercise_max = FormatPoints(ExerciseMaxScore(exercise));
  for (const GradebookRow& row : rows) {
    const bool scored = HasScore(row);
    const std::string status(StatusName(StatusOf(row)));
    AppendRecord(
        {row.student_id, "status", "", scored ? FormatPoints(row.report->score()) : "",
         scored ? FormatPoints(row.report->max_score()) : exercise_max, status, StatusDetail(row)},
        out);
    if (!scored) continue;
    for (const CriterionResult& criterion : row.report->criteria()) {
      AppendRecord({row.student_id, "criterion", criterion.id(), FormatPoints(criterion.points()),
                    FormatPoints(criterion.max_points()), CriterionResultName(criterion),
                    criterion.reason()},
                   out);
    }
    for (const TestResult& test : row.report->tests()) {
      AppendRecord({row.student_id, "test", test.name(), "", "",
                    render_internal::TestStatusName(test.status()),
                    absl::StrJoin(test.failed_subtests(), ";")},
                   out);
    }
  }
  return out;
}

}  // namespace gograder::core
