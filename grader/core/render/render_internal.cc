// Helpers shared by the report renderers; see render_internal.h.
#include "grader/core/render/render_internal.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "proto/gograder/v1/report.pb.h"
#include "proto/gograder/v1/rubric.pb.h"
#include "proto/gograder/v1/sandbox.pb.h"

namespace gograder::core::render_internal {
namespace {

using gograder::v1::Annotation;
using gograder::v1::CriterionResult;
using gograder::v1::GradeReport;
using gograder::v1::TestResult;

// "TIME_LIMIT" -> "time limit"; an empty name (unknown value) -> "#<value>".
std::string HumanEnumName(const std::string& name, int value) {
  if (value == 0) return "unknown";
  if (name.empty()) return absl::StrCat("#", value);
  std::string out = absl::AsciiStrToLower(name);
  for (char& c : out) {
    if (c == '_') c = ' ';
  }
  return out;
}

}  // namespace

char32_t NextCodePoint(absl::string_view s, size_t* pos) {
  const size_t i = *pos;
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *pos = i + 1;
    return c;
  }
  size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  }
  bool valid = len != 0 && i + len <= s.size();
  for (size_t k = 1; valid && k < len; ++k) {
    const unsigned char b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) valid = false;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (!valid || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *pos = i + 1;
    return kReplacementChar;
  }
  *pos = i + len;
  return cp;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string ValidUtf8(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) AppendUtf8(NextCodePoint(s, &pos), &out);
  return out;
}

bool IsXmlChar(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

std::string XmlEscape(absl::string_view s, bool attribute) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    const char32_t cp = NextCodePoint(s, &pos);
    if (!IsXmlChar(cp)) continue;
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += attribute ? "&#13;" : "\r";
        break;
      default:
        AppendUtf8(cp, &out);
    }
  }
  return out;
}

size_t CodePointCount(absl::string_view s) {
  size_t n = 0;
  for (size_t pos = 0; pos < s.size(); ++n) NextCodePoint(s, &pos);
  return n;
}

std::string Ellipsize(absl::string_view s, size_t max_code_points) {
  if (CodePointCount(s) <= max_code_points) return std::string(s);
  const size_t keep = max_code_points > 3 ? max_code_points - 3 : 0;
  std::string out;
  size_t pos = 0;
  for (size_t n = 0; n < keep && pos < s.size(); ++n) AppendUtf8(NextCodePoint(s, &pos), &out);
  out += "...";
  return out;
}

std::string FormatPoints(double points) {
  if (!std::isfinite(points)) return "?";
  std::string out = absl::StrFormat("%.2f", points);
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  if (out == "-0") out = "0";
  return out;
}

std::string FormatScore(double points, double max_points) {
  return absl::StrCat(FormatPoints(points), "/", FormatPoints(max_points));
}

std::string FormatSeconds(double seconds) {
  if (!std::isfinite(seconds) || seconds <= 0) return "-";
  if (seconds < 0.001) return absl::StrFormat("%.0f us", seconds * 1e6);
  if (seconds < 0.01) return absl::StrFormat("%.1f ms", seconds * 1e3);
  if (seconds < 1) return absl::StrFormat("%.0f ms", seconds * 1e3);
  if (seconds < 60) return absl::StrFormat("%.2f s", seconds);
  const int64_t whole = static_cast<int64_t>(std::llround(seconds));
  return absl::StrFormat("%d m %02d s", whole / 60, whole % 60);
}

std::string FormatMicros(int64_t micros) { return FormatSeconds(micros / 1e6); }

std::string FormatBytes(int64_t bytes) {
  if (bytes <= 0) return "-";
  if (bytes < 1024) return absl::StrCat(bytes, " B");
  const double b = static_cast<double>(bytes);
  if (bytes < (int64_t{1} << 20)) return absl::StrFormat("%.1f KiB", b / 1024);
  if (bytes < (int64_t{1} << 30)) return absl::StrFormat("%.1f MiB", b / (1 << 20));
  return absl::StrFormat("%.2f GiB", b / (1 << 30));
}

std::string FormatLateness(int64_t seconds) {
  struct Unit {
    int64_t seconds;
    const char* one;
    const char* many;
  };
  static constexpr Unit kUnits[] = {
      {86400, " day", " days"}, {3600, " h", " h"}, {60, " m", " m"}, {1, " s", " s"}};
  const auto count_of = [](int64_t count, const Unit& unit) {
    return absl::StrCat(count, count == 1 ? unit.one : unit.many);
  };
  seconds = std::max<int64_t>(0, seconds);
  size_t i = 0;
  while (i + 1 < std::size(kUnits) && seconds < kUnits[i].seconds) ++i;
  std::string out = count_of(seconds / kUnits[i].seconds, kUnits[i]);
  if (i + 1 < std::size(kUnits)) {
    const int64_t next = seconds % kUnits[i].seconds / kUnits[i + 1].seconds;
    if (next > 0) absl::StrAppend(&out, " ", count_of(next, kUnits[i + 1]));
  }
  return out;
}

std::string LatePenaltyLine(const gograder::v1::LatePenalty& late) {
  if (late.points() <= 0) return "";
  return absl::StrCat("-", FormatPoints(late.points()), " points (", FormatPoints(late.percent()),
                      "% of the max score): handed in ", FormatLateness(late.late_seconds()),
                      " after the ", late.extension() ? "extended " : "", "due time ",
                      late.due_at(), "; raw score ", FormatPoints(late.raw_score()),
                      late.rule().empty() ? "" : absl::StrCat(" (", late.rule(), ")"));
}

std::string TrimOutput(absl::string_view raw_output, int head_lines, int tail_lines,
                       size_t max_bytes) {
  const std::string normalized = absl::StrReplaceAll(raw_output, {{"\r\n", "\n"}});
  absl::string_view output = normalized;
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) {
    output.remove_suffix(1);
  }
  if (output.empty()) return "";
  std::vector<absl::string_view> lines = absl::StrSplit(output, '\n');
  std::string out;
  const size_t head = static_cast<size_t>(head_lines);
  const size_t tail = static_cast<size_t>(tail_lines);
  if (lines.size() > head + tail + 1) {
    std::vector<absl::string_view> kept(lines.begin(), lines.begin() + head);
    const std::string omitted =
        absl::StrFormat("... (%d lines omitted) ...", lines.size() - head - tail);
    kept.push_back(omitted);
    kept.insert(kept.end(), lines.end() - tail, lines.end());
    out = absl::StrJoin(kept, "\n");
  } else {
    out = std::string(output);
  }
  if (out.size() > max_bytes) {
    size_t cut = max_bytes;
    // Do not cut a UTF-8 sequence in two.
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "\n... (output cut)";
  }
  return out;
}

std::string StepName(int step) {
  return HumanEnumName(gograder::v1::Step_IsValid(step)
                           ? gograder::v1::Step_Name(static_cast<gograder::v1::Step>(step))
                           : std::string(),
                       step);
}

std::string VerdictName(int verdict) {
  using gograder::v1::SandboxResult;
  return HumanEnumName(
      SandboxResult::Verdict_IsValid(verdict)
          ? SandboxResult::Verdict_Name(static_cast<SandboxResult::Verdict>(verdict))
          : std::string(),
      verdict);
}

std::string SeverityName(int severity) {
  return HumanEnumName(
      gograder::v1::Severity_IsValid(severity)
          ? gograder::v1::Severity_Name(static_cast<gograder::v1::Severity>(severity))
          : std::string(),
      severity);
}

std::string TestStatusName(int status) {
  return HumanEnumName(TestResult::Status_IsValid(status)
                           ? TestResult::Status_Name(static_cast<TestResult::Status>(status))
                           : std::string(),
                       status);
}

std::string FormatAnnotation(const Annotation& annotation) {
  std::string out;
  if (!annotation.file().empty()) {
    out = annotation.file();
    if (annotation.line() > 0) {
      absl::StrAppend(&out, ":", annotation.line());
      if (annotation.column() > 0) absl::StrAppend(&out, ":", annotation.column());
    }
    out += ": ";
  }
  const std::string severity =
      annotation.severity() == 0 ? "note" : SeverityName(annotation.severity());
  absl::StrAppend(&out, severity, ": ", annotation.message());
  if (!annotation.source().empty()) absl::StrAppend(&out, " [", annotation.source(), "]");
  return out;
}

bool IsGraded(const GradeReport& report) { return report.status() == GradeReport::GRADED; }

bool IsFailing(const TestResult& test) {
  return test.status() == TestResult::FAILED || test.status() == TestResult::MISSING ||
         test.status() == TestResult::DUPLICATED;
}

bool LostPoints(const CriterionResult& criterion) {
  return criterion.points() < criterion.max_points();
}

std::vector<const TestResult*> TestsOf(const GradeReport& report,
                                       const CriterionResult& criterion) {
  std::vector<const TestResult*> out;
  for (const TestResult& test : report.tests()) {
    for (const std::string& name : criterion.tests()) {
      if (test.name() == name) {
        out.push_back(&test);
        break;
      }
    }
  }
  return out;
}

bool AnnotationBelongsTo(const Annotation& annotation, const CriterionResult& criterion) {
  if (annotation.source().empty() || criterion.id().empty()) return false;
  const absl::string_view source = absl::string_view(annotation.source())
                                       .substr(0, absl::string_view(annotation.source()).find(':'));
  const absl::string_view id = criterion.id();
  return source == id || source == id.substr(0, id.find('.'));
}

}  // namespace gograder::core::render_internal
