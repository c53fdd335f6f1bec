// Whole-file reads and writes of our own (trusted) files.
#ifndef GOGRADER_BASE_FILES_H_
#define GOGRADER_BASE_FILES_H_

#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder {

// The file's bytes, or "" when it cannot be read.
std::string ReadFileOrEmpty(const std::filesystem::path& path);

// The file's bytes, or NotFound / Internal naming the file.
absl::StatusOr<std::string> ReadWholeFile(const std::filesystem::path& path);

// Creates or truncates `path` with `content`.
absl::Status WriteWholeFile(const std::filesystem::path& path, absl::string_view content);

}  // namespace gograder

#endif  // GOGRADER_BASE_FILES_H_
