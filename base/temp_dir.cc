#include "base/temp_dir.h"

#include <stdlib.h>

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace gograder {

namespace fs = std::filesystem;

TempDir::TempDir(absl::string_view prefix) {
  std::error_code error;
  fs::path base = fs::temp_directory_path(error);
  if (error) return;
  std::string pattern = (base / absl::StrCat(prefix, "XXXXXX")).string();
  if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code error;
  if (!path_.empty()) fs::remove_all(path_, error);
}

}  // namespace gograder
