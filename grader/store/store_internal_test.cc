#include "grader/store/store_internal.h"

#include <set>
#include <string>

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::store::internal {
namespace {

using ::testing::MatchesRegex;

TEST(StoreInternalTest, IdsAreHexAndSortByTime) {
  absl::BitGen bitgen;
  absl::Time t = absl::FromUnixMillis(1700000000000);
  std::string first = NewId(t, bitgen);
  EXPECT_THAT(first, MatchesRegex("[0-9a-f]{32}"));
  EXPECT_EQ(first.substr(0, 12), "018bcfe56800");
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(NewId(t, bitgen));
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_LT(*ids.rbegin(), NewId(t + absl::Milliseconds(1), bitgen));
}

TEST(StoreInternalTest, PageSizes) {
  EXPECT_EQ(PageSize(0), 50);
  EXPECT_EQ(PageSize(-3), 50);
  EXPECT_EQ(PageSize(7), 7);
  EXPECT_EQ(PageSize(10000), 500);
}

TEST(StoreInternalTest, PageTokensRoundTripAndRejectGarbage) {
  gograder::v1::Submission last;
  last.set_submitted_at("2026-01-02T03:04:05.000006Z");
  last.set_submission_id("0123abcd");
  std::string token = EncodePageToken(last);
  EXPECT_THAT(DecodePageToken(token),
              IsOkAndHolds(std::make_pair(std::string("2026-01-02T03:04:05.000006Z"),
                                          std::string("0123abcd"))));
  for (const std::string bad : {"not a token!", "bm8tc2VwYXJhdG9ycw", "MnxhfGI" /* 2|a|b */}) {
    EXPECT_THAT(DecodePageToken(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(StoreInternalTest, ANewReportReplacesTheCurrentOneUnlessItWouldLoseAGrade) {
  const Outcome graded_60{true, 60}, graded_80{true, 80}, failed{false, 0};
  EXPECT_EQ(ReasonToKeepCurrent(graded_60, std::nullopt, false), "");
  EXPECT_EQ(ReasonToKeepCurrent(failed, std::nullopt, false), "");
  EXPECT_EQ(ReasonToKeepCurrent(failed, failed, false), "");
  EXPECT_EQ(ReasonToKeepCurrent(graded_60, failed, true), "");
  EXPECT_EQ(ReasonToKeepCurrent(failed, graded_60, false), kNoteFailedKeepsGraded);
  EXPECT_EQ(ReasonToKeepCurrent(graded_60, graded_80, false), "");
  EXPECT_EQ(ReasonToKeepCurrent(graded_60, graded_80, true), kNoteKeepMax);
  EXPECT_EQ(ReasonToKeepCurrent(graded_80, graded_60, true), "");
  gograder::v1::GradeReport report;
  report.set_status(gograder::v1::GradeReport::GRADED);
  report.set_score(12.5);
  EXPECT_TRUE(OutcomeOf(report).graded);
  EXPECT_EQ(OutcomeOf(report).score, 12.5);
}

}  // namespace
}  // namespace gograder::store::internal
