#include "sandbox/spec.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/text_proto.h"

namespace gograder::sandbox {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("spec field ", field, ": ", why));
}

absl::Status CheckPath(absl::string_view field, absl::string_view path) {
  if (!IsCleanAbsolutePath(path)) {
    return Invalid(field, absl::StrCat("\"", path, "\" must be a clean absolute path"));
  }
  return absl::OkStatus();
}

// An overlay's lower or layer directory: a clean absolute path without the
// ',' and ':' that separate overlayfs options and layers.
absl::Status CheckOverlayPath(const std::string& field, const std::string& path) {
  if (path.find_first_of(",:") != std::string::npos) {
    return Invalid(field, "may not contain ',' or ':'");
  }
  return CheckPath(field, path);
}

absl::Status CheckMount(int index, const gograder::v1::Mount& mount) {
  std::string field = absl::StrCat("mounts[", index, "]");
  if (auto status = CheckPath(field + ".target", mount.target()); !status.ok()) return status;
  if (mount.target() == "/" || mount.target() == "/proc" || mount.target() == "/dev") {
    return Invalid(field + ".target", absl::StrCat(mount.target(), " is set up by the sandbox"));
  }
  switch (mount.kind_case()) {
    case gograder::v1::Mount::kBind:
      if (mount.bind().private_copy_bytes() < 0) {
        return Invalid(field + ".bind.private_copy_bytes", "negative");
      }
      if (mount.bind().private_copy_bytes() > 0 && !mount.bind().writable()) {
        return Invalid(field + ".bind.private_copy_bytes", "needs writable: true");
      }
      return CheckPath(field + ".bind.source", mount.bind().source());
    case gograder::v1::Mount::kOverlay:
      if (auto status = CheckOverlayPath(field + ".overlay.lower", mount.overlay().lower());
          !status.ok() || mount.overlay().layer_dir().empty()) {
        return status;
      }
      return CheckOverlayPath(field + ".overlay.layer_dir", mount.overlay().layer_dir());
    case gograder::v1::Mount::kTmpfs:
      if (mount.tmpfs().size_bytes() < 0) return Invalid(field + ".tmpfs.size_bytes", "negative");
      return absl::OkStatus();
    case gograder::v1::Mount::kSymlink:
      if (mount.symlink().link_target().empty()) {
        return Invalid(field + ".symlink.link_target", "is empty");
      }
      return absl::OkStatus();
    case gograder::v1::Mount::kFile:
      if (mount.file().content().size() > kMiB) return Invalid(field + ".file", "over 1 MiB");
      return absl::OkStatus();
    case gograder::v1::Mount::KIND_NOT_SET:
      break;
  }
  return Invalid(field, "one of bind, tmpfs, overlay, symlink, file is required");
}

}  // namespace

bool IsCleanAbsolutePath(absl::string_view path) {
  if (path.empty() || path[0] != '/' || path.find('\0') != absl::string_view::npos) return false;
  if (path == "/") return true;
  if (path.back() == '/') return false;
  for (absl::string_view part : absl::StrSplit(path.substr(1), '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

absl::StatusOr<SandboxSpec> ParseSpecText(absl::string_view text, absl::string_view source_name) {
  SandboxSpec spec;
  if (absl::Status status = ParseTextProto(text, source_name, &spec); !status.ok()) return status;
  return spec;
}

absl::Status ValidateSpec(const SandboxSpec& spec) {
  if (spec.argv().empty() || spec.argv(0).empty()) return Invalid("argv", "is empty");
  if (!spec.cwd().empty()) {
    if (auto status = CheckPath("cwd", spec.cwd()); !status.ok()) return status;
  }
  for (int i = 0; i < spec.env_size(); ++i) {
    if (spec.env(i).find('=') == std::string::npos) {
      return Invalid(absl::StrCat("env[", i, "]"), "must be NAME=VALUE");
    }
  }
  for (int i = 0; i < spec.mounts_size(); ++i) {
    if (auto status = CheckMount(i, spec.mounts(i)); !status.ok()) return status;
  }
  for (int i = 0; i < spec.output_files_size(); ++i) {
    const auto& file = spec.output_files(i);
    std::string field = absl::StrCat("output_files[", i, "]");
    if (auto status = CheckPath(field + ".sandbox_path", file.sandbox_path()); !status.ok()) {
      return status;
    }
    if (auto status = CheckPath(field + ".host_path", file.host_path()); !status.ok()) {
      return status;
    }
  }
  if (spec.slot() < 0 || spec.slot() > 1023) return Invalid("slot", "must be in 0..1023");
  const auto& limits = spec.limits();
  if (limits.wall_time_ms() < 0 || limits.cpu_time_ms() < 0 || limits.memory_bytes() < 0 ||
      limits.pids() < 0 || limits.output_bytes() < 0 || limits.file_size_bytes() < 0 ||
      limits.open_files() < 0) {
    return Invalid("limits", "no limit may be negative");
  }
  if (limits.memory_bytes() != 0 && limits.memory_bytes() < 4 * kMiB) {
    return Invalid("limits.memory_bytes", "must be at least 4 MiB");
  }
  if (limits.pids() != 0 && limits.pids() < 2) return Invalid("limits.pids", "must be at least 2");
  if (!spec.cpus().empty() && spec.cpus().find_first_not_of("0123456789,-") != std::string::npos) {
    return Invalid("cpus", "must be a cpuset list such as \"0-1\"");
  }
  return absl::OkStatus();
}

SandboxSpec WithDefaults(SandboxSpec spec) {
  auto* limits = spec.mutable_limits();
  if (limits->wall_time_ms() == 0) limits->set_wall_time_ms(10'000);
  if (limits->cpu_time_ms() == 0) limits->set_cpu_time_ms(10'000);
  if (limits->memory_bytes() == 0) limits->set_memory_bytes(512 * kMiB);
  if (limits->pids() == 0) limits->set_pids(256);
  if (limits->output_bytes() == 0) limits->set_output_bytes(kMiB);
  if (limits->file_size_bytes() == 0) limits->set_file_size_bytes(64 * kMiB);
  if (limits->open_files() == 0) limits->set_open_files(256);
  if (spec.cwd().empty()) spec.set_cwd("/");
  if (!spec.has_loopback()) spec.set_loopback(true);
  for (auto& mount : *spec.mutable_mounts()) {
    if (mount.has_tmpfs()) {
      if (mount.tmpfs().size_bytes() == 0) mount.mutable_tmpfs()->set_size_bytes(64 * kMiB);
      if (mount.tmpfs().mode() == 0) mount.mutable_tmpfs()->set_mode(01777);
    }
    if (mount.has_overlay() && mount.overlay().upper_size_bytes() == 0) {
      mount.mutable_overlay()->set_upper_size_bytes(256 * kMiB);
    }
  }
  return spec;
}

}  // namespace gograder::sandbox
