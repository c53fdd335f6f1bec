#include "base/files.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace gograder {

std::string ReadFileOrEmpty(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<std::string> ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code error;
    if (!std::filesystem::exists(path, error))
      return absl::NotFoundError(absl::StrCat(path.string(), ": no such file"));
    return absl::InternalError(absl::StrCat("cannot read ", path.string()));
  }
  std::stringstream content;
  content << in.rdbuf();
  if (in.bad()) return absl::InternalError(absl::StrCat("cannot read ", path.string()));
  return content.str();
}

absl::Status WriteWholeFile(const std::filesystem::path& path, absl::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

}  // namespace gograder
