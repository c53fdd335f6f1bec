// Reading and checking a SandboxSpec: text-proto parsing with line:column
// errors, meaning-level validation, and the documented defaults.
#ifndef GOGRADER_SANDBOX_SPEC_H_
#define GOGRADER_SANDBOX_SPEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/gograder/v1/sandbox.pb.h"

namespace gograder::sandbox {

using ::gograder::v1::SandboxSpec;

// Parses a text-format spec. Syntax errors and unknown fields are reported as
// InvalidArgument "<source_name>:<line>:<column>: <message>".
absl::StatusOr<SandboxSpec> ParseSpecText(absl::string_view text, absl::string_view source_name);

// Checks what parsing cannot: argv present, absolute paths without "..",
// sane limits and slot, mount kinds set. Returns InvalidArgument naming the field.
absl::Status ValidateSpec(const SandboxSpec& spec);

// Returns `spec` with every zero limit, cwd and optional flag set to its documented default.
SandboxSpec WithDefaults(SandboxSpec spec);

// True when `path` is absolute, normalised (no "." or ".." parts, no "//",
// no trailing slash except for "/" itself) and has no NUL.
bool IsCleanAbsolutePath(absl::string_view path);

}  // namespace gograder::sandbox

#endif  // GOGRADER_SANDBOX_SPEC_H_
