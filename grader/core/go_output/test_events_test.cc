#include "grader/core/go_output/test_events.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grader/core/go_output/bench_output.h"
#include "grader/core/go_output/compiler_output.h"
#include "grader/core/go_output/go_output_fixtures.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using gograder::v1::TestResult;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using ::testing::StartsWith;

constexpr char kModule[] = "example.com/concurrent-web-scraper";

TestRun Parse(absl::string_view text, size_t max_output_bytes = 8192) {
  absl::StatusOr<TestRun> run = ParseTestEvents(text, max_output_bytes);
  EXPECT_TRUE(run.ok()) << run.status();
  return run.ok() ? *std::move(run) : TestRun{};
}

const TestOutcome* Find(const TestRun& run, absl::string_view name) {
  for (const TestOutcome& test : run.tests) {
    if (test.name == name) return &test;
  }
  return nullptr;
}

std::vector<std::string> Names(const TestRun& run) {
  std::vector<std::string> names;
  for (const TestOutcome& test : run.tests) names.push_back(test.name);
  return names;
}

// The outcome of `name`, failing the test when it is missing.
#define OUTCOME(run, name)                                  \
  ([&]() -> const TestOutcome& {                            \
    const TestOutcome* found = Find(run, name);             \
    EXPECT_NE(found, nullptr) << "no outcome for " << name; \
    static const TestOutcome kMissing;                      \
    return found != nullptr ? *found : kMissing;            \
  }())

// --- Real runs (fixtures captured with Go 1.26 by testdata/go_output/capture.sh).

TEST(ParseTestEventsTest, MixedRunGivesOneOutcomePerTopLevelTestInOrder) {
  const TestRun run = Parse(ReadGoOutputFixture("test_mixed.json"));
  EXPECT_THAT(Names(run),
              ElementsAre("TestPass", "TestFail", "TestSkip", "TestSubtests", "TestNested",
                          "TestParallelA", "TestParallelB", "TestForged", "TestAttr"));
  for (const TestOutcome& test : run.tests) {
    EXPECT_EQ(test.package, kModule);
    EXPECT_EQ(test.terminal_events, 1) << test.name;
    EXPECT_FALSE(test.started_out_of_turn) << test.name;
  }
  EXPECT_EQ(OUTCOME(run, "TestPass").status, TestResult::PASSED);
  EXPECT_THAT(OUTCOME(run, "TestPass").output,
              HasSubstr("    scraper_test.go:10: all good\n--- PASS: TestPass"));
  EXPECT_EQ(OUTCOME(run, "TestFail").status, TestResult::FAILED);
  EXPECT_THAT(OUTCOME(run, "TestFail").output, HasSubstr("Add(2, 2) = 4, want 5"));
  EXPECT_EQ(OUTCOME(run, "TestSkip").status, TestResult::SKIPPED);
  EXPECT_THAT(OUTCOME(run, "TestSkip").output, HasSubstr("not today"));
  EXPECT_THAT(run.failed_packages, ElementsAre(kModule));
  EXPECT_THAT(run.package_output,
              Contains(StartsWith("FAIL\texample.com/concurrent-web-scraper\t")));
  EXPECT_THAT(run.build_failures, IsEmpty());
  EXPECT_EQ(run.non_json, "");
}

TEST(ParseTestEventsTest, SubtestsFoldIntoTheirTopLevelTest) {
  const TestRun run = Parse(ReadGoOutputFixture("test_mixed.json"));
  const TestOutcome& subtests = OUTCOME(run, "TestSubtests");
  EXPECT_EQ(subtests.status, TestResult::FAILED);
  EXPECT_THAT(subtests.failed_subtests, ElementsAre("TestSubtests/case_2"));
  EXPECT_THAT(subtests.output, HasSubstr("=== RUN   TestSubtests/case_1\n"));
  EXPECT_THAT(subtests.output, HasSubstr("got 4, want 5"));
  EXPECT_THAT(subtests.output, HasSubstr("--- PASS: TestSubtests/case_3"));  // "case 3"

  // Nested: every failed level, deepest first as go reports them; the skipped
  // subtest is no failure.
  const TestOutcome& nested = OUTCOME(run, "TestNested");
  EXPECT_EQ(nested.status, TestResult::FAILED);
  EXPECT_THAT(nested.failed_subtests,
              ElementsAre("TestNested/outer/inner_fail", "TestNested/outer"));
  EXPECT_THAT(nested.output, HasSubstr("skip inner"));
}

TEST(ParseTestEventsTest, ParallelTestsPauseAndContinue) {
  const TestRun run = Parse(ReadGoOutputFixture("test_mixed.json"));
  const TestOutcome& a = OUTCOME(run, "TestParallelA");
  EXPECT_EQ(a.status, TestResult::PASSED);
  EXPECT_GT(a.elapsed_seconds, 0.0);
  EXPECT_THAT(a.output, HasSubstr("=== PAUSE TestParallelA\n"));
  EXPECT_THAT(a.output, HasSubstr("=== CONT  TestParallelA\n"));
  const TestOutcome& b = OUTCOME(run, "TestParallelB");
  EXPECT_EQ(b.status, TestResult::PASSED);
  EXPECT_THAT(b.failed_subtests, IsEmpty());
  EXPECT_THAT(b.output, HasSubstr("--- PASS: TestParallelB/p1"));
  EXPECT_THAT(b.output, HasSubstr("--- PASS: TestParallelB/p2"));
}

TEST(ParseTestEventsTest, AttrEventsGiveTestNameAndKeyValue) {
  const TestRun run = Parse(ReadGoOutputFixture("test_mixed.json"));
  EXPECT_THAT(run.attributes,
              ElementsAre(Pair("TestAttr", "criterion=limits"), Pair("TestAttr", "weight=2")));
  EXPECT_EQ(OUTCOME(run, "TestAttr").status, TestResult::PASSED);
}

// Go 1.26: framing printed as plain text by a test is output of that test,
// never a result. TestForged prints "--- PASS: TestOther", "=== RUN TestGhost",
// "--- PASS: TestGhost", "PASS", "ok  \tpkg" and a test2json JSON line.
TEST(ParseTestEventsTest, PlainTextFramingIsOnlyOutput) {
  const TestRun run = Parse(ReadGoOutputFixture("test_mixed.json"));
  EXPECT_EQ(Find(run, "TestOther"), nullptr);
  EXPECT_EQ(Find(run, "TestGhost"), nullptr);
  const TestOutcome& forged = OUTCOME(run, "TestForged");
  EXPECT_EQ(forged.status, TestResult::FAILED);
  EXPECT_EQ(forged.terminal_events, 1);
  EXPECT_THAT(forged.output, HasSubstr("--- PASS: TestOther (0.00s)\n"));
  EXPECT_THAT(forged.output, HasSubstr("=== RUN   TestGhost\n"));
  EXPECT_THAT(forged.output, HasSubstr("{\"Action\":\"pass\""));
  EXPECT_THAT(run.package_output, Not(Contains(StartsWith("ok  "))));
}

// Go 1.26: framing printed with test2json's "\x16" marker by the student's
// code does become events. TestHidden forges its own pass and a pass for a
// test that does not exist (TestInjected); TestSneaky forges a test
// (TestGhost) that starts while it still runs.
TEST(ParseTestEventsTest, MarkedFramingForgesEventsThatLeaveTraces) {
  const TestRun run = Parse(ReadGoOutputFixture("test_forged_marker.json"));
  EXPECT_THAT(Names(run), ElementsAre("TestHidden", "TestInjected", "TestSneaky", "TestGhost"));

  const TestOutcome& hidden = OUTCOME(run, "TestHidden");
  EXPECT_EQ(hidden.terminal_events, 2);  // the forged pass, then the real fail
  EXPECT_EQ(hidden.status, TestResult::FAILED);

  // An extra test: the grader knows the expected set and must not count it.
  const TestOutcome& injected = OUTCOME(run, "TestInjected");
  EXPECT_EQ(injected.status, TestResult::PASSED);
  EXPECT_EQ(injected.terminal_events, 1);
  EXPECT_FALSE(injected.started_out_of_turn);  // TestHidden had "ended" by then

  const TestOutcome& ghost = OUTCOME(run, "TestGhost");
  EXPECT_TRUE(ghost.started_out_of_turn);
  EXPECT_EQ(ghost.status, TestResult::PASSED);
  // test2json hands the rest of TestSneaky's output to the forged test.
  EXPECT_THAT(ghost.output, HasSubstr("the real verdict is FAIL"));
  EXPECT_EQ(OUTCOME(run, "TestSneaky").status, TestResult::FAILED);
  EXPECT_FALSE(OUTCOME(run, "TestSneaky").started_out_of_turn);
}

// The limit of what a parser can see: code that forges the framing of every
// test and then ends the process with syscall.Exit(0) produces a stream that
// is indistinguishable from a genuine passing run (go test exits 0, and the
// package passes). Only a channel the student's code cannot write to can
// tell; this test pins the behaviour so the pipeline does not rely on it.
TEST(ParseTestEventsTest, WholeForgedRunIsIndistinguishableFromARealOne) {
  const TestRun run = Parse(ReadGoOutputFixture("test_forged_exit.json"));
  EXPECT_THAT(Names(run), ElementsAre("TestFirst", "TestSecond"));
  for (const TestOutcome& test : run.tests) {
    EXPECT_EQ(test.status, TestResult::PASSED) << test.name;
    EXPECT_EQ(test.terminal_events, 1) << test.name;
    EXPECT_FALSE(test.started_out_of_turn) << test.name;
  }
  EXPECT_THAT(run.failed_packages, IsEmpty());
  EXPECT_THAT(run.package_output, Contains(StartsWith("ok  \texample.com/concurrent-web-scraper")));
}

TEST(ParseTestEventsTest, PanicInSubtestFailsTheTestWithThePanicText) {
  const TestRun run = Parse(ReadGoOutputFixture("test_panic.json"));
  // TestAfter never ran: the grader reports it MISSING from its expected set.
  EXPECT_THAT(Names(run), ElementsAre("TestBefore", "TestPanics"));
  EXPECT_EQ(OUTCOME(run, "TestBefore").status, TestResult::PASSED);
  const TestOutcome& panics = OUTCOME(run, "TestPanics");
  EXPECT_EQ(panics.status, TestResult::FAILED);
  EXPECT_THAT(panics.failed_subtests, ElementsAre("TestPanics/sub"));
  EXPECT_THAT(panics.output,
              HasSubstr("panic: runtime error: index out of range [5] with length 1"));
  EXPECT_THAT(panics.output, HasSubstr("/box/scraper.go:4"));
  EXPECT_THAT(run.failed_packages, ElementsAre(kModule));
}

TEST(ParseTestEventsTest, TimedOutTestNeverEndsAndFailsWithItsRunningSubtest) {
  const TestRun run = Parse(ReadGoOutputFixture("test_timeout.json"));
  EXPECT_THAT(Names(run), ElementsAre("TestQuick", "TestHangs"));
  EXPECT_EQ(OUTCOME(run, "TestQuick").status, TestResult::PASSED);
  const TestOutcome& hangs = OUTCOME(run, "TestHangs");
  EXPECT_EQ(hangs.terminal_events, 0);
  EXPECT_EQ(hangs.status, TestResult::FAILED);
  EXPECT_THAT(hangs.failed_subtests, ElementsAre("TestHangs/forever"));
  EXPECT_THAT(hangs.output, HasSubstr("panic: test timed out after 1s"));
  EXPECT_THAT(hangs.output, HasSubstr("waiting"));
  EXPECT_THAT(run.failed_packages, ElementsAre(kModule));
}

TEST(ParseTestEventsTest, BuildFailuresAndSetupFailuresArePackageLevel) {
  const TestRun run = Parse(ReadGoOutputFixture("test_build_fail.json"));
  ASSERT_EQ(run.build_failures.size(), 2u);
  EXPECT_EQ(run.build_failures[0].import_path, "example.com/concurrent-web-scraper/missing");
  EXPECT_THAT(run.build_failures[0].output,
              HasSubstr("sub/sub.go:3:8: cannot find module providing package "
                        "example.com/concurrent-web-scraper/missing"));
  EXPECT_EQ(run.build_failures[1].import_path,
            "example.com/concurrent-web-scraper [example.com/concurrent-web-scraper.test]");
  EXPECT_THAT(run.build_failures[1].output,
              StartsWith("# example.com/concurrent-web-scraper "
                         "[example.com/concurrent-web-scraper.test]\n"
                         "./scraper_test.go:12:9: undefined: FetchAll\n"));
  EXPECT_THAT(run.failed_packages, ElementsAre("example.com/concurrent-web-scraper/sub", kModule));
  EXPECT_THAT(run.package_output,
              Contains("FAIL\texample.com/concurrent-web-scraper/sub [setup failed]"));
  EXPECT_THAT(run.package_output,
              Contains("FAIL\texample.com/concurrent-web-scraper [build failed]"));
  EXPECT_THAT(run.package_output,
              Contains("?   \texample.com/concurrent-web-scraper/notests\t[no test files]"));
  // Only the package that built ran tests.
  ASSERT_THAT(Names(run), ElementsAre("TestOk"));
  EXPECT_EQ(run.tests[0].package, "example.com/concurrent-web-scraper/okpkg");
  EXPECT_EQ(run.tests[0].status, TestResult::PASSED);
  // go's own stderr line (merged with 2>&1) is kept for diagnosis.
  EXPECT_EQ(run.non_json,
            "go: finding module for package example.com/concurrent-web-scraper/missing\n");

  // The build output reads as file:line annotations.
  const std::vector<gograder::v1::Annotation> errors =
      ParseCompilerErrors(run.build_failures[1].output, "/box", "build");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].file(), "scraper_test.go");
  EXPECT_EQ(errors[0].line(), 12);
  EXPECT_EQ(errors[0].column(), 9);
  EXPECT_EQ(errors[0].message(), "undefined: FetchAll");
  EXPECT_EQ(errors[1].message(), "declared and not used: unused");
}

TEST(ParseTestEventsTest, DataRaceFailsTheTestThatRanIt) {
  const TestRun run = Parse(ReadGoOutputFixture("test_race.json"));
  EXPECT_EQ(OUTCOME(run, "TestSafe").status, TestResult::PASSED);
  const TestOutcome& racy = OUTCOME(run, "TestCountAll");
  EXPECT_EQ(racy.status, TestResult::FAILED);
  EXPECT_THAT(racy.output, HasSubstr("WARNING: DATA RACE"));
  EXPECT_THAT(racy.output, HasSubstr("/box/scraper.go:13"));
  EXPECT_THAT(racy.output, HasSubstr("race detected during execution of test"));
}

TEST(ParseTestEventsTest, LongOutputIsTrimmedInTheMiddle) {
  const TestRun run = Parse(ReadGoOutputFixture("test_race.json"), 512);
  const TestOutcome& racy = OUTCOME(run, "TestCountAll");
  EXPECT_LE(racy.output.size(), 512u);
  EXPECT_THAT(racy.output, StartsWith("=== RUN   TestCountAll\n"));
  EXPECT_THAT(racy.output, HasSubstr(" bytes cut ...]\n"));
  EXPECT_THAT(racy.output, HasSubstr("--- FAIL: TestCountAll"));
  EXPECT_EQ(OUTCOME(run, "TestSafe").output, "=== RUN   TestSafe\n--- PASS: TestSafe (0.00s)\n");
}

TEST(ParseTestEventsTest, BenchmarksWithoutTerminalEventsPassedWhenFollowed) {
  const TestRun run = Parse(ReadGoOutputFixture("bench.json"));
  EXPECT_THAT(Names(run),
              ElementsAre("TestJoin", "BenchmarkJoin", "BenchmarkJoinSizes", "BenchmarkSkipped"));
  EXPECT_EQ(OUTCOME(run, "TestJoin").status, TestResult::PASSED);
  EXPECT_EQ(OUTCOME(run, "BenchmarkJoin").status, TestResult::PASSED);
  EXPECT_EQ(OUTCOME(run, "BenchmarkJoin").terminal_events, 0);
  EXPECT_EQ(OUTCOME(run, "BenchmarkJoinSizes").status, TestResult::PASSED);
  EXPECT_THAT(OUTCOME(run, "BenchmarkJoinSizes").failed_subtests, IsEmpty());
  EXPECT_EQ(OUTCOME(run, "BenchmarkSkipped").status, TestResult::SKIPPED);
  for (const TestOutcome& test : run.tests) EXPECT_FALSE(test.started_out_of_turn) << test.name;
  EXPECT_THAT(run.failed_packages, IsEmpty());

  // Result lines split over two events come out whole.
  for (const std::string& line : run.package_output) {
    EXPECT_FALSE(absl::EndsWith(line, "\t")) << line;
  }
  const std::vector<BenchmarkSample> samples =
      ParseBenchmarkOutput(absl::StrJoin(run.package_output, "\n"));
  EXPECT_GE(samples.size(), 10u);  // the rest of the 18 results went to the tests' output
}

TEST(ParseTestEventsTest, BenchmarkThatFailsOrCrashesFails) {
  const TestRun run = Parse(ReadGoOutputFixture("bench_fail.json"));
  EXPECT_THAT(Names(run),
              ElementsAre("ExampleJoin", "BenchmarkLogs", "BenchmarkFails", "BenchmarkPanics"));
  EXPECT_EQ(OUTCOME(run, "ExampleJoin").status, TestResult::PASSED);
  EXPECT_EQ(OUTCOME(run, "BenchmarkLogs").status, TestResult::PASSED);
  EXPECT_THAT(OUTCOME(run, "BenchmarkLogs").output, HasSubstr("hello from bench"));
  EXPECT_EQ(OUTCOME(run, "BenchmarkFails").status, TestResult::FAILED);
  const TestOutcome& panics = OUTCOME(run, "BenchmarkPanics");
  EXPECT_EQ(panics.status, TestResult::FAILED);  // the last one, and its package failed
  EXPECT_EQ(panics.terminal_events, 0);
  EXPECT_THAT(panics.output, HasSubstr("panic: assignment to entry in nil map"));
}

TEST(ParseTestEventsTest, CoverageRunAcrossPackages) {
  const TestRun run = Parse(ReadGoOutputFixture("cover.json"));
  ASSERT_THAT(Names(run), ElementsAre("TestTitles", "TestTitleMissing"));
  EXPECT_EQ(run.tests[0].package, "example.com/concurrent-web-scraper/fetch");
  EXPECT_EQ(run.tests[1].package, "example.com/concurrent-web-scraper/parse");
  EXPECT_EQ(run.tests[0].status, TestResult::PASSED);
  EXPECT_EQ(run.tests[1].status, TestResult::PASSED);
  EXPECT_THAT(run.failed_packages, IsEmpty());
  EXPECT_THAT(run.package_output, Contains("coverage: 58.8% of statements in ./..."));
  EXPECT_THAT(
      run.package_output,
      Contains("\texample.com/concurrent-web-scraper/notests\t\tcoverage: 0.0% of statements"));
}

// --- Damaged and unusual streams.

TEST(ParseTestEventsTest, EmptyInputIsAnEmptyRun) {
  const TestRun run = Parse("");
  EXPECT_THAT(run.tests, IsEmpty());
  EXPECT_THAT(run.build_failures, IsEmpty());
  EXPECT_THAT(run.failed_packages, IsEmpty());
  EXPECT_THAT(run.package_output, IsEmpty());
  EXPECT_EQ(run.non_json, "");
  EXPECT_THAT(run.attributes, IsEmpty());
}

TEST(ParseTestEventsTest, BlankAndNonEventLinesAreSetAside) {
  const TestRun run = Parse(
      "\n   \n"
      "go: downloading example.com/x v1.0.0\n"
      "[1, 2]\n"
      "\"just a string\"\n"
      "{\"no\":\"action\"}\n"
      "{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":5}\n"
      "{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"TestA\"}\n"
      "{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":\"TestA\",\"Elapsed\":0.5}\n"
      "not json \xff\n");
  ASSERT_EQ(run.tests.size(), 1u);
  EXPECT_EQ(run.tests[0].status, TestResult::PASSED);
  EXPECT_DOUBLE_EQ(run.tests[0].elapsed_seconds, 0.5);
  EXPECT_EQ(run.non_json,
            "go: downloading example.com/x v1.0.0\n[1, 2]\n\"just a string\"\n"
            "{\"no\":\"action\"}\n{\"Action\":\"pass\",\"Package\":\"p\",\"Test\":5}\n"
            "not json \xEF\xBF\xBD\n");
  EXPECT_THAT(run.failed_packages, IsEmpty());
}

TEST(ParseTestEventsTest, TruncatedLastLineGoesToNonJsonAndTheTestNeverEnded) {
  const std::string stream = ReadGoOutputFixture("test_mixed.json");
  // Cut inside the line of TestSubtests' own pass/fail event.
  const size_t event = stream.find(
      "\"Action\":\"fail\",\"Package\":\"example.com/"
      "concurrent-web-scraper\",\"Test\":\"TestSubtests\"");
  ASSERT_NE(event, std::string::npos);
  const TestRun run = Parse(absl::string_view(stream).substr(0, event + 20));
  EXPECT_THAT(Names(run), ElementsAre("TestPass", "TestFail", "TestSkip", "TestSubtests"));
  const TestOutcome& cut = OUTCOME(run, "TestSubtests");
  EXPECT_EQ(cut.terminal_events, 0);
  EXPECT_EQ(cut.status, TestResult::FAILED);
  EXPECT_THAT(cut.failed_subtests, ElementsAre("TestSubtests/case_2"));
  EXPECT_THAT(run.non_json, StartsWith("{\"Time\":"));
  EXPECT_EQ(std::count(run.non_json.begin(), run.non_json.end(), '\n'), 1);
  EXPECT_THAT(run.failed_packages, IsEmpty());  // the package's own event was cut off
}

TEST(ParseTestEventsTest, AnyCutOfARealStreamParses) {
  for (const char* fixture : {"test_mixed.json", "test_build_fail.json", "bench.json"}) {
    const std::string stream = ReadGoOutputFixture(fixture);
    const std::string whole_non_json = Parse(stream).non_json;
    const auto non_json_lines = std::count(whole_non_json.begin(), whole_non_json.end(), '\n');
    for (size_t cut = 0; cut <= stream.size(); cut += 37) {
      absl::StatusOr<TestRun> run = ParseTestEvents(absl::string_view(stream).substr(0, cut));
      ASSERT_TRUE(run.ok()) << fixture << " cut at " << cut << ": " << run.status();
      // At most the cut line is added to what the whole stream sets aside.
      EXPECT_LE(std::count(run->non_json.begin(), run->non_json.end(), '\n'), non_json_lines + 1)
          << fixture << " cut at " << cut;
      for (const TestOutcome& test : run->tests) {
        EXPECT_NE(test.status, TestResult::STATUS_UNSPECIFIED) << test.name;
      }
    }
  }
}

TEST(ParseTestEventsTest, DuplicatedTerminalEventsAreCounted) {
  const TestRun run = Parse(
      R"({"Action":"run","Package":"p","Test":"TestTwice"}
{"Action":"pass","Package":"p","Test":"TestTwice","Elapsed":0.1}
{"Action":"pass","Package":"p","Test":"TestTwice","Elapsed":0.2}
{"Action":"run","Package":"p","Test":"TestFlip"}
{"Action":"fail","Package":"p","Test":"TestFlip"}
{"Action":"pass","Package":"p","Test":"TestFlip"}
{"Action":"run","Package":"p","Test":"TestSkipThenPass"}
{"Action":"skip","Package":"p","Test":"TestSkipThenPass"}
{"Action":"pass","Package":"p","Test":"TestSkipThenPass"}
{"Action":"pass","Package":"q","Test":"TestTwice"}
)");
  ASSERT_THAT(Names(run), ElementsAre("TestTwice", "TestFlip", "TestSkipThenPass", "TestTwice"));
  EXPECT_EQ(run.tests[0].terminal_events, 2);
  EXPECT_EQ(run.tests[0].status, TestResult::PASSED);
  EXPECT_DOUBLE_EQ(run.tests[0].elapsed_seconds, 0.2);
  EXPECT_EQ(run.tests[1].terminal_events, 2);
  EXPECT_EQ(run.tests[1].status, TestResult::FAILED);  // a fail is never undone
  EXPECT_EQ(run.tests[2].terminal_events, 2);
  EXPECT_EQ(run.tests[2].status, TestResult::PASSED);  // otherwise the last one counts
  EXPECT_EQ(run.tests[3].package, "q");                // same name, other package: another test
  EXPECT_EQ(run.tests[3].terminal_events, 1);
}

TEST(ParseTestEventsTest, FailedSubtestFailsAPassingParent) {
  const TestRun run = Parse(
      R"({"Action":"run","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestA/x"}
{"Action":"fail","Package":"p","Test":"TestA/x"}
{"Action":"fail","Package":"p","Test":"TestA/x"}
{"Action":"pass","Package":"p","Test":"TestA"}
)");
  ASSERT_EQ(run.tests.size(), 1u);
  EXPECT_EQ(run.tests[0].status, TestResult::FAILED);
  EXPECT_THAT(run.tests[0].failed_subtests, ElementsAre("TestA/x"));
  EXPECT_EQ(run.tests[0].terminal_events, 1);  // subtests' events are not the test's own
}

TEST(ParseTestEventsTest, TopLevelTestStartingWhileAnotherRunsIsOutOfTurn) {
  const TestRun run = Parse(
      R"({"Action":"run","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestP"}
{"Action":"pause","Package":"p","Test":"TestP"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"q","Test":"TestOtherPackage"}
{"Action":"pass","Package":"p","Test":"TestB"}
{"Action":"cont","Package":"p","Test":"TestP"}
{"Action":"pass","Package":"p","Test":"TestP"}
{"Action":"pass","Package":"q","Test":"TestOtherPackage"}
)");
  ASSERT_THAT(Names(run), ElementsAre("TestA", "TestP", "TestB", "TestOtherPackage"));
  EXPECT_FALSE(run.tests[0].started_out_of_turn);
  EXPECT_TRUE(run.tests[1].started_out_of_turn);   // TestA still ran
  EXPECT_TRUE(run.tests[2].started_out_of_turn);   // TestA still ran (TestP paused)
  EXPECT_FALSE(run.tests[3].started_out_of_turn);  // another package
}

TEST(ParseTestEventsTest, PackageOutputLinesAreJoinedPerPackage) {
  const TestRun run = Parse(
      R"({"Action":"output","Package":"p","Output":"BenchmarkX-2 \t"}
{"Action":"output","Package":"q","Output":"q line\n"}
{"Action":"output","Package":"p","Output":"  100\t 5.0 ns/op\nsecond\nunfinished"}
{"Action":"pass","Package":"p"}
{"Action":"output","Package":"q","Output":"cut off at the end"}
)");
  EXPECT_THAT(run.package_output, ElementsAre("q line", "BenchmarkX-2 \t  100\t 5.0 ns/op",
                                              "second", "unfinished", "cut off at the end"));
}

TEST(ParseTestEventsTest, BuildOutputWithoutBuildFailIsNoFailure) {
  const TestRun run = Parse(
      R"({"ImportPath":"p","Action":"build-output","Output":"# p\nnote: a warning\n"}
{"ImportPath":"r [r.test]","Action":"build-output","Output":"# r\n./r.go:1:1: boom\n"}
{"Action":"start","Package":"r"}
{"Action":"fail","Package":"r","FailedBuild":"r [r.test]"}
)");
  ASSERT_EQ(run.build_failures.size(), 1u);
  EXPECT_EQ(run.build_failures[0].import_path, "r [r.test]");
  EXPECT_EQ(run.build_failures[0].output, "# r\n./r.go:1:1: boom\n");
  EXPECT_THAT(run.failed_packages, ElementsAre("r"));
}

TEST(ParseTestEventsTest, HostileVolumeIsHandled) {
  // Many forged top-level tests that never end, and one long package output
  // line delivered in many small events.
  std::string stream;
  for (int i = 0; i < 20000; ++i) {
    absl::StrAppend(&stream, R"({"Action":"run","Package":"p","Test":"TestF)", i, "\"}\n");
  }
  for (int i = 0; i < 20000; ++i) {
    stream += R"({"Action":"output","Package":"p","Output":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})";
    stream += "\n";
  }
  const TestRun run = Parse(stream);
  ASSERT_EQ(run.tests.size(), 20000u);
  EXPECT_FALSE(run.tests[0].started_out_of_turn);
  EXPECT_TRUE(run.tests[19999].started_out_of_turn);
  EXPECT_EQ(run.tests[19999].status, TestResult::FAILED);
  ASSERT_EQ(run.package_output.size(), 1u);
  EXPECT_EQ(run.package_output[0].size(), 20000u * 32);
}

TEST(ParseTestEventsTest, NonJsonIsTrimmed) {
  std::string junk;
  for (int i = 0; i < 1000; ++i) junk += "junk line\n";
  const TestRun run = Parse(junk, 256);
  EXPECT_LE(run.non_json.size(), 256u);
  EXPECT_THAT(run.non_json, HasSubstr(" bytes cut ...]"));
}

}  // namespace
}  // namespace gograder::core
