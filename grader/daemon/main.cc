// gograderd: the grading daemon. Thin main: flags -> DaemonOptions ->
// Daemon::Create -> Run; SIGTERM/SIGINT start a graceful shutdown, SIGHUP
// reloads the exercises.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "grader/server/config.h"
#include "grader/server/daemon.h"
#include "grader/store/pg_conninfo.h"

namespace {

namespace fs = std::filesystem;
using ::gograder::server::Daemon;

std::string BinaryDir() {
  std::error_code error;
  fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? "." : self.parent_path().string();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gograderd: the gograder grading service (gRPC)"};
  std::string config_path;
  std::optional<std::string> listen, metrics, data_dir, rubrics, sandbox, inspector, database;
  std::optional<std::string> password_file, password_env, node_id;
  std::optional<int> workers, queue_limit, first_slot, lease_seconds;
  std::optional<int> student_queue_limit, course_queue_limit, student_hourly_limit,
      course_hourly_limit;
  double grace_seconds = 30;
  app.add_option("--config", config_path, "DaemonConfig text proto");
  app.add_option("--listen", listen, "gRPC address (default 127.0.0.1:50051; port 0 picks one)");
  app.add_option("--metrics", metrics, "Prometheus /metrics address, or \"off\"");
  app.add_option("--data-dir", data_dir, "toolchain, submissions and workspaces");
  app.add_option("--db", database,
                 "SQLite database file (default DATA_DIR/gograder.db), or PostgreSQL: a "
                 "postgresql:// URL or a libpq conninfo, without its password");
  app.add_option("--db-password-file", password_file,
                 "PostgreSQL: the password is this file's first line (not world-readable)");
  app.add_option("--db-password-env", password_env,
                 "PostgreSQL: the password is this environment variable's value");
  app.add_option("--node-id", node_id, "this node's name in a shared queue (default host-pid)");
  app.add_option("--lease-seconds", lease_seconds,
                 "a claim not renewed for this long is taken over by another node (default 50)");
  app.add_option("--rubrics", rubrics, "rubrics directory");
  app.add_option("--workers", workers, "gradings at once (default: twice the cores)");
  app.add_option("--queue-limit", queue_limit, "queued submissions before RESOURCE_EXHAUSTED");
  app.add_option("--student-queue-limit", student_queue_limit,
                 "one student's submissions queued at once (0 = unlimited)");
  app.add_option("--course-queue-limit", course_queue_limit,
                 "one course's submissions queued at once (0 = unlimited)");
  app.add_option("--student-hourly-limit", student_hourly_limit,
                 "one student's submissions per hour (0 = unlimited)");
  app.add_option("--course-hourly-limit", course_hourly_limit,
                 "one course's submissions per hour (0 = unlimited)");
  app.add_option("--first-slot", first_slot, "first sandbox slot of the workers");
  app.add_option("--sandbox", sandbox, "gograder-sandbox binary");
  app.add_option("--inspector", inspector, "gograder-inspector binary");
  app.add_option("--shutdown-grace", grace_seconds, "seconds running gradings get at SIGTERM")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  gograder::v1::DaemonConfig config;
  if (!config_path.empty()) {
    auto loaded = gograder::server::LoadConfig(config_path);
    if (!loaded.ok()) {
      std::cerr << "gograderd: " << loaded.status().message() << "\n";
      return 2;
    }
    config = *std::move(loaded);
  }
  auto absolute = [](const std::string& path) {
    std::error_code error;
    return path.empty() ? path : fs::absolute(path, error).lexically_normal().string();
  };
  if (listen) config.set_listen_address(*listen);
  if (metrics) config.set_metrics_address(metrics->empty() ? "off" : *metrics);
  if (data_dir) config.set_data_dir(absolute(*data_dir));
  if (database) {
    config.set_database(gograder::store::IsPostgresDatabase(*database) ? *database
                                                                       : absolute(*database));
  }
  if (password_file) config.set_database_password_file(absolute(*password_file));
  if (password_env) config.set_database_password_env(*password_env);
  if (node_id) config.set_node_id(*node_id);
  if (lease_seconds) config.set_lease_seconds(*lease_seconds);
  if (rubrics) config.set_rubrics_dir(absolute(*rubrics));
  if (sandbox) config.set_sandbox_binary(absolute(*sandbox));
  if (inspector) config.set_inspector_binary(absolute(*inspector));
  if (workers) config.set_workers(*workers);
  if (queue_limit) config.set_queue_limit(*queue_limit);
  if (first_slot) config.set_first_slot(*first_slot);
  gograder::v1::QueueLimits& limits = *config.mutable_limits();
  if (student_queue_limit) limits.set_queued_per_student(*student_queue_limit);
  if (course_queue_limit) limits.set_queued_per_course(*course_queue_limit);
  if (student_hourly_limit) limits.set_hourly_per_student(*student_hourly_limit);
  if (course_hourly_limit) limits.set_hourly_per_course(*course_hourly_limit);
  gograder::server::ApplyDefaults(config, BinaryDir());

  // Signals are taken by one thread with sigwait; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  gograder::server::DaemonOptions options;
  options.config = config;
  options.shutdown_grace = absl::Seconds(grace_seconds);
  auto daemon = Daemon::Create(std::move(options));
  if (!daemon.ok()) {
    std::cerr << "gograderd: " << daemon.status().message() << "\n";
    return 1;
  }
  absl::Status stopped;
  std::thread signal_thread([&] {
    int signal = 0;
    while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) {
      (*daemon)->ReloadExercises().IgnoreError();  // logged; the loaded exercises stay
    }
    std::cerr << "gograderd: " << strsignal(signal) << std::endl;
    stopped = (*daemon)->Shutdown();
  });
  (*daemon)->Run();
  signal_thread.join();
  if (!stopped.ok()) {
    // Some gradings were requeued and their threads still run: leave now.
    std::cerr << "gograderd: stopped (" << stopped.message() << ")" << std::endl;
    std::_Exit(0);
  }
  std::cerr << "gograderd: stopped" << std::endl;
  return 0;
}
