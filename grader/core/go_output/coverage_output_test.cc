#include "grader/core/go_output/coverage_output.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/go_output/go_output_fixtures.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using ::testing::HasSubstr;

// "total:\t\t\t\t\t\t\t(statements)\t64.7%" from `go tool cover -func`.
double GoToolCoverTotal() {
  std::string line = ReadGoOutputFixture("cover_func_total.txt");
  absl::string_view text = absl::StripAsciiWhitespace(line);
  EXPECT_TRUE(absl::ConsumeSuffix(&text, "%")) << line;
  const size_t tab = text.rfind('\t');
  double percent = -1;
  EXPECT_TRUE(absl::SimpleAtod(text.substr(tab + 1), &percent)) << line;
  return percent;
}

TEST(CoveragePercentFromProfileTest, MatchesGoToolCoverOnARealMultiPackageProfile) {
  // Three packages' runs with -coverpkg=./...: every block listed up to three
  // times; 11 of 17 statements covered by some run.
  const absl::StatusOr<double> percent =
      CoveragePercentFromProfile(ReadGoOutputFixture("cover.out"));
  ASSERT_TRUE(percent.ok()) << percent.status();
  EXPECT_DOUBLE_EQ(*percent, 100.0 * 11 / 17);
  EXPECT_NEAR(*percent, GoToolCoverTotal(), 0.05);
}

TEST(CoveragePercentFromProfileTest, CountModeProfile) {
  const absl::StatusOr<double> percent =
      CoveragePercentFromProfile(ReadGoOutputFixture("cover_count.out"));
  ASSERT_TRUE(percent.ok()) << percent.status();
  EXPECT_DOUBLE_EQ(*percent, 100.0 * 11 / 17);
}

TEST(CoveragePercentFromProfileTest, DuplicateBlocksTakeTheirHighestCount) {
  EXPECT_DOUBLE_EQ(*CoveragePercentFromProfile("mode: count\n"
                                               "m/a.go:1.1,2.2 3 0\n"
                                               "m/a.go:3.1,4.2 1 0\n"
                                               "m/a.go:1.1,2.2 3 7\n"
                                               "m/a.go:1.1,2.2 3 0\n"),
                   75.0);
}

TEST(CoveragePercentFromProfileTest, ConcatenatedProfilesAndBlankLines) {
  EXPECT_DOUBLE_EQ(*CoveragePercentFromProfile("mode: set\n"
                                               "m/a.go:1.1,2.2 1 1\n"
                                               "\n"
                                               "mode: set\r\n"
                                               "m/my file.go:1.1,2.2 1 0\n"),
                   50.0);
}

TEST(CoveragePercentFromProfileTest, NoStatementsIsNotFound) {
  EXPECT_THAT(CoveragePercentFromProfile("mode: set\n"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(CoveragePercentFromProfile("mode: set\nm/a.go:1.1,1.2 0 1\n"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(CoveragePercentFromProfileTest, MalformedProfilesAreRejectedWithTheLine) {
  for (const char* profile : {
           "", "\n\n",
           "m/a.go:1.1,2.2 1 1\n",                         // no mode line
           "mode: sometimes\nm/a.go:1.1,2.2 1 1\n",        // unknown mode
           "mode: set\nmode: count\n",                     // mixed modes
           "mode: set\nm/a.go:1.1,2.2 1\n",                // missing field
           "mode: set\nm/a.go 1 1\n",                      // no position
           "mode: set\nm/a.go:1.1-2.2 1 1\n",              // bad range
           "mode: set\nm/a.go:0.1,2.2 1 1\n",              // line 0
           "mode: set\nm/a.go:1.1,2.2 x 1\n",              // statements not a number
           "mode: set\nm/a.go:1.1,2.2 1 -1\n",             // negative count
           "mode: set\nm/a.go:1.1,2.2 9999999999999 1\n",  // absurd statement count
           "mode: set\nm/a.go:1.1,2.2 1 1\ntruncat",       // truncated last line
       }) {
    const absl::Status status = CoveragePercentFromProfile(profile).status();
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument)) << profile;
  }
  EXPECT_THAT(std::string(CoveragePercentFromProfile("mode: set\n\nbad\n").status().message()),
              HasSubstr("line 3"));
}

}  // namespace
}  // namespace gograder::core
