#include "grader/core/go_output/vet_output.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grader/core/go_output/compiler_output.h"
#include "grader/core/go_output/output_text.h"
#include "nlohmann/json.hpp"

namespace gograder::core {
namespace {

using gograder::v1::Annotation;

// Length of the JSON object that starts at text[0] ('{'), found by matching
// braces outside strings; nullopt when the text ends first (truncated).
std::optional<size_t> JsonObjectLength(absl::string_view text) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::nullopt;
}

std::string StringField(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

// Appends the findings of one JSON tree {"pkg": {"analyzer": [...]}}.
void AddFindings(const nlohmann::json& tree, absl::string_view sandbox_root,
                 std::vector<Annotation>* annotations) {
  if (!tree.is_object()) return;
  for (const auto& [package, analyzers] : tree.items()) {
    if (!analyzers.is_object()) continue;
    for (const auto& [analyzer, result] : analyzers.items()) {
      if (result.is_object()) {  // {"error": "..."}: the analyzer failed
        const std::string error = StringField(result, "error");
        if (error.empty()) continue;
        Annotation annotation;
        annotation.set_severity(gograder::v1::ERROR);
        annotation.set_source("vet");
        annotation.set_message(SanitizeUtf8(absl::StrCat(package, ": ", analyzer, ": ", error)));
        annotations->push_back(std::move(annotation));
        continue;
      }
      if (!result.is_array()) continue;
      const std::string source = absl::StrCat("vet:", analyzer);
      for (const nlohmann::json& diagnostic : result) {
        if (!diagnostic.is_object()) continue;
        const std::string message = StringField(diagnostic, "message");
        const std::string posn = StringField(diagnostic, "posn");
        std::optional<SourcePosition> position = ParseSourcePosition(posn);
        if (position.has_value()) {
          annotations->push_back(
              AnnotationAt(*position, message, sandbox_root, gograder::v1::WARNING, source));
        } else {
          Annotation annotation;
          annotation.set_severity(gograder::v1::WARNING);
          annotation.set_source(SanitizeUtf8(source));
          annotation.set_message(
              SanitizeUtf8(posn.empty() ? message : absl::StrCat(posn, ": ", message)));
          annotations->push_back(std::move(annotation));
        }
      }
    }
  }
}

}  // namespace

std::vector<Annotation> ParseVetOutput(absl::string_view text, absl::string_view sandbox_root) {
  std::vector<Annotation> findings;
  // Everything that is not JSON, "vet: " removed, for the compiler-error reader;
  // a JSON object in between ends a message's continuation lines.
  std::string plain;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const absl::string_view line =
        newline == absl::string_view::npos ? text : text.substr(0, newline);
    if (absl::StartsWith(line, "{")) {
      const std::optional<size_t> length = JsonObjectLength(text);
      if (!length.has_value()) break;  // truncated: nothing after it can be trusted
      const absl::string_view object_text = text.substr(0, *length);
      const nlohmann::json tree = nlohmann::json::parse(object_text.begin(), object_text.end(),
                                                        /*cb=*/nullptr,
                                                        /*allow_exceptions=*/false);
      AddFindings(tree, sandbox_root, &findings);
      plain += "\n";
      text.remove_prefix(*length);
      continue;  // the rest of the line (normally just '\n') is read as a line
    }
    absl::string_view content = line;
    absl::ConsumePrefix(&content, "vet: ");
    absl::StrAppend(&plain, content, "\n");
    if (newline == absl::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  std::vector<Annotation> annotations = ParseCompilerErrors(plain, sandbox_root, "vet");
  for (Annotation& finding : findings) annotations.push_back(std::move(finding));
  RemoveDuplicateAnnotations(&annotations);
  return annotations;
}

}  // namespace gograder::core
