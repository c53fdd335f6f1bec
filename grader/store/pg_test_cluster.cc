#include "grader/store/pg_test_cluster.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "base/fd.h"
#include "base/files.h"
#include "base/process.h"
#include "base/status_macros.h"
#include "grader/store/pg_conninfo.h"
#include "grader/store/pg_db.h"

namespace gograder::store {
namespace {

namespace fs = std::filesystem;

// The unprivileged user that runs PostgreSQL when the tests run as root.
constexpr char kServerUser[] = "postgres";
// Where Debian's postgresql-15 puts initdb and pg_ctl when pg_config (from
// libpq-dev) does not say.
constexpr char kDebianBinDir[] = "/usr/lib/postgresql/15/bin";
constexpr absl::Duration kToolTimeout = absl::Seconds(120);

// The directories that may hold initdb: pg_config's answer first.
std::vector<std::string> CandidateBinDirs(const std::string& scratch) {
  std::vector<std::string> dirs;
  ProcessSpec spec;
  spec.argv = {"pg_config", "--bindir"};
  spec.stdout_file = (fs::path(scratch) / "pg_config.out").string();
  spec.timeout = absl::Seconds(10);
  absl::StatusOr<ProcessExit> exit = RunProcess(spec);
  if (exit.ok() && exit->exit_code == 0) {
    std::string dir(absl::StripAsciiWhitespace(ReadFileOrEmpty(spec.stdout_file)));
    if (!dir.empty()) dirs.push_back(dir);
  }
  dirs.push_back(kDebianBinDir);
  return dirs;
}

// The last `bytes` of a log, for an error message.
std::string Tail(const std::string& path, size_t bytes = 2000) {
  std::string text = ReadFileOrEmpty(path);
  if (text.size() > bytes) text = absl::StrCat("...", text.substr(text.size() - bytes));
  return std::string(absl::StripTrailingAsciiWhitespace(text));
}

}  // namespace

absl::StatusOr<int> FreeLoopbackPort() {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoStatus("socket");
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return ErrnoStatus("bind 127.0.0.1:0");
  }
  return ntohs(address.sin_port);
}

absl::StatusOr<std::unique_ptr<PgTestCluster>> PgTestCluster::Start(
    const PgTestClusterOptions& options) {
  for (char c : options.database) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      return absl::InvalidArgumentError(
          absl::StrCat("test database name \"", options.database, "\": use a-z, 0-9 and _"));
    }
  }
  TempDir scratch("pg-config-");
  if (scratch.path().empty()) return absl::InternalError("cannot make a temporary directory");
  std::vector<std::string> candidates = CandidateBinDirs(scratch.path());
  std::string bindir;
  for (const std::string& dir : candidates) {
    if (access((fs::path(dir) / "initdb").c_str(), X_OK) == 0) {
      bindir = dir;
      break;
    }
  }
  if (bindir.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the PostgreSQL server is not installed (no initdb in ", absl::StrJoin(candidates, " or "),
        "): run scripts/setup (Debian package postgresql)"));
  }
  auto cluster = std::unique_ptr<PgTestCluster>(new PgTestCluster(options, bindir));
  if (cluster->dir_.path().empty()) {
    return absl::InternalError("cannot make a temporary directory for the test cluster");
  }
  RETURN_IF_ERROR(cluster->Init());
  return cluster;
}

absl::Status PgTestCluster::RunTool(const std::vector<std::string>& argv, const std::string& log) {
  ProcessSpec spec;
  if (geteuid() == 0) {
    spec.argv = {"setpriv", absl::StrCat("--reuid=", kServerUser),
                 absl::StrCat("--regid=", kServerUser), "--init-groups", "--"};
  }
  spec.argv.insert(spec.argv.end(), argv.begin(), argv.end());
  spec.cwd = dir_.path();
  spec.stdout_file = spec.stderr_file = log;
  spec.timeout = kToolTimeout;
  ASSIGN_OR_RETURN(ProcessExit exit, RunProcess(spec));
  if (exit.exit_code == 0 && !exit.timed_out) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(
      absl::StrJoin(spec.argv, " "),
      exit.timed_out ? " timed out" : absl::StrCat(" failed (exit ", exit.exit_code, ")"), ":\n",
      Tail(log)));
}

absl::Status PgTestCluster::Init() {
  const fs::path dir = dir_.path();
  if (geteuid() == 0) {
    // The server's user owns the directory (initdb makes data/ in it, the
    // server its socket); root reaches it all the same.
    passwd* user = getpwnam(kServerUser);
    if (user == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("running as root, but there is no user ", kServerUser,
                       " to run PostgreSQL as: run scripts/setup (Debian package postgresql)"));
    }
    if (chown(dir.c_str(), user->pw_uid, user->pw_gid) != 0) {
      return ErrnoStatus(absl::StrCat("chown ", dir.string()));
    }
  }
  if (options_.tcp) {
    ASSIGN_OR_RETURN(port_, FreeLoopbackPort());
  }

  std::vector<std::string> initdb = {(fs::path(bindir_) / "initdb").string(),
                                     "-D",
                                     (dir / "data").string(),
                                     "-U",
                                     user_,
                                     "--no-sync",
                                     "--encoding=UTF8",
                                     "--locale=C"};
  if (options_.password.empty()) {
    initdb.push_back("--auth=trust");
  } else {
    // initdb reads the password as the server's user.
    const fs::path pwfile = dir / "pwfile";
    RETURN_IF_ERROR(WriteWholeFile(pwfile, options_.password + "\n"));
    if (geteuid() == 0) {
      passwd* user = getpwnam(kServerUser);
      if (chown(pwfile.c_str(), user->pw_uid, user->pw_gid) != 0) {
        return ErrnoStatus(absl::StrCat("chown ", pwfile.string()));
      }
    }
    initdb.insert(initdb.end(),
                  {"--auth=scram-sha-256", absl::StrCat("--pwfile=", pwfile.string())});
  }
  RETURN_IF_ERROR(RunTool(initdb, (dir / "initdb.log").string()));

  std::string server_options =
      absl::StrCat("-k '", dir.string(), "' -p ", port_, " -c listen_addresses='",
                   options_.tcp ? "127.0.0.1" : "", "' -c fsync=off -c full_page_writes=off");
  absl::Status started =
      RunTool({(fs::path(bindir_) / "pg_ctl").string(), "-D", (dir / "data").string(), "-l",
               (dir / "server.log").string(), "-w", "-t", "60", "-o", server_options, "start"},
              (dir / "pg_ctl.log").string());
  if (!started.ok()) {
    return absl::Status(started.code(), absl::StrCat(started.message(), "\nserver log:\n",
                                                     Tail((dir / "server.log").string())));
  }
  running_ = true;

  std::string admin = absl::StrCat("host=", QuotedConninfoValue(dir.string()), " port=", port_,
                                   " user=", user_, " dbname=postgres");
  if (!options_.password.empty()) {
    absl::StrAppend(&admin, " password=", QuotedConninfoValue(options_.password));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> connection, PgConnection::Open(admin));
  return connection->Exec(absl::StrCat("CREATE DATABASE ", options_.database));
}

PgTestCluster::~PgTestCluster() { Stop().IgnoreError(); }

std::string PgTestCluster::conninfo() const {
  return absl::StrCat("host=", QuotedConninfoValue(dir_.path()), " port=", port_, " user=", user_,
                      " dbname=", options_.database);
}

std::string PgTestCluster::tcp_conninfo() const {
  return absl::StrCat("host=127.0.0.1 port=", port_, " user=", user_,
                      " dbname=", options_.database);
}

absl::Status PgTestCluster::Stop() {
  if (!running_) return absl::OkStatus();
  running_ = false;
  const fs::path dir = dir_.path();
  return RunTool({(fs::path(bindir_) / "pg_ctl").string(), "-D", (dir / "data").string(), "-m",
                  "immediate", "-w", "stop"},
                 (dir / "pg_ctl-stop.log").string());
}

}  // namespace gograder::store
