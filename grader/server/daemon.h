// gograderd assembled: config -> store (crash recovery) -> exercise catalog
// (loaded and validated) -> toolchain and one grader per worker -> worker
// pool -> gRPC server (service, health, reflection). Run() serves until
// Shutdown() is called from another thread; ReloadExercises() (SIGHUP) loads
// the rubrics directory again.
#ifndef GOGRADER_GRADER_SERVER_DAEMON_H_
#define GOGRADER_GRADER_SERVER_DAEMON_H_

#include <grpcpp/server.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grader/core/toolchain/slots.h"
#include "grader/server/auth.h"
#include "grader/server/catalog.h"
#include "grader/server/event_hub.h"
#include "grader/server/record.h"
#include "grader/server/service.h"
#include "grader/server/workers.h"
#include "grader/store/store.h"
#include "proto/gograder/v1/config.pb.h"

namespace gograder::server {

struct DaemonOptions {
  gograder::v1::DaemonConfig config;  // defaults applied
  // Running gradings get this long to finish at shutdown; then they are requeued.
  absl::Duration shutdown_grace = absl::Seconds(30);
};

class Daemon {
 public:
  // Validates the config, opens everything and starts serving and grading.
  static absl::StatusOr<std::unique_ptr<Daemon>> Create(DaemonOptions options);
  ~Daemon();

  // Blocks until the server has shut down.
  void Run();

  // Stops accepting calls, lets running gradings finish within the grace
  // period and requeues the rest. OK when every grading finished;
  // DeadlineExceeded when some were requeued (their threads still run: the
  // process should exit now).
  absl::Status Shutdown();

  // Loads the exercises again (SIGHUP) and logs what changed; a catalog that
  // fails validation is not taken and the log says why.
  absl::Status ReloadExercises();

  // The bound "host:port" of the gRPC server.
  const std::string& address() const { return address_; }

 private:
  Daemon() = default;

  DaemonOptions options_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<ExerciseCatalog> catalog_;
  std::unique_ptr<EventHub> events_;
  MetricsHandle metrics_;
  std::vector<core::SlotLease> slots_;  // one per worker and the tools', held while the daemon runs
  std::unique_ptr<core::Grader> tools_;  // runs FindSimilar's inspector on the last slot
  std::mutex tools_mutex_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<GraderService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_DAEMON_H_
