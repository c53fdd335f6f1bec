// libFuzzer target: the error text of `go build`, `go vet` / `go test` type
// checking and gofmt, as the grader reads them (module root "/box"):
// ParseCompilerErrors, DescribeAnnotation and ParseGofmtList.
#include <set>

#include "grader/core/go_output/compiler_output.h"
#include "grader/core/go_output/go_output_fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gograder::core;
  absl::string_view text = gograder::FuzzInput(data, size);
  std::vector<gograder::v1::Annotation> errors = ParseCompilerErrors(text, "/box", "build");
  ExpectSoundAnnotations(errors);
  std::set<std::string> described;
  for (const gograder::v1::Annotation& annotation : errors) {
    gograder::FuzzExpect(annotation.severity() == gograder::v1::ERROR, "compiler errors are ERROR");
    described.insert(DescribeAnnotation(annotation));
  }
  std::vector<std::string> unformatted = ParseGofmtList(text, "/box");
  for (const std::string& file : unformatted) ExpectCleanRelativePath(file, "a gofmt -l file");
  gograder::FuzzExpect(
      std::set<std::string>(unformatted.begin(), unformatted.end()).size() == unformatted.size(),
      "gofmt -l files are listed once");
  return 0;
}
