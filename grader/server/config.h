// gograderd's configuration: a commented DaemonConfig text proto, defaults for
// unset fields, and the meaning-level checks shared by startup and tests.
#ifndef GOGRADER_GRADER_SERVER_CONFIG_H_
#define GOGRADER_GRADER_SERVER_CONFIG_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grader/store/fair_queue.h"
#include "proto/gograder/v1/config.pb.h"

namespace gograder::server {

// Metrics address meaning "do not serve metrics" (an empty field means the default).
inline constexpr absl::string_view kMetricsOff = "off";

// Parses the DaemonConfig text proto at `path` (file:line:column errors,
// unknown fields fatal). Defaults are not applied.
absl::StatusOr<gograder::v1::DaemonConfig> LoadConfig(const std::string& path);

// Fills unset fields with their defaults (listen 127.0.0.1:50051, data dir
// /var/lib/gograder, workers = cores, ...). `binary_dir` is where gograderd
// lives: the sandbox and inspector binaries default to it.
void ApplyDefaults(gograder::v1::DaemonConfig& config, const std::string& binary_dir);

// Meaning-level checks of a config with defaults applied: every problem at
// once, one per line, as InvalidArgument. Refuses a non-loopback listen
// address without auth tokens.
absl::Status ValidateConfig(const gograder::v1::DaemonConfig& config);

// What Submit admits, resolved from the config: the limits of every course
// (queue_limit and `limits`) and of the courses that override some of them.
struct AdmissionLimits {
  store::QueueLimits defaults;
  std::map<std::string, store::QueueLimits> courses;

  // The limits of `course_id`.
  const store::QueueLimits& For(const std::string& course_id) const;
};

// The admission limits of a config with defaults applied.
AdmissionLimits AdmissionLimitsOf(const gograder::v1::DaemonConfig& config);

// True for 127.0.0.0/8, ::1 and localhost listen addresses ("host:port").
bool IsLoopbackAddress(absl::string_view address);

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_CONFIG_H_
