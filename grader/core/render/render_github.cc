// The GitHub format: workflow commands printed by a GitHub Actions step, which
// GitHub turns into annotations on the student's code and on the run:
//   ::error file=F,line=L,col=C,title=T::message    (ERROR annotations)
//   ::warning ...                                   (WARNING annotations)
//   ::notice ...                                    (NOTICE, or no severity)
// then one ::warning per criterion that lost points, one per flag, and a last
// "::notice title=gograder::Score S/M" (or an ::error when grading failed).
// Escaping follows @actions/core (toolkit command.ts): in data, % CR LF become
// %25 %0D %0A; in properties ':' and ',' also become %3A and %2C. Each command
// is therefore one line, so a student's output cannot start a command of its
// own ("::add-mask::", "::stop-commands::").
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "grader/core/render/render_internal.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core::render_internal {
namespace {

using gograder::v1::Annotation;
using gograder::v1::CriterionResult;
using gograder::v1::GradeReport;

// Escapes a command's data (`property` false) or a property value. Invalid
// UTF-8 becomes U+FFFD; control characters other than tab, CR and LF (ANSI
// escapes in test output, say) are dropped.
std::string Escape(absl::string_view s, bool property) {
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    const char32_t cp = NextCodePoint(s, &pos);
    switch (cp) {
      case '%':
        out += "%25";
        continue;
      case '\r':
        out += "%0D";
        continue;
      case '\n':
        out += "%0A";
        continue;
      case ':':
        out += property ? "%3A" : ":";
        continue;
      case ',':
        out += property ? "%2C" : ",";
        continue;
      case '\t':
        out += '\t';
        continue;
      default:
        break;
    }
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) continue;
    AppendUtf8(cp, &out);
  }
  return out;
}

std::string Command(absl::string_view command, absl::string_view properties,
                    absl::string_view message) {
  return absl::StrCat("::", command, properties.empty() ? "" : " ", properties,
                      "::", Escape(message, /*property=*/false), "\n");
}

std::string Property(absl::string_view name, absl::string_view value) {
  return absl::StrCat(name, "=", Escape(value, /*property=*/true));
}

std::string AnnotationCommand(const Annotation& annotation) {
  absl::string_view command = "notice";
  if (annotation.severity() == gograder::v1::ERROR) command = "error";
  if (annotation.severity() == gograder::v1::WARNING) command = "warning";
  std::string properties;
  const auto add = [&properties](absl::string_view property) {
    absl::StrAppend(&properties, properties.empty() ? "" : ",", property);
  };
  if (!annotation.file().empty()) {
    add(Property("file", annotation.file()));
    if (annotation.line() > 0) {
      add(absl::StrCat("line=", annotation.line()));
      if (annotation.column() > 0) add(absl::StrCat("col=", annotation.column()));
    }
  }
  add(Property("title", annotation.source().empty() ? "gograder" : annotation.source()));
  return Command(command, properties,
                 annotation.message().empty() ? "(no message)" : annotation.message());
}

}  // namespace

std::string RenderGithub(const GradeReport& report) {
  std::string out;
  for (const Annotation& annotation : report.annotations()) out += AnnotationCommand(annotation);
  if (!IsGraded(report)) {
    out += Command("error", Property("title", "gograder"),
                   absl::StrCat("Grading failed: ",
                                report.error().empty() ? "no reason recorded" : report.error(),
                                "\n", kNotAGrade));
    return out;
  }
  for (const CriterionResult& criterion : report.criteria()) {
    if (!LostPoints(criterion)) continue;
    const std::string title =
        absl::StrCat(criterion.title().empty() ? criterion.id() : criterion.title(), ": ",
                     FormatScore(criterion.points(), criterion.max_points()), " points");
    out += Command(
        "warning", Property("title", title),
        criterion.reason().empty()
            ? absl::StrCat("lost ", FormatPoints(criterion.max_points() - criterion.points()),
                           " points")
            : criterion.reason());
  }
  for (const std::string& flag : report.flags()) {
    out += Command("warning", Property("title", "gograder flag"), flag);
  }
  std::string score = absl::StrCat("Score ", FormatScore(report.score(), report.max_score()));
  if (report.build_failed()) absl::StrAppend(&score, " (build failed: the code does not compile)");
  out += Command("notice", Property("title", "gograder"), score);
  return out;
}

}  // namespace gograder::core::render_internal
