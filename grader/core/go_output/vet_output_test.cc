#include "grader/core/go_output/vet_output.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grader/core/go_output/go_output_fixtures.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using gograder::v1::Annotation;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Property;
using ::testing::UnorderedElementsAreArray;

::testing::Matcher<const Annotation&> At(gograder::v1::Severity severity, const std::string& source,
                                         const std::string& file, int line, int column,
                                         const std::string& message) {
  return AllOf(Property(&Annotation::severity, severity), Property(&Annotation::source, source),
               Property(&Annotation::file, file), Property(&Annotation::line, line),
               Property(&Annotation::column, column), Property(&Annotation::message, message));
}

auto Finding(const std::string& analyzer, const std::string& file, int line, int column,
             const std::string& message) {
  return At(gograder::v1::WARNING, "vet:" + analyzer, file, line, column, message);
}

auto Error(const std::string& file, int line, int column, const std::string& message) {
  return At(gograder::v1::ERROR, "vet", file, line, column, message);
}

// The findings in the captured stdout of `go vet -json ./...` (Go 1.26).
const auto& CapturedFindings() {
  static const auto* findings = new std::vector<::testing::Matcher<const Annotation&>>{
      Finding("assign", "store/store.go", 20, 2, "self-assignment of v"),
      Finding("copylocks", "store/store.go", 12, 9,
              "Get passes lock by value: example.com/concurrent-web-scraper/store.Store"),
      Finding("copylocks", "scraper.go", 16, 12,
              "assignment copies lock value to copied: example.com/concurrent-web-scraper.Counter "
              "contains sync.Mutex"),
      Finding("copylocks", "scraper.go", 17, 9,
              "return copies lock value: example.com/concurrent-web-scraper.Counter contains "
              "sync.Mutex"),
      Finding("printf", "scraper.go", 22, 29, "fmt.Sprintf format %s has arg n of wrong type int"),
      Finding("printf", "scraper.go", 27, 20,
              "fmt.Printf format %d reads arg #2, but call has 1 arg"),
      Finding("printf", "scraper_test.go", 6, 10,
              "(*testing.common).Logf format %d has arg \"x\" of wrong type string"),
  };
  return *findings;
}

TEST(ParseVetOutputTest, JsonFindingsFromStdout) {
  EXPECT_THAT(ParseVetOutput(ReadGoOutputFixture("vet.stdout"), "/box"),
              UnorderedElementsAreArray(CapturedFindings()));
}

TEST(ParseVetOutputTest, TypeCheckErrorsFromStderr) {
  EXPECT_THAT(
      ParseVetOutput(ReadGoOutputFixture("vet.stderr"), "/box"),
      ElementsAre(Error("broken/broken.go", 4, 9, "undefined: undefinedThing"),
                  Error("syntax/s.go", 3, 9, "expected ')', found '{' (and 1 more errors)")));
}

TEST(ParseVetOutputTest, BothStreamsConcatenatedInEitherOrder) {
  const std::string out = ReadGoOutputFixture("vet.stdout");
  const std::string err = ReadGoOutputFixture("vet.stderr");
  for (const std::string& text : {out + err, err + out}) {
    const std::vector<Annotation> annotations = ParseVetOutput(text, "/box");
    ASSERT_EQ(annotations.size(), 9u);
    // Errors first, then findings.
    EXPECT_THAT(annotations[0], Error("broken/broken.go", 4, 9, "undefined: undefinedThing"));
    EXPECT_EQ(annotations[1].severity(), gograder::v1::ERROR);
    std::vector<Annotation> findings(annotations.begin() + 2, annotations.end());
    EXPECT_THAT(findings, UnorderedElementsAreArray(CapturedFindings()));
  }
}

TEST(ParseVetOutputTest, CleanRunHasNoAnnotations) {
  EXPECT_THAT(ParseVetOutput("{}\n{}\n", "/box"), IsEmpty());
  EXPECT_THAT(ParseVetOutput("", "/box"), IsEmpty());
}

TEST(ParseVetOutputTest, SameFindingInAPackageAndItsTestVariantCountsOnce) {
  const std::string finding = R"([{"posn": "/box/x.go:3:4", "message": "unreachable code"}])";
  EXPECT_THAT(ParseVetOutput(absl::StrCat(R"({"m": {"unreachable": )", finding, "}}\n",
                                          R"({"m [m.test]": {"unreachable": )", finding, "}}\n"),
                             "/box"),
              ElementsAre(Finding("unreachable", "x.go", 3, 4, "unreachable code")));
}

TEST(ParseVetOutputTest, AnalyzerErrorsAndOddPositions) {
  EXPECT_THAT(
      ParseVetOutput(
          R"({"m": {"printf": {"error": "analysis skipped: errors in package"},
  "shadow": [{"posn": "-", "message": "no position"},
             {"posn": "/usr/local/go/src/fmt/print.go:1:2", "message": "outside"},
             {"message": "no posn at all"}, 7]}}
)",
          "/box"),
      ElementsAre(At(gograder::v1::ERROR, "vet", "", 0, 0,
                     "m: printf: analysis skipped: errors in package"),
                  Finding("shadow", "", 0, 0, "-: no position"),
                  Finding("shadow", "", 0, 0, "/usr/local/go/src/fmt/print.go:1:2: outside"),
                  Finding("shadow", "", 0, 0, "no posn at all")));
}

TEST(ParseVetOutputTest, BracesInsideStringsDoNotEndTheObject) {
  EXPECT_THAT(
      ParseVetOutput(
          R"({"m": {"printf": [{"posn": "/box/a.go:1:1", "message": "has } and { and \" and \\"}]}}
vet: ./b.go:2:3: after the object
)",
          "/box"),
      ElementsAre(Error("b.go", 2, 3, "after the object"),
                  Finding("printf", "a.go", 1, 1, "has } and { and \" and \\")));
}

TEST(ParseVetOutputTest, TruncatedObjectEndsTheReading) {
  const std::string out = ReadGoOutputFixture("vet.stdout");
  // Cut inside the last object: the complete objects before it still count,
  // its tab-indented lines are not read as continuation lines.
  const std::string cut = out.substr(0, out.rfind("\"message\""));
  const std::vector<Annotation> annotations =
      ParseVetOutput("vet: x.go:1:1: before\n" + cut, "/box");
  ASSERT_FALSE(annotations.empty());
  EXPECT_THAT(annotations[0], Error("x.go", 1, 1, "before"));
  EXPECT_LT(annotations.size(), 1 + CapturedFindings().size());
  for (const Annotation& annotation : annotations) {
    EXPECT_EQ(annotation.message().find('\t'), std::string::npos) << annotation.message();
  }
}

TEST(ParseVetOutputTest, ModuleLoadErrorsWithoutVetPrefix) {
  EXPECT_THAT(
      ParseVetOutput("sub/sub.go:3:8: cannot find module providing package x\n"
                     "\tgo get x\n",
                     "/box"),
      ElementsAre(Error("sub/sub.go", 3, 8, "cannot find module providing package x\n\tgo get x")));
}

}  // namespace
}  // namespace gograder::core
