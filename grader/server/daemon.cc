#include "grader/server/daemon.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "grader/core/grading/grade.h"
#include "grader/core/toolchain/toolchain.h"
#include "grader/server/config.h"
#include "grader/server/listener.h"
#include "grader/store/pg_conninfo.h"

namespace gograder::server {

namespace fs = std::filesystem;

absl::StatusOr<std::unique_ptr<Daemon>> Daemon::Create(DaemonOptions options) {
  const gograder::v1::DaemonConfig& config = options.config;
  RETURN_IF_ERROR(ValidateConfig(config));
  std::unique_ptr<Daemon> daemon(new Daemon());
  daemon->options_ = options;

  absl::StatusOr<core::Toolchain> toolchain = core::OpenToolchain(config.data_dir());
  if (!toolchain.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the Go toolchain in ", config.data_dir(), " is not ready (run `gograder --data-dir ",
        config.data_dir(), " toolchain prepare`): ", toolchain.status().message()));
  }
  ASSIGN_OR_RETURN(daemon->auth_, Authenticator::Create(config.auth().tokens_file()));
  ASSIGN_OR_RETURN(store::DatabaseTarget database,
                   store::DatabaseConnInfo(config.database(), {config.database_password_file(),
                                                               config.database_password_env()}));
  store::StoreOptions shared;
  shared.node_id = config.node_id();
  shared.lease = absl::Seconds(config.lease_seconds());
  shared.files_cache_dir = (fs::path(config.data_dir()) / "files-cache").string();
  if (database.kind == store::DatabaseTarget::Kind::kPostgres) {
    ASSIGN_OR_RETURN(daemon->store_, store::OpenPostgresStore(database.conninfo, shared));
  } else {
    ASSIGN_OR_RETURN(daemon->store_, store::OpenSqliteStore(database.sqlite_path, shared));
  }
  daemon->events_ = std::make_unique<EventHub>(daemon->store_.get());
  // News from every node sharing the store: work queued anywhere wakes our
  // workers, a cancel stops the grading if it runs here, an event appended
  // anywhere wakes our watchers.
  Daemon* news_target = daemon.get();
  daemon->store_->SetNewsListener([news_target](const store::News& news) {
    switch (news.kind) {
      case store::News::Kind::kQueued:
        if (news_target->workers_) news_target->workers_->Wake();
        break;
      case store::News::Kind::kCancelled:
        if (news_target->workers_) news_target->workers_->StopGrading(news.submission_id);
        break;
      case store::News::Kind::kEvent:
        news_target->events_->Notify(news.submission_id);
        break;
    }
  });
  ASSIGN_OR_RETURN(int recovered, daemon->store_->RecoverAfterCrash());
  if (recovered > 0)
    std::cerr << "gograderd: requeued " << recovered << " grading(s) interrupted by a crash\n";
  ASSIGN_OR_RETURN(daemon->catalog_, ExerciseCatalog::Load(config.rubrics_dir()));
  ASSIGN_OR_RETURN(
      daemon->metrics_,
      CreateMetrics(config.metrics_address() == kMetricsOff ? "" : config.metrics_address()));

  WorkerPoolOptions pool;
  pool.store = daemon->store_.get();
  pool.catalog = daemon->catalog_.get();
  pool.events = daemon->events_.get();
  pool.metrics = daemon->metrics_;
  pool.renew_every = shared.lease / 4;
  pool.reap_every = std::min(shared.lease / 4, absl::Seconds(5));
  for (int i = 0; i < config.workers(); ++i) {
    core::GraderOptions grader;
    grader.toolchain = *toolchain;
    grader.sandbox_binary = config.sandbox_binary();
    grader.inspector_binary = config.inspector_binary();
    grader.work_root = (fs::path(config.data_dir()) / "work").string();
    grader.reference_cache_dir = (fs::path(config.data_dir()) / "reference-benchmarks").string();
    // A slot in use elsewhere (another daemon, a test suite) would make both
    // wait on each other's runs: refuse to start instead.
    ASSIGN_OR_RETURN(core::SlotLease slot, core::SlotLease::Acquire(config.first_slot() + i));
    grader.slot = slot.slot();
    daemon->slots_.push_back(std::move(slot));
    ASSIGN_OR_RETURN(auto made, core::Grader::Create(std::move(grader)));
    pool.graders.push_back(GradeWith(std::move(made)));
  }

  // FindSimilar's inspector runs on a slot of its own, one run at a time.
  {
    core::GraderOptions tools;
    tools.toolchain = *toolchain;
    tools.sandbox_binary = config.sandbox_binary();
    tools.inspector_binary = config.inspector_binary();
    tools.work_root = (fs::path(config.data_dir()) / "work").string();
    ASSIGN_OR_RETURN(core::SlotLease slot,
                     core::SlotLease::Acquire(config.first_slot() + config.workers()));
    tools.slot = slot.slot();
    daemon->slots_.push_back(std::move(slot));
    ASSIGN_OR_RETURN(daemon->tools_, core::Grader::Create(std::move(tools)));
  }

  ServiceOptions service;
  service.store = daemon->store_.get();
  service.auth = daemon->auth_.get();
  service.catalog = daemon->catalog_.get();
  service.events = daemon->events_.get();
  service.data_dir = config.data_dir();
  service.limits = AdmissionLimitsOf(config);
  service.max_submission_bytes = config.max_submission_bytes();
  service.metrics = daemon->metrics_;
  Daemon* self = daemon.get();
  service.wake_workers = [self] {
    if (self->workers_) self->workers_->Wake();
  };
  service.stop_grading = [self](const std::string& submission_id) {
    if (self->workers_) self->workers_->StopGrading(submission_id);
  };
  service.inspector_tokens = [self](const std::string& dir) -> absl::StatusOr<std::string> {
    std::lock_guard<std::mutex> one_run(self->tools_mutex_);
    return self->tools_->InspectorTokens(dir);
  };
  ASSIGN_OR_RETURN(daemon->service_, GraderService::Create(std::move(service)));

  ListenerOptions listener;
  listener.listen_address = config.listen_address();
  listener.tls = config.tls();
  listener.services = {daemon->service_.get()};
  listener.max_receive_message_bytes = config.max_submission_bytes() + (1 << 20);
  ASSIGN_OR_RETURN(Listener listening, StartListener(listener));
  daemon->server_ = std::move(listening.server);
  daemon->address_ = listening.address;

  ASSIGN_OR_RETURN(daemon->workers_, WorkerPool::Start(std::move(pool)));
  std::cerr << "gograderd: listening on " << daemon->address_ << " (" << config.workers()
            << " worker(s), database " << database.redacted << ")" << std::endl;
  return daemon;
}

Daemon::~Daemon() = default;

void Daemon::Run() { server_->Wait(); }

absl::Status Daemon::Shutdown() {
  std::cerr << "gograderd: shutting down: no new calls; running gradings get "
            << absl::FormatDuration(options_.shutdown_grace) << std::endl;
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  absl::Status stopped = workers_->StopOrRequeue(options_.shutdown_grace);
  if (!stopped.ok()) std::cerr << "gograderd: " << stopped.message() << std::endl;
  return stopped;
}

absl::Status Daemon::ReloadExercises() {
  absl::StatusOr<gograder::v1::ReloadExercisesResponse> reloaded = catalog_->Reload();
  std::cerr << "gograderd: SIGHUP: " << DescribeReload(reloaded) << std::endl;
  return reloaded.status();
}

}  // namespace gograder::server
