// The Gradescope format: /autograder/results/results.json of Gradescope's
// autograder spec. One test per criterion (score, max_score, passed|failed,
// the reason and failing tests as output) with the criterion's visibility
// mapped to Gradescope's; Gradescope then hides HIDDEN criteria from students
// and shows AFTER_DUE_DATE ones after the due date. The top-level output, which
// students always see, summarises the student view of the report (score,
// late penalty, build failure, failing tests, annotations). Flags and
// digests go to extra_data, which students do not see.
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "grader/core/render/render_internal.h"
#include "nlohmann/json.hpp"
#include "proto/gograder/v1/report.pb.h"
#include "proto/gograder/v1/rubric.pb.h"

namespace gograder::core::render_internal {
namespace {

using gograder::v1::Annotation;
using gograder::v1::CriterionResult;
using gograder::v1::GradeReport;
using gograder::v1::TestResult;
using Json = nlohmann::ordered_json;

constexpr int kMaxAnnotations = 100;
constexpr int kOutputHeadLines = 10;
constexpr int kOutputTailLines = 20;
constexpr size_t kOutputMaxBytes = 4096;

// A JSON number Gradescope accepts: NaN and infinities become 0.
double Number(double value) { return std::isfinite(value) ? value : 0; }

std::string Str(absl::string_view s) { return ValidUtf8(s); }

std::string VisibilityName(gograder::v1::Visibility visibility) {
  switch (visibility) {
    case gograder::v1::VISIBLE:
      return "visible";
    case gograder::v1::AFTER_DUE_DATE:
      return "after_due_date";
    default:  // HIDDEN, and any value this code does not know
      return "hidden";
  }
}

// The reason, benchmark figures, failing tests and annotations of a criterion.
std::string CriterionOutput(const GradeReport& report, const CriterionResult& criterion) {
  std::vector<std::string> parts;
  if (!criterion.reason().empty()) parts.push_back(criterion.reason());
  if (criterion.ratio() > 0) {
    parts.push_back(absl::StrFormat(
        "Benchmark: %.2fx the reference (yours %.0f ns/op, reference %.0f ns/op).",
        criterion.ratio(), criterion.student_ns_per_op(), criterion.reference_ns_per_op()));
  }
  for (const TestResult* test : TestsOf(report, criterion)) {
    if (!IsFailing(*test)) continue;
    std::string part = absl::StrCat(test->name(), ": ", TestStatusName(test->status()));
    if (test->failed_subtests_size() > 0) {
      absl::StrAppend(&part, " (failed subtests: ", absl::StrJoin(test->failed_subtests(), ", "),
                      ")");
    }
    const std::string output =
        TrimOutput(test->output(), kOutputHeadLines, kOutputTailLines, kOutputMaxBytes);
    if (!output.empty()) absl::StrAppend(&part, "\n", output);
    parts.push_back(part);
  }
  std::vector<std::string> annotations;
  for (const Annotation& annotation : report.annotations()) {
    if (AnnotationBelongsTo(annotation, criterion)) {
      annotations.push_back(FormatAnnotation(annotation));
    }
  }
  if (!annotations.empty()) parts.push_back(absl::StrJoin(annotations, "\n"));
  return absl::StrJoin(parts, "\n\n");
}

// The top-level output of a graded report.
std::string Summary(const GradeReport& report) {
  std::vector<std::string> parts;
  parts.push_back(absl::StrCat(report.exercise_id().empty() ? "Score" : report.exercise_id(), ": ",
                               FormatPoints(report.score()), "/", FormatPoints(report.max_score()),
                               " points."));
  if (report.has_late() && report.late().points() > 0) {
    parts.push_back(absl::StrCat("Late penalty: ", LatePenaltyLine(report.late()), "."));
  }
  if (report.build_failed()) {
    parts.push_back("The build failed: the code does not compile, so the score is 0.");
  }
  std::vector<std::string> failing;
  for (const TestResult& test : report.tests()) {
    if (IsFailing(test)) failing.push_back(test.name());
  }
  if (!failing.empty()) {
    parts.push_back(absl::StrCat("Failing tests (", failing.size(), " of ", report.tests_size(),
                                 "): ", absl::StrJoin(failing, ", "), "."));
  }
  if (report.annotations_size() > 0) {
    std::vector<std::string> lines = {"Annotations:"};
    for (int i = 0; i < report.annotations_size() && i < kMaxAnnotations; ++i) {
      lines.push_back(FormatAnnotation(report.annotations(i)));
    }
    if (report.annotations_size() > kMaxAnnotations) {
      lines.push_back(absl::StrCat("... ", report.annotations_size() - kMaxAnnotations, " more"));
    }
    parts.push_back(absl::StrJoin(lines, "\n"));
  }
  if (!report.toolchain().empty()) parts.push_back(absl::StrCat("Toolchain: ", report.toolchain()));
  return absl::StrJoin(parts, "\n\n");
}

}  // namespace

std::string RenderGradescope(const GradeReport& report) {
  Json results = Json::object();
  Json extra = Json::object();
  extra["exercise_id"] = Str(report.exercise_id());
  extra["status"] = GradeReport::Status_IsValid(report.status())
                        ? GradeReport::Status_Name(report.status())
                        : absl::StrCat(static_cast<int>(report.status()));
  if (!IsGraded(report)) {
    // Gradescope has no "not gradable" result (PrairieLearn's gradable:false)
    // and requires a score. Leaving the score out would let Gradescope sum
    // the tests to 0 silently; an explicit 0 with an output that says it is
    // not a grade is the least misleading option. No tests are listed so no
    // criterion appears failed, and extra_data.grading_failed lets tools tell
    // this 0 from a real one.
    results["score"] = 0;
    results["output"] = absl::StrCat(
        "Grading failed on the grader's side, not because of your submission: ",
        report.error().empty() ? "no reason recorded" : Str(report.error()), "\n\n",
        "The score of 0 is a placeholder that Gradescope requires, not a grade: your "
        "submission was not graded. Please resubmit, or ask your instructor to regrade it.");
    extra["grading_failed"] = true;
    extra["error"] = Str(report.error());
  } else {
    // The top-level output is always shown to students: summarise only what
    // a student may see before the due date; the tests carry the rest with
    // their own visibility.
    RenderOptions student;
    student.student_view = true;
    Concealed concealed;
    results["score"] = Number(report.score());
    results["output"] = Str(Summary(VisibleReport(report, student, &concealed)));
  }
  results["output_format"] = "text";
  results["test_output_format"] = "text";
  results["visibility"] = "visible";
  results["stdout_visibility"] = "hidden";
  if (std::isfinite(report.duration_seconds()) && report.duration_seconds() > 0) {
    results["execution_time"] = std::llround(report.duration_seconds());
  }
  Json tests = Json::array();
  if (IsGraded(report)) {
    for (const CriterionResult& criterion : report.criteria()) {
      Json test = Json::object();
      test["name"] = Str(criterion.title().empty() ? criterion.id() : criterion.title());
      test["score"] = Number(criterion.points());
      test["max_score"] = Number(criterion.max_points());
      test["status"] = LostPoints(criterion) ? "failed" : "passed";
      test["output"] = Str(CriterionOutput(report, criterion));
      test["visibility"] = VisibilityName(criterion.visibility());
      test["extra_data"] = {{"criterion_id", Str(criterion.id())}};
      tests.push_back(std::move(test));
    }
  }
  results["tests"] = std::move(tests);
  if (!report.toolchain().empty()) extra["toolchain"] = Str(report.toolchain());
  if (!report.rubric_digest().empty()) extra["rubric_digest"] = Str(report.rubric_digest());
  if (!report.submission_digest().empty()) {
    extra["submission_digest"] = Str(report.submission_digest());
  }
  if (report.flags_size() > 0) {
    Json flags = Json::array();
    for (const std::string& flag : report.flags()) flags.push_back(Str(flag));
    extra["flags"] = std::move(flags);
  }
  results["extra_data"] = std::move(extra);
  return results.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace gograder::core::render_internal
