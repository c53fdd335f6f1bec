// Where the CLI finds its companions (sandbox binary, inspector, rubrics) by
// default: next to itself when installed, or in the build tree.
#ifndef GOGRADER_GRADER_CLI_PATHS_H_
#define GOGRADER_GRADER_CLI_PATHS_H_

#include <string>

namespace gograder::cli {

struct DefaultPaths {
  std::string sandbox;    // gograder-sandbox
  std::string inspector;  // gograder-inspector
  std::string rubrics;    // the rubrics/ directory
  std::string data_dir;   // toolchain caches and work directories
};

// Resolves defaults from the environment (GOGRADER_SANDBOX, GOGRADER_INSPECTOR,
// GOGRADER_RUBRICS, GOGRADER_DATA) and from the running executable's location.
DefaultPaths FindDefaultPaths();

}  // namespace gograder::cli

#endif  // GOGRADER_GRADER_CLI_PATHS_H_
