#include "grader/server/config.h"

#include <filesystem>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"
#include "base/text_proto.h"
#include "grader/core/toolchain/slots.h"

namespace gograder::server {
namespace {

namespace fs = std::filesystem;
using ::gograder::v1::DaemonConfig;

// Splits "host:port" / "[v6]:port"; false when malformed.
bool SplitHostPort(absl::string_view address, std::string& host, int& port) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  host = std::string(address.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return absl::SimpleAtoi(address.substr(colon + 1), &port) && port >= 0 && port <= 65535;
}

// The fields of a QueueLimits proto, by name.
struct LimitField {
  const char* name;
  bool (v1::QueueLimits::*has)() const;
  int32_t (v1::QueueLimits::*get)() const;
  int store::QueueLimits::*target;
};
constexpr LimitField kLimitFields[] = {
    {"queued_per_student", &v1::QueueLimits::has_queued_per_student,
     &v1::QueueLimits::queued_per_student, &store::QueueLimits::queued_per_student},
    {"queued_per_course", &v1::QueueLimits::has_queued_per_course,
     &v1::QueueLimits::queued_per_course, &store::QueueLimits::queued_per_course},
    {"hourly_per_student", &v1::QueueLimits::has_hourly_per_student,
     &v1::QueueLimits::hourly_per_student, &store::QueueLimits::hourly_per_student},
    {"hourly_per_course", &v1::QueueLimits::has_hourly_per_course,
     &v1::QueueLimits::hourly_per_course, &store::QueueLimits::hourly_per_course},
};

// `limits` with the fields set in `overrides` replaced.
store::QueueLimits Override(store::QueueLimits limits, const v1::QueueLimits& overrides) {
  for (const LimitField& field : kLimitFields) {
    if ((overrides.*field.has)()) limits.*field.target = (overrides.*field.get)();
  }
  return limits;
}

// Negative limits, in `where`, one problem each.
void CheckLimits(const v1::QueueLimits& limits, absl::string_view where,
                 std::vector<std::string>& problems) {
  for (const LimitField& field : kLimitFields) {
    if ((limits.*field.get)() < 0) {
      problems.push_back(absl::StrCat(where, field.name, " ", (limits.*field.get)(),
                                      " must be >= 0 (0 = unlimited)"));
    }
  }
}

}  // namespace

absl::StatusOr<DaemonConfig> LoadConfig(const std::string& path) {
  DaemonConfig config;
  RETURN_IF_ERROR(ParseTextProtoFile(path, &config));
  return config;
}

namespace {

// Beside gograderd when installed; in the build tree (build/grader/daemon)
// the companions are built in build/sandbox and build/grader/inspector.
std::string Companion(const std::string& binary_dir, const std::string& name,
                      const fs::path& build_location) {
  fs::path beside = fs::path(binary_dir) / name;
  fs::path in_build = fs::path(binary_dir) / ".." / ".." / build_location / name;
  std::error_code error;
  if (!fs::exists(beside, error) && fs::exists(in_build, error))
    return in_build.lexically_normal().string();
  return beside.string();
}

}  // namespace

void ApplyDefaults(DaemonConfig& config, const std::string& binary_dir) {
  if (config.listen_address().empty()) config.set_listen_address("127.0.0.1:50051");
  if (config.metrics_address().empty()) config.set_metrics_address("127.0.0.1:9464");
  if (config.data_dir().empty()) config.set_data_dir("/var/lib/gograder");
  if (config.sandbox_binary().empty()) {
    config.set_sandbox_binary(Companion(binary_dir, "gograder-sandbox", "sandbox"));
  }
  if (config.inspector_binary().empty()) {
    config.set_inspector_binary(
        Companion(binary_dir, "gograder-inspector", fs::path("grader") / "inspector"));
  }
  if (config.workers() == 0) config.set_workers(core::DefaultGradingWorkers());
  if (config.queue_limit() == 0) config.set_queue_limit(1000);
  if (config.max_submission_bytes() == 0) config.set_max_submission_bytes(16 << 20);
  if (config.first_slot() == 0) config.set_first_slot(100);
  if (config.database().empty())
    config.set_database((fs::path(config.data_dir()) / "gograder.db").string());
  if (config.lease_seconds() == 0) config.set_lease_seconds(50);
}

const store::QueueLimits& AdmissionLimits::For(const std::string& course_id) const {
  auto found = courses.find(course_id);
  return found == courses.end() ? defaults : found->second;
}

AdmissionLimits AdmissionLimitsOf(const DaemonConfig& config) {
  AdmissionLimits limits;
  limits.defaults.queued = config.queue_limit();
  limits.defaults = Override(limits.defaults, config.limits());
  for (const v1::CourseQueueLimits& course : config.course_limits())
    limits.courses[course.course_id()] = Override(limits.defaults, course.limits());
  return limits;
}

bool IsLoopbackAddress(absl::string_view address) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(address, host, port)) return false;
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::Status ValidateConfig(const DaemonConfig& config) {
  std::vector<std::string> problems;
  std::string host;
  int port = 0;
  if (!SplitHostPort(config.listen_address(), host, port)) {
    problems.push_back(
        absl::StrCat("listen_address \"", config.listen_address(), "\" is not host:port"));
  } else if (!IsLoopbackAddress(config.listen_address()) && config.auth().tokens_file().empty()) {
    problems.push_back(
        absl::StrCat("listen_address \"", config.listen_address(),
                     "\" is not loopback: refusing to serve it without auth.tokens_file "
                     "(every caller would be an admin)"));
  }
  if (config.lease_seconds() < 4) {
    problems.push_back(absl::StrCat("lease_seconds ", config.lease_seconds(),
                                    " is too short: at least 4 (it is renewed every quarter)"));
  }
  if (config.metrics_address() != kMetricsOff &&
      !SplitHostPort(config.metrics_address(), host, port)) {
    problems.push_back(absl::StrCat("metrics_address \"", config.metrics_address(),
                                    "\" is not host:port (or \"off\")"));
  }
  // Paths are looked up with error codes: a name the file system refuses
  // (too long, a loop) makes the path invalid, it does not throw.
  std::error_code error;
  if (config.rubrics_dir().empty()) {
    problems.push_back("rubrics_dir is required");
  } else if (!fs::is_directory(config.rubrics_dir(), error)) {
    problems.push_back(
        absl::StrCat("rubrics_dir \"", config.rubrics_dir(), "\" is not a directory"));
  }
  if (!fs::path(config.data_dir()).is_absolute()) {
    problems.push_back(
        absl::StrCat("data_dir \"", config.data_dir(), "\" must be an absolute path"));
  }
  for (const auto& [name, path] :
       {std::pair<std::string, std::string>{"sandbox_binary", config.sandbox_binary()},
        {"inspector_binary", config.inspector_binary()}}) {
    if (!fs::path(path).is_absolute() || !fs::is_regular_file(path, error)) {
      problems.push_back(
          absl::StrCat(name, " \"", path, "\" is not an existing file (absolute path)"));
    }
  }
  if (config.workers() < 1 || config.workers() > 256) {
    problems.push_back(absl::StrCat("workers ", config.workers(), " must be in 1..256"));
  }
  if (config.queue_limit() < 1)
    problems.push_back(absl::StrCat("queue_limit ", config.queue_limit(), " must be >= 1"));
  CheckLimits(config.limits(), "limits.", problems);
  std::set<std::string> courses;
  for (int i = 0; i < config.course_limits_size(); ++i) {
    const v1::CourseQueueLimits& course = config.course_limits(i);
    std::string where = absl::StrCat("course_limits[", i, "]");
    if (course.course_id().empty()) {
      problems.push_back(absl::StrCat(where, " has no course_id"));
    } else if (!courses.insert(course.course_id()).second) {
      problems.push_back(
          absl::StrCat(where, ": course \"", course.course_id(), "\" has limits already"));
    }
    CheckLimits(course.limits(), absl::StrCat(where, ".limits."), problems);
  }
  if (config.max_submission_bytes() < 1 || config.max_submission_bytes() > (int64_t{1} << 30)) {
    problems.push_back(absl::StrCat("max_submission_bytes ", config.max_submission_bytes(),
                                    " must be in 1..1 GiB"));
  }
  // The workers' slots and FindSimilar's after them. In 64 bits: both are
  // int32 fields, and their sum may not fit one.
  const int64_t last_slot = int64_t{config.first_slot()} + config.workers();
  if (config.first_slot() < 0 || last_slot > 1023) {
    problems.push_back(absl::StrCat("sandbox slots ", config.first_slot(), "..", last_slot,
                                    " must lie in 0..1023"));
  }
  if (config.tls().cert_file().empty() != config.tls().key_file().empty()) {
    problems.push_back("tls needs both cert_file and key_file");
  }
  for (const std::string& file :
       {config.tls().cert_file(), config.tls().key_file(), config.auth().tokens_file()}) {
    if (!file.empty() && !fs::is_regular_file(file, error))
      problems.push_back(absl::StrCat("\"", file, "\" does not exist"));
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid config:\n  ", absl::StrJoin(problems, "\n  ")));
}

}  // namespace gograder::server
