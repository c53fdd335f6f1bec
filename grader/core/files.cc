#include "grader/core/files.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gograder::core {

std::string ReadFileOrEmpty(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::Status WriteWholeFile(const std::filesystem::path& path, absl::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

absl::Status CopyModule(const std::string& from, const std::string& to, bool skip_tests) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(to, error);
  if (error) return absl::InternalError(absl::StrCat("mkdir ", to, ": ", error.message()));
  for (fs::recursive_directory_iterator it(from, error), end; !error && it != end; it.increment(error)) {
    fs::path relative = fs::relative(it->path(), from, error);
    fs::path target = fs::path(to) / relative;
    if (it->is_symlink(error)) continue;  // intake refuses them; never follow one
    if (it->is_directory(error)) {
      fs::create_directories(target, error);
    } else if (it->is_regular_file(error)) {
      if (skip_tests && absl::EndsWith(it->path().filename().string(), "_test.go")) continue;
      fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, error);
    }
    if (error) break;
  }
  if (error) return absl::InternalError(absl::StrCat("copying ", from, " to ", to, ": ", error.message()));
  return absl::OkStatus();
}

}  // namespace gograder::core
