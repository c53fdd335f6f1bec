// SHA-256 digests (OpenSSL) of byte strings and directory trees.
#ifndef GOGRADER_GRADER_CORE_FILES_DIGEST_H_
#define GOGRADER_GRADER_CORE_FILES_DIGEST_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder::core {

// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  // Adds bytes to the digest.
  void Update(absl::string_view bytes);
  // Returns the lowercase hex digest; the object must not be used afterwards.
  std::string HexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// Hex SHA-256 of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

// Hex SHA-256 over the regular files below `dir` (sorted relative path, NUL,
// content, NUL for each), not following symlinks.
absl::StatusOr<std::string> Sha256OfTree(const std::string& dir);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_FILES_DIGEST_H_
