#include "grader/core/files/digest.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;

class TreeDigestTest : public ::testing::Test {
 protected:
  // The digest of a fresh tree holding `files` (relative path -> content).
  std::string DigestOf(const std::map<std::string, std::string>& files) {
    fs::path dir = fs::path(::testing::TempDir()) / absl::StrCat("tree-", ++trees_);
    fs::remove_all(dir);
    for (const auto& [path, content] : files) {
      fs::create_directories((dir / path).parent_path());
      std::ofstream(dir / path, std::ios::binary) << content;
    }
    absl::StatusOr<std::string> digest = Sha256OfTree(dir.string());
    fs::remove_all(dir);
    EXPECT_TRUE(digest.ok()) << digest.status();
    return digest.value_or("");
  }
  int trees_ = 0;
};

TEST_F(TreeDigestTest, IsVersionedAndDependsOnPathsAndContents) {
  std::string digest = DigestOf({{"go.mod", "module m\n"}, {"a/b.go", "package a\n"}});
  EXPECT_TRUE(absl::StartsWith(digest, "sha256-tree-v2:")) << digest;
  EXPECT_EQ(digest.size(), std::string("sha256-tree-v2:").size() + 64);
  EXPECT_EQ(digest, DigestOf({{"a/b.go", "package a\n"}, {"go.mod", "module m\n"}}));
  EXPECT_NE(digest, DigestOf({{"go.mod", "module m\n"}, {"a/c.go", "package a\n"}}));
  EXPECT_NE(digest, DigestOf({{"go.mod", "module m\n"}, {"a/b.go", "package b\n"}}));
}

// With the v1 format (path NUL content NUL) these two trees had one digest.
TEST_F(TreeDigestTest, ContentsHoldingNulCannotPassForFileBoundaries) {
  using namespace std::string_literals;
  EXPECT_NE(DigestOf({{"a", "x\0b\0y"s}}), DigestOf({{"a", "x"}, {"b", "y"}}));
  EXPECT_NE(DigestOf({{"a", ""}, {"b", ""}}), DigestOf({{"a", "\0b\0"s}}));
}

}  // namespace
}  // namespace gograder::core
