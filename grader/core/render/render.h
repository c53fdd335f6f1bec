// Renderers of a GradeReport: one grading, several audiences.
//
//   text        a terminal, for a teacher or a student (readable without colour)
//   json        the proto itself as JSON (proto field names, defaults printed)
//   junit       JUnit XML for CI dashboards
//   gradescope  Gradescope's results.json
//   github      GitHub Actions workflow commands (annotations on the code)
//
// Rendering never fails: every field of the report is optional, and every
// string in it may come from the student (test output, compiler messages) so
// it is treated as hostile: invalid UTF-8 is replaced, control characters are
// neutralised, and each format's own escaping is applied.
//
// With RenderOptions::student_view, criteria a student may not see yet
// (HIDDEN, and AFTER_DUE_DATE before the due date) are dropped from every
// format, together with the tests only they cover and the annotations and
// flags that name those tests; their points still count in the total score.
// A GradeReport whose status is not GRADED has no score: every format says
// the grading failed on our side and that the submission can be regraded.
#ifndef GOGRADER_GRADER_CORE_RENDER_RENDER_H_
#define GOGRADER_GRADER_CORE_RENDER_RENDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core {

enum class ReportFormat { kText, kJson, kJUnit, kGradescope, kGithub };

// Parses a format name: "text", "json", "junit", "gradescope" or "github"
// (case-insensitive). Any other name is InvalidArgument naming the valid ones.
absl::StatusOr<ReportFormat> ParseReportFormat(absl::string_view name);

struct RenderOptions {
  // Hide HIDDEN criteria (and AFTER_DUE_DATE ones unless after_due_date).
  bool student_view = false;
  bool after_due_date = false;
  // ANSI colours in the text format; ignored by the others.
  bool color = false;
};

// Renders `report` in `format`. Never fails: missing fields are left out.
std::string RenderReport(const gograder::v1::GradeReport& report, ReportFormat format,
                         const RenderOptions& options = {});

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_RENDER_RENDER_H_
