#include "grader/core/go_output/compiler_output.h"

#include <string>
#include <vector>

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
using ::testing::SizeIs;

// Matches an ERROR annotation at file:line:column with `message`.
::testing::Matcher<const Annotation&> ErrorAt(const std::string& file, int line, int column,
                                              const std::string& message,
                                              const std::string& source = "build") {
  return AllOf(Property(&Annotation::file, file), Property(&Annotation::line, line),
               Property(&Annotation::column, column),
               Property(&Annotation::severity, gograder::v1::ERROR),
               Property(&Annotation::message, message), Property(&Annotation::source, source));
}

TEST(ParseCompilerErrorsTest, TypeCheckErrorsOfSeveralPackages) {
  const std::vector<Annotation> errors =
      ParseCompilerErrors(ReadGoOutputFixture("build_errors_typecheck.txt"), "/box", "build");
  EXPECT_THAT(errors,
              ElementsAre(ErrorAt("broken/broken.go", 4, 9, "undefined: undefinedThing"),
                          ErrorAt("broken/broken.go", 8, 6, "declared and not used: unused"),
                          ErrorAt("broken/broken2.go", 4, 9,
                                  "cannot use 1 (untyped int constant) as string value in "
                                  "return statement"),
                          ErrorAt("syntax/s.go", 3, 9, "syntax error: unexpected {, expected )")));
}

TEST(ParseCompilerErrorsTest, RootPackageErrorsUpToTooManyErrors) {
  const std::vector<Annotation> errors =
      ParseCompilerErrors(ReadGoOutputFixture("build_errors_many.txt"), "/box", "build");
  ASSERT_THAT(errors, SizeIs(11));
  EXPECT_THAT(errors[0], ErrorAt("scraper.go", 6, 15,
                                 "cannot use \"s0\" (untyped string constant) as int value in "
                                 "variable declaration"));
  EXPECT_THAT(errors[10], ErrorAt("scraper.go", 15, 15, "too many errors"));
}

TEST(DescribeAnnotationTest, QuotesFileLineAndColumn) {
  const std::vector<Annotation> errors =
      ParseCompilerErrors(ReadGoOutputFixture("build_errors_typecheck.txt"), "/box", "build");
  ASSERT_THAT(errors, SizeIs(4));
  EXPECT_EQ(DescribeAnnotation(errors[0]), "broken/broken.go:4:9: undefined: undefinedThing");
  Annotation no_column;
  no_column.set_file("go.mod");
  no_column.set_line(3);
  no_column.set_message("unknown directive: toolchain2");
  EXPECT_EQ(DescribeAnnotation(no_column), "go.mod:3: unknown directive: toolchain2");
  Annotation no_file;
  no_file.set_message("/elsewhere/x.go:1: outside the module");
  EXPECT_EQ(DescribeAnnotation(no_file), "/elsewhere/x.go:1: outside the module");
}

TEST(ParseCompilerErrorsTest, TabIndentedLinesContinueTheMessage) {
  EXPECT_THAT(
      ParseCompilerErrors(ReadGoOutputFixture("build_errors_continuation.txt"), "/box", "build"),
      ElementsAre(
          ErrorAt("scraper.go", 4, 2, "not enough return values\n\thave ()\n\twant (int, error)")));
}

TEST(ParseCompilerErrorsTest, ModuleLoadErrorsAndGoCommandLines) {
  // "go: finding module ..." is no diagnostic; the error after it is.
  EXPECT_THAT(
      ParseCompilerErrors(ReadGoOutputFixture("build_errors_setup.txt"), "/box", "build"),
      ElementsAre(ErrorAt("sub/sub.go", 3, 8,
                          "cannot find module providing package "
                          "example.com/concurrent-web-scraper/missing: module lookup disabled by "
                          "GOPROXY=off")));
}

TEST(ParseCompilerErrorsTest, GofmtErrorsWithTheirSource) {
  EXPECT_THAT(ParseCompilerErrors(ReadGoOutputFixture("gofmt_errors.txt"), "/box", "gofmt"),
              ElementsAre(ErrorAt("sub/bad.go", 2, 8, "expected ')', found 'EOF'", "gofmt")));
}

TEST(ParseCompilerErrorsTest, PathFormsAndLinesWithoutColumn) {
  const std::vector<Annotation> errors = ParseCompilerErrors(
      "# example.com/m\n"
      "/box/a.go:1:2: absolute\n"
      "./b.go:3:4: dot\n"
      "c.go:5:6: bare\n"
      "sub/d.go:7:8: nested\n"
      "/box/go.mod:3: unknown directive: foo\n"
      "\n"
      "\tafter a blank line: attached to nothing\n",
      "/box", "build");
  EXPECT_THAT(errors,
              ElementsAre(ErrorAt("a.go", 1, 2, "absolute"), ErrorAt("b.go", 3, 4, "dot"),
                          ErrorAt("c.go", 5, 6, "bare"), ErrorAt("sub/d.go", 7, 8, "nested"),
                          ErrorAt("go.mod", 3, 0, "unknown directive: foo")));
}

TEST(ParseCompilerErrorsTest, FilesOutsideTheModuleKeepTheirLocationInTheMessage) {
  EXPECT_THAT(ParseCompilerErrors("/usr/local/go/src/fmt/print.go:10:2: odd\n"
                                  "../escape.go:1: out\n",
                                  "/box", "build"),
              ElementsAre(ErrorAt("", 0, 0, "/usr/local/go/src/fmt/print.go:10:2: odd"),
                          ErrorAt("", 0, 0, "../escape.go:1: out")));
}

TEST(ParseCompilerErrorsTest, DuplicatesAreDroppedAndTextMadeValidUtf8) {
  EXPECT_THAT(ParseCompilerErrors("x.go:1:1: same\nx.go:1:1: same\nx.go:1:1: bad \xff byte\n",
                                  "/box", "vet"),
              ElementsAre(ErrorAt("x.go", 1, 1, "same", "vet"),
                          ErrorAt("x.go", 1, 1, "bad \xEF\xBF\xBD byte", "vet")));
}

TEST(ParseCompilerErrorsTest, NothingToReport) {
  EXPECT_THAT(ParseCompilerErrors("", "/box", "build"), IsEmpty());
  EXPECT_THAT(
      ParseCompilerErrors("ok  \texample.com/m\t0.01s\nPASS\n\tindented\n", "/box", "build"),
      IsEmpty());
}

TEST(ParseGofmtListTest, RelativeAndAbsoluteListings) {
  EXPECT_THAT(ParseGofmtList(ReadGoOutputFixture("gofmt_list.txt"), "/box"),
              ElementsAre("a.go", "sub/c.go"));
  EXPECT_THAT(ParseGofmtList(ReadGoOutputFixture("gofmt_list_absolute.txt"), "/box"),
              ElementsAre("a.go", "sub/c.go"));
}

TEST(ParseGofmtListTest, SkipsErrorsOutsidePathsAndDuplicates) {
  EXPECT_THAT(ParseGofmtList("./a.go\n\nsub/bad.go:2:8: expected ')', found 'EOF'\n"
                             "/etc/x.go\n../y.go\na.go\n/box/b.go\r\n",
                             "/box"),
              ElementsAre("a.go", "b.go"));
  EXPECT_THAT(ParseGofmtList("", "/box"), IsEmpty());
}

}  // namespace
}  // namespace gograder::core
