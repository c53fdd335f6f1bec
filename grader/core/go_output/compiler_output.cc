#include "grader/core/go_output/compiler_output.h"

#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gograder::core {

using gograder::v1::Annotation;

Annotation AnnotationAt(const SourcePosition& position, absl::string_view message,
                        absl::string_view sandbox_root, gograder::v1::Severity severity,
                        absl::string_view source) {
  Annotation annotation;
  annotation.set_severity(severity);
  annotation.set_source(SanitizeUtf8(source));
  const std::optional<std::string> file = ModuleRelativePath(position.file, sandbox_root);
  if (file.has_value()) {
    annotation.set_file(SanitizeUtf8(*file));
    annotation.set_line(position.line);
    annotation.set_column(position.column);
    annotation.set_message(SanitizeUtf8(message));
  } else {
    std::string location = absl::StrCat(position.file, ":", position.line);
    if (position.column > 0) absl::StrAppend(&location, ":", position.column);
    annotation.set_message(SanitizeUtf8(absl::StrCat(location, ": ", message)));
  }
  return annotation;
}

std::string DescribeAnnotation(const Annotation& annotation) {
  if (annotation.file().empty()) return annotation.message();
  std::string location = absl::StrCat(annotation.file(), ":", annotation.line());
  if (annotation.column() > 0) absl::StrAppend(&location, ":", annotation.column());
  return absl::StrCat(location, ": ", annotation.message());
}

void RemoveDuplicateAnnotations(std::vector<Annotation>* annotations) {
  std::set<std::tuple<std::string, int32_t, int32_t, int, std::string, std::string>> seen;
  std::vector<Annotation> kept;
  kept.reserve(annotations->size());
  for (Annotation& annotation : *annotations) {
    const bool inserted = seen.emplace(annotation.file(), annotation.line(), annotation.column(),
                                       static_cast<int>(annotation.severity()), annotation.source(),
                                       annotation.message())
                              .second;
    if (inserted) kept.push_back(std::move(annotation));
  }
  *annotations = std::move(kept);
}

std::vector<Annotation> ParseCompilerErrors(absl::string_view text, absl::string_view sandbox_root,
                                            absl::string_view source) {
  std::vector<Annotation> annotations;
  // The message being read, continued by the tab-indented lines after it.
  std::optional<SourcePosition> position;
  std::string message;
  const auto flush = [&] {
    if (position.has_value()) {
      annotations.push_back(
          AnnotationAt(*position, message, sandbox_root, gograder::v1::ERROR, source));
    }
    position.reset();
    message.clear();
  };
  for (absl::string_view line : SplitLines(text)) {
    if (absl::StartsWith(line, "\t")) {
      if (position.has_value()) absl::StrAppend(&message, "\n", line);
      continue;
    }
    flush();
    SourcePosition parsed;
    absl::string_view parsed_message;
    if (!absl::StartsWith(line, "#") && SplitPositionedMessage(line, &parsed, &parsed_message)) {
      position = std::move(parsed);
      message = std::string(parsed_message);
    }
  }
  flush();
  RemoveDuplicateAnnotations(&annotations);
  return annotations;
}

std::vector<std::string> ParseGofmtList(absl::string_view text, absl::string_view sandbox_root) {
  std::vector<std::string> files;
  std::set<std::string> seen;
  for (absl::string_view line : SplitLines(text)) {
    if (line.empty()) continue;
    SourcePosition position;
    absl::string_view message;
    if (SplitPositionedMessage(line, &position, &message)) continue;  // an error, not a file
    std::optional<std::string> file = ModuleRelativePath(line, sandbox_root);
    if (!file.has_value()) continue;
    std::string valid = SanitizeUtf8(*file);
    if (seen.insert(valid).second) files.push_back(std::move(valid));
  }
  return files;
}

}  // namespace gograder::core
