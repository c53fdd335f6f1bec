#include "grader/server/daemon.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grader/core/grading/grade.h"
#include "grader/core/toolchain/toolchain.h"
#include "grader/server/config.h"
#include "base/status_macros.h"

namespace gograder::server {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const gograder::v1::TlsConfig& tls) {
  if (tls.cert_file().empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl;
  ASSIGN_OR_RETURN(std::string cert, ReadPem(tls.cert_file()));
  ASSIGN_OR_RETURN(std::string key, ReadPem(tls.key_file()));
  ssl.pem_key_cert_pairs.push_back({key, cert});
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Create(DaemonOptions options) {
  const gograder::v1::DaemonConfig& config = options.config;
  RETURN_IF_ERROR(ValidateConfig(config));
  std::unique_ptr<Daemon> daemon(new Daemon());
  daemon->options_ = options;

  absl::StatusOr<core::Toolchain> toolchain = core::OpenToolchain(config.data_dir());
  if (!toolchain.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("the Go toolchain in ", config.data_dir(),
                                                      " is not ready (run `gograder --data-dir ", config.data_dir(),
                                                      " toolchain prepare`): ", toolchain.status().message()));
  }
  ASSIGN_OR_RETURN(daemon->auth_, Authenticator::Create(config.auth().tokens_file()));
  ASSIGN_OR_RETURN(daemon->store_, store::OpenSqliteStore(config.database()));
  ASSIGN_OR_RETURN(int recovered, daemon->store_->RecoverAfterCrash());
  if (recovered > 0) std::cerr << "gograderd: requeued " << recovered << " grading(s) interrupted by a crash\n";
  ASSIGN_OR_RETURN(daemon->metrics_,
                   CreateMetrics(config.metrics_address() == kMetricsOff ? "" : config.metrics_address()));

  WorkerPoolOptions pool;
  pool.store = daemon->store_.get();
  pool.rubrics_dir = config.rubrics_dir();
  pool.metrics = daemon->metrics_;
  for (int i = 0; i < config.workers(); ++i) {
    core::GraderOptions grader;
    grader.toolchain = *toolchain;
    grader.sandbox_binary = config.sandbox_binary();
    grader.inspector_binary = config.inspector_binary();
    grader.work_root = (fs::path(config.data_dir()) / "work").string();
    grader.slot = config.first_slot() + i;
    ASSIGN_OR_RETURN(auto made, core::Grader::Create(std::move(grader)));
    pool.graders.push_back(std::move(made));
  }

  ServiceOptions service;
  service.store = daemon->store_.get();
  service.auth = daemon->auth_.get();
  service.rubrics_dir = config.rubrics_dir();
  service.data_dir = config.data_dir();
  service.queue_limit = config.queue_limit();
  service.max_submission_bytes = config.max_submission_bytes();
  service.metrics = daemon->metrics_;
  Daemon* self = daemon.get();
  service.wake_workers = [self] {
    if (self->workers_) self->workers_->Wake();
  };
  service.stop_grading = [self](const std::string& submission_id) {
    if (self->workers_) self->workers_->StopGrading(submission_id);
  };
  ASSIGN_OR_RETURN(daemon->service_, GraderService::Create(std::move(service)));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  ASSIGN_OR_RETURN(auto credentials, Credentials(config.tls()));
  int port = 0;
  builder.AddListeningPort(config.listen_address(), credentials, &port);
  builder.RegisterService(daemon->service_.get());
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_submission_bytes() + (1 << 20)));
  daemon->server_ = builder.BuildAndStart();
  if (daemon->server_ == nullptr || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen_address()));
  }
  std::string host = config.listen_address().substr(0, config.listen_address().rfind(':'));
  daemon->address_ = absl::StrCat(host, ":", port);

  ASSIGN_OR_RETURN(daemon->workers_, WorkerPool::Start(std::move(pool)));
  std::cerr << "gograderd: listening on " << daemon->address_ << " (" << config.workers() << " worker(s), database "
            << config.database() << ")" << std::endl;
  return daemon;
}

Daemon::~Daemon() = default;

void Daemon::Run() { server_->Wait(); }

absl::Status Daemon::Shutdown() {
  std::cerr << "gograderd: shutting down: no new calls; running gradings get "
            << absl::FormatDuration(options_.shutdown_grace) << std::endl;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  absl::Status stopped = workers_->Stop(options_.shutdown_grace);
  if (stopped.ok()) return absl::OkStatus();
  auto requeued = store_->RecoverAfterCrash();
  std::cerr << "gograderd: requeued " << (requeued.ok() ? *requeued : 0)
            << " grading(s) that outlived the grace period" << std::endl;
  return stopped;
}

}  // namespace gograder::server
