// The Go toolchain inside the sandbox: go build, go vet -json, go test -json
// and go test -race (CGO_ENABLED=1) of a small racy package, with GOCACHE an
// overlay over a warm, read-only lower directory (built on the host by CMake
// from the same fixture, see warm_gocache.cmake) that must be unchanged after
// every run, even one that tries to poison it. Also the toolchain-level
// attacks of research/sandbox.md: a cgo preamble including /dev/random
// (case 8), go.mod asking for an unreleased Go and a replace directive that
// leaves the module (case 25). Every run also gets SandboxTest's host checks.
#include <unistd.h>

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/sandbox.h"
#include "tests/sandbox/harness.h"

#ifndef GOGRADER_FIXTURES_DIR
#error "GOGRADER_FIXTURES_DIR must name tests/sandbox/fixtures"
#endif
#ifndef GOGRADER_WARM_CACHE_DIR
#error "GOGRADER_WARM_CACHE_DIR must name the warm GOCACHE directory"
#endif

namespace gograder::sandbox::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

constexpr int64_t kMiB = 1 << 20;

class GoToolchainTest : public SandboxTest {
 protected:
  static void SetUpTestSuite() {
    if (!SkipReason().empty() || !WarmCacheBuilt()) return;
    // Idempotent and cheap: hand the warm cache to the sandbox's shared id.
    absl::Status status = PrepareOverlayLower(GOGRADER_WARM_CACHE_DIR);
    if (!status.ok()) prepare_error_ = new std::string(status.ToString());
  }

  static bool WarmCacheBuilt() {
    return access(GOGRADER_WARM_CACHE_DIR, F_OK) == 0 &&
           access(GOGRADER_WARM_CACHE_DIR ".stamp", F_OK) == 0;
  }

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SandboxTest::SetUp());
    if (IsSkipped()) return;
    ASSERT_TRUE(WarmCacheBuilt()) << "no warm GOCACHE: CMake found no go toolchain";
    ASSERT_EQ(prepare_error_, nullptr) << *prepare_error_;
    lower_digest_ = TreeDigest(GOGRADER_WARM_CACHE_DIR);
  }

  void TearDown() override {
    if (!lower_digest_.empty()) {
      EXPECT_EQ(TreeDigest(GOGRADER_WARM_CACHE_DIR), lower_digest_)
          << "the warm GOCACHE (overlay lower) changed";
    }
    SandboxTest::TearDown();
  }

  // `argv` in a copy of fixtures/<fixture> at /box, with the warm cache as an
  // overlay at /cache and the environment of a grading run.
  SandboxSpec GoSpec(int slot, const std::string& fixture, std::vector<std::string> argv,
                     bool cgo) {
    std::filesystem::copy(absl::StrCat(GOGRADER_FIXTURES_DIR, "/", fixture), box_dir(),
                          std::filesystem::copy_options::recursive);
    SandboxSpec spec = BaseSpec(slot, std::move(argv));
    spec.clear_env();
    std::string goroot = GOGRADER_GOROOT;
    for (std::string entry :
         {absl::StrCat("PATH=", goroot, "/bin:/usr/bin:/bin"), std::string("HOME=/tmp"),
          std::string("GOCACHE=/cache"), std::string("GOTOOLCHAIN=local"),
          std::string("GOPROXY=off"), std::string("GOFLAGS=-mod=mod"),
          std::string("GOTELEMETRY=off"), absl::StrCat("CGO_ENABLED=", cgo ? 1 : 0)}) {
      spec.add_env(entry);
    }
    if (!absl::StartsWith(goroot, "/usr/")) {
      auto* mount = spec.add_mounts();
      mount->set_target(goroot);
      mount->mutable_bind()->set_source(goroot);
    }
    for (auto& mount : *spec.mutable_mounts()) {
      if (mount.target() == "/tmp") mount.mutable_tmpfs()->set_size_bytes(512 * kMiB);
    }
    auto* cache = spec.add_mounts();
    cache->set_target("/cache");
    cache->mutable_overlay()->set_lower(GOGRADER_WARM_CACHE_DIR);
    spec.set_cwd("/box");
    auto* limits = spec.mutable_limits();
    limits->set_wall_time_ms(60000);
    limits->set_cpu_time_ms(60000);
    limits->set_memory_bytes(1024 * kMiB);
    limits->set_pids(256);
    limits->set_output_bytes(4 * kMiB);
    return spec;
  }

  // The lower directory is unchanged right after the run, too.
  SandboxRun RunGo(const SandboxSpec& spec) {
    SandboxRun run = Run(spec);
    EXPECT_EQ(TreeDigest(GOGRADER_WARM_CACHE_DIR), lower_digest_)
        << "the warm GOCACHE (overlay lower) changed";
    return run;
  }

  static std::string Output(const SandboxRun& run) {
    return run.result.stdout().data() + run.result.stderr().data();
  }

  std::string lower_digest_;
  static inline std::string* prepare_error_ = nullptr;
};

TEST_F(GoToolchainTest, GoBuild) {
  SandboxRun run = RunGo(GoSpec(200, "racy", {"go", "build", "./..."}, false));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << run.Describe();
}

TEST_F(GoToolchainTest, GoVetJsonReportsTheFinding) {
  SandboxRun run = RunGo(GoSpec(201, "racy", {"go", "vet", "-json", "./..."}, false));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << run.Describe();
  EXPECT_THAT(Output(run), HasSubstr("\"assign\"")) << run.Describe();
  EXPECT_THAT(Output(run), HasSubstr("self-assignment of v"));
}

TEST_F(GoToolchainTest, GoTestJsonPasses) {
  SandboxRun run = RunGo(GoSpec(202, "racy", {"go", "test", "-json", "-count=1", "./..."}, false));
  EXPECT_EQ(run.result.verdict(), SandboxResult::OK) << run.Describe();
  EXPECT_THAT(run.result.stdout().data(), HasSubstr("\"Action\":\"pass\"")) << run.Describe();
  EXPECT_THAT(run.result.stdout().data(), HasSubstr("\"Test\":\"TestCount\""));
}

TEST_F(GoToolchainTest, GoTestRaceDetectsTheRace) {
  SandboxRun run = RunGo(GoSpec(203, "racy", {"go", "test", "-race", "-count=1", "./..."}, true));
  EXPECT_EQ(run.result.verdict(), SandboxResult::NONZERO_EXIT) << run.Describe();
  EXPECT_EQ(run.result.exit_code(), 1);
  EXPECT_THAT(Output(run), HasSubstr("WARNING: DATA RACE")) << run.Describe();
  EXPECT_THAT(Output(run), HasSubstr("--- FAIL: TestCount"));
  EXPECT_THAT(Output(run), HasSubstr("racy.go:"));
}

TEST_F(GoToolchainTest, PoisonedCacheDoesNotReachTheNextRun) {
  // Run 1 overwrites every cache file it can, plants entries and then wipes
  // the cache; all of it lands in the run's private overlay layer.
  const char* poison =
      "find /cache -type f | while read -r f; do printf poisoned > \"$f\"; done 2>/dev/null;"
      "mkdir -p /cache/ff && printf poisoned > /cache/ff/ffffffff-a;"
      "go clean -cache && echo cleaned=$(find /cache -type f | wc -l)";
  SandboxRun first = RunGo(GoSpec(204, "racy", {"/bin/sh", "-c", poison}, true));
  EXPECT_EQ(first.result.verdict(), SandboxResult::OK) << first.Describe();
  EXPECT_THAT(first.result.stdout().data(), HasSubstr("cleaned=")) << first.Describe();
  // Run 2 in the same slot still finds the warm cache and the right answer.
  std::filesystem::remove_all(box_dir());
  std::filesystem::create_directory(box_dir());
  SandboxRun second =
      RunGo(GoSpec(204, "racy", {"go", "test", "-race", "-v", "-count=1", "./..."}, true));
  EXPECT_EQ(second.result.verdict(), SandboxResult::NONZERO_EXIT) << second.Describe();
  EXPECT_THAT(Output(second), HasSubstr("WARNING: DATA RACE")) << second.Describe();
  EXPECT_THAT(Output(second), HasSubstr("--- PASS: TestScale"));
}

TEST_F(GoToolchainTest, CgoIncludeOfDevRandomHitsALimit) {
  SandboxSpec spec = GoSpec(205, "cgo_devrandom", {"go", "build", "./..."}, true);
  spec.mutable_limits()->set_memory_bytes(256 * kMiB);
  spec.mutable_limits()->set_wall_time_ms(20000);
  SandboxRun run = RunGo(spec);
  EXPECT_THAT(run.result.verdict(), AnyOf(SandboxResult::MEMORY_LIMIT, SandboxResult::TIME_LIMIT,
                                          SandboxResult::CPU_LIMIT, SandboxResult::OUTPUT_LIMIT))
      << run.Describe();
}

TEST_F(GoToolchainTest, UnreleasedGoVersionFailsWithoutDownload) {
  SandboxRun run = RunGo(GoSpec(206, "future_go", {"go", "build", "./..."}, false));
  EXPECT_EQ(run.result.verdict(), SandboxResult::NONZERO_EXIT) << run.Describe();
  EXPECT_THAT(run.result.stderr().data(), HasSubstr("go.mod requires go >= 1.99"));
  EXPECT_THAT(run.result.stderr().data(), HasSubstr("GOTOOLCHAIN=local"));
}

TEST_F(GoToolchainTest, ReplaceOutsideTheModuleFailsCleanly) {
  SandboxRun run = RunGo(GoSpec(207, "replace_escape", {"go", "build", "./..."}, false));
  EXPECT_EQ(run.result.verdict(), SandboxResult::NONZERO_EXIT) << run.Describe();
  EXPECT_THAT(run.result.stderr().data(), HasSubstr("replaced by ../../../../../etc"));
}

}  // namespace
}  // namespace gograder::sandbox::testing
