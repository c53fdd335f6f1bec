// libFuzzer target: the output of `go vet -json ./...` (JSON on stdout, plain
// errors on stderr, concatenated as the grader does) read by ParseVetOutput.
#include "grader/core/go_output/go_output_fuzz_checks.h"
#include "grader/core/go_output/vet_output.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gograder::core;
  std::vector<gograder::v1::Annotation> annotations =
      ParseVetOutput(gograder::FuzzInput(data, size), "/box");
  ExpectSoundAnnotations(annotations);
  for (const gograder::v1::Annotation& annotation : annotations) {
    gograder::FuzzExpect(
        annotation.source() == "vet" || absl::StartsWith(annotation.source(), "vet:"),
        "vet annotations come from \"vet\" or \"vet:<analyzer>\"");
  }
  return 0;
}
