// The text format: a report for a terminal, read by a teacher or a student.
// Sections: header (with the late penalty), criteria table, failing tests, annotations, flags,
// steps. Everything from the report is made terminal-safe first: a student's test output must not
// move the cursor, recolour or rewrite what we print.
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "grader/core/render/render_internal.h"
#include "proto/gograder/v1/report.pb.h"
#include "proto/gograder/v1/sandbox.pb.h"

namespace gograder::core::render_internal {
namespace {

using gograder::v1::Annotation;
using gograder::v1::CriterionResult;
using gograder::v1::GradeReport;
using gograder::v1::SandboxResult;
using gograder::v1::StepRun;
using gograder::v1::TestResult;

constexpr size_t kMaxTitleWidth = 36;
constexpr int kMaxAnnotations = 100;
constexpr int kOutputHeadLines = 10;
constexpr int kOutputTailLines = 20;
constexpr size_t kOutputMaxBytes = 4096;

// True for code points a terminal interprets instead of printing: C0 and C1
// controls, DEL, and the bidirectional overrides that reorder what is shown.
bool IsTerminalControl(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// Returns `s` with invalid UTF-8 replaced and terminal controls shown as
// escapes ("\x1b", "\u202e"). Tabs are kept; newlines too when `multiline`,
// otherwise shown as "\n".
std::string TerminalSafe(absl::string_view s, bool multiline) {
  const std::string text = absl::StrReplaceAll(s, {{"\r\n", "\n"}});
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const char32_t cp = NextCodePoint(text, &pos);
    if (cp == '\t' || (cp == '\n' && multiline)) {
      out.push_back(static_cast<char>(cp));
    } else if (cp == '\n') {
      out += "\\n";
    } else if (IsTerminalControl(cp)) {
      out += cp < 0x100 ? absl::StrFormat("\\x%02x", static_cast<unsigned>(cp))
                        : absl::StrFormat("\\u%04x", static_cast<unsigned>(cp));
    } else {
      AppendUtf8(cp, &out);
    }
  }
  return out;
}

// A single terminal-safe line.
std::string Line(absl::string_view s) { return TerminalSafe(s, /*multiline=*/false); }

// Pads `s` with spaces to `width` code points.
std::string PadRight(absl::string_view s, size_t width) {
  const size_t n = CodePointCount(s);
  return absl::StrCat(s, std::string(n < width ? width - n : 0, ' '));
}

std::string PadLeft(absl::string_view s, size_t width) {
  const size_t n = CodePointCount(s);
  return absl::StrCat(std::string(n < width ? width - n : 0, ' '), s);
}

// Multi-line terminal-safe text whose lines after the first start with
// `indent`.
std::string Indented(absl::string_view s, absl::string_view indent) {
  return absl::StrJoin(absl::StrSplit(TerminalSafe(s, /*multiline=*/true), '\n'),
                       absl::StrCat("\n", indent));
}

// `s` (plain ASCII words) wrapped at `width` columns, each line starting with
// `indent`.
std::string Wrapped(absl::string_view s, absl::string_view indent, size_t width) {
  std::string out;
  std::string line(indent);
  for (absl::string_view word : absl::StrSplit(s, ' ', absl::SkipEmpty())) {
    if (line.size() > indent.size() && line.size() + 1 + word.size() > width) {
      absl::StrAppend(&out, line, "\n");
      line = std::string(indent);
    }
    absl::StrAppend(&line, line.size() > indent.size() ? " " : "", word);
  }
  absl::StrAppend(&out, line);
  return out;
}

// ANSI styling, or none.
class Style {
 public:
  explicit Style(bool color) : color_(color) {}
  std::string Bold(absl::string_view s) const { return Paint("1", s); }
  std::string Red(absl::string_view s) const { return Paint("31", s); }
  std::string Green(absl::string_view s) const { return Paint("32", s); }
  std::string Yellow(absl::string_view s) const { return Paint("33", s); }
  std::string Dim(absl::string_view s) const { return Paint("2", s); }

 private:
  std::string Paint(absl::string_view code, absl::string_view s) const {
    if (!color_ || s.empty()) return std::string(s);
    return absl::StrCat("\x1b[", code, "m", s, "\x1b[0m");
  }
  bool color_;
};

void AppendHeader(const GradeReport& report, const Style& style, std::string* out) {
  absl::StrAppend(out,
                  style.Bold(absl::StrCat("gograder report: ", report.exercise_id().empty()
                                                                   ? "(exercise unknown)"
                                                                   : Line(report.exercise_id()))),
                  "\n");
  const auto field = [out](absl::string_view label, absl::string_view value) {
    absl::StrAppend(out, "  ", PadRight(absl::StrCat(label, ":"), 12), value, "\n");
  };
  constexpr absl::string_view kIndent = "              ";  // 2 + 12
  if (IsGraded(report)) {
    field("Score", style.Bold(absl::StrCat(FormatPoints(report.score()), " / ",
                                           FormatPoints(report.max_score()))));
    field("Status", report.build_failed()
                        ? style.Red("graded; build failed: the code does not compile, score 0")
                        : std::string("graded"));
    if (report.has_late() && report.late().points() > 0) {
      field("Late", style.Yellow(Line(LatePenaltyLine(report.late()))));
    }
  } else {
    field("Status", style.Red(report.status() == GradeReport::GRADING_FAILED
                                  ? "GRADING FAILED (no score)"
                                  : "NOT GRADED (the report has no status; no score)"));
    field("Error", report.error().empty() ? std::string("(none recorded)")
                                          : Indented(report.error(), kIndent));
  }
  if (!report.toolchain().empty()) field("Toolchain", Line(report.toolchain()));
  if (report.duration_seconds() > 0) field("Duration", FormatSeconds(report.duration_seconds()));
  if (!report.graded_at().empty()) field("Graded at", Line(report.graded_at()));
  if (!IsGraded(report)) absl::StrAppend(out, "\n", Wrapped(kNotAGrade, "  ", 80), "\n");
}

// "PASS" / "PART" / "FAIL" for a criterion's points.
std::string Mark(const CriterionResult& criterion, const Style& style) {
  if (!LostPoints(criterion)) return style.Green("PASS");
  if (criterion.points() > 0) return style.Yellow("PART");
  return style.Red("FAIL");
}

void AppendCriteria(const GradeReport& report, const Concealed& concealed, const Style& style,
                    std::string* out) {
  if (report.criteria_size() == 0 && concealed.criteria == 0) return;
  absl::StrAppend(out, "\n", style.Bold("Criteria"), "\n");
  size_t points_width = 0;
  size_t title_width = 0;
  std::vector<std::string> titles;
  for (const CriterionResult& criterion : report.criteria()) {
    points_width =
        std::max(points_width, FormatScore(criterion.points(), criterion.max_points()).size());
    titles.push_back(Ellipsize(Line(criterion.title().empty() ? criterion.id() : criterion.title()),
                               kMaxTitleWidth));
    title_width = std::max(title_width, CodePointCount(titles.back()));
  }
  // "  MARK  points  title  reason": continuation lines of a reason line up.
  const std::string reason_indent(2 + 4 + 2 + points_width + 2 + title_width + 2, ' ');
  for (int i = 0; i < report.criteria_size(); ++i) {
    const CriterionResult& criterion = report.criteria(i);
    absl::StrAppend(out, "  ", Mark(criterion, style), "  ",
                    PadLeft(FormatScore(criterion.points(), criterion.max_points()), points_width),
                    "  ", PadRight(titles[i], title_width));
    if (!criterion.reason().empty()) {
      absl::StrAppend(out, "  ", Indented(criterion.reason(), reason_indent));
    }
    // No trailing spaces when there is no reason.
    while (out->back() == ' ') out->pop_back();
    out->push_back('\n');
  }
  if (concealed.criteria > 0) {
    absl::StrAppend(out, "  ",
                    style.Dim(absl::StrFormat("+ %d hidden %s: %s points, counted in the score",
                                              concealed.criteria,
                                              concealed.criteria == 1 ? "criterion" : "criteria",
                                              FormatScore(concealed.points, concealed.max_points))),
                    "\n");
  }
}

void AppendFailingTests(const GradeReport& report, const Style& style, std::string* out) {
  std::vector<const TestResult*> failing;
  for (const TestResult& test : report.tests()) {
    if (IsFailing(test)) failing.push_back(&test);
  }
  if (failing.empty()) return;
  absl::StrAppend(
      out, "\n",
      style.Bold(absl::StrFormat("Failing tests (%d of %d)", failing.size(), report.tests_size())),
      "\n");
  const std::string indent(2 + 10 + 2, ' ');
  for (const TestResult* test : failing) {
    std::string line = absl::StrCat(
        "  ", style.Red(PadRight(absl::AsciiStrToUpper(TestStatusName(test->status())), 10)), "  ",
        test->name().empty() ? "(unnamed test)" : Line(test->name()));
    if (test->elapsed_seconds() > 0) {
      absl::StrAppend(&line, "  ", FormatSeconds(test->elapsed_seconds()));
    }
    if (!test->package().empty()) absl::StrAppend(&line, "  ", style.Dim(Line(test->package())));
    absl::StrAppend(out, line, "\n");
    if (test->failed_subtests_size() > 0) {
      std::vector<std::string> subtests;
      for (const std::string& subtest : test->failed_subtests()) subtests.push_back(Line(subtest));
      absl::StrAppend(out, indent, "failed subtests: ", absl::StrJoin(subtests, ", "), "\n");
    }
    const std::string output =
        TrimOutput(test->output(), kOutputHeadLines, kOutputTailLines, kOutputMaxBytes);
    if (!output.empty()) {
      for (absl::string_view output_line : absl::StrSplit(output, '\n')) {
        absl::StrAppend(out, indent, style.Dim("|"), " ", TerminalSafe(output_line, false), "\n");
      }
    }
  }
}

void AppendAnnotations(const GradeReport& report, const Style& style, std::string* out) {
  if (report.annotations_size() == 0) return;
  absl::StrAppend(out, "\n",
                  style.Bold(absl::StrFormat("Annotations (%d)", report.annotations_size())), "\n");
  int shown = 0;
  for (const Annotation& annotation : report.annotations()) {
    if (shown++ == kMaxAnnotations) {
      absl::StrAppend(out, "  ... ", report.annotations_size() - kMaxAnnotations, " more\n");
      break;
    }
    std::string line = Indented(FormatAnnotation(annotation), "    ");
    if (annotation.severity() == gograder::v1::ERROR) line = style.Red(line);
    if (annotation.severity() == gograder::v1::WARNING) line = style.Yellow(line);
    absl::StrAppend(out, "  ", line, "\n");
  }
}

void AppendFlags(const GradeReport& report, const Style& style, std::string* out) {
  if (report.flags_size() == 0) return;
  absl::StrAppend(
      out, "\n",
      style.Bold(absl::StrFormat("Flags (%d): signs the submission tried to influence its grading",
                                 report.flags_size())),
      "\n");
  for (const std::string& flag : report.flags()) {
    absl::StrAppend(out, "  ", style.Red("!"), " ", Indented(flag, "    "), "\n");
  }
}

// "ok", "exit 1", "time limit", ...
std::string StepVerdict(const StepRun& step) {
  if (step.verdict() == SandboxResult::NONZERO_EXIT) return absl::StrCat("exit ", step.exit_code());
  return VerdictName(step.verdict());
}

void AppendSteps(const GradeReport& report, const Style& style, std::string* out) {
  if (report.steps_size() == 0) return;
  absl::StrAppend(out, "\n", style.Bold("Steps"), "\n");
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"step", "run", "verdict", "wall", "cpu", "memory"});
  bool any_label = false;
  for (const StepRun& step : report.steps()) {
    any_label = any_label || !step.label().empty();
    rows.push_back({StepName(step.step()), Ellipsize(Line(step.label()), 30), StepVerdict(step),
                    FormatMicros(step.wall_time_us()), FormatMicros(step.cpu_time_us()),
                    FormatBytes(step.peak_memory_bytes())});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], CodePointCount(row[c]));
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (size_t c = 0; c < rows[r].size(); ++c) {
      if (c == 1 && !any_label) continue;
      // Times and sizes are right-aligned.
      absl::StrAppend(&line, "  ",
                      c >= 3 ? PadLeft(rows[r][c], widths[c]) : PadRight(rows[r][c], widths[c]));
    }
    if (r > 0) {
      const StepRun& step = report.steps(static_cast<int>(r - 1));
      if (!step.message().empty()) absl::StrAppend(&line, "  ", Line(step.message()));
      if (step.output_truncated()) absl::StrAppend(&line, "  (output truncated)");
    }
    while (line.back() == ' ') line.pop_back();
    const bool bad = r > 0 &&
                     report.steps(static_cast<int>(r - 1)).verdict() != SandboxResult::OK &&
                     report.steps(static_cast<int>(r - 1)).verdict() != SandboxResult::NONZERO_EXIT;
    absl::StrAppend(out, r == 0 ? style.Dim(line) : bad ? style.Yellow(line) : line, "\n");
  }
}

}  // namespace

std::string RenderText(const GradeReport& report, const Concealed& concealed,
                       const RenderOptions& options) {
  const Style style(options.color);
  std::string out;
  AppendHeader(report, style, &out);
  if (IsGraded(report)) {
    AppendCriteria(report, concealed, style, &out);
    AppendFailingTests(report, style, &out);
  }
  AppendAnnotations(report, style, &out);
  AppendFlags(report, style, &out);
  AppendSteps(report, style, &out);
  return out;
}

}  // namespace gograder::core::render_internal
