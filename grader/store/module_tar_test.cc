// PackModule, UnpackModule and CachedModuleDir on trees in a temporary
// directory, with hostile archives written here by libarchive.
#include "grader/store/module_tar.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/files.h"
#include "base/status_matchers.h"
#include "base/temp_dir.h"
#include "gmock/gmock.h"
#include "grader/core/files/digest.h"
#include "grader/store/files_testing.h"
#include "gtest/gtest.h"

namespace gograder::store {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

void Write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  ASSERT_OK(WriteWholeFile(path, content));
}

// A module with nested and empty directories, a long path (beyond ustar's
// 100 bytes), a non-ASCII name and bytes that are not text.
void MakeModule(const fs::path& dir, bool reverse) {
  std::vector<std::pair<std::string, std::string>> files = {
      {"go.mod", "module example.com/m\n\ngo 1.22\n"},
      {"main.go", "package main\n\nfunc main() {}\n"},
      {"internal/fetch/fetch.go", "package fetch\n"},
      {std::string(60, 'd') + "/" + std::string(70, 'f') + ".go", "package long\n"},
      {"données/é.txt", "ünïcödé"},
      {"testdata/blob.bin", std::string("\0\x01\xff\0tail", 8)},
  };
  if (reverse) std::reverse(files.begin(), files.end());
  for (const auto& [path, content] : files) Write(dir / path, content);
  fs::create_directories(dir / "empty");
}

class ModuleTarTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(temp_.path().empty()); }
  fs::path Path(const std::string& name) { return fs::path(temp_.path()) / name; }

  TempDir temp_{"module-tar-test-"};
};

TEST_F(ModuleTarTest, SameTreeSameBytesWhateverTheTimesModesAndOrder) {
  MakeModule(Path("a"), /*reverse=*/false);
  MakeModule(Path("b"), /*reverse=*/true);
  fs::last_write_time(Path("b") / "go.mod",
                      fs::file_time_type::clock::now() - std::chrono::hours(5));
  fs::permissions(Path("b") / "main.go", fs::perms::owner_all | fs::perms::group_read);
  ASSERT_OK_AND_ASSIGN(std::string a, PackModule(Path("a").string()));
  ASSERT_OK_AND_ASSIGN(std::string b, PackModule(Path("b").string()));
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a.empty());

  Write(Path("b") / "main.go", "package main\n\nfunc main() { }\n");
  ASSERT_OK_AND_ASSIGN(std::string changed, PackModule(Path("b").string()));
  EXPECT_NE(changed, a);
}

TEST_F(ModuleTarTest, UnpackGivesBackTheTreeByteForByte) {
  MakeModule(Path("module"), false);
  ASSERT_OK_AND_ASSIGN(std::string tar, PackModule(Path("module").string()));
  fs::create_directory(Path("out"));
  ASSERT_OK(UnpackModule(tar, Path("out").string()));
  EXPECT_EQ(ReadTree(Path("out").string()), ReadTree(Path("module").string()));
  EXPECT_EQ(ReadTree(Path("out").string())["testdata/blob.bin"],
            std::string("\0\x01\xff\0tail", 8));
  struct stat info;
  ASSERT_EQ(stat((Path("out") / "go.mod").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0644u);
}

TEST_F(ModuleTarTest, PackRefusesLinksAndSpecialFiles) {
  MakeModule(Path("linked"), false);
  fs::create_symlink("/etc/passwd", Path("linked") / "passwd");
  EXPECT_THAT(PackModule(Path("linked").string()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'passwd'")));

  MakeModule(Path("fifo"), false);
  ASSERT_EQ(mkfifo((Path("fifo") / "pipe").c_str(), 0600), 0);
  EXPECT_THAT(PackModule(Path("fifo").string()), StatusIs(absl::StatusCode::kInvalidArgument));

  EXPECT_THAT(PackModule(Path("missing").string()), StatusIs(absl::StatusCode::kNotFound));
  fs::create_symlink(Path("fifo"), Path("dir-link"));
  EXPECT_THAT(PackModule(Path("dir-link").string()), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(ModuleTarTest, UnpackRefusesEntriesThatCouldEscapeOrLink) {
  struct Case {
    std::vector<TarEntry> entries;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{TarFile("../evil.go", "x")}, "'..' component"},
      {{TarFile("a/../../evil.go", "x")}, "'..' component"},
      {{TarFile("/tmp/evil.go", "x")}, "absolute path"},
      {{TarFile("a//b.go", "x")}, "empty path component"},
      {{TarFile("./a.go", "x")}, "'.' component"},
      {{TarSpecial("link", AE_IFLNK, "/etc")}, "neither a regular file nor a directory"},
      {{TarFile("a.go", "x"), TarSpecial("b.go", AE_IFREG, "a.go")},
       "neither a regular file nor a directory"},
      {{TarSpecial("fifo", AE_IFIFO)}, "neither a regular file nor a directory"},
      {{TarFile("a.go", "x"), TarFile("a.go", "y")}, "twice"},
  };
  int n = 0;
  for (const Case& c : cases) {
    fs::path out = Path(absl::StrCat("out", n++));
    fs::create_directories(out / "sub");
    EXPECT_THAT(UnpackModule(TarOf(c.entries), (out / "sub").string()),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.entries[0].path;
    // Nothing beside the destination.
    EXPECT_THAT(ReadTree(out.string()), ::testing::Contains(::testing::Key("sub")));
    for (const auto& [path, content] : ReadTree(out.string()))
      EXPECT_TRUE(path.rfind("sub", 0) == 0) << path;
  }
  EXPECT_FALSE(fs::exists(Path("evil.go")));
  EXPECT_FALSE(fs::exists("/tmp/evil.go"));

  fs::create_directory(Path("garbage"));
  EXPECT_THAT(UnpackModule(std::string(700, 'x'), Path("garbage").string()),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(ModuleTarTest, CacheUnpacksOnceAndVerifiesTheDigest) {
  MakeModule(Path("module"), false);
  ASSERT_OK_AND_ASSIGN(std::string tar, PackModule(Path("module").string()));
  const std::string digest = core::Sha256Hex(tar);
  const std::string cache = Path("cache").string();
  int fetches = 0;
  auto fetch = [&]() -> absl::StatusOr<std::string> {
    ++fetches;
    return tar;
  };
  ASSERT_OK_AND_ASSIGN(std::string dir, CachedModuleDir(cache, digest, fetch));
  EXPECT_EQ(dir, (fs::path(cache) / digest).string());
  EXPECT_EQ(ReadTree(dir), ReadTree(Path("module").string()));
  ASSERT_OK_AND_ASSIGN(std::string again, CachedModuleDir(cache, digest, fetch));
  EXPECT_EQ(again, dir);
  EXPECT_EQ(fetches, 1);

  // Bytes that are not the digest's: nothing is cached.
  const std::string other(64, 'a');
  EXPECT_THAT(CachedModuleDir(cache, other, fetch),
              StatusIs(absl::StatusCode::kDataLoss, HasSubstr("corrupt")));
  EXPECT_FALSE(fs::exists(fs::path(cache) / other));
  // A fetch error comes through as it is.
  EXPECT_THAT(CachedModuleDir(cache, other,
                              []() -> absl::StatusOr<std::string> {
                                return absl::UnavailableError("no database");
                              }),
              StatusIs(absl::StatusCode::kUnavailable));
  for (const std::string& bad :
       std::vector<std::string>{"../../etc", "ABCDEF", std::string(64, 'G'), ""}) {
    EXPECT_THAT(CachedModuleDir(cache, bad, fetch), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST_F(ModuleTarTest, CacheRefusesAHostileTarAndKeepsNothing) {
  const std::string tar = TarOf({TarFile("ok.go", "x"), TarFile("../escape.go", "y")});
  const std::string cache = Path("cache").string();
  EXPECT_THAT(CachedModuleDir(cache, core::Sha256Hex(tar),
                              [&]() -> absl::StatusOr<std::string> { return tar; }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'..' component")));
  EXPECT_THAT(ReadTree(cache), IsEmpty());  // no temporary directory left either
  EXPECT_FALSE(fs::exists(Path("escape.go")));
}

TEST_F(ModuleTarTest, ConcurrentFirstUsesAgreeOnOneDirectory) {
  MakeModule(Path("module"), false);
  ASSERT_OK_AND_ASSIGN(std::string tar, PackModule(Path("module").string()));
  const std::string digest = core::Sha256Hex(tar);
  const std::string cache = Path("cache").string();
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<std::string>> dirs(8);
  for (size_t i = 0; i < dirs.size(); ++i) {
    threads.emplace_back([&, i] {
      dirs[i] =
          CachedModuleDir(cache, digest, [&]() -> absl::StatusOr<std::string> { return tar; });
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& dir : dirs) EXPECT_THAT(dir, IsOkAndHolds((fs::path(cache) / digest).string()));
  EXPECT_THAT(ReadTree(cache), ::testing::Contains(::testing::Key(digest)));
  for (const auto& [path, content] : ReadTree(cache)) EXPECT_EQ(path.rfind(digest, 0), 0u) << path;
  EXPECT_EQ(ReadTree((fs::path(cache) / digest).string()), ReadTree(Path("module").string()));
}

}  // namespace
}  // namespace gograder::store
