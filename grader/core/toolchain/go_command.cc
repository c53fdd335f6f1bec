#include "grader/core/toolchain/go_command.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace gograder::core {
namespace {

using ::gograder::v1::Mount;
using ::gograder::v1::SandboxSpec;

void AddBind(SandboxSpec& spec, const std::string& source, const std::string& target,
             bool writable) {
  Mount* mount = spec.add_mounts();
  mount->set_target(target);
  mount->mutable_bind()->set_source(source);
  mount->mutable_bind()->set_writable(writable);
}

void AddSymlink(SandboxSpec& spec, const std::string& target, const std::string& link) {
  Mount* mount = spec.add_mounts();
  mount->set_target(target);
  mount->mutable_symlink()->set_link_target(link);
}

}  // namespace

SandboxSpec GoCommandSpec(const GoEnvironment& environment, const GoCommand& command) {
  SandboxSpec spec;
  for (const std::string& arg : command.argv) spec.add_argv(arg);
  for (const std::string& entry : {
           absl::StrCat("PATH=", environment.goroot, "/bin:/usr/bin:/bin"),
           std::string("HOME=/tmp"),
           std::string("TMPDIR=/tmp"),
           std::string("GOTMPDIR=/tmp"),
           std::string("GOCACHE=/cache"),
           std::string("GOMODCACHE=/gomodcache"),
           std::string("GOPROXY=off"),
           std::string("GOSUMDB=off"),
           std::string("GOTOOLCHAIN=local"),
           std::string("GOFLAGS=-mod=mod"),
           std::string("GOWORK=off"),
           std::string("GOENV=off"),
           std::string("GOMAXPROCS=2"),
           std::string("XDG_CONFIG_HOME=/etc/xdg"),
           absl::StrCat("CGO_ENABLED=", command.cgo ? 1 : 0),
       }) {
    spec.add_env(entry);
  }
  for (const std::string& entry : command.extra_env) spec.add_env(entry);
  spec.set_cwd(command.cwd.empty() ? kSandboxModuleDir : command.cwd);
  *spec.mutable_limits() = command.limits;
  spec.set_slot(command.slot);
  spec.set_stdout_file(command.stdout_file);
  spec.set_stderr_file(command.stderr_file);

  AddBind(spec, "/usr", "/usr", false);
  AddSymlink(spec, "/bin", "usr/bin");
  AddSymlink(spec, "/lib", "usr/lib");
  AddSymlink(spec, "/lib64", "usr/lib64");
  if (!absl::StartsWith(environment.goroot, "/usr/")) {
    AddBind(spec, environment.goroot, environment.goroot, false);
  }
  // Test binaries and the linker's temporaries land in /tmp, and a private
  // /box gets the same room; both count against memory.
  const int64_t scratch_bytes = std::max<int64_t>(command.limits.memory_bytes() / 2, 64 << 20);
  Mount* tmp = spec.add_mounts();
  tmp->set_target("/tmp");
  tmp->mutable_tmpfs()->set_size_bytes(scratch_bytes);
  Mount* telemetry = spec.add_mounts();
  telemetry->set_target("/etc/xdg/go/telemetry/mode");
  telemetry->mutable_file()->set_content("off");
  AddBind(spec, command.module_dir, kSandboxModuleDir, true);
  if (command.private_module_dir) {
    spec.mutable_mounts(spec.mounts_size() - 1)
        ->mutable_bind()
        ->set_private_copy_bytes(scratch_bytes);
  }
  for (const auto& [sandbox_path, host_path] : command.output_files) {
    auto* output = spec.add_output_files();
    output->set_sandbox_path(sandbox_path);
    output->set_host_path(host_path);
  }
  AddBind(spec, environment.module_cache, "/gomodcache", false);
  if (environment.writable_build_cache) {
    AddBind(spec, environment.build_cache, "/cache", true);
  } else {
    Mount* cache = spec.add_mounts();
    cache->set_target("/cache");
    cache->mutable_overlay()->set_lower(environment.build_cache);
    cache->mutable_overlay()->set_upper_size_bytes(512 << 20);
    cache->mutable_overlay()->set_layer_dir(command.cache_layer_dir);
    // A trim that has just happened, so the go command does not walk (and,
    // past five days, whiteout) the whole read-only cache at its exit.
    Mount* trimmed = spec.add_mounts();
    trimmed->set_target(absl::StrCat("/cache/", kCacheTrimFile));
    trimmed->mutable_file()->set_content(absl::StrCat(absl::ToUnixSeconds(absl::Now())));
  }
  for (const auto& [source, target] : command.read_only_binds) AddBind(spec, source, target, false);
  return spec;
}

}  // namespace gograder::core
