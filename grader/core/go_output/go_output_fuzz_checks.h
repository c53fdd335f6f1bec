// Fuzz-target-only (*_fuzz.cc): the properties every parser of Go tool output
// promises for what it returns, whatever a submission made the tools print.
#ifndef GOGRADER_GRADER_CORE_GO_OUTPUT_GO_OUTPUT_FUZZ_CHECKS_H_
#define GOGRADER_GRADER_CORE_GO_OUTPUT_GO_OUTPUT_FUZZ_CHECKS_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/fuzzing.h"
#include "grader/core/go_output/output_text.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core {

// Proto string fields must hold valid UTF-8.
inline void ExpectValidUtf8(absl::string_view text, absl::string_view what) {
  FuzzExpect(SanitizeUtf8(text) == text, absl::StrCat(what, " is valid UTF-8"));
}

// A path relative to the module root, clean: no leading '/', no empty, "." or
// ".." element.
inline void ExpectCleanRelativePath(absl::string_view path, absl::string_view what) {
  bool clean = !path.empty() && path.front() != '/';
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    clean = clean && !part.empty() && part != "." && part != "..";
  }
  FuzzExpect(clean, absl::StrCat(what, " is a clean path relative to the module root"));
}

// Valid UTF-8 everywhere, a file relative to the module root with a position
// (or no file and no position).
inline void ExpectSoundAnnotations(const std::vector<gograder::v1::Annotation>& annotations) {
  for (const gograder::v1::Annotation& annotation : annotations) {
    ExpectValidUtf8(annotation.file(), "an annotation's file");
    ExpectValidUtf8(annotation.message(), "an annotation's message");
    ExpectValidUtf8(annotation.source(), "an annotation's source");
    FuzzExpect(annotation.line() >= 0 && annotation.column() >= 0, "positions are not negative");
    if (annotation.file().empty()) {
      FuzzExpect(annotation.line() == 0 && annotation.column() == 0,
                 "an annotation without a file has no position");
    } else {
      ExpectCleanRelativePath(annotation.file(), "an annotation's file");
    }
  }
}

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GO_OUTPUT_GO_OUTPUT_FUZZ_CHECKS_H_
