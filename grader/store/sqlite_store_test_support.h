// Test support for the SQLite store's tests: raw access to the database
// file, and a fixture with a fresh store in a temporary directory
// (submissions and reports to insert: store_backends_testing.h).
#ifndef GOGRADER_GRADER_STORE_SQLITE_STORE_TEST_SUPPORT_H_
#define GOGRADER_GRADER_STORE_SQLITE_STORE_TEST_SUPPORT_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grader/store/store.h"
#include "grader/store/store_backends_testing.h"
#include "gtest/gtest.h"
#include "proto/gograder/v1/api.pb.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::store {

using gograder::v1::GradeReport;

// A second, raw connection for looking under the store's hood.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "open " << path << ": " << sqlite3_errmsg(db_);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }

  // The rows of `sql`, each column as text.
  std::vector<std::vector<std::string>> Query(const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return rows;
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      auto& row = rows.emplace_back();
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        row.push_back(text == nullptr ? "" : reinterpret_cast<const char*>(text));
      }
    }
    if (rc != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    return rows;
  }

  std::string QueryText(const std::string& sql) {
    auto rows = Query(sql);
    return rows.empty() || rows[0].empty() ? "" : rows[0][0];
  }

  int64_t QueryInt(const std::string& sql) {
    int64_t value = -1;
    if (!absl::SimpleAtoi(QueryText(sql), &value)) ADD_FAILURE() << sql << ": not an integer";
    return value;
  }

 private:
  sqlite3* db_ = nullptr;
};

// Takes a database of the current schema back to version 5: one set of
// turns shared by interactive and batch work (a key's latest turn).
inline void DowngradeToVersion5(RawDb& raw) {
  for (const char* sql :
       {"CREATE TABLE course_turns_5 (course_id TEXT PRIMARY KEY NOT NULL, turn INTEGER NOT "
        "NULL) WITHOUT ROWID",
        "INSERT INTO course_turns_5 SELECT course_id, MAX(turn) FROM course_turns GROUP BY "
        "course_id",
        "DROP TABLE course_turns", "ALTER TABLE course_turns_5 RENAME TO course_turns",
        "CREATE TABLE student_turns_5 (course_id TEXT NOT NULL, student_id TEXT NOT NULL, turn "
        "INTEGER NOT NULL, PRIMARY KEY (course_id, student_id)) WITHOUT ROWID",
        "INSERT INTO student_turns_5 SELECT course_id, student_id, MAX(turn) FROM student_turns "
        "GROUP BY course_id, student_id",
        "DROP TABLE student_turns", "ALTER TABLE student_turns_5 RENAME TO student_turns",
        "UPDATE schema_version SET version = 5"}) {
    raw.Query(sql);
  }
}

// Takes a database of the current schema back to version 4: no leases,
// no batch submissions, the queued indexes of version 3.
inline void DowngradeToVersion4(RawDb& raw) {
  DowngradeToVersion5(raw);
  for (const char* sql :
       {"DROP INDEX submissions_running_by_lease", "DROP INDEX regrade_items_running_by_lease",
        "DROP INDEX submissions_queued", "DROP INDEX submissions_queued_by_student",
        "ALTER TABLE submissions DROP COLUMN batch", "ALTER TABLE submissions DROP COLUMN node_id",
        "ALTER TABLE submissions DROP COLUMN lease_expires_ms",
        "ALTER TABLE submissions DROP COLUMN attempts",
        "ALTER TABLE regrade_items DROP COLUMN node_id",
        "ALTER TABLE regrade_items DROP COLUMN lease_expires_ms",
        "ALTER TABLE regrade_items DROP COLUMN attempts",
        "CREATE INDEX submissions_queued ON submissions (queue_seq) WHERE state = 1",
        "CREATE INDEX submissions_queued_by_student ON submissions (course_id, student_id, "
        "queue_seq) WHERE state = 1",
        "UPDATE schema_version SET version = 4"}) {
    raw.Query(sql);
  }
}

// Takes a database of the current schema back to version 3: no regrades,
// no current report per submission, reports without status and score.
inline void DowngradeToVersion3(RawDb& raw) {
  DowngradeToVersion4(raw);
  for (const char* sql :
       {"DROP TABLE regrade_items", "DROP TABLE regrades",
        "ALTER TABLE submissions DROP COLUMN current_report",
        "ALTER TABLE reports DROP COLUMN status", "ALTER TABLE reports DROP COLUMN score",
        "UPDATE schema_version SET version = 3"}) {
    raw.Query(sql);
  }
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::path(::testing::TempDir()) / "store_test.XXXXXX");
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = (dir_ / "gograder.db").string();
    Reopen();
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void Reopen() {
    store_.reset();
    auto store = OpenSqliteStore(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
  }

  std::string Insert(std::string course = "c1", std::string key = "", std::string student = "s1",
                     std::string exercise = "phase1/concurrent-web-scraper") {
    auto outcome = store_->Insert(
        MakeSubmission(std::move(course), std::move(key), std::move(student), std::move(exercise)),
        {});
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    return outcome.ok() ? outcome->submission.submission_id() : "";
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_SQLITE_STORE_TEST_SUPPORT_H_
