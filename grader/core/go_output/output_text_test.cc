#include "grader/core/go_output/output_text.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

TEST(SplitLinesTest, KeepsEmptyLinesAndALastLineWithoutNewline) {
  EXPECT_THAT(SplitLines(""), IsEmpty());
  EXPECT_THAT(SplitLines("\n"), ElementsAre(""));
  EXPECT_THAT(SplitLines("a\n\nb"), ElementsAre("a", "", "b"));
  EXPECT_THAT(SplitLines("a\r\nb\r\n"), ElementsAre("a", "b"));
}

TEST(SanitizeUtf8Test, KeepsValidTextAndReplacesEachBadByte) {
  EXPECT_EQ(SanitizeUtf8("héllo ✓ 😀"), "héllo ✓ 😀");
  EXPECT_EQ(SanitizeUtf8("a\xff"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  // A truncated sequence, an overlong form and a surrogate.
  EXPECT_EQ(SanitizeUtf8("\xE2\x9C"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TrimMiddleTest, ShortTextIsUnchanged) {
  EXPECT_EQ(TrimMiddle("abc", 3), "abc");
  EXPECT_EQ(TrimMiddle("", 0), "");
}

TEST(TrimMiddleTest, KeepsHeadAndTailAroundAMarkerWithinTheLimit) {
  std::string text;
  for (int i = 0; i < 1000; ++i) absl::StrAppend(&text, "line ", i, "\n");
  const std::string trimmed = TrimMiddle(text, 200);
  EXPECT_LE(trimmed.size(), 200u);
  EXPECT_TRUE(absl::StartsWith(trimmed, "line 0\nline 1\n")) << trimmed;
  EXPECT_TRUE(absl::EndsWith(trimmed, "line 998\nline 999\n")) << trimmed;
  // Whole lines on both sides of the marker, and the count adds up.
  const size_t marker = trimmed.find("[... ");
  ASSERT_NE(marker, std::string::npos);
  EXPECT_EQ(trimmed[marker - 1], '\n');
  size_t cut = 0;
  ASSERT_EQ(sscanf(trimmed.c_str() + marker, "[... %zu bytes cut ...]", &cut), 1);
  const size_t marker_line = absl::StrCat("[... ", cut, " bytes cut ...]\n").size();
  EXPECT_EQ(trimmed.size() - marker_line + cut, text.size());
}

TEST(TrimMiddleTest, NeverSplitsAUtf8Sequence) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "é";  // 2 bytes each, no newline
  for (size_t limit = 30; limit < 80; ++limit) {
    const std::string trimmed = TrimMiddle(text, limit);
    EXPECT_LE(trimmed.size(), limit);
    EXPECT_EQ(SanitizeUtf8(trimmed), trimmed) << "limit " << limit;
  }
}

TEST(TrimMiddleTest, ALimitBelowTheMarkerGivesTheMarkerAlone) {
  EXPECT_EQ(TrimMiddle(std::string(100, 'x'), 0), "[... 100 bytes cut ...]\n");
}

TEST(ModuleRelativePathTest, MakesToolPathsRelativeToTheRoot) {
  EXPECT_THAT(ModuleRelativePath("/box/scraper.go", "/box"), Optional(std::string("scraper.go")));
  EXPECT_THAT(ModuleRelativePath("/box/sub/x.go", "/box/"), Optional(std::string("sub/x.go")));
  EXPECT_THAT(ModuleRelativePath("./scraper.go", "/box"), Optional(std::string("scraper.go")));
  EXPECT_THAT(ModuleRelativePath("scraper.go", "/box"), Optional(std::string("scraper.go")));
  EXPECT_THAT(ModuleRelativePath("sub/./a/../x.go", "/box"), Optional(std::string("sub/x.go")));
  EXPECT_THAT(ModuleRelativePath("/x.go", "/"), Optional(std::string("x.go")));
}

TEST(ModuleRelativePathTest, RejectsPathsOutsideTheRoot) {
  EXPECT_EQ(ModuleRelativePath("", "/box"), std::nullopt);
  EXPECT_EQ(ModuleRelativePath("/usr/local/go/src/fmt/print.go", "/box"), std::nullopt);
  EXPECT_EQ(ModuleRelativePath("/boxer/x.go", "/box"), std::nullopt);
  EXPECT_EQ(ModuleRelativePath("/box/../etc/passwd", "/box"), std::nullopt);
  EXPECT_EQ(ModuleRelativePath("../x.go", "/box"), std::nullopt);
  EXPECT_EQ(ModuleRelativePath("a/../../x.go", "/box"), std::nullopt);
  EXPECT_EQ(ModuleRelativePath("/box", "/box"), std::nullopt);
  EXPECT_EQ(ModuleRelativePath("./", "/box"), std::nullopt);
}

TEST(ParseSourcePositionTest, ReadsFileLineAndOptionalColumn) {
  const std::optional<SourcePosition> full = ParseSourcePosition("/box/x.go:10:2");
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->file, "/box/x.go");
  EXPECT_EQ(full->line, 10);
  EXPECT_EQ(full->column, 2);
  const std::optional<SourcePosition> line_only = ParseSourcePosition("x.go:7");
  ASSERT_TRUE(line_only.has_value());
  EXPECT_EQ(line_only->file, "x.go");
  EXPECT_EQ(line_only->line, 7);
  EXPECT_EQ(line_only->column, 0);
}

TEST(ParseSourcePositionTest, RejectsOtherText) {
  EXPECT_EQ(ParseSourcePosition(""), std::nullopt);
  EXPECT_EQ(ParseSourcePosition("-"), std::nullopt);
  EXPECT_EQ(ParseSourcePosition("x.go"), std::nullopt);
  EXPECT_EQ(ParseSourcePosition(":3:4"), std::nullopt);
  EXPECT_EQ(ParseSourcePosition("x.go:"), std::nullopt);
  EXPECT_EQ(ParseSourcePosition("my file.go:3"), std::nullopt);
  EXPECT_EQ(ParseSourcePosition("x.go:99999999999"), std::nullopt);
}

TEST(SplitPositionedMessageTest, SplitsCompilerLines) {
  SourcePosition position;
  absl::string_view message;
  ASSERT_TRUE(
      SplitPositionedMessage("./scraper.go:12:9: undefined: FetchAll", &position, &message));
  EXPECT_EQ(position.file, "./scraper.go");
  EXPECT_EQ(position.line, 12);
  EXPECT_EQ(position.column, 9);
  EXPECT_EQ(message, "undefined: FetchAll");

  ASSERT_TRUE(SplitPositionedMessage("/box/go.mod:3: unknown directive: foo", &position, &message));
  EXPECT_EQ(position.file, "/box/go.mod");
  EXPECT_EQ(position.line, 3);
  EXPECT_EQ(position.column, 0);
  EXPECT_EQ(message, "unknown directive: foo");

  // A message that itself holds positions keeps them.
  ASSERT_TRUE(SplitPositionedMessage("a.go:1:2: see b.go:3:4: x", &position, &message));
  EXPECT_EQ(position.file, "a.go");
  EXPECT_EQ(message, "see b.go:3:4: x");
}

TEST(SplitPositionedMessageTest, RejectsOtherLines) {
  SourcePosition position;
  absl::string_view message;
  for (absl::string_view line :
       {"", "# example.com/m", "go: finding module for package example.com/m/missing",
        "vet: broken/broken.go:4:9: undefined: x", "\tgo get example.com/m/missing",
        "FAIL\texample.com/m [build failed]", "x.go:12:3", "x.go:12:3x: y", ":1:2: no file",
        "ok  \texample.com/m\t0.01s"}) {
    EXPECT_FALSE(SplitPositionedMessage(line, &position, &message)) << line;
  }
}

}  // namespace
}  // namespace gograder::core
