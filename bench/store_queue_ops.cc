// The queue's own speed, PostgreSQL beside SQLite (not a test): submissions
// inserted, then claimed and finished with a fake report (no grading), by one
// thread and by several, on a fresh store per round. PostgreSQL runs in the
// tests' throwaway local cluster (initdb + pg_ctl, Unix socket, fsync off):
// the numbers are the queue's, not the disk's; SQLite syncs (WAL, FULL). Prints each phase's
// median operations per second over the rounds and PostgreSQL / SQLite.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "base/files.h"
#include "base/temp_dir.h"
#include "grader/store/pg_db.h"
#include "grader/store/store.h"
#include "grader/store/store_backends_testing.h"

namespace {

namespace fs = std::filesystem;
using gograder::store::Store;

struct Rates {
  double insert = 0, claim_finish = 0, claim_finish_parallel = 0;  // operations per second
};

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

gograder::v1::GradeReport FakeReport() {
  gograder::v1::GradeReport report;
  report.set_status(gograder::v1::GradeReport::GRADED);
  report.set_exercise_id("phase1/bench");
  report.set_score(100);
  report.set_max_score(100);
  return report;
}

// Inserts `n` submissions (of n / 10 students in 4 courses) into `store`.
double Insert(Store& store, int n, const std::string& module, int offset) {
  absl::Time start = absl::Now();
  for (int i = 0; i < n; ++i) {
    gograder::store::NewSubmission submission{"phase1/bench",
                                              absl::StrCat("c", i % 4),
                                              absl::StrCat("s", (offset + i) / 10),
                                              "1",
                                              "",
                                              module,
                                              absl::StrCat("digest-", offset + i)};
    if (auto inserted = store.Insert(submission, {}); !inserted.ok()) {
      std::cerr << "insert: " << inserted.status() << "\n";
      std::exit(1);
    }
  }
  return n / absl::ToDoubleSeconds(absl::Now() - start);
}

// Claims and finishes until the queue is empty, on `threads` threads.
double ClaimAndFinish(Store& store, int threads) {
  const gograder::v1::GradeReport report = FakeReport();
  std::atomic<int> done = 0;
  absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (true) {
        auto claim = store.ClaimNext();
        if (!claim.ok()) {
          std::cerr << "claim: " << claim.status() << "\n";
          std::exit(1);
        }
        if (!claim->has_value()) return;
        if (auto finished =
                store.Finish((*claim)->submission.submission_id(), (*claim)->claim, report);
            !finished.ok()) {
          std::cerr << "finish: " << finished << "\n";
          std::exit(1);
        }
        ++done;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  return done / absl::ToDoubleSeconds(absl::Now() - start);
}

// `open` gives a fresh store for a round; `analyze`, when set, refreshes the
// planner's statistics after the inserts, as autovacuum would on a table
// that has lived longer than this bench.
Rates Measure(const std::function<std::unique_ptr<Store>(int round)>& open,
              const std::function<void()>& analyze, int n, int threads, int rounds,
              const std::string& module) {
  std::vector<double> insert, serial, parallel;
  for (int round = 0; round < rounds; ++round) {
    std::unique_ptr<Store> store = open(round);
    insert.push_back(Insert(*store, n, module, 0));
    if (analyze) analyze();
    serial.push_back(ClaimAndFinish(*store, 1));
    Insert(*store, n, module, n);
    if (analyze) analyze();
    parallel.push_back(ClaimAndFinish(*store, threads));
  }
  return {Median(insert), Median(serial), Median(parallel)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"store_queue_ops: queue operations per second, PostgreSQL beside SQLite"};
  int n = 2000, threads = 4, rounds = 3;
  app.add_option("--submissions", n, "submissions per phase")->capture_default_str();
  app.add_option("--threads", threads, "claiming threads in the parallel phase")
      ->capture_default_str();
  app.add_option("--rounds", rounds, "rounds (a fresh store each); medians are printed")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  gograder::TempDir dir("gograder-queue-bench-");
  fs::path module = fs::path(dir.path()) / "module";
  fs::create_directories(module);
  if (!gograder::WriteWholeFile(module / "go.mod", "module example.com/bench\n\ngo 1.24\n").ok() ||
      !gograder::WriteWholeFile(module / "main.go", "package bench\n\nfunc F() int { return 1 }\n")
           .ok()) {
    std::cerr << "cannot write the bench module\n";
    return 1;
  }
  gograder::store::StoreOptions options;
  options.node_id = "bench";
  options.files_cache_dir = (fs::path(dir.path()) / "files").string();

  Rates sqlite = Measure(
      [&](int round) {
        auto store = gograder::store::OpenSqliteStore(
            (fs::path(dir.path()) / absl::StrCat("queue-", round, ".db")).string(), options);
        if (!store.ok()) {
          std::cerr << store.status() << "\n";
          std::exit(1);
        }
        return *std::move(store);
      },
      nullptr, n, threads, rounds, module.string());

  std::string conninfo;
  Rates postgres = Measure(
      [&](int round) {
        auto database = gograder::store::FreshPostgresDatabase();
        if (!database.ok()) {
          std::cerr << "postgresql: " << database.status() << "\n";
          std::exit(1);
        }
        conninfo = *database;
        auto store = gograder::store::OpenPostgresStore(*database, options);
        if (!store.ok()) {
          std::cerr << store.status() << "\n";
          std::exit(1);
        }
        return *std::move(store);
      },
      [&] {
        auto db = gograder::store::PgConnection::Open(conninfo);
        if (!db.ok() || !(*db)->Exec("ANALYZE").ok()) std::cerr << "ANALYZE failed\n";
      },
      n, threads, rounds, module.string());

  std::cout << absl::StrFormat("%d submissions a phase, median of %d rounds (operations/s)\n", n,
                               rounds)
            << absl::StrFormat("%-34s %10s %10s %8s\n", "phase", "SQLite", "PostgreSQL", "PG/SQL");
  auto row = [](const char* phase, double a, double b) {
    std::cout << absl::StrFormat("%-34s %10.0f %10.0f %8.2f\n", phase, a, b, a > 0 ? b / a : 0);
  };
  row("insert (1 thread)", sqlite.insert, postgres.insert);
  row("claim + finish (1 thread)", sqlite.claim_finish, postgres.claim_finish);
  row(absl::StrCat("claim + finish (", threads, " threads)").c_str(), sqlite.claim_finish_parallel,
      postgres.claim_finish_parallel);
  return 0;
}
