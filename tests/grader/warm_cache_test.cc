// The prepared build cache is warm for every step: building, vetting and
// compiling the hidden tests (with and without -race) of a reference, in the
// sandbox with the grading's own environment and flags, compiles and vets
// only the module's own packages, never a standard-library one, and the
// module's package once for all steps. `go -x` prints each action the go
// command runs; cache hits print none.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/core/files/files.h"
#include "grader/core/grading/workspace.h"
#include "grader/core/rubric/rubric.h"
#include "grader/core/toolchain/go_command.h"
#include "grader/core/toolchain/sandbox_runner.h"
#include "grader/core/toolchain/slots.h"
#include "grader/core/toolchain/toolchain.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;
using ::testing::IsEmpty;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// A compile action of `go -x`: the package is its -p (after -o, -trimpath).
const LazyRE2 kCompiled = {R"(/compile -o \S+[^\n]*? -p (\S+))"};

// Standard-library packages the go command compiled or vetted in `log`
// (the stderr of `go ... -x`): an import path whose first element has no dot.
std::set<std::string> StdActions(const std::string& log) {
  std::set<std::string> packages;
  static const LazyRE2 kVetted = {R"re("ImportPath": "([^"]+)")re"};
  for (const RE2* pattern : {&*kCompiled, &*kVetted}) {
    re2::StringPiece input(log);
    std::string package;
    while (RE2::FindAndConsume(&input, *pattern, &package)) {
      std::string first = package.substr(0, package.find('/'));
      if (first.find('.') == std::string::npos && package != "main" &&
          !absl::StartsWith(package, "command-line-arguments")) {
        packages.insert(package);
      }
    }
  }
  return packages;
}

// How many times the go command compiled `package` in `log` (`go ... -x`).
int Compiles(const std::string& log, const std::string& package) {
  re2::StringPiece input(log);
  std::string compiled;
  int count = 0;
  while (RE2::FindAndConsume(&input, *kCompiled, &compiled)) count += compiled == package;
  return count;
}

// `argv` in `module` with the generous limits of a cold compile.
GoCommand CacheTestCommand(std::vector<std::string> argv, const fs::path& module,
                           const SlotLease& slot) {
  GoCommand command;
  command.argv = std::move(argv);
  command.module_dir = module.string();
  command.slot = slot.slot();
  command.limits.set_wall_time_ms(300'000);
  command.limits.set_cpu_time_ms(600'000);
  command.limits.set_memory_bytes(int64_t{2} << 30);
  command.limits.set_pids(512);
  command.limits.set_output_bytes(64 << 20);
  return command;
}

TEST(WarmCacheTest, NoStepOfAReferenceGradingRecompilesTheStandardLibrary) {
  const std::string data_dir = Env("GOGRADER_DATA_DIR"), rubrics = Env("GOGRADER_RUBRICS");
  ASSERT_FALSE(data_dir.empty() || rubrics.empty()) << "set GOGRADER_DATA_DIR and GOGRADER_RUBRICS";
  ASSERT_OK_AND_ASSIGN(Toolchain toolchain, OpenToolchain(data_dir));
  ASSERT_OK_AND_ASSIGN(ExerciseBundle exercise,
                       LoadExercise(rubrics, "phase1/concurrent-web-scraper"));
  ASSERT_OK_AND_ASSIGN(SlotLease slot, SlotLease::AcquireAny(kFirstCliSlot, kLastCliSlot));
  fs::path work = fs::path(data_dir) / "work" / ("warm-cache-test-" + std::to_string(getpid()));
  fs::path module = work / "module";
  ASSERT_OK(CopyModule(exercise.reference_dir, module.string(), /*skip_tests=*/true));
  ASSERT_OK(RequireExerciseModules(module.string(), exercise.exercise, toolchain));
  ASSERT_OK(AddHiddenTests(module.string(), exercise, {}, NewRunNonce()));
  // A package of its own (the warm cache may hold the reference's).
  {
    std::ofstream unique(module / "scraper.go", std::ios::app);
    unique << "\n// warm-cache-test " << getpid() << " " << absl::ToUnixNanos(absl::Now()) << "\n";
  }
  SandboxRunner runner({Env("GOGRADER_SANDBOX"), work.string(), absl::Seconds(20)});

  // The steps share one cache layer, as a grading's do: the module's package
  // is compiled by `go build` and not again for the tests (the race build
  // instruments it, so compiles its own).
  struct Step {
    std::vector<std::string> argv;
    bool cgo = false;
    int module_compiles = 0;
  };
  for (const Step& step : std::vector<Step>{
           {{"go", "build", "-x", "./..."}, false, 1},
           {{"go", "vet", "-x", "-json", "./..."}},
           {{"go", "test", "-c", "-x", "-vet=off", "-ldflags=-w", "-o", "/tmp/hidden.test", "."}},
           {{"go", "test", "-c", "-x", "-vet=off", "-ldflags=-w", "-race", "-o", "/tmp/race.test",
             "."},
            true,
            1},
       }) {
    GoCommand command = CacheTestCommand(step.argv, module, slot);
    command.cgo = step.cgo;
    command.cache_layer_dir = (work / "cache-layer").string();
    ASSERT_OK_AND_ASSIGN(auto result,
                         runner.Run(GoCommandSpec(toolchain.environment, command), {}));
    std::string what = absl::StrJoin(step.argv, " ");
    ASSERT_EQ(result.verdict(), gograder::v1::SandboxResult::OK) << what << "\n"
                                                                 << result.stderr().data();
    EXPECT_THAT(StdActions(result.stderr().data()), IsEmpty())
        << what << " recompiled or vetted standard-library packages: the warm cache misses them";
    EXPECT_EQ(Compiles(result.stderr().data(), exercise.exercise.module()), step.module_compiles)
        << what << ": the module's package is compiled once per grading";
  }
  std::error_code error;
  fs::remove_all(work, error);
}

// The go command rewrites the times of cache entries over an hour old and
// deletes those over five days old; on the read-only cache each would be an
// overlay copy-up or a whiteout. Prepare pins the entries' times in the far
// future: a grading step leaves every one of them as it was, however old.
TEST(WarmCacheTest, AStepRewritesAndTrimsNoWarmEntry) {
  const std::string data_dir = Env("GOGRADER_DATA_DIR");
  ASSERT_FALSE(data_dir.empty()) << "set GOGRADER_DATA_DIR";
  ASSERT_OK_AND_ASSIGN(Toolchain toolchain, OpenToolchain(data_dir));
  ASSERT_OK_AND_ASSIGN(SlotLease slot, SlotLease::AcquireAny(kFirstCliSlot, kLastCliSlot));
  fs::path work = fs::path(data_dir) / "work" / ("warm-times-test-" + std::to_string(getpid()));
  fs::path module = work / "module";
  fs::create_directories(module);
  ASSERT_OK(WriteWholeFile(module / "go.mod", "module example.com/times\n\ngo 1.24\n"));
  ASSERT_OK(WriteWholeFile(module / "times.go",
                           "package times\n\nimport \"net/http\"\n\nvar C = http.Client{}\n"));
  SandboxRunner runner({Env("GOGRADER_SANDBOX"), work.string(), absl::Seconds(20)});
  GoCommand command =
      CacheTestCommand({"/bin/sh", "-c",
                        "pinned() { find /cache -type f -newermt 2099-01-01 | wc -l; }; "
                        "echo $(pinned) $(go build ./... && go vet ./... && pinned)"},
                       module, slot);
  ASSERT_OK_AND_ASSIGN(auto result, runner.Run(GoCommandSpec(toolchain.environment, command), {}));
  ASSERT_EQ(result.verdict(), gograder::v1::SandboxResult::OK) << result.stderr().data();
  int before = 0, after = -1;
  ASSERT_EQ(std::sscanf(result.stdout().data().c_str(), "%d %d", &before, &after), 2)
      << result.stdout().data() << result.stderr().data();
  EXPECT_GT(before, 1000) << "the warm cache's entry times are not pinned (prepare it again)";
  EXPECT_EQ(after, before) << "the go command rewrote or trimmed warm entries";
  std::error_code error;
  fs::remove_all(work, error);
}

TEST(WarmCacheTest, StdActionsFindsCompilesAndVetsOfStandardPackagesOnly) {
  EXPECT_THAT(
      StdActions(
          "/usr/local/go/pkg/tool/linux_amd64/compile -o $WORK/b002/_pkg_.a -trimpath "
          "\"$WORK/b002=>\" -p net/http -lang"
          "\n/x/compile -o $WORK/b001/_pkg_.a -p example.com/scraper -lang\n"
          "{\n\t\"ImportPath\": \"fmt\",\n}\n{\n\t\"ImportPath\": \"example.com/scraper\",\n}\n"),
      ::testing::ElementsAre("fmt", "net/http"));
}

}  // namespace
}  // namespace gograder::core
