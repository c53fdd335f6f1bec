#include "grader/core/intake/accept.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/files/digest.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class AcceptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("accept_test_" + std::to_string(getpid()));
    fs::remove_all(root_);
    destination_ = root_ / "accepted";
    fs::create_directories(destination_);
    exercise_.set_id("phase1/demo");
    exercise_.set_module("example.com/demo");
  }
  void TearDown() override { fs::remove_all(root_); }

  SubmissionSource Files(std::vector<std::pair<std::string, std::string>> files) {
    SubmissionSource source;
    source.files = std::move(files);
    source.has_files = true;
    return source;
  }

  fs::path root_, destination_;
  gograder::v1::Exercise exercise_;
};

constexpr char kGoMod[] = "module example.com/demo\n\ngo 1.26\n";

TEST_F(AcceptTest, DigestIsOfTheTreeAsGradedAfterRemovals) {
  auto accepted = AcceptSubmission(Files({{"go.mod", kGoMod},
                                          {"demo.go", "package demo\n"},
                                          {"go.work", "go 1.26\nuse .\n"},
                                          {"vendor/modules.txt", "# nothing\n"}}),
                                   exercise_, destination_.string());
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_FALSE(fs::exists(destination_ / "vendor"));
  EXPECT_FALSE(fs::exists(destination_ / "go.work"));
  absl::StatusOr<std::string> tree = Sha256OfTree(destination_.string());
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ(accepted->digest, *tree);
  EXPECT_EQ(accepted->dir, destination_.string());
  ASSERT_EQ(accepted->notes.size(), 2u);
  EXPECT_THAT(accepted->notes[0] + accepted->notes[1], HasSubstr("vendor/"));
  EXPECT_THAT(accepted->notes[0] + accepted->notes[1], HasSubstr("go.work"));

  // The same module without the removed files: the same digest.
  fs::path plain = root_ / "plain";
  fs::create_directories(plain);
  auto same = AcceptSubmission(Files({{"go.mod", kGoMod}, {"demo.go", "package demo\n"}}),
                               exercise_, plain.string());
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->digest, accepted->digest);
  EXPECT_THAT(same->notes, IsEmpty());
  EXPECT_EQ(same->files, 2);
}

TEST_F(AcceptTest, EverySourceKindIsAccepted) {
  fs::path module = root_ / "module";
  fs::create_directories(module);
  std::ofstream(module / "go.mod") << kGoMod;
  std::ofstream(module / "demo.go") << "package demo\n";
  SubmissionSource from_path;
  from_path.path = module.string();
  auto accepted = AcceptSubmission(from_path, exercise_, destination_.string());
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->files, 2);
  SubmissionSource from_archive;
  from_archive.archive = "not an archive";
  fs::path other = root_ / "other";
  fs::create_directories(other);
  auto refused = AcceptSubmission(from_archive, exercise_, other.string());
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument)) << refused.status();
}

TEST_F(AcceptTest, AWrongModulePathIsRefusedAndLeavesNothing) {
  auto refused = AcceptSubmission(
      Files({{"go.mod", "module example.com/other\n\ngo 1.26\n"}, {"a.go", "package a\n"}}),
      exercise_, destination_.string());
  ASSERT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument)) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("example.com/demo"));
  EXPECT_TRUE(fs::is_empty(destination_));
}

TEST_F(AcceptTest, AMissingGoModIsRefused) {
  auto refused =
      AcceptSubmission(Files({{"a.go", "package a\n"}}), exercise_, destination_.string());
  ASSERT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument)) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("go mod init"));
  EXPECT_TRUE(fs::is_empty(destination_));
}

}  // namespace
}  // namespace gograder::core
