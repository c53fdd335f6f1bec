// The late policy of an exercise: a due date, a grace period, a penalty per
// started day or hour late (a percent of the max score, up to a cap) and
// students' own due dates (extensions). Loaded from a text proto, extensions
// also from a CSV, and applied to a GradeReport's score in a way that can be
// repeated: a regrade or a changed policy starts again from the raw score.
#ifndef GOGRADER_GRADER_CORE_GRADEBOOK_LATE_POLICY_H_
#define GOGRADER_GRADER_CORE_GRADEBOOK_LATE_POLICY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/gograder/v1/api.pb.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core {

// Reads a LatePolicy text proto (syntax errors are InvalidArgument
// "<path>:<line>:<column>: ...") and validates it (errors "<path>: ...").
absl::StatusOr<gograder::v1::LatePolicy> LoadLatePolicyFile(const std::string& path);

// Checks the meaning of a policy: `due` is an RFC 3339 time, grace_seconds is
// not negative, the percents are within [0, 100], and every extension names a
// student (once) and an RFC 3339 due time. Errors are InvalidArgument naming
// the field, and the student for an extension.
absl::Status ValidateLatePolicy(const gograder::v1::LatePolicy& policy);

// Adds the extensions of a CSV file to `policy`: a header with the columns
// student_id and due (others, such as reason, are ignored), then one student
// a row (RFC 4180 quoting). A bad time, a missing field, an empty student id
// or a student listed twice (in the file or already in `policy`) is
// InvalidArgument "<path>:<line>: ..."; `policy` is then unchanged.
absl::Status AddExtensionsCsv(const std::string& path, gograder::v1::LatePolicy& policy);

// Human text of the policy's rule: "10% per started day late, at most 50%,
// 15m grace", or "no penalty" when it sets none.
std::string LatePolicyRule(const gograder::v1::LatePolicy& policy);

// Applies `policy` to the report of `student_id`'s submission handed in at
// `submitted_at`: records report.late and takes its points off the score.
// Only a GRADED report is changed. Idempotent: a report that already has a
// late penalty starts again from its raw score. Late by at most the grace
// period counts as on time; beyond it, every started day (or hour) from the
// due time costs the policy's percent of the max score, at most the cap, and
// never more points than the raw score. A policy without a penalty records
// the lateness with 0 points. `policy` must be valid (ValidateLatePolicy);
// with a due time that does not parse the report is left unchanged.
void ApplyLatePolicy(const gograder::v1::LatePolicy& policy, const std::string& student_id,
                     absl::Time submitted_at, gograder::v1::GradeReport& report);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GRADEBOOK_LATE_POLICY_H_
