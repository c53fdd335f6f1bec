#include "grader/server/record.h"

#include "grader/server/metrics.h"

#define GOGRADER_RECORD(call) \
  if (handle.metrics) handle.metrics->call

namespace gograder::server {

absl::StatusOr<MetricsHandle> CreateMetrics(const std::string& listen_address) {
  auto metrics = Metrics::Create(listen_address);
  if (!metrics.ok()) return metrics.status();
  return MetricsHandle{std::shared_ptr<Metrics>(std::move(*metrics))};
}

void RecordRpc(const MetricsHandle& handle, absl::string_view method, int grpc_code,
               double seconds) {
  GOGRADER_RECORD(RpcFinished(method, grpc_code, seconds));
}
void RecordAccepted(const MetricsHandle& handle, const std::string& exercise) {
  GOGRADER_RECORD(SubmissionAccepted(exercise));
}
void RecordRejected(const MetricsHandle& handle, absl::string_view reason) {
  GOGRADER_RECORD(SubmissionRejected(reason));
}
void RecordFinished(const MetricsHandle& handle, const std::string& exercise,
                    absl::string_view outcome, double score, double seconds) {
  GOGRADER_RECORD(SubmissionFinished(exercise, outcome, score, seconds));
}
void RecordStep(const MetricsHandle& handle, gograder::v1::Step step,
                gograder::v1::SandboxResult::Verdict verdict, double seconds) {
  GOGRADER_RECORD(StepFinished(step, verdict, seconds));
}
void RecordQueue(const MetricsHandle& handle, int depth) { GOGRADER_RECORD(SetQueueDepth(depth)); }
void RecordWorkers(const MetricsHandle& handle, int workers, int busy) {
  GOGRADER_RECORD(SetWorkers(workers));
  GOGRADER_RECORD(SetWorkersBusy(busy));
}

void RecordRegrade(const MetricsHandle& handle, const store::Regrade& regrade) {
  int counts[3] = {0, 0, 0};  // pending, graded, failed
  for (const store::RegradeItem& item : regrade.items) ++counts[static_cast<int>(item.state)];
  GOGRADER_RECORD(
      RegradeProgress(regrade.regrade_id, counts[0], counts[1], counts[2], regrade.reverted));
}

}  // namespace gograder::server
