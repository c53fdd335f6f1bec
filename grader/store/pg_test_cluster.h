// A throwaway PostgreSQL cluster for tests: initdb into a fresh temporary
// directory, a server on a Unix socket in that directory (and, when asked,
// on 127.0.0.1 at a free port), one database; stopped and removed on
// destruction.
//
// PostgreSQL refuses to run as root. When the tests run as root (CI does),
// initdb and pg_ctl run as the unprivileged user `postgres` (Debian's
// postgresql package makes it) through setpriv, in a directory handed to
// that user; otherwise they run as the test's own user.
#ifndef GOGRADER_GRADER_STORE_PG_TEST_CLUSTER_H_
#define GOGRADER_GRADER_STORE_PG_TEST_CLUSTER_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/temp_dir.h"
#include "gtest/gtest.h"

namespace gograder::store {

struct PgTestClusterOptions {
  // Also listen on 127.0.0.1 (at the cluster's port, a free one).
  bool tcp = false;
  // The superuser's password; empty = every local connection is trusted.
  // With a password, every connection must give it (scram-sha-256).
  std::string password;
  // The database made for the test.
  std::string database = "gograder_test";
};

class PgTestCluster {
 public:
  // Makes and starts the cluster, and creates the database. Without the
  // PostgreSQL server (initdb) installed: FailedPrecondition (run
  // scripts/setup).
  static absl::StatusOr<std::unique_ptr<PgTestCluster>> Start(
      const PgTestClusterOptions& options = {});

  PgTestCluster(const PgTestCluster&) = delete;
  PgTestCluster& operator=(const PgTestCluster&) = delete;
  // Stops the server (immediate shutdown) and removes its directory.
  ~PgTestCluster();

  // A conninfo for the test database over the Unix socket, as the superuser
  // (without the password).
  std::string conninfo() const;
  // The same over TCP on 127.0.0.1 (options.tcp).
  std::string tcp_conninfo() const;
  // The superuser's name, and the server's port.
  const std::string& user() const { return user_; }
  int port() const { return port_; }

  // Stops the server at once (its clients lose their connections).
  absl::Status Stop();

 private:
  PgTestCluster(PgTestClusterOptions options, std::string bindir)
      : options_(std::move(options)), bindir_(std::move(bindir)), dir_("pg-test-") {}

  // initdb, pg_ctl start, CREATE DATABASE.
  absl::Status Init();
  // Runs a PostgreSQL program of bindir_ (as `postgres` when we are root);
  // its output goes to `log`, quoted in the error when it fails.
  absl::Status RunTool(const std::vector<std::string>& argv, const std::string& log);

  PgTestClusterOptions options_;
  std::string bindir_;
  TempDir dir_;
  std::string user_ = "postgres";
  int port_ = 5432;
  bool running_ = false;
};

// A GoogleTest fixture whose suite shares one cluster, started with
// `Suite::ClusterOptions()` (the defaults unless the suite says otherwise)
// before its first test and stopped after its last. Every test of the suite
// fails in SetUp when the cluster could not start.
//   class FooTest : public PgClusterTest<FooTest> {
//    public:
//     static PgTestClusterOptions ClusterOptions() { return {.tcp = true}; }
//   };
template <typename Suite>
class PgClusterTest : public ::testing::Test {
 public:
  static PgTestClusterOptions ClusterOptions() { return {}; }

 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<PgTestCluster>> cluster =
        PgTestCluster::Start(Suite::ClusterOptions());
    if (cluster.ok()) {
      cluster_ = std::move(cluster).value();
    } else {
      start_error_ = cluster.status();
    }
  }
  static void TearDownTestSuite() { cluster_.reset(); }
  void SetUp() override { ASSERT_NE(cluster_, nullptr) << "no test cluster: " << start_error_; }

  // The suite's cluster (set in every test that runs past SetUp).
  static PgTestCluster& cluster() { return *cluster_; }

 private:
  static inline std::unique_ptr<PgTestCluster> cluster_;
  static inline absl::Status start_error_;
};

// A TCP port on 127.0.0.1 that nothing listens on just now.
absl::StatusOr<int> FreeLoopbackPort();

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_PG_TEST_CLUSTER_H_
