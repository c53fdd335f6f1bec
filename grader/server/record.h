// Small helpers through which the service and the workers record metrics.
// A handle without metrics records nothing.
#ifndef GOGRADER_GRADER_SERVER_RECORD_H_
#define GOGRADER_GRADER_SERVER_RECORD_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grader/store/store.h"
#include "proto/gograder/v1/rubric.pb.h"
#include "proto/gograder/v1/sandbox.pb.h"

namespace gograder::server {

class Metrics;

// Owns the daemon's Metrics (or nothing when metrics are off).
struct MetricsHandle {
  std::shared_ptr<Metrics> metrics;
};

// Creates the metrics and serves them on `listen_address` ("" = not served).
absl::StatusOr<MetricsHandle> CreateMetrics(const std::string& listen_address);

// One finished RPC.
void RecordRpc(const MetricsHandle& handle, absl::string_view method, int grpc_code,
               double seconds);
// A submission accepted into the queue.
void RecordAccepted(const MetricsHandle& handle, const std::string& exercise);
// A submission refused at the door (invalid_argument, queue_full,
// student_queue_limit, ...).
void RecordRejected(const MetricsHandle& handle, absl::string_view reason);
// A submission that left the queue (graded, grading_failed, cancelled).
void RecordFinished(const MetricsHandle& handle, const std::string& exercise,
                    absl::string_view outcome, double score, double seconds);
// One finished grading step.
void RecordStep(const MetricsHandle& handle, gograder::v1::Step step,
                gograder::v1::SandboxResult::Verdict verdict, double seconds);
// Queue depth and worker gauges.
void RecordQueue(const MetricsHandle& handle, int depth);
void RecordWorkers(const MetricsHandle& handle, int workers, int busy);
// How far a regrade got (the regrade progress gauges).
void RecordRegrade(const MetricsHandle& handle, const store::Regrade& regrade);

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_RECORD_H_
