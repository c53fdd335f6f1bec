// A scratch directory of our own under the system's temporary directory.
#ifndef GOGRADER_BASE_TEMP_DIR_H_
#define GOGRADER_BASE_TEMP_DIR_H_

#include <string>

#include "absl/strings/string_view.h"

namespace gograder {

// A fresh directory under the system's temporary directory ($TMPDIR, else
// /tmp) named `prefix` plus six random characters, removed with everything in
// it on destruction.
class TempDir {
 public:
  explicit TempDir(absl::string_view prefix);
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  // The directory (empty if it could not be made).
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace gograder

#endif  // GOGRADER_BASE_TEMP_DIR_H_
