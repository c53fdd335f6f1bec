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

// The version of Sha256OfTree's format, which starts every tree digest.
// Digests without it (the v1 format: path NUL content NUL, ambiguous for
// contents holding NUL) are recognisably older.
inline constexpr char kTreeDigestVersion[] = "sha256-tree-v2";

// "sha256-tree-v2:" and the hex SHA-256 over the version and the regular
// files below `dir` (for each, in sorted order: the length-prefixed relative
// path, then the length-prefixed content), not following symlinks.
absl::StatusOr<std::string> Sha256OfTree(const std::string& dir);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_FILES_DIGEST_H_
