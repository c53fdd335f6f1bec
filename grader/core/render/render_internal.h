// Internals shared by the report renderers (render_*.cc): the student-view
// filter, UTF-8 repair, number and duration formatting, enum names and the
// relations between criteria, tests and annotations. Not a public API.
#ifndef GOGRADER_GRADER_CORE_RENDER_RENDER_INTERNAL_H_
#define GOGRADER_GRADER_CORE_RENDER_RENDER_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grader/core/render/render.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core::render_internal {

// The code point used for bytes that are not valid UTF-8.
inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the code point of `s` at `*pos` and advances `*pos` past it. A byte
// that does not start a valid, shortest-form UTF-8 sequence (or encodes a
// surrogate) yields kReplacementChar and advances by one byte.
char32_t NextCodePoint(absl::string_view s, size_t* pos);

// Appends the UTF-8 encoding of `cp` to `out`.
void AppendUtf8(char32_t cp, std::string* out);

// Returns `s` with every invalid UTF-8 byte replaced by U+FFFD.
std::string ValidUtf8(absl::string_view s);

// True for the characters XML 1.0 allows: #x9 | #xA | #xD | [#x20-#xD7FF] |
// [#xE000-#xFFFD] | [#x10000-#x10FFFF].
bool IsXmlChar(char32_t cp);

// Returns `s` as XML (or HTML) character data: invalid UTF-8 becomes U+FFFD,
// characters XML 1.0 forbids are dropped and & < > " ' are escaped. In an
// XML attribute, tab, newline and carriage return are escaped too so they
// survive attribute value normalisation.
std::string XmlEscape(absl::string_view s, bool attribute = true);

// Returns the number of code points of `s` (invalid bytes count as one).
size_t CodePointCount(absl::string_view s);

// Returns `s` cut to at most `max_code_points` code points, ending in "..."
// when it was cut.
std::string Ellipsize(absl::string_view s, size_t max_code_points);

// Returns points as a short decimal: 20, 12.5, 33.33 (two decimals at most).
std::string FormatPoints(double points);

// Returns "earned/max" with FormatPoints.
std::string FormatScore(double points, double max_points);

// Returns a duration for people: "850 ms", "1.23 s", "2 m 05 s"; "-" for 0.
std::string FormatSeconds(double seconds);

// FormatSeconds of microseconds.
std::string FormatMicros(int64_t micros);

// Returns a size for people: "512 B", "12.3 KiB", "210.5 MiB"; "-" for 0.
std::string FormatBytes(int64_t bytes);

// Returns how late something was, for people, in its two largest units:
// "2 days 3 h", "1 day", "5 h 20 m", "12 m 5 s", "40 s".
std::string FormatLateness(int64_t seconds);

// Returns a late penalty in one line for a teacher or a student: "-17 points
// (20% of the max score): handed in 1 day 2 h after the due time
// 2026-12-01T23:59:00Z; raw score 85 (10% per started day late, at most
// 50%)"; "" when it took no points.
std::string LatePenaltyLine(const gograder::v1::LatePenalty& late);

// Returns the first `head_lines` and last `tail_lines` lines of `output`
// (the middle replaced by "... (N lines omitted) ..."), without a trailing
// newline, cut to about `max_bytes` bytes.
std::string TrimOutput(absl::string_view output, int head_lines, int tail_lines, size_t max_bytes);

// Enum names for people, lower case with spaces: "build", "time limit",
// "error", "missing". Unknown values print as "#<number>".
std::string StepName(int step);
std::string VerdictName(int verdict);
std::string SeverityName(int severity);
std::string TestStatusName(int status);

// Returns "file:line:col: severity: message [source]", leaving out the parts
// that are unknown (no line, no column, no file, no source). Not escaped.
std::string FormatAnnotation(const gograder::v1::Annotation& annotation);

// True when the report carries a score (status GRADED). Any other status,
// including an unset one, means the grading did not produce a grade.
bool IsGraded(const gograder::v1::GradeReport& report);

// True for a test that did not pass: FAILED, MISSING or DUPLICATED.
bool IsFailing(const gograder::v1::TestResult& test);

// True when the criterion earned less than its maximum.
bool LostPoints(const gograder::v1::CriterionResult& criterion);

// The tests of the report that the criterion covers, in report order.
std::vector<const gograder::v1::TestResult*> TestsOf(
    const gograder::v1::GradeReport& report, const gograder::v1::CriterionResult& criterion);

// True when an annotation's source names the criterion: the source up to its
// first ':' ("vet" of "vet:copylocks") equals the criterion id or the id up to
// its first '.' ("static" of "static.imports").
bool AnnotationBelongsTo(const gograder::v1::Annotation& annotation,
                         const gograder::v1::CriterionResult& criterion);

// What the student view took out of a report.
struct Concealed {
  int criteria = 0;
  double points = 0;
  double max_points = 0;
};

// Returns the report as `options` lets its reader see it. Without
// student_view it is `report` unchanged. With it, concealed criteria are
// removed (their points stay in score/max_score and are summed in
// `*concealed`), and so are the tests only they cover, annotations and flags
// naming those tests, and the steps' argv (which names hidden tests).
gograder::v1::GradeReport VisibleReport(const gograder::v1::GradeReport& report,
                                        const RenderOptions& options, Concealed* concealed);

// The renderers, each given the report already filtered by VisibleReport.
std::string RenderText(const gograder::v1::GradeReport& report, const Concealed& concealed,
                       const RenderOptions& options);
std::string RenderJson(const gograder::v1::GradeReport& report);
std::string RenderJUnit(const gograder::v1::GradeReport& report);
std::string RenderGradescope(const gograder::v1::GradeReport& report);
std::string RenderGithub(const gograder::v1::GradeReport& report);

// The sentence every format uses when a report has no grade.
inline constexpr absl::string_view kNotAGrade =
    "This is not a grade: the grading failed on the grader's side, not because of the "
    "submission. No score was given; the submission can be regraded.";

}  // namespace gograder::core::render_internal

#endif  // GOGRADER_GRADER_CORE_RENDER_RENDER_INTERNAL_H_
