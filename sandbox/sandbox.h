// Running one program in the sandbox: namespaces, root filesystem, cgroup
// limits, rlimits, seccomp, output capture, and a Result that describes what
// the program did.
#ifndef GOGRADER_SANDBOX_SANDBOX_H_
#define GOGRADER_SANDBOX_SANDBOX_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "proto/gograder/v1/sandbox.pb.h"

namespace gograder::sandbox {

using ::gograder::v1::SandboxResult;
using ::gograder::v1::SandboxSpec;

struct SandboxOptions {
  // Host directory for slot lock files and the empty mount point of new roots.
  std::string state_dir = "/run/gograder-sandbox";
  // Slot N runs as host uid slot_id_base + N: never root, never a real user.
  uint32_t slot_id_base = 1'900'000;
  // One more unprivileged host id, shared by all slots: the sandbox's gid 0 and
  // its uid 1. It owns overlay lower directories (see PrepareOverlayLower) so
  // that their private writable layer can copy entries up.
  uint32_t shared_id = 1'899'999;
  // Name of the cgroup directory that holds the slots, below each hierarchy.
  std::string cgroup_parent = "gograder";
};

// Host uid (and gid) that the sandbox root of `slot` runs as.
uint32_t SlotHostId(const SandboxOptions& options, int slot);

// Makes a host directory usable as an overlay lower layer (e.g. a warm
// GOCACHE): hands the tree to the shared id and makes its directories group
// writable. The overlay never writes to it; sandboxed writes land in the
// private upper layer. Needs root.
absl::Status PrepareOverlayLower(const std::string& directory, const SandboxOptions& options = {});

// Runs spec.argv in a fresh sandbox and waits for it. What the program did
// (exit, signal, limits reached) is in the result; an error Status means the
// sandbox itself failed or the spec is unusable. Forks: call it only from a
// single-threaded process (the gograder-sandbox binary). Needs root.
absl::StatusOr<SandboxResult> RunSandboxed(const SandboxSpec& spec,
                                           const SandboxOptions& options = {});

}  // namespace gograder::sandbox

#endif  // GOGRADER_SANDBOX_SANDBOX_H_
