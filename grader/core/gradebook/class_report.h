// The class report: one self-contained HTML page for the teacher of an
// exercise, from the gradebook's rows. Inline CSS and inline SVG only: no
// script, no external resource, a Content-Security-Policy that allows
// nothing else; readable on a phone (tables scroll sideways, charts scale).
// Every string from a student is escaped.
//
// Sections, each with a stable id: #summary (counts by status, mean and
// median score), #histogram (scores in ten bins of the max score), #criteria
// (per criterion: mean, min, median, max, share with full marks), #tests
// (pass rate of each hidden test, hardest first), #steps (wall time of each
// sandbox step per student, as box plots), #benchmarks (ratios to the
// reference), #findings (vet and gofmt), #flagged (students whose report has
// flags) and #students (a row per student, linking to their report).
#ifndef GOGRADER_GRADER_CORE_GRADEBOOK_CLASS_REPORT_H_
#define GOGRADER_GRADER_CORE_GRADEBOOK_CLASS_REPORT_H_

#include <string>
#include <vector>

#include "grader/core/gradebook/gradebook.h"
#include "proto/gograder/v1/rubric.pb.h"

namespace gograder::core {

struct ClassReportOptions {
  std::string title;         // the page's heading; default "Class report: <exercise id>"
  std::string generated_at;  // RFC 3339, shown under the heading; empty = not shown
};

// The class report of `exercise` for `rows` (one per student, any order).
// Statistics of scores, criteria, tests, steps, benchmarks and findings are
// over the students with a score (graded, build failed included); a class
// with none renders with empty sections.
std::string ClassReportHtml(const gograder::v1::Exercise& exercise,
                            const std::vector<GradebookRow>& rows,
                            const ClassReportOptions& options);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GRADEBOOK_CLASS_REPORT_H_
