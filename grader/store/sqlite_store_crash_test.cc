// The SQLite store's crash test: a child process (this binary run again in
// its child mode) inserts, claims and finishes until it is SIGKILLed at a
// random moment, and the database it leaves must be consistent and
// recoverable.
#include "grader/store/sqlite_store_test_support.h"

namespace gograder::store {
namespace {

using gograder::v1::GradeReport;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr char kCrashChildFlag[] = "--store_crash_child=";

// --- Crash test -------------------------------------------------------------

// The child: opens the store and works like a daemon would until it is
// killed, writing a line to stdout after each operation returns:
//   I <id>            an insert returned (the submission must survive)
//   F <id> <claim>    a finish returned (the report must survive)
int RunCrashChild(const std::string& path, const std::string& round) {
  auto opened = OpenSqliteStore(path);
  if (!opened.ok()) {
    std::cerr << "crash child: " << opened.status() << "\n";
    return 2;
  }
  std::unique_ptr<Store> store = std::move(opened).value();
  auto say = [](const std::string& line) {
    std::string text = line + "\n";
    if (write(STDOUT_FILENO, text.data(), text.size()) < 0) _exit(4);
  };
  auto fail = [](const absl::Status& status) {
    std::cerr << "crash child: " << status << "\n";
    _exit(3);
  };
  std::string last_finished;
  for (int i = 0;; ++i) {
    // Every 7th insert retries the previous key: a duplicate.
    int key = i % 7 == 6 ? i - 1 : i;
    auto inserted = store->Insert(MakeSubmission("c1", absl::StrCat(round, "-", key)), {});
    if (!inserted.ok()) fail(inserted.status());
    if (!inserted->duplicate) say(absl::StrCat("I ", inserted->submission.submission_id()));
    if (i % 3 == 2) continue;  // the queue grows
    auto claim = store->ClaimNext();
    if (!claim.ok()) fail(claim.status());
    if (!claim->has_value()) continue;
    const std::string& id = (*claim)->submission.submission_id();
    WatchEvent event;
    event.mutable_step_started()->set_label("go build");
    if (auto appended = store->AppendEvent(id, event); !appended.ok()) fail(appended.status());
    if (i % 2 == 1) continue;  // left RUNNING
    // The report's score is its claim number, to tell gradings apart.
    absl::Status finished =
        store->Finish(id, (*claim)->claim, MakeReport(static_cast<double>((*claim)->claim)));
    if (!finished.ok()) fail(finished);
    say(absl::StrCat("F ", id, " ", (*claim)->claim));
    if (i % 10 == 0 && !last_finished.empty()) {
      // Regrade an earlier one (DONE, unless it was regraded already and is queued).
      auto requeued = store->Requeue(last_finished);
      if (!requeued.ok() && requeued.status().code() != absl::StatusCode::kFailedPrecondition) {
        fail(requeued.status());
      }
    }
    last_finished = id;
  }
}

struct ChildRun {
  std::vector<std::string> lines;
  int wait_status = 0;
};

// Runs the crash child on `path` and SIGKILLs it after `delay`.
ChildRun RunChildAndKill(const std::string& path, int round, absl::Duration delay) {
  ChildRun run;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << strerror(errno);
    return run;
  }
  std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string flag = absl::StrCat(kCrashChildFlag, path);
  std::string round_flag = absl::StrCat(round);
  std::vector<char*> argv = {self.data(), flag.data(), round_flag.data(), nullptr};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
    execv(self.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << strerror(errno);
    close(fds[0]);
    return run;
  }
  std::string output;
  char buffer[4096];
  absl::Time deadline = absl::Now() + delay;
  bool killed = false;
  while (true) {
    if (!killed && absl::Now() >= deadline) {
      kill(pid, SIGKILL);
      killed = true;
    }
    int timeout_ms =
        killed ? -1 : std::max<int>(1, absl::ToInt64Milliseconds(deadline - absl::Now()));
    pollfd pfd = {fds[0], POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0) continue;
    ssize_t n = read(fds[0], buffer, sizeof(buffer));
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      if (!killed) kill(pid, SIGKILL);  // the child ended early: let waitpid tell why
      break;
    }
    output.append(buffer, n);
  }
  close(fds[0]);
  waitpid(pid, &run.wait_status, 0);
  // A line cut by the kill is not a completed operation.
  if (!output.empty() && output.back() != '\n') output.erase(output.rfind('\n') + 1);
  run.lines = absl::StrSplit(output, '\n', absl::SkipEmpty());
  return run;
}

TEST_F(SqliteStoreTest, SurvivesSigkillAtRandomMoments) {
  store_.reset();  // only the children use the database until the end
  std::random_device entropy;
  unsigned seed = entropy();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(50, 350);
  RecordProperty("seed", static_cast<int>(seed));
  constexpr int kRounds = 5;

  std::set<std::string> acked_inserts;
  std::set<std::pair<std::string, int64_t>> acked_finishes;
  for (int round = 0; round < kRounds; ++round) {
    int delay = delay_ms(random);
    ChildRun run = RunChildAndKill(path_, round, absl::Milliseconds(delay));
    ASSERT_TRUE(WIFSIGNALED(run.wait_status) && WTERMSIG(run.wait_status) == SIGKILL)
        << "the child ended on its own (status " << run.wait_status << "; seed " << seed << ")";
    int inserts = 0, finishes = 0;
    for (const std::string& line : run.lines) {
      std::vector<std::string> fields = absl::StrSplit(line, ' ');
      if (fields[0] == "I" && fields.size() == 2) {
        acked_inserts.insert(fields[1]);
        ++inserts;
      } else if (fields[0] == "F" && fields.size() == 3) {
        int64_t claim = 0;
        ASSERT_TRUE(absl::SimpleAtoi(fields[2], &claim)) << line;
        acked_finishes.emplace(fields[1], claim);
        ++finishes;
      } else {
        FAIL() << "unexpected line from the child: " << line;
      }
    }
    std::cout << "crash round " << round << ": killed after " << delay << " ms, " << inserts
              << " inserts and " << finishes << " finishes acknowledged (seed " << seed << ")\n";

    // Consistent, and everything acknowledged is there.
    RawDb raw(path_);
    ASSERT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok") << "seed " << seed;
    EXPECT_TRUE(raw.Query("PRAGMA foreign_key_check").empty());
    for (const std::string& id : acked_inserts) {
      EXPECT_EQ(
          raw.QueryInt(absl::StrCat("SELECT COUNT(*) FROM submissions WHERE id = '", id, "'")), 1)
          << id;
    }
    for (const auto& [id, claim] : acked_finishes) {
      EXPECT_EQ(raw.QueryInt(absl::StrCat("SELECT COUNT(*) FROM reports WHERE submission_id = '",
                                          id, "' AND claim = ", claim)),
                1)
          << id << " claim " << claim;
    }
  }
  ASSERT_GT(acked_inserts.size(), 0u) << "the children never got to work";

  // The restart: RUNNING gradings go back to the queue; their old claims are stale.
  std::map<std::string, int64_t> interrupted;
  {
    RawDb raw(path_);
    for (const auto& row : raw.Query("SELECT id, claim FROM submissions WHERE state = 2")) {
      interrupted[row[0]] = std::stoll(row[1]);
    }
  }
  Reopen();
  ASSERT_OK_AND_ASSIGN(int recovered, store_->RecoverAfterCrash());
  EXPECT_EQ(recovered, static_cast<int>(interrupted.size()));
  ASSERT_OK_AND_ASSIGN(int queued, store_->QueueDepth());
  int graded = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(std::optional<Claim> claim, store_->ClaimNext());
    if (!claim.has_value()) break;
    const std::string& id = claim->submission.submission_id();
    if (auto it = interrupted.find(id); it != interrupted.end()) {
      EXPECT_THAT(store_->Finish(id, it->second, MakeReport(-1)),
                  StatusIs(absl::StatusCode::kFailedPrecondition));
    }
    ASSERT_OK(store_->Finish(id, claim->claim, MakeReport(static_cast<double>(claim->claim))));
    ++graded;
  }
  EXPECT_EQ(graded, queued);
  std::cout << "crash test: " << acked_inserts.size() << " submissions acknowledged, "
            << acked_finishes.size() << " finishes acknowledged, " << interrupted.size()
            << " RUNNING at the last kill (recovered " << recovered << "), " << graded
            << " graded after the restart\n";

  // Every submission: DONE, one report per grading, the latest one returned.
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok");
  auto rows = raw.Query(
      "SELECT s.id, s.state, s.regrades, COUNT(r.id), MAX(r.claim) FROM submissions s "
      "LEFT JOIN reports r ON r.submission_id = s.id GROUP BY s.id");
  EXPECT_GE(rows.size(), acked_inserts.size());
  for (const auto& row : rows) {
    const std::string& id = row[0];
    EXPECT_EQ(row[1], "3") << id;
    EXPECT_EQ(std::stoi(row[3]), std::stoi(row[2]) + 1) << id << ": reports vs gradings";
    ASSERT_OK_AND_ASSIGN(Submission s, store_->Get(id));
    EXPECT_EQ(s.report().score(), std::stod(row[4])) << id << ": latest report";
  }
}

}  // namespace
}  // namespace gograder::store

int main(int argc, char** argv) {
  // The crash test's child: `store_crash_test --store_crash_child=<db> <round>`.
  if (argc == 3 && absl::StartsWith(argv[1], gograder::store::kCrashChildFlag)) {
    std::string path(argv[1] + strlen(gograder::store::kCrashChildFlag));
    return gograder::store::RunCrashChild(path, argv[2]);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
