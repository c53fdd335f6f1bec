// The gograder.v1.Grader service: RPC handlers as thin adapters. Each one
// goes through Serve (authenticate the caller, take the call's deadline, map
// our failures through ToGrpcStatus, record the RPC's metrics) and turns the
// request into store/intake/catalog calls. Watch and Grade wait for news from
// the EventHub, not by polling the store.
#ifndef GOGRADER_GRADER_SERVER_SERVICE_H_
#define GOGRADER_GRADER_SERVER_SERVICE_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grader/server/auth.h"
#include "grader/server/catalog.h"
#include "grader/server/config.h"
#include "grader/server/event_hub.h"
#include "grader/server/record.h"
#include "grader/store/store.h"
#include "proto/gograder/v1/grader.grpc.pb.h"

namespace gograder::server {

struct ServiceOptions {
  store::Store* store = nullptr;        // not owned
  const Authenticator* auth = nullptr;  // not owned
  ExerciseCatalog* catalog = nullptr;   // not owned; shared with the workers
  EventHub* events = nullptr;           // not owned; shared with the workers
  std::string data_dir;                 // submissions/<dir>/ hold the intaken files
  AdmissionLimits limits{.defaults = {.queued = 1000}};  // checked by the store's Insert
  int64_t max_submission_bytes = 16 << 20;
  std::function<void()> wake_workers;  // called when work was queued
  std::function<void(const std::string&)>
      stop_grading;  // called when a running submission was cancelled
  // The inspector's -tokens JSON of a module directory (run in the sandbox);
  // without it FindSimilar is unavailable.
  std::function<absl::StatusOr<std::string>(const std::string&)> inspector_tokens;
  MetricsHandle metrics;
  // Watch and Grade wake on EventHub news; without news they still re-read
  // the store this often (an event written by another process).
  absl::Duration watch_fallback = absl::Seconds(5);
};

class GraderService final : public gograder::v1::Grader::Service {
 public:
  // Checks that the options name a store, auth, catalog and event hub.
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
  grpc::Status GetReport(grpc::ServerContext* context,
                         const gograder::v1::GetReportRequest* request,
                         gograder::v1::Submission* response) override;
  // Filtered, paged submissions, newest first.
  grpc::Status ListSubmissions(grpc::ServerContext* context,
                               const gograder::v1::ListSubmissionsRequest* request,
                               gograder::v1::ListSubmissionsResponse* response) override;
  // Cancels a queued or running grading.
  grpc::Status Cancel(grpc::ServerContext* context, const gograder::v1::CancelRequest* request,
                      gograder::v1::Submission* response) override;
  // Queues a stored submission again (teachers and admins).
  grpc::Status Regrade(grpc::ServerContext* context, const gograder::v1::RegradeRequest* request,
                       gograder::v1::SubmitResponse* response) override;
  // Which students of a course copied, among the latest submissions for an
  // exercise (teachers and admins).
  grpc::Status FindSimilar(grpc::ServerContext* context,
                           const gograder::v1::FindSimilarRequest* request,
                           gograder::v1::FindSimilarResponse* response) override;
  // The gradebook of a course's exercise as CSV, in chunks (teachers and
  // admins; service_teachers.cc).
  grpc::Status ExportGradebook(grpc::ServerContext* context,
                               const gograder::v1::ExportGradebookRequest* request,
                               grpc::ServerWriter<gograder::v1::CsvChunk>* writer) override;
  // Grades an exercise's finished submissions again; streams progress, then
  // the summary of score changes (teachers and admins).
  grpc::Status RegradeAll(grpc::ServerContext* context,
                          const gograder::v1::RegradeAllRequest* request,
                          grpc::ServerWriter<gograder::v1::RegradeEvent>* writer) override;
  // Restores the reports that were current before a regrade (teachers and admins).
  grpc::Status RevertRegrade(grpc::ServerContext* context,
                             const gograder::v1::RevertRegradeRequest* request,
                             gograder::v1::RevertRegradeResponse* response) override;
  // The exercises of the catalog.
  grpc::Status ListExercises(grpc::ServerContext* context,
                             const gograder::v1::ListExercisesRequest* request,
                             gograder::v1::ListExercisesResponse* response) override;
  // Statement and starter files of one exercise (never hidden tests or the reference).
  grpc::Status GetExercise(grpc::ServerContext* context,
                           const gograder::v1::GetExerciseRequest* request,
                           gograder::v1::ExerciseInfo* response) override;
  // Loads the rubrics directory again (admins); a catalog that fails
  // validation is not taken (FailedPrecondition with the reason).
  grpc::Status ReloadExercises(grpc::ServerContext* context,
                               const gograder::v1::ReloadExercisesRequest* request,
                               gograder::v1::ReloadExercisesResponse* response) override;

 private:
  // One authenticated call, as a handler's body sees it.
  struct Call {
    Caller caller;
    grpc::ServerContext& context;
    absl::Time deadline;  // the client's; absl::InfiniteFuture() when none
  };

  explicit GraderService(ServiceOptions options) : options_(std::move(options)) {}

  // Authenticates the caller, runs `body`, maps its status through
  // ToGrpcStatus and records the RPC `method` in the metrics.
  grpc::Status Serve(absl::string_view method, grpc::ServerContext& context,
                     absl::FunctionRef<absl::Status(const Call&)> body);
  absl::StatusOr<Caller> Authenticate(const grpc::ServerContext& context) const;
  absl::StatusOr<gograder::v1::SubmitResponse> DoSubmit(const Caller& caller,
                                                        const gograder::v1::SubmitRequest& request);
  absl::Status AnnounceQueued(const std::string& id, int queue_position);
  absl::StatusOr<gograder::v1::Submission> ReadableSubmission(const Caller& caller,
                                                              const std::string& id) const;
  absl::Status DoWatch(const Call& call, const std::string& id,
                       grpc::ServerWriter<gograder::v1::WatchEvent>& writer);
  absl::StatusOr<gograder::v1::Submission> WaitForFinal(const Call& call, const std::string& id);
  absl::Status AwaitNews(const Call& call, EventHub::Subscription& news, absl::Time until) const;

  ServiceOptions options_;
};

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_SERVICE_H_
