// Text helpers shared by the parsers of Go tool output: splitting into lines,
// making text safe for proto string fields (valid UTF-8), trimming long output
// in the middle, and turning the file positions the tools print
// ("/box/x.go:12:3", "./x.go:12", "sub/x.go:1:2") into paths relative to the
// module root. Everything here treats its input as hostile: a student's code
// controls most of what the tools print.
#ifndef GOGRADER_GRADER_CORE_GO_OUTPUT_OUTPUT_TEXT_H_
#define GOGRADER_GRADER_CORE_GO_OUTPUT_OUTPUT_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gograder::core {

// Splits `text` at '\n' and drops one '\r' before each; a last line without
// '\n' is kept. "a\n\nb" -> {"a", "", "b"}; "" and "\n" -> {} and {""}.
std::vector<absl::string_view> SplitLines(absl::string_view text);

// Returns `text` with each byte that is not part of a valid UTF-8 sequence
// replaced by U+FFFD (proto3 string fields must hold valid UTF-8).
std::string SanitizeUtf8(absl::string_view text);

// Returns `text` when it is at most `max_bytes` long; otherwise its beginning
// and its end around a line "[... N bytes cut ...]" (N: bytes left out), the
// whole at most `max_bytes` long (unless `max_bytes` is smaller than the
// marker itself). Cuts fall at line ends when one is near, and never inside a
// UTF-8 sequence.
std::string TrimMiddle(absl::string_view text, size_t max_bytes);

// Returns `path` ("./x.go", "/box/sub/x.go", "sub/../x.go") relative to the
// module root `root` ("/box") and cleaned ("x.go", "sub/x.go"), or nullopt
// when it lies outside the root or names the root itself. A relative path is
// taken as relative to the root, where the grader runs the Go tools.
std::optional<std::string> ModuleRelativePath(absl::string_view path, absl::string_view root);

// A place in a file as the Go tools print it.
struct SourcePosition {
  std::string file;  // as printed
  int32_t line = 0;
  int32_t column = 0;  // 0 when not printed
};

// Parses a whole "file:line:column" or "file:line" (vet's "posn", stack trace
// lines). The file part must be non-empty and hold no whitespace.
std::optional<SourcePosition> ParseSourcePosition(absl::string_view text);

// Splits a diagnostic line "file:line:column: message" or "file:line: message"
// (the file first on the line, without whitespace) into its position and its
// message. Returns false for any other line.
bool SplitPositionedMessage(absl::string_view line, SourcePosition* position,
                            absl::string_view* message);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GO_OUTPUT_OUTPUT_TEXT_H_
