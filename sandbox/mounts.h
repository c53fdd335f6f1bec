// The sandbox's filesystem: an empty tmpfs root filled from the spec's mounts,
// a fresh /proc, a minimal /dev and a small /etc, then made the process's root
// with pivot_root. Runs inside the new user + mount namespaces, before the
// program starts.
#ifndef GOGRADER_SANDBOX_MOUNTS_H_
#define GOGRADER_SANDBOX_MOUNTS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "proto/gograder/v1/sandbox.pb.h"

namespace gograder::sandbox {

// Builds the root filesystem described by `spec` at `new_root` (an empty
// directory of the host) and pivots into it. On return "/" is the sandbox's
// root, read-only, and the host's filesystem is unreachable.
absl::Status EnterSandboxRoot(const gograder::v1::SandboxSpec& spec, const std::string& new_root);

// Mount options of a sandbox tmpfs of `size_bytes`: the size, an inode cap
// derived from it (so an inode flood gets ENOSPC) and `mode`.
std::string TmpfsOptions(int64_t size_bytes, uint32_t mode);

}  // namespace gograder::sandbox

#endif  // GOGRADER_SANDBOX_MOUNTS_H_
