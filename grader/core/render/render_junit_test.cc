#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/render/render.h"
#include "grader/core/render/render_internal.h"
#include "grader/core/render/render_test_support.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using namespace render_testing;  // NOLINT: the shared reports and checks of render_test_support.h

// ---------------------------------------------------------------------------
// junit

TEST(RenderJUnitTest, PassedReportGolden) {
  EXPECT_EQ(Render(PassedReport(), ReportFormat::kJUnit), R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="gograder" tests="3" failures="0" errors="0" skipped="0" time="12.300">
  <testsuite name="phase1/crawler" tests="3" failures="0" errors="0" skipped="0" time="12.300" timestamp="2026-11-27T10:00:00Z">
    <properties>
      <property name="status" value="GRADED"/>
      <property name="score" value="100"/>
      <property name="max_score" value="100"/>
      <property name="build_failed" value="false"/>
      <property name="criterion.tests.limits" value="80/80"/>
      <property name="criterion.vet" value="20/20"/>
      <property name="toolchain" value="go1.26.8 linux/amd64"/>
    </properties>
    <testcase classname="tests.limits" name="TestHiddenLimits_Global" time="0.520"/>
    <testcase classname="tests.limits" name="TestHiddenLimits_PerHost" time="0.010"/>
    <testcase classname="vet" name="go vet" time="0.000"/>
  </testsuite>
</testsuites>
)");
}

TEST(RenderJUnitTest, PartialReport) {
  const std::string xml = Render(PartialReport(), ReportFormat::kJUnit);
  ExpectWellFormedXml(xml);
  EXPECT_THAT(xml, HasSubstr(R"(<property name="score" value="57.5"/>)"));
  EXPECT_THAT(xml, HasSubstr(R"(<property name="max_score" value="100"/>)"));
  EXPECT_THAT(xml, HasSubstr(R"(<property name="criterion.vet" value="2.5/5"/>)"));
  // Tests carry the criterion that owns them.
  EXPECT_THAT(
      xml,
      HasSubstr(
          R"(<testcase classname="tests.limits" name="TestHiddenLimits_Global" time="0.520">)"));
  EXPECT_THAT(
      xml,
      HasSubstr(
          R"(<testcase classname="tests.limits" name="TestHiddenLimits_PerHost" time="0.010"/>)"));
  // The race check lost points its tests do not show: a case of its own.
  EXPECT_THAT(xml, HasSubstr(R"(<testcase classname="race" name="No data races" time="0.000">)"));
  EXPECT_THAT(
      xml, HasSubstr(R"(<failure message="0/15 points: DATA RACE in Crawl" type="points lost">)"));
  EXPECT_THAT(
      xml,
      HasSubstr(
          R"(<failure message="2.5/5 points: 1 finding" type="points lost"><![CDATA[2.5/5 points: 1 finding
crawler.go:12:5: warning: call of f copies lock value: sync.Mutex [vet:copylocks]]]></failure>)"));
  EXPECT_THAT(xml, HasSubstr(R"(<testcase classname="static" name="Static rules" time="0.000"/>)"));
  // A test group whose tests show everything gets no extra case.
  EXPECT_THAT(xml, Not(HasSubstr(R"(name="Concurrency limits")")));
  EXPECT_THAT(xml, HasSubstr(R"(tests="8" failures="5" errors="0" skipped="0")"));
}

TEST(RenderJUnitTest, BuildFailedAndMissingTests) {
  const std::string xml = Render(BuildFailedReport(), ReportFormat::kJUnit);
  ExpectWellFormedXml(xml);
  EXPECT_THAT(xml, HasSubstr(R"(<testcase classname="build" name="go build" time="0.000">
      <failure message="build failed: the code does not compile" type="build"><![CDATA[crawler.go:7:2: error: undefined: foo [build]]]></failure>)"));
  EXPECT_THAT(
      xml,
      HasSubstr(
          R"(<error message="no result: the test did not compile, crashed or timed out" type="missing">)"));
}

TEST(RenderJUnitTest, GradingFailedIsAnErrorWithoutScore) {
  const std::string xml = Render(GradingFailedReport(), ReportFormat::kJUnit);
  ExpectWellFormedXml(xml);
  EXPECT_THAT(xml, HasSubstr(R"(tests="1" failures="0" errors="1" skipped="0")"));
  EXPECT_THAT(xml, HasSubstr(R"(<testcase classname="gograder" name="grading")"));
  EXPECT_THAT(xml, HasSubstr("cgroup setup failed"));
  EXPECT_THAT(xml, HasSubstr("can be regraded"));
  EXPECT_THAT(xml, Not(HasSubstr(R"(name="score")")));
  EXPECT_THAT(xml, Not(HasSubstr("42")));
}

TEST(RenderJUnitTest, EscapesHostileStrings) {
  const std::string xml = Render(HostileReport(), ReportFormat::kJUnit);
  ExpectWellFormedXml(xml);
  EXPECT_TRUE(IsValidUtf8(xml));
  EXPECT_THAT(xml, Not(HasSubstr("\x01")));
  EXPECT_THAT(xml, Not(HasSubstr("\x1b")));
  EXPECT_THAT(xml, Not(HasSubstr("\x02")));
  EXPECT_THAT(xml, HasSubstr(R"(<testsuite name="phase1/&lt;crawler&gt;&amp;")"));
  // In attributes everything is escaped, including newlines.
  EXPECT_THAT(
      xml,
      HasSubstr(
          "<property name=\"toolchain\" "
          "value=\"]]&gt;&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot; "
          "[2J\xef\xbf\xbd\xef\xbf\xbd ok\xe2\x80\xae 100%&#13;&#10;::add-mask::secret, a:b\""));
  // In CDATA, "]]>" is split so the section does not end early.
  EXPECT_THAT(xml, HasSubstr("<![CDATA[]]]]><![CDATA[><script>alert('x')</script>"));
  EXPECT_THAT(xml, Not(HasSubstr("<script>alert('x')</script> &amp;")));
}

TEST(RenderJUnitTest, EmptyReportIsWellFormed) {
  ExpectWellFormedXml(Render(GradeReport(), ReportFormat::kJUnit));
  GradeReport graded;
  graded.set_status(GradeReport::GRADED);
  ExpectWellFormedXml(Render(graded, ReportFormat::kJUnit));
}

}  // namespace
}  // namespace gograder::core
