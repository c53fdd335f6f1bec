#include "grader/core/intake/intake.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/files/digest.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// ---- Archive fixtures, written with libarchive ------------------------------

enum class Format { kTar, kTarGz, kZip };

std::string FormatName(Format format) {
  switch (format) {
    case Format::kTar:
      return "tar";
    case Format::kTarGz:
      return "targz";
    case Format::kZip:
      return "zip";
  }
  return "?";
}

struct Entry {
  enum Type { kFile, kDir, kSymlink, kHardLink, kCharDevice, kBlockDevice, kFifo };
  std::string name;
  Type type = kFile;
  std::string content;
  std::string target;  // of a symlink or hard link
  int mode = 0644;
};

Entry File(std::string name, std::string content, int mode = 0644) {
  return {std::move(name), Entry::kFile, std::move(content), "", mode};
}
Entry Dir(std::string name) { return {std::move(name), Entry::kDir, "", "", 0755}; }
Entry Symlink(std::string name, std::string target) {
  return {std::move(name), Entry::kSymlink, "", std::move(target), 0777};
}
Entry HardLink(std::string name, std::string target) {
  return {std::move(name), Entry::kHardLink, "", std::move(target), 0644};
}
Entry Special(std::string name, Entry::Type type) { return {std::move(name), type, "", "", 0666}; }

la_ssize_t AppendToString(struct archive*, void* out, const void* data, size_t size) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

// Builds an archive in memory. Names are stored exactly as given: the writer
// does no sanitizing, which is what makes these fixtures hostile.
std::string BuildArchive(Format format, const std::vector<Entry>& entries) {
  std::string out;
  struct archive* a = archive_write_new();
  if (format == Format::kZip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax_restricted(a);
    if (format == Format::kTarGz) archive_write_add_filter_gzip(a);
  }
  archive_write_set_bytes_in_last_block(a, 1);
  EXPECT_EQ(archive_write_open2(a, &out, nullptr, AppendToString, nullptr, nullptr), ARCHIVE_OK)
      << archive_error_string(a);
  for (const Entry& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_copy_pathname(entry, e.name.c_str());
    archive_entry_set_perm(entry, e.mode);
    archive_entry_set_mtime(entry, 1700000000, 0);
    switch (e.type) {
      case Entry::kFile:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
        break;
      case Entry::kDir:
        archive_entry_set_filetype(entry, AE_IFDIR);
        break;
      case Entry::kSymlink:
        archive_entry_set_filetype(entry, AE_IFLNK);
        archive_entry_copy_symlink(entry, e.target.c_str());
        break;
      case Entry::kHardLink:
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_copy_hardlink(entry, e.target.c_str());
        archive_entry_set_size(entry, 0);
        break;
      case Entry::kCharDevice:
        archive_entry_set_filetype(entry, AE_IFCHR);
        archive_entry_set_rdev(entry, makedev(1, 3));  // /dev/null
        break;
      case Entry::kBlockDevice:
        archive_entry_set_filetype(entry, AE_IFBLK);
        archive_entry_set_rdev(entry, makedev(8, 0));  // /dev/sda
        break;
      case Entry::kFifo:
        archive_entry_set_filetype(entry, AE_IFIFO);
        break;
    }
    EXPECT_GE(archive_write_header(a, entry), ARCHIVE_WARN)
        << e.name << ": " << archive_error_string(a);
    if (e.type == Entry::kFile && !e.content.empty()) {
      EXPECT_EQ(archive_write_data(a, e.content.data(), e.content.size()),
                static_cast<la_ssize_t>(e.content.size()));
    }
    archive_entry_free(entry);
  }
  EXPECT_EQ(archive_write_close(a), ARCHIVE_OK) << archive_error_string(a);
  archive_write_free(a);
  return out;
}

uint32_t ReadLe32(const std::string& s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3])) << 24;
}

void WriteLe32(std::string& s, size_t at, uint32_t value) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

// Rewrites every uncompressed-size field of a one-entry zip (local header,
// data descriptor, central directory) from `real` to `claimed`: the headers
// then lie about how much the entry expands to. Returns how many were patched.
int MakeZipLie(std::string& zip, uint32_t real, uint32_t claimed) {
  int patched = 0;
  auto patch = [&](const std::string& signature, size_t offset) {
    for (size_t at = zip.find(signature); at != std::string::npos;
         at = zip.find(signature, at + 1)) {
      if (at + offset + 4 <= zip.size() && ReadLe32(zip, at + offset) == real) {
        WriteLe32(zip, at + offset, claimed);
        ++patched;
      }
    }
  };
  patch(std::string("PK\x03\x04", 4), 22);  // local file header
  patch(std::string("PK\x07\x08", 4), 12);  // data descriptor
  patch(std::string("PK\x01\x02", 4), 24);  // central directory header
  return patched;
}

// ---- Fixture ---------------------------------------------------------------

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/intake_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    base_ = pattern;
    destination_ = base_ / "dest";
    sentinel_ = base_ / "sentinel";
    inputs_ = base_ / "inputs";
    fs::create_directory(destination_);
    fs::create_directory(sentinel_);
    fs::create_directory(inputs_);
  }
  void TearDown() override { fs::remove_all(base_); }

  absl::StatusOr<IntakeSummary> FromBytes(const std::string& archive,
                                          const IntakeLimits& limits = {}) {
    return IntakeArchiveBytes(archive, destination_.string(), limits);
  }

  // Nothing may appear beside the destination: the sentinel directory stays
  // empty and the base holds only what the test put there.
  void ExpectNothingOutsideDestination() {
    std::vector<std::string> names;
    for (const auto& item : fs::directory_iterator(base_)) {
      names.push_back(item.path().filename().string());
    }
    EXPECT_THAT(names, UnorderedElementsAre("dest", "sentinel", "inputs"));
    EXPECT_TRUE(fs::is_empty(sentinel_));
    EXPECT_FALSE(fs::exists("/etc/gograder-intake-pwned"));
    EXPECT_FALSE(fs::exists("/tmp/gograder-intake-pwned"));
  }

  // A rejection: InvalidArgument, the message names `entry` and says `why`,
  // nothing escaped, and the destination was emptied again.
  void ExpectRejected(const absl::StatusOr<IntakeSummary>& result, absl::string_view entry,
                      absl::string_view why) {
    ASSERT_FALSE(result.ok()) << "accepted; expected a rejection naming " << entry;
    EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument)) << result.status();
    EXPECT_THAT(result.status().message(), HasSubstr(entry));
    EXPECT_THAT(result.status().message(), HasSubstr(why));
    ExpectNothingOutsideDestination();
    EXPECT_TRUE(fs::is_empty(destination_)) << "destination not emptied after a rejection";
  }

  // Relative path -> content of every file under the destination.
  std::map<std::string, std::string> DestinationFiles() {
    std::map<std::string, std::string> files;
    for (const auto& item : fs::recursive_directory_iterator(destination_)) {
      if (!item.is_regular_file()) continue;
      std::ifstream in(item.path(), std::ios::binary);
      std::stringstream content;
      content << in.rdbuf();
      files[fs::relative(item.path(), destination_).string()] = content.str();
    }
    return files;
  }

  mode_t ModeOf(const fs::path& path) {
    struct stat info;
    EXPECT_EQ(lstat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
  }

  std::string WriteInput(const std::string& name, const std::string& bytes) {
    fs::path path = inputs_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }

  fs::path base_, destination_, sentinel_, inputs_;
};

const std::vector<Entry>& SmallModule() {
  static const auto* entries = new std::vector<Entry>{
      Dir("pkg/"),
      File("go.mod", "module example.com/hello\n\ngo 1.26\n"),
      File("main.go", "package main\n\nfunc main() {}\n"),
      File("pkg/util.go", "package pkg\n"),
  };
  return *entries;
}

const std::map<std::string, std::string> kSmallModuleFiles = {
    {"go.mod", "module example.com/hello\n\ngo 1.26\n"},
    {"main.go", "package main\n\nfunc main() {}\n"},
    {"pkg/util.go", "package pkg\n"},
};

// ---- Valid submissions -------------------------------------------------------

class IntakeFormatTest : public IntakeTest, public ::testing::WithParamInterface<Format> {};

INSTANTIATE_TEST_SUITE_P(Formats, IntakeFormatTest,
                         ::testing::Values(Format::kTar, Format::kTarGz, Format::kZip),
                         [](const auto& info) { return FormatName(info.param); });

TEST_P(IntakeFormatTest, ExtractsAValidArchive) {
  auto summary = FromBytes(BuildArchive(GetParam(), SmallModule()));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->files, 3);
  EXPECT_EQ(summary->bytes, 34 + 29 + 12);
  EXPECT_EQ(DestinationFiles(), kSmallModuleFiles);
  EXPECT_EQ(ModeOf(destination_ / "pkg"), 0755);
  EXPECT_EQ(ModeOf(destination_ / "go.mod"), 0644);
  ExpectNothingOutsideDestination();
}

TEST_P(IntakeFormatTest, ExtractsFromAFileDetectedByContentNotName) {
  std::string path = WriteInput("submission.bin", BuildArchive(GetParam(), SmallModule()));
  auto summary = IntakeSubmission(path, destination_.string());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(DestinationFiles(), kSmallModuleFiles);
}

TEST_P(IntakeFormatTest, NeverPreservesModesSetuidIncluded) {
  auto summary = FromBytes(BuildArchive(
      GetParam(), {File("run.sh", "#!/bin/sh\n", 06755), File("w.go", "package w\n", 0666)}));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(ModeOf(destination_ / "run.sh"), 0644);
  EXPECT_EQ(ModeOf(destination_ / "w.go"), 0644);
}

TEST_P(IntakeFormatTest, StripsTheTopDirectoryOfAGitHubZip) {
  auto summary = FromBytes(BuildArchive(
      GetParam(), {Dir("hello-main/"), File("hello-main/go.mod", "module example.com/hello\n"),
                   Dir("hello-main/pkg/"), File("hello-main/pkg/util.go", "package pkg\n"),
                   File("hello-main/README.md", "# hi\n")}));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(DestinationFiles(),
            (std::map<std::string, std::string>{{"go.mod", "module example.com/hello\n"},
                                                {"pkg/util.go", "package pkg\n"},
                                                {"README.md", "# hi\n"}}));
  EXPECT_FALSE(fs::exists(destination_ / "hello-main"));
}

TEST_P(IntakeFormatTest, StripsATopDirectoryThatHoldsItsOwnName) {
  auto summary = FromBytes(BuildArchive(
      GetParam(), {File("hello/go.mod", "module m\n"), File("hello/hello/hello.go", "package h\n"),
                   File("hello/hello.intake", "x")}));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(
      DestinationFiles(),
      (std::map<std::string, std::string>{
          {"go.mod", "module m\n"}, {"hello/hello.go", "package h\n"}, {"hello.intake", "x"}}));
}

TEST_P(IntakeFormatTest, KeepsTheTopDirectoryWithoutGoMod) {
  auto summary = FromBytes(BuildArchive(GetParam(), {File("project/main.go", "package main\n")}));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_TRUE(fs::exists(destination_ / "project" / "main.go"));
}

TEST_P(IntakeFormatTest, KeepsTheTopDirectoryWhenTheRootHasGoMod) {
  auto summary = FromBytes(
      BuildArchive(GetParam(), {File("go.mod", "module a\n"), File("sub/go.mod", "module b\n")}));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(DestinationFiles().count("sub/go.mod"), 1u);
}

TEST_P(IntakeFormatTest, SkipsVcsAndEditorJunk) {
  auto summary = FromBytes(BuildArchive(
      GetParam(),
      {File("go.mod", "module m\n"), Dir(".git/"), File(".git/config", "[core]\n"),
       File(".git/objects/ab/cdef", "blob"), File(".DS_Store", "junk"),
       File("pkg/.DS_Store", "junk"), Dir("__MACOSX/"), File("__MACOSX/._go.mod", "junk"),
       File(".hg/store", "x"), File("sub/.svn/entries", "x"),
       Symlink(".git/hooks/pre-commit", "/etc/passwd"), File("pkg/a.go", "package pkg\n")}));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(DestinationFiles(), (std::map<std::string, std::string>{
                                    {"go.mod", "module m\n"}, {"pkg/a.go", "package pkg\n"}}));
  EXPECT_EQ(summary->files, 2);
}

TEST_P(IntakeFormatTest, AcceptsDotSlashNamesAndUtf8) {
  auto summary = FromBytes(BuildArchive(GetParam(), {Dir("./"), File("./go.mod", "module m\n"),
                                                     File("./héllo/ünï.go", "package h\n")}));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(DestinationFiles(), (std::map<std::string, std::string>{
                                    {"go.mod", "module m\n"}, {"héllo/ünï.go", "package h\n"}}));
}

TEST_F(IntakeTest, SameFilesGiveTheSameDigestFromEverySource) {
  std::vector<std::string> digests;
  auto intake = [&](const absl::StatusOr<IntakeSummary>& summary) {
    ASSERT_TRUE(summary.ok()) << summary.status();
    absl::StatusOr<std::string> digest = Sha256OfTree(destination_.string());
    ASSERT_TRUE(digest.ok()) << digest.status();
    digests.push_back(*digest);
    fs::remove_all(destination_);
    fs::create_directory(destination_);
  };
  for (Format format : {Format::kTar, Format::kTarGz, Format::kZip}) {
    intake(FromBytes(BuildArchive(format, SmallModule())));
  }
  fs::path source = inputs_ / "tree";
  fs::create_directories(source / "pkg");
  for (const auto& [path, content] : kSmallModuleFiles) {
    std::ofstream(source / path, std::ios::binary) << content;
  }
  intake(IntakeSubmission(source.string(), destination_.string()));
  intake(
      IntakeFileMap({kSmallModuleFiles.begin(), kSmallModuleFiles.end()}, destination_.string()));
  // The same module inside a GitHub top directory.
  std::vector<std::pair<std::string, std::string>> nested;
  for (const auto& [path, content] : kSmallModuleFiles) {
    nested.emplace_back("repo-main/" + path, content);
  }
  intake(IntakeFileMap(nested, destination_.string()));
  ASSERT_EQ(digests.size(), 6u);
  for (const std::string& digest : digests) EXPECT_EQ(digest, digests[0]);

  intake(IntakeFileMap({{"go.mod", "module example.com/hello\n\ngo 1.25\n"},
                        {"main.go", "package main\n\nfunc main() {}\n"},
                        {"pkg/util.go", "package pkg\n"}},
                       destination_.string()));
  EXPECT_NE(digests.back(), digests[0]);
}

TEST_F(IntakeTest, DigestDependsOnPathsAndContent) {
  ASSERT_TRUE(IntakeFileMap({{"a", "xb"}}, destination_.string()).ok());
  absl::StatusOr<std::string> one = Sha256OfTree(destination_.string());
  fs::remove_all(destination_);
  fs::create_directory(destination_);
  ASSERT_TRUE(IntakeFileMap({{"a", "x"}, {"b", ""}}, destination_.string()).ok());
  absl::StatusOr<std::string> two = Sha256OfTree(destination_.string());
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_NE(*one, *two);
}

// ---- Hostile archives -------------------------------------------------------

struct HostileName {
  std::string name;
  std::string why;
  std::string shown;  // how the message shows the name
  // libarchive's zip reader turns "\\" into "/" (Windows zips): the name then
  // arrives changed and is refused for another reason.
  std::string zip_why = "";
  std::string zip_shown = "";
};

class HostileNameTest : public IntakeTest,
                        public ::testing::WithParamInterface<std::tuple<Format, HostileName>> {};

INSTANTIATE_TEST_SUITE_P(
    Names, HostileNameTest,
    ::testing::Combine(
        ::testing::Values(Format::kTar, Format::kTarGz, Format::kZip),
        ::testing::Values(
            HostileName{"../x", "\"..\"", "\"../x\""}, HostileName{"/x", "absolute", "\"/x\""},
            HostileName{"//x", "absolute", "\"//x\""},
            HostileName{"/tmp/gograder-intake-pwned", "absolute", "\"/tmp/gograder-intake-pwned\""},
            HostileName{"a/../../x", "\"..\"", "\"a/../../x\""},
            HostileName{"./../sentinel/x", "\"..\"", "\"./../sentinel/x\""},
            HostileName{"a/b/../../../sentinel/x", "\"..\"", "\"a/b/../../../sentinel/x\""},
            HostileName{"..", "\"..\"", "\"..\""},
            HostileName{"..\\sentinel\\x", "backslash", "\"..\\\\sentinel\\\\x\"", "\"..\"",
                        "\"../sentinel/x\""},
            HostileName{"a\\b.go", "backslash", "\"a\\\\b.go\"", "duplicate", "\"a/b.go\""},
            HostileName{"evil\nname.go", "control character", "evil\\nname.go"},
            HostileName{"tab\there.go", "control character", "tab\\there.go"},
            HostileName{"esc\x1b[31m.go", "control character", "esc\\x1b[31m.go"},
            HostileName{"bad\xff.go", "UTF-8", "bad\\xff.go"})),
    [](const auto& info) {
      return absl::StrCat(FormatName(std::get<0>(info.param)), "_", info.index);
    });

TEST_P(HostileNameTest, RejectsTheEntryByName) {
  const auto& [format, hostile] = GetParam();
  std::string archive = BuildArchive(
      format, {File("go.mod", "module m\n"), File("a/b.go", "x"), File(hostile.name, "pwned")});
  if (format == Format::kZip && !hostile.zip_why.empty()) {
    ExpectRejected(FromBytes(archive), hostile.zip_shown, hostile.zip_why);
  } else {
    ExpectRejected(FromBytes(archive), hostile.shown, hostile.why);
  }
}

TEST_P(IntakeFormatTest, RejectsASymlinkThenAFileThroughIt) {
  ExpectRejected(FromBytes(BuildArchive(
                     GetParam(), {File("go.mod", "module m\n"), Symlink("link", "../sentinel"),
                                  File("link/pwned", "x")})),
                 "\"link\"", "symbolic links are not accepted (-> \"../sentinel\")");
  ExpectRejected(FromBytes(BuildArchive(GetParam(), {Symlink("link", "/etc"),
                                                     File("link/gograder-intake-pwned", "x")})),
                 "\"link\"", "symbolic link");
}

TEST_P(IntakeFormatTest, RejectsADirectorySymlink) {
  ExpectRejected(FromBytes(BuildArchive(GetParam(), {Dir("pkg/"), Symlink("pkg/up", ".."),
                                                     File("pkg/up/up/sentinel/x", "x")})),
                 "\"pkg/up\"", "symbolic link");
}

TEST_P(IntakeFormatTest, RejectsDuplicateEntries) {
  ExpectRejected(FromBytes(BuildArchive(
                     GetParam(), {File("a.go", "package a\n"), File("a.go", "package b\n")})),
                 "\"a.go\"", "duplicate");
  ExpectRejected(FromBytes(BuildArchive(
                     GetParam(), {File("a.go", "package a\n"), File("./a.go", "package b\n")})),
                 "\"./a.go\"", "duplicate");
  ExpectRejected(
      FromBytes(BuildArchive(GetParam(), {Dir("a/"), File("a/x.go", "1"), File("a", "2")})),
      "\"a\"", "duplicate");
  ExpectRejected(FromBytes(BuildArchive(GetParam(), {File("a", "1"), File("a/x.go", "2")})),
                 "\"a/x.go\"", "\"a\" is a file");
}

TEST_P(IntakeFormatTest, RejectsNamesThatDifferOnlyInCase) {
  ExpectRejected(FromBytes(BuildArchive(
                     GetParam(), {File("a.go", "package a\n"), File("A.go", "package a\n")})),
                 "\"A.go\"", "\"A.go\" and \"a.go\" differ only in letter case");
  ExpectRejected(FromBytes(BuildArchive(GetParam(), {File("Pkg/x.go", "package pkg\n"),
                                                     File("pkg/y.go", "package pkg\n")})),
                 "\"pkg/y.go\"", "\"pkg\" and \"Pkg\" differ only in letter case");
  auto accepted = FromBytes(BuildArchive(
      GetParam(), {File("go.mod", "module m\n"), Dir("pkg/"), File("pkg/a.go", "package pkg\n"),
                   File("pkg/A_test.go", "package pkg\n")}));
  EXPECT_TRUE(accepted.ok()) << accepted.status();
}

TEST_P(IntakeFormatTest, RejectsTooManyFiles) {
  std::vector<Entry> entries;
  for (int i = 0; i < 6; ++i) entries.push_back(File(absl::StrCat("f", i, ".go"), "package f\n"));
  IntakeLimits limits;
  limits.max_files = 5;
  ExpectRejected(FromBytes(BuildArchive(GetParam(), entries), limits), "\"f5.go\"",
                 "too large: more than 5 files");
}

TEST_P(IntakeFormatTest, RejectsTooManyBytes) {
  IntakeLimits limits;
  limits.max_file_bytes = 1000;
  limits.max_total_bytes = 1500;
  ExpectRejected(FromBytes(BuildArchive(GetParam(), {File("big", std::string(1001, 'x'))}), limits),
                 "\"big\"", "too large: a file holds more than 1000 bytes");
  ExpectRejected(FromBytes(BuildArchive(GetParam(), {File("a", std::string(1000, 'x')),
                                                     File("b", std::string(600, 'y'))}),
                           limits),
                 "\"b\"", "too large: more than 1500 bytes in total");
}

TEST_P(IntakeFormatTest, RejectsLongAndDeepPaths) {
  IntakeLimits limits;
  limits.max_path_bytes = 100;
  limits.max_path_depth = 4;
  std::string long_name(101, 'a');
  ExpectRejected(FromBytes(BuildArchive(GetParam(), {File(long_name, "x")}), limits), long_name,
                 "longer than 100 bytes");
  ExpectRejected(FromBytes(BuildArchive(GetParam(), {File("a/b/c/d/e.go", "x")}), limits),
                 "\"a/b/c/d/e.go\"", "deeper than 4");
}

// Found by intake_fuzz: a name between slashes longer than the file system
// takes (NAME_MAX) failed in mkdirat/openat as an INTERNAL error, not as bad input.
TEST_P(IntakeFormatTest, RejectsANameLongerThanTheFileSystemTakes) {
  std::string name(256, 'x');
  ExpectRejected(FromBytes(BuildArchive(GetParam(), {File("go.mod", "module m\n"),
                                                     File(name + ".go", "package m\n")})),
                 "xxxxxxxx", "a file or directory name is longer than 255 bytes");
  ExpectRejected(FromBytes(BuildArchive(GetParam(), {File("go.mod", "module m\n"),
                                                     File(name + "/a.go", "package m\n")})),
                 "xxxxxxxx", "a file or directory name is longer than 255 bytes");
  ASSERT_OK(FromBytes(BuildArchive(GetParam(), {File(std::string(255, 'y'), "x")})).status());
}

TEST_P(IntakeFormatTest, RejectsAnEmptiedButPartialExtraction) {
  // The first entries are written, then a bad one arrives: nothing stays.
  ExpectRejected(FromBytes(BuildArchive(
                     GetParam(), {File("go.mod", "module m\n"), Dir("pkg/"),
                                  File("pkg/a.go", "package pkg\n"), File("../escape", "x")})),
                 "\"../escape\"", "\"..\"");
}

TEST_F(IntakeTest, RejectsHardLinks) {
  for (Format format : {Format::kTar, Format::kTarGz}) {
    ExpectRejected(
        FromBytes(BuildArchive(format, {File("a.go", "package a\n"), HardLink("b.go", "a.go")})),
        "\"b.go\"", "hard links are not accepted (=> \"a.go\")");
    ExpectRejected(FromBytes(BuildArchive(format, {HardLink("passwd", "/etc/passwd")})),
                   "\"passwd\"", "hard link");
  }
}

TEST_F(IntakeTest, RejectsDevicesAndFifos) {
  for (Format format : {Format::kTar, Format::kTarGz}) {
    ExpectRejected(FromBytes(BuildArchive(format, {Special("null", Entry::kCharDevice)})),
                   "\"null\"", "device files are not accepted");
    ExpectRejected(FromBytes(BuildArchive(format, {Special("disk", Entry::kBlockDevice)})),
                   "\"disk\"", "device files are not accepted");
    ExpectRejected(FromBytes(BuildArchive(format, {Special("pipe", Entry::kFifo)})), "\"pipe\"",
                   "FIFOs");
  }
}

TEST_F(IntakeTest, RejectsAZipWhoseHeadersLieAboutItsSize) {
  IntakeLimits limits;
  limits.max_total_bytes = 1 << 20;
  limits.max_file_bytes = 1 << 20;
  const uint32_t real = 8 << 20;
  std::string zip = BuildArchive(Format::kZip, {File("bomb.txt", std::string(real, '\0'))});
  ASSERT_LT(zip.size(), 64u << 10) << "the bomb should compress well";
  ASSERT_GE(MakeZipLie(zip, real, 100), 2);
  auto result = FromBytes(zip, limits);
  ExpectRejected(result, "\"bomb.txt\"", "");
  EXPECT_THAT(result.status().message(), HasSubstr("too large"));
}

TEST_F(IntakeTest, RejectsACompressibleBombCountedWhileExtracting) {
  IntakeLimits limits;
  limits.max_total_bytes = 1 << 20;
  for (Format format : {Format::kTarGz, Format::kZip}) {
    std::string bomb = BuildArchive(
        format, {File("go.mod", "module m\n"), File("zeros", std::string(8 << 20, '\0'))});
    ASSERT_LT(bomb.size(), 64u << 10);
    ExpectRejected(FromBytes(bomb, limits), "\"zeros\"", "too large");
  }
}

TEST_F(IntakeTest, BoundsWhatSkippedJunkMayHold) {
  IntakeLimits limits;
  limits.max_total_bytes = 1 << 20;
  std::string bomb = BuildArchive(
      Format::kTarGz, {File(".git/objects/pack/huge.pack", std::string(8 << 20, '\0'))});
  ExpectRejected(FromBytes(bomb, limits), "\".git/objects/pack/huge.pack\"", "too large: skipped");
}

TEST_F(IntakeTest, RejectsBytesThatAreNoArchive) {
  ExpectRejected(FromBytes("package main\n\nfunc main() {}\n"), "", "not a .tar, .tar.gz or .zip");
  ExpectRejected(FromBytes(""), "", "not a .tar, .tar.gz or .zip");
  std::string tgz = BuildArchive(Format::kTarGz, SmallModule());
  ExpectRejected(FromBytes(tgz.substr(0, tgz.size() / 2)), "", "archive");
}

TEST_F(IntakeTest, RefusesADestinationThatIsNotEmpty) {
  std::ofstream(destination_ / "old") << "x";
  auto result = FromBytes(BuildArchive(Format::kTar, SmallModule()));
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(fs::exists(destination_ / "old"));
  std::ofstream(destination_ / "older") << "x";
  result = FromBytes(BuildArchive(Format::kTar, SmallModule()));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kFailedPrecondition)) << result.status();
  EXPECT_TRUE(fs::exists(destination_ / "older"));
}

TEST_P(IntakeFormatTest, BoundsEntriesOfEveryKind) {
  // Directories and skipped junk count too: at most 8 x max_files (min 64).
  std::vector<Entry> entries;
  for (int i = 0; i < 65; ++i) entries.push_back(Dir(absl::StrCat("d", i, "/")));
  IntakeLimits limits;
  limits.max_files = 2;
  ExpectRejected(FromBytes(BuildArchive(GetParam(), entries), limits), "\"d64/\"",
                 "too large: more than 64 entries");
}

// ---- File maps --------------------------------------------------------------

TEST_F(IntakeTest, FileMapCreatesImpliedDirectories) {
  auto summary =
      IntakeFileMap({{"go.mod", "module m\n"}, {"a/b/c.go", "package b\n"}}, destination_.string());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(ModeOf(destination_ / "a" / "b"), 0755);
  EXPECT_EQ(DestinationFiles().at("a/b/c.go"), "package b\n");
}

TEST_F(IntakeTest, FileMapRejectsHostileKeys) {
  ExpectRejected(IntakeFileMap({{std::string("nul\0.go", 7), "x"}}, destination_.string()),
                 "nul\\x00.go", "NUL byte");
  ExpectRejected(IntakeFileMap({{"../x", "x"}}, destination_.string()), "\"../x\"", "\"..\"");
  ExpectRejected(IntakeFileMap({{"/etc/gograder-intake-pwned", "x"}}, destination_.string()),
                 "\"/etc/gograder-intake-pwned\"", "absolute");
  ExpectRejected(IntakeFileMap({{"", "x"}}, destination_.string()), "\"\"", "empty name");
  ExpectRejected(IntakeFileMap({{"dir/", "x"}}, destination_.string()), "\"dir/\"",
                 "cannot end with /");
  ExpectRejected(IntakeFileMap({{".", "x"}}, destination_.string()), "\".\"", "not a file name");
  ExpectRejected(IntakeFileMap({{"a", "1"}, {"a//", "2"}}, destination_.string()), "\"a//\"",
                 "cannot end with /");
  ExpectRejected(IntakeFileMap({{"a.go", "1"}, {"./a.go", "2"}}, destination_.string()),
                 "\"./a.go\"", "duplicate");
}

// ---- Directories ------------------------------------------------------------

class DirectoryIntakeTest : public IntakeTest {
 protected:
  void SetUp() override {
    IntakeTest::SetUp();
    source_ = inputs_ / "tree";
    fs::create_directories(source_ / "pkg");
    std::ofstream(source_ / "go.mod") << "module m\n";
    std::ofstream(source_ / "pkg" / "a.go") << "package pkg\n";
  }
  absl::StatusOr<IntakeSummary> Intake() {
    return IntakeSubmission(source_.string(), destination_.string());
  }
  fs::path source_;
};

TEST_F(DirectoryIntakeTest, CopiesATree) {
  fs::create_directories(source_ / ".git" / "objects");
  std::ofstream(source_ / ".git" / "HEAD") << "ref: refs/heads/main\n";
  std::ofstream(source_ / "run.sh") << "#!/bin/sh\n";
  fs::permissions(source_ / "run.sh", fs::perms(06755));
  fs::create_directory(source_ / "empty");
  auto summary = Intake();
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(DestinationFiles(), (std::map<std::string, std::string>{{"go.mod", "module m\n"},
                                                                    {"pkg/a.go", "package pkg\n"},
                                                                    {"run.sh", "#!/bin/sh\n"}}));
  EXPECT_EQ(ModeOf(destination_ / "run.sh"), 0644);
  EXPECT_TRUE(fs::is_directory(destination_ / "empty"));
  EXPECT_FALSE(fs::exists(destination_ / ".git"));
}

TEST_F(DirectoryIntakeTest, RejectsSymlinksToFilesAndDirectories) {
  fs::create_symlink("/etc/passwd", source_ / "pkg" / "passwd");
  ExpectRejected(Intake(), "\"pkg/passwd\"", "symbolic link");
  fs::remove(source_ / "pkg" / "passwd");
  fs::create_directory_symlink(sentinel_, source_ / "out");
  ExpectRejected(Intake(), "\"out\"", "symbolic link");
}

TEST_F(DirectoryIntakeTest, RejectsASourceThatIsASymlink) {
  fs::path link = inputs_ / "link";
  fs::create_directory_symlink(source_, link);
  auto result = IntakeSubmission(link.string(), destination_.string());
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(result.status().message(), HasSubstr("symbolic link"));
  EXPECT_TRUE(fs::is_empty(destination_));
}

TEST_F(DirectoryIntakeTest, RejectsHardLinks) {
  fs::create_hard_link(source_ / "go.mod", source_ / "pkg" / "copy");
  ExpectRejected(Intake(), "\"go.mod\"", "hard link");
}

TEST_F(DirectoryIntakeTest, RejectsFifosAndSockets) {
  ASSERT_EQ(mkfifo((source_ / "pkg" / "pipe").c_str(), 0644), 0);
  ExpectRejected(Intake(), "\"pkg/pipe\"", "FIFOs");
  fs::remove(source_ / "pkg" / "pipe");

  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  struct sockaddr_un address = {};
  address.sun_family = AF_UNIX;
  std::string path = (source_ / "sock").string();
  ASSERT_LT(path.size(), sizeof address.sun_path);
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<struct sockaddr*>(&address), sizeof address), 0);
  ExpectRejected(Intake(), "\"sock\"", "sockets are not accepted");
  close(fd);
}

TEST_F(DirectoryIntakeTest, RejectsADestinationInsideTheSource) {
  fs::path inside = source_ / "work";
  fs::create_directory(inside);
  auto result = IntakeSubmission(source_.string(), inside.string());
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr("destination is inside the source"));
  EXPECT_TRUE(fs::is_empty(inside));
}

TEST_F(DirectoryIntakeTest, RejectsTooManyFilesAndBytes) {
  IntakeLimits limits;
  limits.max_files = 1;
  auto result = IntakeSubmission(source_.string(), destination_.string(), limits);
  ExpectRejected(result, "\"pkg/a.go\"", "too large: more than 1 files");
  limits = {};
  limits.max_total_bytes = 12;
  result = IntakeSubmission(source_.string(), destination_.string(), limits);
  ExpectRejected(result, "\"pkg/a.go\"", "too large: more than 12 bytes in total");
}

TEST_F(DirectoryIntakeTest, RejectsDeepTrees) {
  IntakeLimits limits;
  limits.max_path_depth = 3;
  fs::create_directories(source_ / "a" / "b" / "c" / "d");
  ExpectRejected(IntakeSubmission(source_.string(), destination_.string(), limits), "\"a/b/c/d\"",
                 "deeper than 3");
}

}  // namespace
}  // namespace gograder::core
