#include "grader/core/scoring/scrub.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core {
namespace {

using ::gograder::v1::GradeReport;
using ::testing::HasSubstr;
using ::testing::Not;

const char kHidden[] =
    "package scraper_test\n"
    "\n"
    "func TestDedup(t *testing.T) {\n"
    "\tt.Helper()\n"
    "\tgot := Crawl(\"http://secret.example/a\")\n"
    "\tif len(got) != 17 {\n"
    "}\n";

TEST(HiddenSourceScrubberTest, ReplacesEachLineQuotingHiddenSource) {
  HiddenSourceScrubber scrubber({kHidden});
  std::string text =
      "=== RUN TestDedup\n  got := Crawl(\"http://secret.example/a\")  \nok\nfunc TestDedup(t "
      "*testing.T) {";
  EXPECT_EQ(scrubber.ScrubText(text), 2);
  EXPECT_EQ(text, absl::StrCat("=== RUN TestDedup\n", kHiddenSourceRemoved, "\nok\n",
                               kHiddenSourceRemoved));
}

TEST(HiddenSourceScrubberTest, LeavesShortCommonLinesAndOtherText) {
  HiddenSourceScrubber scrubber({kHidden});
  std::string text = "t.Helper()\n}\npackage scraper\nTestDedup failed: want 17 links";
  EXPECT_EQ(scrubber.ScrubText(text), 0);
  EXPECT_EQ(text, "t.Helper()\n}\npackage scraper\nTestDedup failed: want 17 links");
}

TEST(HiddenSourceScrubberTest, NoSourcesScrubsNothing) {
  HiddenSourceScrubber scrubber({});
  std::string text = "func TestDedup(t *testing.T) {";
  EXPECT_EQ(scrubber.ScrubText(text), 0);
}

TEST(HiddenSourceScrubberTest, ScrubsEveryStringOfAReport) {
  HiddenSourceScrubber scrubber({kHidden});
  GradeReport report;
  report.set_error("if len(got) != 17 {");  // shorter than kMinSecretLineLength: kept
  report.add_tests()->set_output("leak:\nfunc TestDedup(t *testing.T) {\n");
  report.mutable_tests(0)->add_failed_subtests(
      "TestDedup/got := Crawl(\"http://secret.example/a\")");
  report.add_criteria()->set_reason("fine");
  report.add_annotations()->set_message("x func TestDedup(t *testing.T) { y");
  report.add_flags("also func TestDedup(t *testing.T) {");
  EXPECT_EQ(scrubber.ScrubMessage(report), 4);
  std::string all = report.DebugString();
  EXPECT_THAT(all, Not(HasSubstr("TestDedup(t")));
  EXPECT_THAT(all, Not(HasSubstr("secret.example")));
  EXPECT_EQ(report.tests(0).output(), absl::StrCat("leak:\n", kHiddenSourceRemoved, "\n"));
  EXPECT_EQ(report.criteria(0).reason(), "fine");
  EXPECT_EQ(report.error(), "if len(got) != 17 {");
}

}  // namespace
}  // namespace gograder::core
