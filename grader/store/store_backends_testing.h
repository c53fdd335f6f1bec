// Test support: the Store implementations that a backend-independent test
// (store_conformance_test.cc) runs against, each opened on data of its own.
//
// PostgreSQL: one throwaway cluster per test binary, started on first use
// and stopped at exit; every new directory gets a fresh database in it, and
// opening the same directory again reopens that database (a restart).
#ifndef GOGRADER_GRADER_STORE_STORE_BACKENDS_TESTING_H_
#define GOGRADER_GRADER_STORE_STORE_BACKENDS_TESTING_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grader/store/store.h"

namespace gograder::store {

struct StoreBackend {
  std::string name;  // "sqlite", "postgres": a test name suffix
  // Opens the store whose data belongs to `dir` (an existing directory of
  // the test's): the first call for a directory starts with no data, later
  // calls see what earlier stores of that directory wrote. An empty
  // options.files_cache_dir becomes `dir`/files.
  std::function<absl::StatusOr<std::unique_ptr<Store>>(const std::string& dir,
                                                       const StoreOptions& options)>
      open;
};

// The backends of this build: PostgreSQL, and SQLite where the test library
// is built with GOGRADER_TEST_SQLITE_BACKEND.
std::vector<StoreBackend> StoreBackends();

// A conninfo for a new, empty database on the binary's shared PostgreSQL
// test cluster (started on first use).
absl::StatusOr<std::string> FreshPostgresDatabase();

// What a news listener (Store::SetNewsListener) heard. Must outlive the
// store it listens to.
class NewsLog {
 public:
  // The listener to give the store.
  std::function<void(const News&)> Listener();
  // Waits up to 10 s for news of `kind` about `submission_id`; whether it came.
  bool WaitFor(News::Kind kind, const std::string& submission_id);
  // Waits up to 10 s for any news of `kind`; whether it came.
  bool WaitForAny(News::Kind kind);

 private:
  // Waits up to 10 s until one of the news heard matches `wanted`.
  bool WaitUntilHeard(std::function<bool(const News&)> wanted);

  absl::Mutex mu_;
  std::vector<News> heard_ ABSL_GUARDED_BY(mu_);
};

// For GoogleTest's messages.
inline void PrintTo(const StoreBackend& backend, std::ostream* out) { *out << backend.name; }

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_STORE_BACKENDS_TESTING_H_
