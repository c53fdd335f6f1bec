#include "grader/core/toolchain/go_command.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sandbox/spec.h"

namespace gograder::core {
namespace {

using ::testing::Contains;

GoEnvironment Environment() {
  return GoEnvironment{"/usr/local/go", "/var/lib/gograder/gomodcache",
                       "/var/lib/gograder/gocache"};
}

GoCommand Command() {
  GoCommand command;
  command.argv = {"go", "test", "-json", "./..."};
  command.module_dir = "/var/lib/gograder/work/1/box";
  command.limits.set_memory_bytes(1 << 30);
  return command;
}

TEST(GoCommandSpecTest, IsAValidOfflineSpec) {
  auto spec = GoCommandSpec(Environment(), Command());
  EXPECT_TRUE(sandbox::ValidateSpec(sandbox::WithDefaults(spec)).ok())
      << sandbox::ValidateSpec(sandbox::WithDefaults(spec));
  EXPECT_THAT(spec.env(), Contains("GOPROXY=off"));
  EXPECT_THAT(spec.env(), Contains("GOTOOLCHAIN=local"));
  EXPECT_THAT(spec.env(), Contains("GOFLAGS=-mod=mod"));
  EXPECT_THAT(spec.env(), Contains("CGO_ENABLED=0"));
  EXPECT_THAT(spec.env(), Contains("PATH=/usr/local/go/bin:/usr/bin:/bin"));
  EXPECT_EQ(spec.cwd(), "/box");
}

TEST(GoCommandSpecTest, SubmissionCodeGetsAPrivateModuleCopyAndItsOutputFiles) {
  auto find_box = [](const gograder::v1::SandboxSpec& spec) {
    return *std::find_if(spec.mounts().begin(), spec.mounts().end(),
                         [](const auto& mount) { return mount.target() == "/box"; });
  };
  EXPECT_EQ(find_box(GoCommandSpec(Environment(), Command())).bind().private_copy_bytes(), 0);
  GoCommand untrusted = Command();
  untrusted.private_module_dir = true;
  untrusted.output_files.push_back({"/box/cover.out", "/var/lib/gograder/work/1/cover.out"});
  auto spec = GoCommandSpec(Environment(), untrusted);
  EXPECT_TRUE(sandbox::ValidateSpec(sandbox::WithDefaults(spec)).ok());
  const auto box = find_box(spec);
  EXPECT_TRUE(box.bind().writable());
  EXPECT_EQ(box.bind().private_copy_bytes(), 512 << 20);  // half the memory, as /tmp
  ASSERT_EQ(spec.output_files_size(), 1);
  EXPECT_EQ(spec.output_files(0).sandbox_path(), "/box/cover.out");
  EXPECT_EQ(spec.output_files(0).host_path(), "/var/lib/gograder/work/1/cover.out");
}

TEST(GoCommandSpecTest, BuildCacheIsAnOverlayUnlessWarming) {
  auto find_cache = [](const gograder::v1::SandboxSpec& spec) {
    return *std::find_if(spec.mounts().begin(), spec.mounts().end(),
                         [](const auto& mount) { return mount.target() == "/cache"; });
  };
  EXPECT_TRUE(find_cache(GoCommandSpec(Environment(), Command())).has_overlay());
  GoEnvironment warming = Environment();
  warming.writable_build_cache = true;
  auto cache = find_cache(GoCommandSpec(warming, Command()));
  ASSERT_TRUE(cache.has_bind());
  EXPECT_TRUE(cache.bind().writable());
}

TEST(GoCommandSpecTest, TheReadOnlyCacheGetsAFreshTrimRecord) {
  gograder::v1::SandboxSpec spec = GoCommandSpec(Environment(), Command());
  auto trim = std::find_if(spec.mounts().begin(), spec.mounts().end(),
                           [](const auto& mount) { return mount.target() == "/cache/trim.txt"; });
  ASSERT_NE(trim, spec.mounts().end());
  int64_t written = std::stoll(trim->file().content());
  EXPECT_LE(std::abs(written - absl::ToUnixSeconds(absl::Now())), 60);
  GoEnvironment warming = Environment();
  warming.writable_build_cache = true;
  spec = GoCommandSpec(warming, Command());
  EXPECT_TRUE(std::none_of(spec.mounts().begin(), spec.mounts().end(),
                           [](const auto& mount) { return mount.target() == "/cache/trim.txt"; }));
}

TEST(GoCommandSpecTest, RaceRunsWithCgo) {
  GoCommand command = Command();
  command.cgo = true;
  EXPECT_THAT(GoCommandSpec(Environment(), command).env(), Contains("CGO_ENABLED=1"));
}

TEST(GoCommandSpecTest, GorootOutsideUsrIsBound) {
  GoEnvironment environment = Environment();
  environment.goroot = "/opt/go";
  auto spec = GoCommandSpec(environment, Command());
  EXPECT_TRUE(std::any_of(spec.mounts().begin(), spec.mounts().end(), [](const auto& mount) {
    return mount.target() == "/opt/go" && mount.has_bind() && !mount.bind().writable();
  }));
}

}  // namespace
}  // namespace gograder::core
