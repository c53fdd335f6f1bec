// A class's gradebook for one exercise: a row per student with their counted
// report (or none when nothing was handed in), exported as CSV for a
// learning-management system (wide: a row per student) or for analysis
// (long: a row per student and criterion or hidden test).
//
// Records end in CRLF (RFC 4180). Every cell may come from a student (ids,
// test names, reasons): cells are quoted as RFC 4180 wants, made valid
// UTF-8, and a cell a spreadsheet would run as a formula gets a leading
// apostrophe. A student with no score
// (missing, or grading failed on our side) has empty score cells, never 0:
// LMS imports read an empty cell as "no grade".
#ifndef GOGRADER_GRADER_CORE_GRADEBOOK_GRADEBOOK_H_
#define GOGRADER_GRADER_CORE_GRADEBOOK_GRADEBOOK_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/gograder/v1/report.pb.h"
#include "proto/gograder/v1/rubric.pb.h"

namespace gograder::core {

enum class GradebookStatus { kGraded, kBuildFailed, kGradingFailed, kMissing };

// One student of the gradebook.
struct GradebookRow {
  std::string student_id;
  std::string submitted_at;                         // RFC 3339; empty when unknown
  std::string commit;                               // git commit, GitHub Classroom
  std::optional<gograder::v1::GradeReport> report;  // none: nothing handed in (missing)
  std::string report_link;  // relative URL of the student's report, for the class report
};

// The student's status: kMissing without a report, kGradingFailed unless the
// report is GRADED, kBuildFailed when it is GRADED with build_failed,
// kGraded otherwise.
GradebookStatus StatusOf(const GradebookRow& row);

// The status as a CSV cell and CSS class: "graded", "build_failed",
// "grading_failed" or "missing".
std::string_view StatusName(GradebookStatus status);

// True when the row has a score: graded, or graded with a failed build.
bool HasScore(const GradebookRow& row);

// The max score of `exercise`: the sum of its criteria's points.
double ExerciseMaxScore(const gograder::v1::Exercise& exercise);

// The wide gradebook: the header student_id, submitted_at, commit,
// raw_score, late_penalty, score, max_score, status, then one column per
// criterion of `exercise` (its id, in rubric order); a "max" row with the
// points available; then one row per student in the order given. raw_score
// is the score before a late penalty, late_penalty the points it took.
// Numbers have at most two decimals ("85", "12.5", "0.33").
std::string WideGradebookCsv(const gograder::v1::Exercise& exercise,
                             const std::vector<GradebookRow>& rows);

// The long gradebook: the header student_id, kind, id, points, max_points,
// result, detail; then for each student (in the order given) a `status`
// row (result: the status name; points: the score when there is one;
// detail: the late penalty when it took points, or our error), and for a
// student with a score a `criterion` row per criterion of the report (result
// full, partial or zero; detail the reason) and a `test` row per hidden test
// (result passed, failed, skipped, missing or duplicated; detail the failed
// subtests joined with ';').
std::string LongGradebookCsv(const gograder::v1::Exercise& exercise,
                             const std::vector<GradebookRow>& rows);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GRADEBOOK_GRADEBOOK_H_
