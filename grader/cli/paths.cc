#include "grader/cli/paths.h"

#include <cstdlib>
#include <filesystem>

namespace gograder::cli {
namespace {

namespace fs = std::filesystem;

// The first candidate that exists, or the first one.
std::string FirstExisting(const char* env, std::initializer_list<fs::path> candidates) {
  if (const char* value = std::getenv(env); value != nullptr && *value != '\0') return value;
  std::error_code error;
  for (const fs::path& candidate : candidates) {
    if (fs::exists(candidate, error)) return fs::weakly_canonical(candidate, error).string();
  }
  return candidates.begin()->string();
}

}  // namespace

DefaultPaths FindDefaultPaths() {
  std::error_code error;
  fs::path self = fs::read_symlink("/proc/self/exe", error).parent_path();
  // Installed: everything beside the binary. Build tree: build/grader/cli/gograder.
  fs::path build = self.parent_path().parent_path();
  DefaultPaths paths;
  paths.sandbox = FirstExisting(
      "GOGRADER_SANDBOX", {self / "gograder-sandbox", build / "sandbox" / "gograder-sandbox"});
  paths.inspector = FirstExisting(
      "GOGRADER_INSPECTOR",
      {self / "gograder-inspector", build / "grader" / "inspector" / "gograder-inspector"});
  paths.rubrics = FirstExisting(
      "GOGRADER_RUBRICS",
      {self.parent_path() / "share" / "gograder" / "rubrics", build.parent_path() / "rubrics"});
  paths.data_dir = FirstExisting("GOGRADER_DATA", {"/var/lib/gograder"});
  return paths;
}

}  // namespace gograder::cli
