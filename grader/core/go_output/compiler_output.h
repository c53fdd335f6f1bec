// Annotations from the error text of `go build`, of the type checker as `go
// vet` and `go test` report it, and of `gofmt`; and the file list of `gofmt -l`.
#ifndef GOGRADER_GRADER_CORE_GO_OUTPUT_COMPILER_OUTPUT_H_
#define GOGRADER_GRADER_CORE_GO_OUTPUT_COMPILER_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grader/core/go_output/output_text.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core {

// An annotation at `position` as a Go tool printed it: the file made relative
// to `sandbox_root`; for a file outside the module, no file, line or column,
// and the printed location at the start of the message. File and message are
// made valid UTF-8.
gograder::v1::Annotation AnnotationAt(const SourcePosition& position, absl::string_view message,
                                      absl::string_view sandbox_root,
                                      gograder::v1::Severity severity, absl::string_view source);

// One ERROR annotation with source `source` per diagnostic line of `text`:
// "file:line:col: msg" or "file:line: msg", the file as the Go tools print it
// from the module root ("./x.go", "sub/x.go") or absolute ("/box/x.go"), made
// relative to the module root `sandbox_root` ("/box"). Lines that start with a
// tab continue the previous message (joined with '\n', tab kept); "# pkg"
// headers and any other lines are skipped. A diagnostic about a file outside
// the module keeps its location at the start of the message and has no file.
// Exact duplicates (a package built alone and with its tests) are dropped.
std::vector<gograder::v1::Annotation> ParseCompilerErrors(absl::string_view text,
                                                          absl::string_view sandbox_root,
                                                          absl::string_view source);

// Removes the annotations equal in every field to an earlier one, keeping order.
// "file:line:col: message" (the column only when known), or the message
// alone when the annotation has no file.
std::string DescribeAnnotation(const gograder::v1::Annotation& annotation);

void RemoveDuplicateAnnotations(std::vector<gograder::v1::Annotation>* annotations);

// Files listed by `gofmt -l` (one per line), relative to `sandbox_root`, in
// order and without duplicates. gofmt's own error lines ("x.go:2:8: expected
// ...", on stderr) and paths outside the module are skipped.
std::vector<std::string> ParseGofmtList(absl::string_view text, absl::string_view sandbox_root);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GO_OUTPUT_COMPILER_OUTPUT_H_
