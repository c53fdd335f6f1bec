// The gograder.v1.Grader service: RPC handlers as thin adapters. Each one
// authenticates the caller, turns the request into store/intake/core calls,
// maps our failures through ToGrpcStatus and records the RPC's metrics.
#ifndef GOGRADER_GRADER_SERVER_SERVICE_H_
#define GOGRADER_GRADER_SERVER_SERVICE_H_

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "grader/server/auth.h"
#include "grader/server/record.h"
#include "grader/store/store.h"
#include "proto/gograder/v1/grader.grpc.pb.h"

namespace gograder::server {

struct ServiceOptions {
  store::Store* store = nullptr;              // not owned
  const Authenticator* auth = nullptr;        // not owned
  std::string rubrics_dir;
  std::string data_dir;                       // submissions/<dir>/ hold the intaken files
  int queue_limit = 1000;
  int64_t max_submission_bytes = 16 << 20;
  std::function<void()> wake_workers;         // called when work was queued
  std::function<void(const std::string&)> stop_grading;  // called when a running submission was cancelled
  MetricsHandle metrics;
  absl::Duration watch_poll = absl::Milliseconds(100);
};

class GraderService final : public gograder::v1::Grader::Service {
 public:
  // Loads the exercise list (the ids Submit accepts).
  static absl::StatusOr<std::unique_ptr<GraderService>> Create(ServiceOptions options);

  // Stores a submission (intake + go.mod checks first) and queues it.
  grpc::Status Submit(grpc::ServerContext* context, const gograder::v1::SubmitRequest* request,
                      gograder::v1::SubmitResponse* response) override;
  // Submit, then wait for the report until the call's deadline.
  grpc::Status Grade(grpc::ServerContext* context, const gograder::v1::SubmitRequest* request,
                     gograder::v1::Submission* response) override;
  // Streams the stored events of a submission, then new ones, until the final one.
  grpc::Status Watch(grpc::ServerContext* context, const gograder::v1::WatchRequest* request,
                     grpc::ServerWriter<gograder::v1::WatchEvent>* writer) override;
  // The submission with its latest report.
  grpc::Status GetReport(grpc::ServerContext* context, const gograder::v1::GetReportRequest* request,
                         gograder::v1::Submission* response) override;
  // Filtered, paged submissions, newest first.
  grpc::Status ListSubmissions(grpc::ServerContext* context, const gograder::v1::ListSubmissionsRequest* request,
                               gograder::v1::ListSubmissionsResponse* response) override;
  // Cancels a queued or running grading.
  grpc::Status Cancel(grpc::ServerContext* context, const gograder::v1::CancelRequest* request,
                      gograder::v1::Submission* response) override;
  // Queues a stored submission again (teachers and admins).
  grpc::Status Regrade(grpc::ServerContext* context, const gograder::v1::RegradeRequest* request,
                       gograder::v1::SubmitResponse* response) override;
  // The exercises of the rubrics directory.
  grpc::Status ListExercises(grpc::ServerContext* context, const gograder::v1::ListExercisesRequest* request,
                             gograder::v1::ListExercisesResponse* response) override;
  // Statement and starter files of one exercise (never hidden tests or the reference).
  grpc::Status GetExercise(grpc::ServerContext* context, const gograder::v1::GetExerciseRequest* request,
                           gograder::v1::ExerciseInfo* response) override;

 private:
  explicit GraderService(ServiceOptions options) : options_(std::move(options)) {}

  absl::StatusOr<Caller> Authenticate(const grpc::ServerContext& context) const;
  absl::StatusOr<gograder::v1::SubmitResponse> DoSubmit(const Caller& caller,
                                                        const gograder::v1::SubmitRequest& request);
  absl::StatusOr<gograder::v1::Submission> ReadableSubmission(const Caller& caller, const std::string& id) const;
  absl::Status DoWatch(grpc::ServerContext& context, const Caller& caller, const std::string& id,
                       grpc::ServerWriter<gograder::v1::WatchEvent>& writer);
  absl::StatusOr<gograder::v1::Submission> WaitForFinal(grpc::ServerContext& context, const std::string& id);
  grpc::Status Finish(absl::string_view method, absl::Time start, const absl::Status& status);

  ServiceOptions options_;
  std::set<std::string> exercise_ids_;
};

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_SERVICE_H_
