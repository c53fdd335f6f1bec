// Test support (tests and benchmarks only, never the daemon): the Grader
// service assembled in-process on 127.0.0.1 with an ephemeral port, a real
// SQLite store in a temporary directory, the exercise catalog and the event
// hub, and no workers: a test stands in for them through store() and
// events().
#ifndef GOGRADER_GRADER_SERVER_SERVICE_TESTING_H_
#define GOGRADER_GRADER_SERVER_SERVICE_TESTING_H_

#include <grpcpp/security/credentials.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/temp_dir.h"
#include "grader/server/auth.h"
#include "grader/server/catalog.h"
#include "grader/server/event_hub.h"
#include "grader/server/listener.h"
#include "grader/server/record.h"
#include "grader/server/service.h"
#include "grader/store/store.h"
#include "proto/gograder/v1/grader.grpc.pb.h"

namespace gograder::server {

// The ids of the exercises under `rubrics_dir` (each <phase>/<exercise>
// directory holding an exercise.textproto), sorted: what a catalog of that
// directory lists, found without the catalog.
std::vector<std::string> ExerciseIdsIn(const std::string& rubrics_dir);

struct TestServiceOptions {
  std::string dir;          // the database and the submissions go here (must exist)
  std::string rubrics_dir;  // the repository's rubrics/ unless set
  std::string tokens_file;  // empty: every caller is an ADMIN
  gograder::v1::TlsConfig tls;
  absl::Duration watch_fallback = absl::Seconds(5);
  MetricsHandle metrics;
  AdmissionLimits limits{.defaults = {.queued = 1000}};
};

class TestService {
 public:
  // Opens the store, loads the catalog and starts serving.
  static absl::StatusOr<std::unique_ptr<TestService>> Start(TestServiceOptions options);
  // Shuts the server down (open calls are cancelled).
  ~TestService();

  // A client of the service over plaintext (the default) or `credentials`.
  std::unique_ptr<gograder::v1::Grader::Stub> NewStub(
      std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr) const;

  // What the workers would use: the store, the event hub, the catalog.
  store::Store& store() { return *store_; }
  EventHub& events() { return *events_; }
  ExerciseCatalog& catalog() { return *catalog_; }
  // The bound "127.0.0.1:port".
  const std::string& address() const { return listener_.address; }

 private:
  TestService() = default;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<EventHub> events_;
  std::unique_ptr<ExerciseCatalog> catalog_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<GraderService> service_;
  Listener listener_;
};

// Inserts a QUEUED submission of `exercise_id` (files in `files_dir`, which
// nothing reads) straight into `store` and returns its id.
absl::StatusOr<std::string> InsertSubmission(store::Store& store, const std::string& exercise_id,
                                             const std::string& files_dir);

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_SERVICE_TESTING_H_
