#include "grader/core/scoring/test_trust.h"

#include "gmock/gmock.h"
#include "grader/core/go_output/go_output_fixtures.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using ::gograder::v1::TestResult;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kNonce[] = "gograder-run-complete 0123abcd";
constexpr char kNonceEvent[] =
    "{\"Action\":\"output\",\"Package\":\"example.com/concurrent-web-scraper\","
    "\"Output\":\"gograder-run-complete 0123abcd\\n\"}\n";

TestPass Pass(std::vector<std::string> tests, const std::string& output, bool exited_ok) {
  TestPass pass;
  pass.tests = std::move(tests);
  pass.label = "hidden tests";
  absl::StatusOr<TestRun> parsed = ParseTestEvents(output);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  if (parsed.ok()) pass.parsed = *std::move(parsed);
  pass.nonce_line = kNonce;
  pass.exited_ok = exited_ok;
  return pass;
}

TEST(JudgeTestPassTest, ACompleteRunIsTrustedAndUnreportedTestsAreMissing) {
  HiddenRun run;
  std::vector<std::string> untrusted;
  JudgeTestPass(Pass({"TestFirst", "TestSecond", "TestThird"},
                     ReadGoOutputFixture("test_forged_exit.json") + kNonceEvent, true),
                run, untrusted);
  EXPECT_THAT(untrusted, IsEmpty());
  EXPECT_THAT(run.flags, IsEmpty());
  EXPECT_EQ(run.results["TestFirst"].status(), TestResult::PASSED);
  EXPECT_EQ(run.results["TestSecond"].status(), TestResult::PASSED);
  EXPECT_EQ(run.results["TestThird"].status(), TestResult::MISSING);
  EXPECT_EQ(run.results["TestThird"].output(), "never reported");
}

TEST(JudgeTestPassTest, AForgedRunThatExitsZeroEarlyIsNotTrusted) {
  HiddenRun run;
  std::vector<std::string> untrusted;
  JudgeTestPass(Pass({"TestFirst", "TestSecond", "TestThird"},
                     ReadGoOutputFixture("test_forged_exit.json"), true),
                run, untrusted);
  EXPECT_THAT(untrusted, UnorderedElementsAre("TestFirst", "TestSecond", "TestThird"));
  EXPECT_THAT(run.results, IsEmpty());
  ASSERT_EQ(run.flags.size(), 1u);
  EXPECT_THAT(run.flags[0], HasSubstr("exited with status 0 before its tests finished"));
}

TEST(JudgeTestPassTest, ATestReportingTwiceIsDuplicatedAndFlagged) {
  HiddenRun run;
  std::vector<std::string> untrusted;
  JudgeTestPass(
      Pass({"TestHidden"}, ReadGoOutputFixture("test_forged_marker.json") + kNonceEvent, false),
      run, untrusted);
  EXPECT_EQ(run.results["TestHidden"].status(), TestResult::DUPLICATED);
  ASSERT_EQ(run.flags.size(), 1u);
  EXPECT_THAT(run.flags[0], HasSubstr("TestHidden: reported 2 results"));
}

TEST(JudgeTestPassTest, APanicKillingTheBinaryIsRerunAloneAndThenItsOwnEvidence) {
  const std::string panic = ReadGoOutputFixture("test_panic.json");
  HiddenRun run;
  std::vector<std::string> untrusted;
  JudgeTestPass(Pass({"TestBefore", "TestPanics", "TestAfter"}, panic, false), run, untrusted);
  EXPECT_THAT(untrusted, UnorderedElementsAre("TestBefore", "TestPanics", "TestAfter"));
  EXPECT_THAT(run.flags, IsEmpty());  // a crash with a nonzero status is no forgery

  std::vector<std::string> again;
  JudgeTestPass(Pass({"TestPanics"}, panic, false), run, again);
  EXPECT_THAT(again, IsEmpty());
  EXPECT_EQ(run.results["TestPanics"].status(), TestResult::FAILED);
  EXPECT_THAT(run.results["TestPanics"].failed_subtests(), ElementsAre("TestPanics/sub"));
}

TEST(JudgeTestPassTest, ALimitMakesUnreportedTestsMissingWithTheLimit) {
  HiddenRun run;
  std::vector<std::string> untrusted;
  TestPass pass = Pass({"TestFirst", "TestLater"}, "", false);
  pass.limit = "wall time limit (30 s)";
  JudgeTestPass(pass, run, untrusted);
  EXPECT_THAT(untrusted, IsEmpty());
  EXPECT_EQ(run.results["TestLater"].status(), TestResult::MISSING);
  EXPECT_EQ(run.results["TestLater"].output(), "wall time limit (30 s)");
  EXPECT_EQ(run.limit, "wall time limit (30 s)");
}

TEST(SettleUnverifiedTest, FailsTheTestAndMarksItUnverified) {
  HiddenRun run;
  SettleUnverified("TestGhost", run);
  EXPECT_EQ(run.results["TestGhost"].status(), TestResult::FAILED);
  EXPECT_THAT(run.unverified, ElementsAre("TestGhost"));
}

}  // namespace
}  // namespace gograder::core
