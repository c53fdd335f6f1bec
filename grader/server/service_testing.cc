#include "grader/server/service_testing.h"

#include <grpcpp/create_channel.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace gograder::server {

namespace fs = std::filesystem;

std::vector<std::string> ExerciseIdsIn(const std::string& rubrics_dir) {
  std::vector<std::string> ids;
  std::error_code error;
  for (const auto& phase : std::filesystem::directory_iterator(rubrics_dir, error)) {
    if (!phase.is_directory()) continue;
    for (const auto& exercise : std::filesystem::directory_iterator(phase.path(), error)) {
      if (std::filesystem::is_regular_file(exercise.path() / "exercise.textproto", error)) {
        ids.push_back(phase.path().filename().string() + "/" + exercise.path().filename().string());
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::StatusOr<std::unique_ptr<TestService>> TestService::Start(TestServiceOptions options) {
  if (options.dir.empty()) return absl::InvalidArgumentError("TestService needs a directory");
  if (options.rubrics_dir.empty()) options.rubrics_dir = GOGRADER_SOURCE_DIR "/rubrics";
  std::unique_ptr<TestService> test(new TestService());
  ASSIGN_OR_RETURN(test->store_,
                   store::OpenSqliteStore((fs::path(options.dir) / "gograder.db").string()));
  test->events_ = std::make_unique<EventHub>(test->store_.get());
  ASSIGN_OR_RETURN(test->catalog_, ExerciseCatalog::Load(options.rubrics_dir));
  ASSIGN_OR_RETURN(test->auth_, Authenticator::Create(options.tokens_file));
  ServiceOptions service;
  service.store = test->store_.get();
  service.auth = test->auth_.get();
  service.catalog = test->catalog_.get();
  service.events = test->events_.get();
  service.data_dir = options.dir;
  service.metrics = options.metrics;
  service.watch_fallback = options.watch_fallback;
  service.limits = options.limits;
  ASSIGN_OR_RETURN(test->service_, GraderService::Create(std::move(service)));
  ListenerOptions listener;
  listener.listen_address = "127.0.0.1:0";
  listener.tls = options.tls;
  listener.services = {test->service_.get()};
  ASSIGN_OR_RETURN(test->listener_, StartListener(listener));
  return test;
}

TestService::~TestService() {
  if (listener_.server)
    listener_.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

std::unique_ptr<gograder::v1::Grader::Stub> TestService::NewStub(
    std::shared_ptr<grpc::ChannelCredentials> credentials) const {
  if (credentials == nullptr) credentials = grpc::InsecureChannelCredentials();
  return gograder::v1::Grader::NewStub(grpc::CreateChannel(address(), credentials));
}

absl::StatusOr<std::string> InsertSubmission(store::Store& store, const std::string& exercise_id,
                                             const std::string& files_dir) {
  store::NewSubmission submission{exercise_id, "cs101", "ann", "1", "", files_dir, "digest"};
  ASSIGN_OR_RETURN(store::InsertOutcome outcome, store.Insert(submission, {}));
  return outcome.submission.submission_id();
}

}  // namespace gograder::server
