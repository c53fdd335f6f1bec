#include "grader/store/store_backends_testing.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "grader/store/pg_db.h"
#include "grader/store/pg_test_cluster.h"
#include "gtest/gtest.h"

namespace gograder::store {
namespace {

// The binary's PostgreSQL cluster and the databases made in it: started at
// first use, stopped after the last test (StopSharedCluster), never
// destroyed (at exit, what stopping needs may be gone already).
class SharedCluster {
 public:
  static SharedCluster& Get() {
    static SharedCluster* shared = new SharedCluster;
    return *shared;
  }

  void Stop() {
    absl::MutexLock lock(&mu_);
    cluster_.reset();
    by_dir_.clear();
  }

  absl::StatusOr<std::string> FreshDatabase() {
    absl::MutexLock lock(&mu_);
    if (cluster_ == nullptr) {
      if (!start_error_.ok()) return start_error_;  // tried once: do not wait again
      absl::StatusOr<std::unique_ptr<PgTestCluster>> started = PgTestCluster::Start();
      if (!started.ok()) {
        start_error_ = started.status();
        return start_error_;
      }
      cluster_ = *std::move(started);
    }
    const std::string name = absl::StrCat("t", ++databases_);
    ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> admin, PgConnection::Open(cluster_->conninfo()));
    RETURN_IF_ERROR(admin->Exec(absl::StrCat("CREATE DATABASE ", name)));
    return absl::StrCat(cluster_->conninfo(), " dbname=", name);
  }

  // The database of `dir`, made on its first use.
  absl::StatusOr<std::string> DatabaseOf(const std::string& dir) {
    {
      absl::MutexLock lock(&mu_);
      auto found = by_dir_.find(dir);
      if (found != by_dir_.end()) return found->second;
    }
    ASSIGN_OR_RETURN(std::string conninfo, FreshDatabase());
    absl::MutexLock lock(&mu_);
    return by_dir_.emplace(dir, std::move(conninfo)).first->second;
  }

 private:
  absl::Mutex mu_;
  std::unique_ptr<PgTestCluster> cluster_ ABSL_GUARDED_BY(mu_);
  absl::Status start_error_ ABSL_GUARDED_BY(mu_);
  int databases_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, std::string> by_dir_ ABSL_GUARDED_BY(mu_);
};

// Stops the shared cluster once every test has run.
class StopSharedCluster : public ::testing::Environment {
 public:
  void TearDown() override { SharedCluster::Get().Stop(); }
};

// Registered as the binary starts (GoogleTest allows it before
// RUN_ALL_TESTS): a test binary that uses StoreBackends links this file.
[[maybe_unused]] ::testing::Environment* const kStopSharedCluster =
    ::testing::AddGlobalTestEnvironment(new StopSharedCluster);

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresForDir(const std::string& dir,
                                                          const StoreOptions& options) {
  ASSIGN_OR_RETURN(std::string conninfo, SharedCluster::Get().DatabaseOf(dir));
  StoreOptions with_cache = options;
  if (with_cache.files_cache_dir.empty()) {
    with_cache.files_cache_dir = (std::filesystem::path(dir) / "files").string();
  }
  return OpenPostgresStore(conninfo, with_cache);
}

}  // namespace

std::optional<Claim> NextClaim(Store& store) {
  absl::StatusOr<std::optional<Claim>> claim = store.ClaimNext();
  EXPECT_TRUE(claim.ok()) << claim.status();
  return claim.ok() ? *std::move(claim) : std::nullopt;
}

void FinishNextClaim(Store& store, const std::string& id, const gograder::v1::GradeReport& report) {
  std::optional<Claim> claim = NextClaim(store);
  ASSERT_TRUE(claim.has_value());
  ASSERT_EQ(claim->submission.submission_id(), id);
  ASSERT_EQ(claim->regrade_id, "");
  absl::Status finished = store.Finish(id, claim->claim, report);
  ASSERT_TRUE(finished.ok()) << finished;
}

void FinishNextItem(Store& store, const std::string& submission_id,
                    const gograder::v1::GradeReport& report) {
  std::optional<Claim> claim = NextClaim(store);
  ASSERT_TRUE(claim.has_value());
  ASSERT_EQ(claim->submission.submission_id(), submission_id);
  ASSERT_NE(claim->regrade_id, "");
  absl::Status finished =
      store.FinishRegrade(claim->regrade_id, submission_id, claim->claim, report);
  ASSERT_TRUE(finished.ok()) << finished;
}

gograder::v1::GradeReport CurrentReport(Store& store, const std::string& id) {
  absl::StatusOr<Submission> submission = store.Get(id);
  EXPECT_TRUE(submission.ok()) << submission.status();
  return submission.ok() ? submission->report() : gograder::v1::GradeReport();
}

InsertClaimRace RaceInsertsAndClaims(Store& a, Store& b, int inserters, int per_inserter,
                                     int claimers,
                                     const std::function<NewSubmission(int t, int i)>& make) {
  std::atomic<int> inserters_left = inserters;
  std::mutex mu;
  InsertClaimRace race;
  std::vector<std::thread> threads;
  for (int t = 0; t < inserters; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? a : b;
      for (int i = 0; i < per_inserter; ++i) {
        absl::StatusOr<InsertOutcome> outcome = store.Insert(make(t, i), {});
        std::lock_guard<std::mutex> lock(mu);
        if (!outcome.ok()) {
          race.errors.push_back(outcome.status().ToString());
        } else {
          race.inserted.push_back(outcome->submission.submission_id());
        }
      }
      --inserters_left;
    });
  }
  for (int t = 0; t < claimers; ++t) {
    threads.emplace_back([&, t] {
      Store& store = t % 2 == 0 ? a : b;
      while (true) {
        bool done_inserting = inserters_left.load() == 0;
        absl::StatusOr<std::optional<Claim>> claim = store.ClaimNext();
        if (!claim.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          race.errors.push_back(claim.status().ToString());
          return;
        }
        if (!claim->has_value()) {
          if (done_inserting) return;
          std::this_thread::yield();
          continue;
        }
        const std::string& id = (*claim)->submission.submission_id();
        absl::Status finished = store.Finish(id, (*claim)->claim, MakeReport(1));
        std::lock_guard<std::mutex> lock(mu);
        race.claimed.push_back(id);
        if (!finished.ok()) race.errors.push_back(finished.ToString());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return race;
}

absl::StatusOr<std::string> FreshPostgresDatabase() { return SharedCluster::Get().FreshDatabase(); }

std::function<void(const News&)> NewsLog::Listener() {
  return [this](const News& news) {
    absl::MutexLock lock(&mu_);
    heard_.push_back(news);
  };
}

bool NewsLog::WaitFor(News::Kind kind, const std::string& submission_id) {
  return WaitUntilHeard(
      [&](const News& news) { return news.kind == kind && news.submission_id == submission_id; });
}

bool NewsLog::WaitForAny(News::Kind kind) {
  return WaitUntilHeard([&](const News& news) { return news.kind == kind; });
}

bool NewsLog::WaitUntilHeard(std::function<bool(const News&)> wanted) {
  absl::MutexLock lock(&mu_);
  auto heard = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return std::any_of(heard_.begin(), heard_.end(), wanted);
  };
  return mu_.AwaitWithTimeout(absl::Condition(&heard), absl::Seconds(10));
}

std::vector<StoreBackend> StoreBackends() {
  std::vector<StoreBackend> backends;
  backends.push_back(StoreBackend{
      "Sqlite", [](const std::string& dir, const StoreOptions& options) {
        return OpenSqliteStore((std::filesystem::path(dir) / "gograder.db").string(), options);
      }});
  backends.push_back(StoreBackend{"Postgres", OpenPostgresForDir});
  return backends;
}

std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

}  // namespace gograder::store
