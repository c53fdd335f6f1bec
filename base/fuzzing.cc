#include "base/fuzzing.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace gograder {

void FuzzExpect(bool holds, absl::string_view property) {
  if (holds) return;
  std::string line = absl::StrCat("fuzz property violated: ", property, "\n");
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::abort();
}

void FuzzExpectOkOr(const absl::Status& status, absl::StatusCode code, absl::string_view what) {
  if (status.ok() || status.code() == code) return;
  FuzzExpect(false, absl::StrCat(what, " must succeed or fail with ",
                                 absl::StatusCodeToString(code), "; got ", status.ToString()));
}

}  // namespace gograder
