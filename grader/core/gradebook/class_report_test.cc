#include "grader/core/gradebook/class_report.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using gograder::v1::Exercise;
using gograder::v1::GradeReport;
using gograder::v1::TestResult;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

Exercise Crawler() {
  Exercise exercise;
  exercise.set_id("phase1/crawler");
  exercise.set_title("Crawler");
  const auto add = [&exercise](const std::string& id, const std::string& title, double points) {
    gograder::v1::Criterion* criterion = exercise.add_criteria();
    criterion->set_id(id);
    criterion->set_title(title);
    criterion->set_points(points);
  };
  add("tests.limits", "Concurrency limits", 70);
  add("vet", "go vet", 10);
  add("bench.get", "Get speed", 20);
  return exercise;
}

// A GRADED report with the criteria of Crawler() earning `limits`, `vet`
// and `bench` points (a benchmark ratio when `ratio` > 0).
GradeReport Report(double limits, double vet, double bench, double ratio) {
  GradeReport report;
  report.set_status(GradeReport::GRADED);
  report.set_exercise_id("phase1/crawler");
  report.set_score(limits + vet + bench);
  report.set_max_score(100);
  const auto add = [&report](const std::string& id, double points, double max_points) {
    gograder::v1::CriterionResult* criterion = report.add_criteria();
    criterion->set_id(id);
    criterion->set_points(points);
    criterion->set_max_points(max_points);
    return criterion;
  };
  add("tests.limits", limits, 70);
  add("vet", vet, 10);
  add("bench.get", bench, 20)->set_ratio(ratio);
  return report;
}

void AddTest(GradeReport& report, const std::string& name, TestResult::Status status) {
  TestResult* test = report.add_tests();
  test->set_name(name);
  test->set_status(status);
}

void AddStep(GradeReport& report, gograder::v1::Step step, double seconds) {
  gograder::v1::StepRun* run = report.add_steps();
  run->set_step(step);
  run->set_wall_time_us(static_cast<int64_t>(seconds * 1e6));
}

void AddFinding(GradeReport& report, const std::string& source) {
  gograder::v1::Annotation* annotation = report.add_annotations();
  annotation->set_file("crawler.go");
  annotation->set_source(source);
}

GradebookRow Row(const std::string& id, std::optional<GradeReport> report) {
  GradebookRow row;
  row.student_id = id;
  row.report = std::move(report);
  if (row.report) {
    row.submitted_at = "2026-12-01T20:00:00Z";
    row.report_link = absl::StrCat("students/", id, ".html");
  }
  return row;
}

// Three students with a score (85, a late 65 -> 55, a failed build 0), one
// whose grading failed and one who handed in nothing; in no particular order.
std::vector<GradebookRow> Class() {
  GradeReport alice = Report(70, 5, 10, 2.0);
  AddTest(alice, "TestA", TestResult::PASSED);
  AddTest(alice, "TestB", TestResult::FAILED);
  AddTest(alice, "TestC", TestResult::PASSED);
  AddTest(alice, "TestD", TestResult::PASSED);
  AddStep(alice, gograder::v1::BUILD, 1);
  AddStep(alice, gograder::v1::TEST, 2);
  AddStep(alice, gograder::v1::TEST, 1);
  AddFinding(alice, "vet:copylocks");
  AddFinding(alice, "vet:copylocks");
  AddFinding(alice, "gofmt");

  GradeReport bob = Report(35, 10, 20, 1.1);
  bob.set_score(55);
  bob.mutable_late()->set_raw_score(65);
  bob.mutable_late()->set_points(10);
  AddTest(bob, "TestA", TestResult::PASSED);
  AddTest(bob, "TestB", TestResult::FAILED);
  AddTest(bob, "TestC", TestResult::FAILED);
  AddTest(bob, "TestD", TestResult::PASSED);
  AddStep(bob, gograder::v1::BUILD, 2);
  AddStep(bob, gograder::v1::TEST, 4);
  AddFinding(bob, "vet:printf");
  AddFinding(bob, "test");
  bob.add_flags("forged <b>--- PASS</b> line");

  GradeReport carol = Report(0, 0, 0, 0);
  carol.set_build_failed(true);
  AddTest(carol, "TestA", TestResult::MISSING);
  AddTest(carol, "TestB", TestResult::MISSING);
  AddTest(carol, "TestC", TestResult::MISSING);
  AddStep(carol, gograder::v1::BUILD, 0.5);

  GradeReport dave = Report(70, 10, 20, 1.0);  // must not count anywhere
  dave.set_status(GradeReport::GRADING_FAILED);
  AddTest(dave, "TestB", TestResult::PASSED);
  AddStep(dave, gograder::v1::BUILD, 100);

  std::vector<GradebookRow> rows = {Row("erin", std::nullopt), Row("carol", carol), Row("bob", bob),
                                    Row("alice", alice), Row("dave", dave)};
  rows[2].commit = "0123456789abcdef0123456789abcdef01234567";
  return rows;
}

// The text of <section id="id"> ... </section>, or "" when there is none.
std::string SectionOf(const std::string& html, absl::string_view id) {
  const size_t start = html.find(absl::StrCat("<section id=\"", id, "\">"));
  if (start == std::string::npos) return "";
  const size_t end = html.find("</section>", start);
  return html.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

class ClassReportTest : public ::testing::Test {
 protected:
  const std::string html_ =
      ClassReportHtml(Crawler(), Class(), {.title = "", .generated_at = "2026-12-05T08:00:00Z"});
};

TEST_F(ClassReportTest, IsOneSelfContainedPage) {
  EXPECT_THAT(html_, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(html_, HasSubstr("<meta http-equiv=\"Content-Security-Policy\" "
                               "content=\"default-src 'none'; style-src 'unsafe-inline'; "
                               "img-src data:\">"));
  EXPECT_THAT(html_, HasSubstr("<meta name=\"viewport\" content=\"width=device-width, "
                               "initial-scale=1\">"));
  EXPECT_THAT(html_, HasSubstr("<title>Class report: phase1/crawler</title>"));
  EXPECT_THAT(html_, HasSubstr("generated 2026-12-05T08:00:00Z"));
  EXPECT_THAT(html_, Not(HasSubstr("<script")));
  EXPECT_THAT(html_, Not(HasSubstr("http://")));
  EXPECT_THAT(html_, Not(HasSubstr("https://")));
  EXPECT_THAT(html_, Not(HasSubstr("src=\"")));
  EXPECT_THAT(html_, Not(HasSubstr("<link")));
  EXPECT_THAT(html_, Not(HasSubstr("url(")));
  for (absl::string_view id : {"summary", "histogram", "criteria", "tests", "steps", "benchmarks",
                               "findings", "flagged", "students"}) {
    EXPECT_NE(SectionOf(html_, id), "") << id;
  }
}

TEST_F(ClassReportTest, SummaryCountsStatusesAndAveragesTheScored) {
  const std::string summary = SectionOf(html_, "summary");
  EXPECT_THAT(summary, HasSubstr("<dt>Students</dt><dd>5</dd>"));
  EXPECT_THAT(summary, HasSubstr("<dt>Graded</dt><dd>2</dd>"));
  EXPECT_THAT(summary, HasSubstr("<dt>Build failed</dt><dd>1</dd>"));
  EXPECT_THAT(summary, HasSubstr("<dt>Grading failed</dt><dd>1</dd>"));
  EXPECT_THAT(summary, HasSubstr("<dt>Missing</dt><dd>1</dd>"));
  EXPECT_THAT(summary, HasSubstr("<dt>Mean score</dt><dd>46.67</dd>"));  // (85 + 55 + 0) / 3
  EXPECT_THAT(summary, HasSubstr("<dt>Median score</dt><dd>55</dd>"));
  EXPECT_THAT(summary, HasSubstr("<dt>Max score</dt><dd>100</dd>"));
}

TEST_F(ClassReportTest, HistogramCountsScoresInTenBins) {
  const std::string histogram = SectionOf(html_, "histogram");
  EXPECT_THAT(histogram, HasSubstr("<svg viewBox=\"0 0 "));
  EXPECT_THAT(histogram, HasSubstr("width=\"100%\""));
  EXPECT_THAT(histogram, HasSubstr("<title>0-10: 1 student</title>"));
  EXPECT_THAT(histogram, HasSubstr("<title>10-20: 0 students</title>"));
  EXPECT_THAT(histogram, HasSubstr("<title>50-60: 1 student</title>"));
  EXPECT_THAT(histogram, HasSubstr("<title>80-90: 1 student</title>"));
  EXPECT_THAT(histogram, HasSubstr("<title>90-100: 0 students</title>"));
  int bars = 0;
  for (size_t pos = 0; (pos = histogram.find("<g class=\"bin\">", pos)) != std::string::npos;
       ++pos) {
    ++bars;
  }
  EXPECT_EQ(bars, 10);
}

TEST_F(ClassReportTest, CriteriaStatistics) {
  const std::string criteria = SectionOf(html_, "criteria");
  // tests.limits earned 70, 35, 0 of 70; one student has full marks.
  EXPECT_THAT(criteria,
              HasSubstr("<tr><td>tests.limits</td><td>Concurrency limits</td>"
                        "<td class=\"n\">70</td><td class=\"n\">35</td><td class=\"n\">0</td>"
                        "<td class=\"n\">35</td><td class=\"n\">70</td><td class=\"n\">33%</td>"));
  // vet earned 5, 10, 0 of 10.
  EXPECT_THAT(criteria, HasSubstr("<td>vet</td><td>go vet</td><td class=\"n\">10</td>"
                                  "<td class=\"n\">5</td><td class=\"n\">0</td>"
                                  "<td class=\"n\">5</td><td class=\"n\">10</td>"));
  EXPECT_THAT(criteria, HasSubstr("<title>mean 35, min 0, max 70 of 70</title>"));
}

TEST_F(ClassReportTest, TestsByPassRateWithNonePassAndAllPassMarks) {
  const std::string tests = SectionOf(html_, "tests");
  EXPECT_THAT(tests, HasSubstr("<tr class=\"none-pass\"><td>TestB<span class=\"mark\">nobody "
                               "passes</span></td><td class=\"n\">0</td><td class=\"n\">3</td>"
                               "<td class=\"n\">0%</td></tr>"))
      << "dave's grading failed: his pass does not count";
  EXPECT_THAT(tests, HasSubstr("<tr><td>TestC</td><td class=\"n\">1</td><td class=\"n\">3</td>"
                               "<td class=\"n\">33%</td></tr>"));
  EXPECT_THAT(tests, HasSubstr("<tr><td>TestA</td><td class=\"n\">2</td><td class=\"n\">3</td>"
                               "<td class=\"n\">67%</td></tr>"));
  EXPECT_THAT(tests, HasSubstr("<tr class=\"all-pass\"><td>TestD<span class=\"mark\">everyone "
                               "passes</span></td><td class=\"n\">2</td><td class=\"n\">2</td>"));
  const size_t b = tests.find("TestB"), c = tests.find("TestC"), a = tests.find("TestA"),
               d = tests.find("TestD");
  EXPECT_LT(b, c);
  EXPECT_LT(c, a);
  EXPECT_LT(a, d);
}

TEST_F(ClassReportTest, StepTimesPerStudentAsBoxPlots) {
  const std::string steps = SectionOf(html_, "steps");
  // build: 1, 2, 0.5 s; test: 1 + 2 = 3 and 4 s (runs of one student add up).
  EXPECT_THAT(steps, HasSubstr("<tr><td>build</td><td class=\"n\">3</td><td class=\"n\">500 ms</td>"
                               "<td class=\"n\">750 ms</td><td class=\"n\">1.00 s</td>"
                               "<td class=\"n\">1.50 s</td><td class=\"n\">2.00 s</td>"));
  EXPECT_THAT(steps,
              HasSubstr("<tr><td>test</td><td class=\"n\">2</td><td class=\"n\">3.00 s</td>"));
  EXPECT_THAT(steps, HasSubstr("<title>build: min 500 ms, median 1.00 s, max 2.00 s</title>"));
  EXPECT_THAT(steps, Not(HasSubstr("100.00 s"))) << "dave's grading failed";
}

TEST_F(ClassReportTest, BenchmarkRatios) {
  const std::string benchmarks = SectionOf(html_, "benchmarks");
  EXPECT_THAT(benchmarks, HasSubstr("<tr><td>bench.get</td><td class=\"n\">2</td>"
                                    "<td class=\"n\">1.10x</td>"));
  EXPECT_THAT(benchmarks, HasSubstr("<td class=\"n\">2.00x</td><td class=\"plot\"><svg"));
  EXPECT_THAT(benchmarks, HasSubstr("stroke-dasharray")) << "the line at ratio 1";
}

TEST_F(ClassReportTest, VetAndGofmtFindings) {
  const std::string findings = SectionOf(html_, "findings");
  EXPECT_THAT(findings,
              HasSubstr("<tr><td>go vet</td><td class=\"n\">3</td><td class=\"n\">2</td>"));
  EXPECT_THAT(findings,
              HasSubstr("<tr><td>gofmt</td><td class=\"n\">1</td><td class=\"n\">1</td>"));
  EXPECT_THAT(findings,
              HasSubstr("<tr><td>copylocks</td><td class=\"n\">2</td><td class=\"n\">1</td>"));
  EXPECT_THAT(findings,
              HasSubstr("<tr><td>printf</td><td class=\"n\">1</td><td class=\"n\">1</td>"));
  EXPECT_LT(findings.find("copylocks"), findings.find("printf")) << "most frequent first";
}

TEST_F(ClassReportTest, FlaggedStudentsWithTheirFlagsEscaped) {
  const std::string flagged = SectionOf(html_, "flagged");
  EXPECT_THAT(flagged, HasSubstr("<a href=\"#student-bob\">bob</a>"));
  EXPECT_THAT(flagged, HasSubstr("<li>forged &lt;b&gt;--- PASS&lt;/b&gt; line</li>"));
  EXPECT_THAT(flagged, Not(HasSubstr("alice")));
}

TEST_F(ClassReportTest, StudentsSortedByIdWithLinksAndPenalties) {
  const std::string students = SectionOf(html_, "students");
  size_t last = 0;
  for (absl::string_view id : {"alice", "bob", "carol", "dave", "erin"}) {
    const size_t at = students.find(absl::StrCat("<tr id=\"student-", id, "\">"));
    ASSERT_NE(at, std::string::npos) << id;
    EXPECT_GT(at, last) << id;
    last = at;
  }
  EXPECT_THAT(students, HasSubstr("<tr id=\"student-bob\"><td><a href=\"students/bob.html\">bob"
                                  "</a></td><td class=\"status-graded\">graded</td>"
                                  "<td class=\"n\">55 / 100</td><td class=\"n\">-10</td>"
                                  "<td>2026-12-01T20:00:00Z</td>"
                                  "<td title=\"0123456789abcdef0123456789abcdef01234567\">"
                                  "<code>0123456789</code></td></tr>"));
  EXPECT_THAT(students,
              HasSubstr("<tr id=\"student-erin\"><td>erin</td>"
                        "<td class=\"status-missing\">missing</td><td class=\"n\">-</td>"));
  EXPECT_THAT(students, HasSubstr("<td class=\"status-build_failed\">build_failed</td>"
                                  "<td class=\"n\">0 / 100</td>"));
  EXPECT_THAT(students, HasSubstr("<td class=\"status-grading_failed\">grading_failed</td>"
                                  "<td class=\"n\">-</td>"));
}

TEST(ClassReportHostileTest, EscapesEveryStudentString) {
  constexpr char kHostile[] = "<script>alert(1)</script>";
  GradeReport report = Report(70, 10, 20, 1.5);
  AddTest(report, kHostile, TestResult::FAILED);
  AddFinding(report, std::string("vet:") + kHostile);
  report.add_flags(kHostile);
  GradebookRow row = Row(kHostile, report);
  row.submitted_at = kHostile;
  row.commit = "\"><script>x</script>";
  row.report_link = "javascript:alert(1)";
  GradebookRow quoted = Row("o'neil \"q\" & co", report);
  quoted.report_link = "students/o'neil.html\"onclick=\"x";
  const std::string html =
      ClassReportHtml(Crawler(), {row, quoted}, {.title = kHostile, .generated_at = ""});
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("javascript:")));
  EXPECT_THAT(html, Not(HasSubstr("\"onclick")));
  EXPECT_THAT(html, HasSubstr("<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"));
  EXPECT_THAT(html, HasSubstr("<tr id=\"student-&lt;script&gt;alert(1)&lt;/script&gt;\">"
                              "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"))
      << "a link with a scheme is left out";
  EXPECT_THAT(html, HasSubstr("<a href=\"students/o&apos;neil.html&quot;onclick=&quot;x\">"
                              "o&apos;neil &quot;q&quot; &amp; co</a>"));
}

TEST(ClassReportEmptyTest, NoStudentsRendersWithoutDividingByZero) {
  const std::string html = ClassReportHtml(Crawler(), {}, {});
  EXPECT_THAT(SectionOf(html, "summary"), AllOf(HasSubstr("<dt>Students</dt><dd>0</dd>"),
                                                HasSubstr("<dt>Mean score</dt><dd>-</dd>"),
                                                HasSubstr("<dt>Median score</dt><dd>-</dd>")));
  EXPECT_THAT(SectionOf(html, "histogram"), HasSubstr("<title>0-10: 0 students</title>"));
  EXPECT_THAT(SectionOf(html, "criteria"), HasSubstr("<td class=\"n\">-</td>"));
  EXPECT_THAT(SectionOf(html, "tests"), HasSubstr("No hidden test results."));
  EXPECT_THAT(html, Not(HasSubstr("nan")));
  EXPECT_THAT(html, Not(HasSubstr("inf")));
  EXPECT_THAT(html, Not(HasSubstr(">?<")));

  // An exercise without criteria (max score 0) too.
  const std::string bare = ClassReportHtml(Exercise(), {Row("alice", Report(0, 0, 0, 0))}, {});
  EXPECT_THAT(bare, Not(HasSubstr("nan")));
  EXPECT_THAT(bare, Not(HasSubstr("inf")));
  EXPECT_THAT(SectionOf(bare, "histogram"), HasSubstr("1 student</title>"));
}

}  // namespace
}  // namespace gograder::core
