// Statement coverage from a Go coverage profile.
#ifndef GOGRADER_GRADER_CORE_GO_OUTPUT_COVERAGE_OUTPUT_H_
#define GOGRADER_GRADER_CORE_GO_OUTPUT_COVERAGE_OUTPUT_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder::core {

// The total statement coverage, in percent, of a profile written by `go test
// -coverpkg=./... -coverprofile=F ./...` ("mode: set|count|atomic", then
// "file:line.col,line.col statements count" lines): covered statements over
// all statements, a block listed by several packages' runs counted once with
// its highest count -- what `go tool cover -func` prints as "total:" (the
// per-package "coverage: N% of statements in ./..." lines cannot be added up).
// Profiles concatenated with their mode lines are accepted. InvalidArgument
// for an empty or malformed profile or mixed modes; NotFound when it lists no
// statement.
absl::StatusOr<double> CoveragePercentFromProfile(absl::string_view profile);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GO_OUTPUT_COVERAGE_OUTPUT_H_
