#include "grader/core/files/digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace gograder::core {

struct Sha256::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr);
}

Sha256::~Sha256() = default;

void Sha256::Update(absl::string_view bytes) {
  EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size());
}

std::string Sha256::HexDigest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(context_->ctx, digest, &size);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), size));
}

std::string Sha256Hex(absl::string_view bytes) {
  Sha256 hash;
  hash.Update(bytes);
  return hash.HexDigest();
}

absl::StatusOr<std::string> Sha256OfTree(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  std::vector<std::string> files;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    if (it->is_regular_file(error) && !it->is_symlink(error)) {
      files.push_back(fs::relative(it->path(), dir, error).string());
    }
  }
  if (error) return absl::InternalError("hashing " + dir + ": " + error.message());
  std::sort(files.begin(), files.end());
  // Each field is preceded by its length (8 bytes, big-endian): no content,
  // NUL bytes and all, can pass for a file boundary.
  auto length_prefixed = [](Sha256& hash, absl::string_view field) {
    char length[8];
    uint64_t n = field.size();
    for (int i = 7; i >= 0; --i, n >>= 8) length[i] = static_cast<char>(n & 0xff);
    hash.Update(absl::string_view(length, sizeof length));
    hash.Update(field);
  };
  Sha256 hash;
  hash.Update(kTreeDigestVersion);
  for (const std::string& file : files) {
    std::ifstream in(fs::path(dir) / file, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (!in && !in.eof()) return absl::InternalError("hashing " + dir + ": cannot read " + file);
    length_prefixed(hash, file);
    length_prefixed(hash, content.str());
  }
  return absl::StrCat(kTreeDigestVersion, ":", hash.HexDigest());
}

}  // namespace gograder::core
