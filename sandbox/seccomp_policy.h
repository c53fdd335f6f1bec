// The system-call filter of every sandboxed process (libseccomp).
//
// An allowlist: unknown or unlisted syscalls fail with ENOSYS, dangerous ones
// with EPERM, clone3 with ENOSYS (so glibc and Go fall back to clone), and no
// syscall ever kills the process (Go probes new syscalls and must see errors).
// Syscalls of another architecture (x32, int 0x80) fail with ENOSYS too.
#ifndef GOGRADER_SANDBOX_SECCOMP_POLICY_H_
#define GOGRADER_SANDBOX_SECCOMP_POLICY_H_

#include <span>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace gograder::sandbox {

// Syscalls that always fail with EPERM inside the sandbox.
std::span<const absl::string_view> DeniedSyscalls();

// Loads the filter into the calling thread (and what it later execs). Sets
// PR_SET_NO_NEW_PRIVS first. Call it last before execve.
absl::Status InstallSeccompFilter();

}  // namespace gograder::sandbox

#endif  // GOGRADER_SANDBOX_SECCOMP_POLICY_H_
