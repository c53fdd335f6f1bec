#include "grader/core/gradebook/csv.h"

#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST(ParseCsvTest, SplitsRecordsAndFieldsWithQuotesCommasAndLineBreaks) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<CsvRecord> records,
      ParseCsv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n,,\nlast", "t.csv"));
  ASSERT_THAT(records, SizeIs(4));
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_EQ(records[0].line, 1);
  EXPECT_THAT(records[1].fields, ElementsAre("x, y", "say \"hi\"", "two\nlines"));
  EXPECT_EQ(records[1].line, 2);
  EXPECT_THAT(records[2].fields, ElementsAre("", "", ""));
  EXPECT_EQ(records[2].line, 4) << "the line break inside a field counts";
  EXPECT_THAT(records[3].fields, ElementsAre("last"));
  EXPECT_EQ(records[3].line, 5);
}

TEST(ParseCsvTest, SkipsAByteOrderMarkAndEmptyLinesButKeepsAnEmptyQuotedField) {
  ASSERT_OK_AND_ASSIGN(std::vector<CsvRecord> records,
                       ParseCsv("\xEF\xBB\xBFid\n\n\r\n\"\"\nx\n", "t.csv"));
  ASSERT_THAT(records, SizeIs(3));
  EXPECT_THAT(records[0].fields, ElementsAre("id"));
  EXPECT_THAT(records[1].fields, ElementsAre(""));
  EXPECT_EQ(records[1].line, 4);
  EXPECT_THAT(records[2].fields, ElementsAre("x"));
  EXPECT_EQ(records[2].line, 5);
}

TEST(ParseCsvTest, MalformedQuotesAreErrorsWithTheLine) {
  EXPECT_THAT(ParseCsv("a\nb\"c\n", "t.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("t.csv:2: a quote inside")));
  EXPECT_THAT(ParseCsv("a\n\"b\"c\n", "t.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("t.csv:2: text after")));
  EXPECT_THAT(ParseCsv("a\n\n\"b\nc\n", "t.csv"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("t.csv:3: a quoted field")));
}

TEST(CsvColumnTest, FindsAColumnByName) {
  EXPECT_EQ(CsvColumn({"identifier", " github_username "}, "github_username"), 1);
  EXPECT_EQ(CsvColumn({"identifier"}, "due"), -1);
}

TEST(QuoteCsvFieldTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(QuoteCsvField("plain text"), "plain text");
  EXPECT_EQ(QuoteCsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(QuoteCsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(QuoteCsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(QuoteCsvField("cr\r"), "\"cr\r\"");
}

TEST(SpreadsheetSafeCsvFieldTest, NeutralisesFormulasButNotNumbers) {
  EXPECT_EQ(SpreadsheetSafeCsvField("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(SpreadsheetSafeCsvField("+1+2"), "'+1+2");
  EXPECT_EQ(SpreadsheetSafeCsvField("-cmd|' /C calc'!A0"), "'-cmd|' /C calc'!A0");
  EXPECT_EQ(SpreadsheetSafeCsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(SpreadsheetSafeCsvField("\tx"), "'\tx");
  EXPECT_EQ(SpreadsheetSafeCsvField("\rx"), "\"'\rx\"");
  EXPECT_EQ(SpreadsheetSafeCsvField("-17"), "-17");
  EXPECT_EQ(SpreadsheetSafeCsvField("-12.5"), "-12.5");
  EXPECT_EQ(SpreadsheetSafeCsvField("+3"), "+3");
  EXPECT_EQ(SpreadsheetSafeCsvField("-"), "'-");
  EXPECT_EQ(SpreadsheetSafeCsvField("a=b"), "a=b");
}

TEST(SpreadsheetSafeCsvFieldTest, ReplacesInvalidUtf8) {
  EXPECT_EQ(SpreadsheetSafeCsvField("ok\xff"), "ok\xEF\xBF\xBD");
  EXPECT_EQ(SpreadsheetSafeCsvField("caf\xC3\xA9"), "caf\xC3\xA9");
}

// What QuoteCsvField writes, ParseCsv reads back.
TEST(CsvRoundTripTest, QuotedFieldsParseBack) {
  const std::vector<std::string> fields = {"a,b", "\"", "x\r\ny", "", "plain", "\n"};
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + QuoteCsvField(fields[i]);
  ASSERT_OK_AND_ASSIGN(std::vector<CsvRecord> records, ParseCsv(line + "\n", "t.csv"));
  ASSERT_THAT(records, SizeIs(1));
  EXPECT_EQ(records[0].fields, fields);
}

}  // namespace
}  // namespace gograder::core
