// Findings of `go vet -json` as annotations.
#ifndef GOGRADER_GRADER_CORE_GO_OUTPUT_VET_OUTPUT_H_
#define GOGRADER_GRADER_CORE_GO_OUTPUT_VET_OUTPUT_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core {

// Reads the output of `go vet -json ./...`: JSON objects, one per package
// analysed, {"pkg": {"analyzer": [{"posn": "/box/x.go:10:2", "message":
// "...", ...}]}} ("{}" for a clean package), "# pkg" headers, and for a
// package that does not load or type-check plain errors ("vet: x.go:4:9:
// undefined: y", "sub/x.go:3:8: cannot find module ..."). Go 1.26 writes the
// JSON to stdout and the rest to stderr; pass either or both, concatenated.
// Each finding becomes a WARNING annotation with source "vet:<analyzer>"; an
// analyzer's error ({"analyzer": {"error": "..."}}) and each plain error an
// ERROR annotation with source "vet". Paths are made relative to
// `sandbox_root`. Exact duplicates (a package and its test variant) are
// dropped; a truncated JSON object ends the reading. The errors come first,
// then the findings, each in the order read.
std::vector<gograder::v1::Annotation> ParseVetOutput(absl::string_view text,
                                                     absl::string_view sandbox_root);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GO_OUTPUT_VET_OUTPUT_H_
