// Test-only: reads the fixtures captured from the real Go toolchain into
// testdata/go_output/ (see capture.sh there).
#ifndef GOGRADER_GRADER_CORE_GO_OUTPUT_GO_OUTPUT_FIXTURES_H_
#define GOGRADER_GRADER_CORE_GO_OUTPUT_GO_OUTPUT_FIXTURES_H_

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace gograder::core {

// The whole content of testdata/go_output/<name>; fails the test if missing.
inline std::string ReadGoOutputFixture(absl::string_view name) {
  const std::string path = std::string(GOGRADER_GO_OUTPUT_TESTDATA) + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << path;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GO_OUTPUT_GO_OUTPUT_FIXTURES_H_
