#include "grader/core/intake/go_mod.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// ---- ParseGoMod -------------------------------------------------------------

TEST(ParseGoModTest, ParsesEveryDirective) {
  auto mod = ParseGoMod(R"(// Package hello is the first exercise.
module "example.com/hello" // quoted, as go mod edit may write it

go 1.24

toolchain go1.24.2

godebug (
	default=go1.21
	panicnil=1
)

require (
	github.com/google/go-cmp v0.6.0
	golang.org/x/sync v0.10.0 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect; needed by testify
)

require `github.com/stretchr/testify` v1.9.0

replace golang.org/x/sync v0.10.0 => ./third_party/sync
replace (
	example.com/old => example.com/new v1.2.3
	example.com/win => ..\win
)

exclude golang.org/x/net v0.1.0

retract [v1.0.0, v1.0.5] // broken
retract v1.1.0

tool golang.org/x/tools/cmd/stringer
ignore ./node_modules
require ()
)");
  ASSERT_TRUE(mod.ok()) << mod.status();
  EXPECT_EQ(mod->module, "example.com/hello");
  EXPECT_EQ(mod->module_line, 2);
  EXPECT_EQ(mod->go_version, "1.24");
  EXPECT_EQ(mod->go_line, 4);
  EXPECT_EQ(mod->toolchain, "go1.24.2");
  EXPECT_EQ(mod->toolchain_line, 6);
  EXPECT_THAT(mod->godebug, ElementsAre("default=go1.21", "panicnil=1"));
  ASSERT_EQ(mod->requirements.size(), 4u);
  EXPECT_EQ(mod->requirements[0].path, "github.com/google/go-cmp");
  EXPECT_EQ(mod->requirements[0].version, "v0.6.0");
  EXPECT_FALSE(mod->requirements[0].indirect);
  EXPECT_EQ(mod->requirements[0].line, 14);
  EXPECT_TRUE(mod->requirements[1].indirect);
  EXPECT_TRUE(mod->requirements[2].indirect);
  EXPECT_EQ(mod->requirements[3].path, "github.com/stretchr/testify");
  EXPECT_EQ(mod->requirements[3].line, 19);
  ASSERT_EQ(mod->replaces.size(), 3u);
  EXPECT_EQ(mod->replaces[0].old_path, "golang.org/x/sync");
  EXPECT_EQ(mod->replaces[0].old_version, "v0.10.0");
  EXPECT_EQ(mod->replaces[0].new_path, "./third_party/sync");
  EXPECT_EQ(mod->replaces[0].new_version, "");
  EXPECT_EQ(mod->replaces[0].line, 21);
  EXPECT_EQ(mod->replaces[1].new_path, "example.com/new");
  EXPECT_EQ(mod->replaces[1].new_version, "v1.2.3");
  EXPECT_EQ(mod->replaces[1].line, 23);
  EXPECT_EQ(mod->replaces[2].new_path, "..\\win");
  EXPECT_THAT(mod->excludes, ElementsAre("golang.org/x/net@v0.1.0"));
  EXPECT_THAT(mod->retracts, ElementsAre("[v1.0.0, v1.0.5]", "v1.1.0"));
  EXPECT_THAT(mod->tools, ElementsAre("golang.org/x/tools/cmd/stringer"));
  EXPECT_THAT(mod->ignores, ElementsAre("./node_modules"));
}

TEST(ParseGoModTest, HandlesEscapesCrlfAndMissingFinalNewline) {
  auto mod = ParseGoMod("module \"example.com/\\u00e9t\\x65\"\r\n\r\ngo 1.26.1");
  ASSERT_TRUE(mod.ok()) << mod.status();
  EXPECT_EQ(mod->module, "example.com/éte");
  EXPECT_EQ(mod->go_version, "1.26.1");
  EXPECT_EQ(mod->go_line, 3);
}

struct ParseErrorCase {
  std::string name;
  std::string text;
  std::string error;  // expected substring, "go.mod:LINE: ..."
};

class ParseGoModErrorTest : public ::testing::TestWithParam<ParseErrorCase> {};

INSTANTIATE_TEST_SUITE_P(
    Errors, ParseGoModErrorTest,
    ::testing::Values(
        ParseErrorCase{"RepeatedModule", "module a\nmodule b\n",
                       "go.mod:2: repeated module line (the first is on line 1)"},
        ParseErrorCase{"RepeatedGo", "module a\ngo 1.22\n\ngo 1.23\n",
                       "go.mod:4: repeated go line"},
        ParseErrorCase{"BadGoVersion", "module a\ngo 1.x\n",
                       "go.mod:2: invalid go version \"1.x\""},
        ParseErrorCase{"GoVersionLeadingZero", "module a\ngo 1.021\n",
                       "go.mod:2: invalid go version"},
        ParseErrorCase{"GoTwoArguments", "module a\ngo 1.21 1.22\n", "go.mod:2: usage: go 1.23"},
        ParseErrorCase{"UnclosedBlock", "module a\n\nrequire (\n\tfoo.com/x v1.0.0\n",
                       "go.mod:3: the require block opened here has no closing )"},
        ParseErrorCase{"RequireWithoutVersion", "module a\nrequire foo.com/x\n",
                       "go.mod:2: usage: require"},
        ParseErrorCase{"RequireBadVersion", "module a\nrequire (\n  foo.com/x 1.0\n)\n",
                       "go.mod:3: invalid version \"1.0\" for foo.com/x"},
        ParseErrorCase{"ReplaceModuleWithoutVersion", "module a\nreplace foo.com/x => bar.com/y\n",
                       "go.mod:2: replacement module bar.com/y has no version"},
        ParseErrorCase{"ReplaceDirectoryWithVersion",
                       "module a\nreplace foo.com/x => ./bar v1.0.0\n",
                       "go.mod:2: replacement directory ./bar cannot have a version"},
        ParseErrorCase{"ReplaceWithoutArrow", "module a\nreplace foo.com/x ./bar\n",
                       "go.mod:2: usage: replace"},
        ParseErrorCase{"UnknownDirective", "module a\n\nfrobnicate x\n",
                       "go.mod:3: unknown directive \"frobnicate\""},
        ParseErrorCase{"BlockComment", "module a\n/* hidden */\n", "go.mod:2: /* */ comments"},
        ParseErrorCase{"UnterminatedQuote", "module \"a\ngo 1.21\n",
                       "go.mod:1: unterminated quoted string"},
        ParseErrorCase{"BadEscape", "module \"a\\q\"\n", "go.mod:1: unknown escape \\q"},
        // Found by go_mod_fuzz: a backslash before the newline took the
        // newline into the string, and the message printed it raw.
        ParseErrorCase{"BackslashNewline", "module \"a\\\ngo 1.21\n",
                       "go.mod:1: unterminated quoted string"},
        ParseErrorCase{"UnprintableEscapeIsShownEscaped", "module \"a\\\xff\"\n",
                       "go.mod:1: unknown escape: \\ before byte 0xff in quoted string"},
        ParseErrorCase{"CarriageReturnEscape", "module \"a\\\r\"\n",
                       "go.mod:1: unknown escape: \\ before byte 0x0d in quoted string"},
        // Found by go_mod_fuzz: an escaped newline in the module path reached
        // the module-mismatch message and split it into forged lines.
        ParseErrorCase{"EscapedNewlineInPath", "module \"example.com/a\\nb\"\n",
                       "go.mod:1: control character in a quoted string"},
        ParseErrorCase{"TabInRawString", "module a\nrequire `x.com/\ty` v1.0.0\n",
                       "go.mod:2: control character in a quoted string"},
        ParseErrorCase{"StrayParen", "module a\n)\n", "go.mod:2: expected a directive"},
        ParseErrorCase{"ModuleBlock", "module (\n  a\n)\n",
                       "go.mod:1: \"module\" cannot start a ( ) block"},
        ParseErrorCase{"NestedBlock", "module a\nrequire (\n  require (\n",
                       "go.mod:3: blocks cannot be nested"},
        ParseErrorCase{"BadToolchain", "module a\ntoolchain 1.22\n",
                       "go.mod:2: invalid toolchain \"1.22\""},
        ParseErrorCase{"GodebugWithoutValue", "module a\ngodebug panicnil\n",
                       "go.mod:2: usage: godebug key=value"},
        ParseErrorCase{"RetractBadInterval", "module a\nretract [v1.0.0 v1.1.0]\n",
                       "go.mod:2: usage: retract"},
        ParseErrorCase{"ArrowOutsideReplace", "module a\n\n\nrequire x.com/y v1.0.0 => z\n",
                       "go.mod:4: unexpected \"=>\" in require line"},
        ParseErrorCase{"ControlCharacter", "module a\ngo\x01 1.21\n",
                       "go.mod:2: unexpected control character"},
        ParseErrorCase{"QuotedDirective", "\"module\" a\n", "go.mod:1: expected a directive"}),
    [](const auto& info) { return info.param.name; });

TEST_P(ParseGoModErrorTest, NamesTheLine) {
  auto mod = ParseGoMod(GetParam().text);
  ASSERT_FALSE(mod.ok()) << "parsed: " << GetParam().text;
  EXPECT_THAT(mod, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(mod.status().message(), HasSubstr(GetParam().error));
}

// ---- CheckGoModForExercise --------------------------------------------------

gograder::v1::Exercise HelloExercise() {
  gograder::v1::Exercise exercise;
  exercise.set_id("phase1/hello");
  exercise.set_module("example.com/hello");
  exercise.set_go_version("1.26");
  exercise.add_modules("github.com/google/go-cmp@v0.6.0");
  exercise.add_modules("golang.org/x/sync@v0.10.0");
  return exercise;
}

struct CheckCase {
  std::string name;
  std::string go_mod;
  std::string error;  // empty: accepted
};

class CheckGoModTest : public ::testing::TestWithParam<CheckCase> {};

INSTANTIATE_TEST_SUITE_P(
    Rules, CheckGoModTest,
    ::testing::Values(
        CheckCase{"Minimal", "module example.com/hello\n\ngo 1.26\n", ""},
        CheckCase{"AllowedModules",
                  "module example.com/hello\n\ngo 1.26\n\nrequire (\n"
                  "\tgithub.com/google/go-cmp v0.6.0\n"
                  "\tgolang.org/x/sync v0.10.0 // indirect\n)\n",
                  ""},
        CheckCase{"PatchReleaseOfTheBound", "module example.com/hello\ngo 1.26.3\n", ""},
        CheckCase{"OldestAccepted", "module example.com/hello\ngo 1.21\n", ""},
        CheckCase{"ReleaseCandidateOfOldest", "module example.com/hello\ngo 1.21rc2\n", ""},
        CheckCase{"LocalReplaceInside",
                  "module example.com/hello\ngo 1.26\n"
                  "replace example.com/util => ./internal/util\n",
                  ""},
        CheckCase{"ExcludeRetractGodebug",
                  "module example.com/hello\ngo 1.26\nexclude golang.org/x/net v0.1.0\n"
                  "retract v0.1.0\ngodebug panicnil=1\n",
                  ""},
        CheckCase{"WrongModule", "module example.com/other\n\ngo 1.26\n",
                  "go.mod:1: the module is \"example.com/other\" but this exercise's is "
                  "\"example.com/hello\"; change the line to \"module example.com/hello\""},
        CheckCase{"NoModuleLine", "go 1.26\n",
                  "go.mod:1: no module line; start go.mod with "
                  "\"module example.com/hello\""},
        CheckCase{"GoFromTheFuture", "// comment\nmodule example.com/hello\n\ngo 1.99\n",
                  "go.mod:4: go 1.99 is newer than the grader's Go (this exercise accepts up to "
                  "go 1.26); change the line to \"go 1.26\""},
        CheckCase{"NextGo", "module example.com/hello\ngo 1.27rc1\n",
                  "go.mod:2: go 1.27rc1 is newer"},
        CheckCase{"GoTooOld", "module example.com/hello\ngo 1.20\n",
                  "go.mod:2: go 1.20 is older than go 1.21"},
        CheckCase{"NoGoLine", "module example.com/hello\n",
                  "go.mod:1: no go line; add \"go 1.26\""},
        CheckCase{"Toolchain", "module example.com/hello\n\ngo 1.26\ntoolchain go1.30.0\n",
                  "go.mod:4: toolchain lines are not accepted; the grader uses its own Go"},
        CheckCase{"ToolchainDefault", "module example.com/hello\ngo 1.26\ntoolchain default\n",
                  "go.mod:3: toolchain lines are not accepted"},
        CheckCase{"ReplaceUpAndOut",
                  "module example.com/hello\ngo 1.26\nreplace example.com/x => ../../..\n",
                  "go.mod:3: replace example.com/x => ../../..: the directory is outside your "
                  "submission"},
        CheckCase{"ReplaceOutAfterCleaning",
                  "module example.com/hello\ngo 1.26\nreplace example.com/x => ./a/../../b\n",
                  "go.mod:3: replace example.com/x => ./a/../../b: the directory is outside"},
        CheckCase{"ReplaceWindowsUp",
                  "module example.com/hello\ngo 1.26\nreplace example.com/x => ..\\x\n",
                  "go.mod:3: replace example.com/x => ..\\x: the directory is outside"},
        CheckCase{"ReplaceAbsolute",
                  "module example.com/hello\ngo 1.26\nreplace (\n\texample.com/x => /etc\n)\n",
                  "go.mod:4: replace example.com/x => /etc: an absolute path points outside"},
        CheckCase{"ReplaceDriveLetter",
                  "module example.com/hello\ngo 1.26\nreplace example.com/x => C:\\x\n",
                  "go.mod:3: replace example.com/x => C:\\x: an absolute path"},
        CheckCase{"ReplaceByNetworkModule",
                  "module example.com/hello\ngo 1.26\n"
                  "replace example.com/x v1.0.0 => github.com/evil/x v1.0.1\n",
                  "go.mod:3: replace example.com/x v1.0.0 => github.com/evil/x v1.0.1: the "
                  "grader works offline and cannot fetch github.com/evil/x"},
        CheckCase{"ReplaceProvidedModule",
                  "module example.com/hello\ngo 1.26\n"
                  "require golang.org/x/sync v0.10.0\n"
                  "replace golang.org/x/sync => ./mysync\n",
                  "go.mod:4: replace golang.org/x/sync => ./mysync: the grader provides "
                  "golang.org/x/sync@v0.10.0 itself; remove this replace"},
        CheckCase{"RequireUnknownModule",
                  "module example.com/hello\n\ngo 1.26\n\nrequire (\n"
                  "\tgithub.com/google/go-cmp v0.6.0\n\t\"github.com/evil/mod\" v1.0.0\n)\n",
                  "go.mod:7: require github.com/evil/mod: the grader works offline and the "
                  "grader provides only github.com/google/go-cmp@v0.6.0, "
                  "golang.org/x/sync@v0.10.0; remove this require"},
        CheckCase{"RequireIndirectUnknownModule",
                  "module example.com/hello\ngo 1.26\n"
                  "require github.com/davecgh/go-spew v1.1.1 // indirect\n",
                  "go.mod:3: require github.com/davecgh/go-spew:"},
        CheckCase{"RequireOtherVersion",
                  "module example.com/hello\ngo 1.26\nrequire golang.org/x/sync v0.9.0\n",
                  "go.mod:3: require golang.org/x/sync v0.9.0: the grader provides "
                  "golang.org/x/sync v0.10.0; change the version to v0.10.0"}),
    [](const auto& info) { return info.param.name; });

TEST_P(CheckGoModTest, AppliesTheRule) {
  const CheckCase& test = GetParam();
  auto mod = ParseGoMod(test.go_mod);
  ASSERT_TRUE(mod.ok()) << mod.status();
  absl::Status status = CheckGoModForExercise(*mod, HelloExercise());
  if (test.error.empty()) {
    EXPECT_TRUE(status.ok()) << status;
    return;
  }
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(status.message(), HasSubstr(test.error));
}

TEST(CheckGoModExerciseTest, ReportsEveryProblemOnePerLineInLineOrder) {
  auto mod = ParseGoMod(
      "module example.com/other\nrequire evil.com/x v1.0.0\ntoolchain go1.99.0\ngo 1.99\n");
  ASSERT_TRUE(mod.ok()) << mod.status();
  absl::Status status = CheckGoModForExercise(*mod, HelloExercise());
  std::vector<std::string> lines = absl::StrSplit(status.message(), '\n');
  ASSERT_EQ(lines.size(), 4u) << status;
  EXPECT_THAT(lines[0], HasSubstr("go.mod:1: the module is \"example.com/other\""));
  EXPECT_THAT(lines[1], HasSubstr("go.mod:2: require evil.com/x:"));
  EXPECT_THAT(lines[2], HasSubstr("go.mod:3: toolchain lines are not accepted"));
  EXPECT_THAT(lines[3], HasSubstr("go.mod:4: go 1.99 is newer"));
}

TEST(CheckGoModExerciseTest, ExerciseWithoutModulesAllowsNoRequire) {
  gograder::v1::Exercise exercise = HelloExercise();
  exercise.clear_modules();
  auto mod = ParseGoMod("module example.com/hello\ngo 1.26\nrequire golang.org/x/sync v0.10.0\n");
  ASSERT_TRUE(mod.ok());
  absl::Status status = CheckGoModForExercise(*mod, exercise);
  EXPECT_THAT(status.message(),
              HasSubstr("go.mod:3: require golang.org/x/sync: the grader works offline and this "
                        "exercise allows no modules besides the standard library"));
}

TEST(CheckGoModExerciseTest, DefaultBoundIs126AndAPatchBoundIsExact) {
  gograder::v1::Exercise exercise = HelloExercise();
  exercise.clear_go_version();
  auto newer = ParseGoMod("module example.com/hello\ngo 1.27\n");
  ASSERT_TRUE(newer.ok());
  EXPECT_THAT(CheckGoModForExercise(*newer, exercise).message(), HasSubstr("up to go 1.26"));

  exercise.set_go_version("1.24.2");
  for (const char* ok : {"1.24", "1.24rc1", "1.24.0", "1.24.2", "1.22.9"}) {
    auto mod = ParseGoMod(std::string("module example.com/hello\ngo ") + ok + "\n");
    ASSERT_TRUE(mod.ok());
    EXPECT_TRUE(CheckGoModForExercise(*mod, exercise).ok()) << ok;
  }
  auto patch = ParseGoMod("module example.com/hello\ngo 1.24.3\n");
  ASSERT_TRUE(patch.ok());
  EXPECT_THAT(CheckGoModForExercise(*patch, exercise).message(),
              HasSubstr("go.mod:2: go 1.24.3 is newer"));
}

TEST(CheckGoModExerciseTest, InvalidExerciseBoundIsNotTheStudentsFault) {
  gograder::v1::Exercise exercise = HelloExercise();
  exercise.set_go_version("latest");
  auto mod = ParseGoMod("module example.com/hello\ngo 1.26\n");
  ASSERT_TRUE(mod.ok());
  EXPECT_THAT(CheckGoModForExercise(*mod, exercise),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

// ---- CheckSubmissionTree ----------------------------------------------------

class SubmissionTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/go_mod_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& path, const std::string& content = "x") {
    fs::create_directories((root_ / path).parent_path());
    std::ofstream(root_ / path) << content;
  }
  fs::path root_;
};

TEST_F(SubmissionTreeTest, AcceptsOneModule) {
  Write("go.mod", "module m\n");
  Write("pkg/a.go", "package pkg\n");
  auto notes = CheckSubmissionTree(root_.string());
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_THAT(*notes, IsEmpty());
}

TEST_F(SubmissionTreeTest, RequiresGoModAtTheRoot) {
  Write("sub/go.mod", "module m\n");
  auto notes = CheckSubmissionTree(root_.string());
  ASSERT_FALSE(notes.ok());
  EXPECT_THAT(notes, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(notes.status().message(), HasSubstr("no go.mod at the root"));

  fs::remove_all(root_ / "sub");
  fs::create_directory(root_ / "go.mod");
  EXPECT_THAT(CheckSubmissionTree(root_.string()).status().message(), HasSubstr("not a file"));
}

TEST_F(SubmissionTreeTest, RemovesWorkspaceFilesAndVendorWithNotes) {
  Write("go.mod", "module m\n");
  Write("go.work", "go 1.26\nuse ../..\n");
  Write("go.work.sum", "");
  Write("vendor/modules.txt", "# golang.org/x/sync v0.10.0\n");
  Write("vendor/golang.org/x/sync/go.mod", "module golang.org/x/sync\n");
  Write("pkg/go.work", "use ..\n");
  auto notes = CheckSubmissionTree(root_.string());
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_THAT(*notes, UnorderedElementsAre(
                          HasSubstr("removed vendor/"), HasSubstr("removed go.work:"),
                          HasSubstr("removed go.work.sum:"), HasSubstr("removed pkg/go.work:")));
  EXPECT_FALSE(fs::exists(root_ / "go.work"));
  EXPECT_FALSE(fs::exists(root_ / "go.work.sum"));
  EXPECT_FALSE(fs::exists(root_ / "vendor"));
  EXPECT_FALSE(fs::exists(root_ / "pkg" / "go.work"));
  EXPECT_TRUE(fs::exists(root_ / "go.mod"));
}

TEST_F(SubmissionTreeTest, RejectsANestedModule) {
  Write("go.mod", "module m\n");
  Write("pkg/inner/go.mod", "module other\n");
  auto notes = CheckSubmissionTree(root_.string());
  ASSERT_FALSE(notes.ok());
  EXPECT_THAT(notes, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(notes.status().message(),
              HasSubstr("pkg/inner/go.mod: a second module inside the submission"));
}

TEST_F(SubmissionTreeTest, IgnoresModulesWhereGoDoesNotLook) {
  Write("go.mod", "module m\n");
  Write("testdata/fixture/go.mod", "module fixture\n");
  Write("_examples/go.mod", "module examples\n");
  Write(".cache/go.mod", "module cache\n");
  auto notes = CheckSubmissionTree(root_.string());
  ASSERT_TRUE(notes.ok()) << notes.status();
}

TEST_F(SubmissionTreeTest, RejectsSymlinks) {
  Write("go.mod", "module m\n");
  fs::create_directory_symlink("/etc", root_ / "etc");
  auto notes = CheckSubmissionTree(root_.string());
  ASSERT_FALSE(notes.ok());
  EXPECT_THAT(notes.status().message(), HasSubstr("etc: symbolic links"));
}

}  // namespace
}  // namespace gograder::core
