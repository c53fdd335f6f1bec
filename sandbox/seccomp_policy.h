// The system-call filter of every sandboxed process (libseccomp).
//
// An allowlist: unknown or unlisted syscalls fail with ENOSYS, dangerous ones
// with EPERM, clone3 with ENOSYS (so glibc and Go fall back to clone), and no
// syscall ever kills the process (Go probes new syscalls and must see errors).
// Syscalls of another architecture (x32, int 0x80) fail with ENOSYS too.
#ifndef GOGRADER_SANDBOX_SECCOMP_POLICY_H_
#define GOGRADER_SANDBOX_SECCOMP_POLICY_H_

#include <linux/filter.h>

#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder::sandbox {

// Syscalls that always fail with EPERM inside the sandbox.
std::span<const absl::string_view> DeniedSyscalls();

// Compiles the filter to a classic BPF program (libseccomp). The result is the
// same for every run, so callers may build it once and load it many times.
absl::StatusOr<std::vector<sock_filter>> BuildSeccompProgram();

// BuildSeccompProgram() through a cache file in `cache_dir` (root-only), keyed
// by a digest of the policy and the libseccomp version: compiling costs ~1.4 ms,
// reading the cache ~20 us.
absl::StatusOr<std::vector<sock_filter>> CachedSeccompProgram(const std::string& cache_dir);

// Loads `program` into the calling thread (and what it later execs) after
// setting PR_SET_NO_NEW_PRIVS. Allocates nothing. Call it last before execve.
absl::Status LoadSeccompProgram(const std::vector<sock_filter>& program);

}  // namespace gograder::sandbox

#endif  // GOGRADER_SANDBOX_SECCOMP_POLICY_H_
