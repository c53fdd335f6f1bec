// PgListener against a real server (one throwaway cluster for the suite):
// notifications reach the callback, a lost connection comes back and says
// so, and the destructor stops the thread promptly.
#include "grader/store/pg_listener.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "grader/store/pg_test_cluster.h"
#include "gtest/gtest.h"

namespace gograder::store {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;

constexpr char kChannel[] = "news";

// What a listener's callbacks saw.
class Heard {
 public:
  PgListenerOptions Options(const std::string& conninfo) {
    PgListenerOptions options;
    options.conninfo = conninfo;
    options.channel = kChannel;
    options.notified = [this](const PgNotification& notification) {
      absl::MutexLock lock(&mu_);
      payloads_.push_back(notification.payload);
    };
    options.reconnected = [this] {
      absl::MutexLock lock(&mu_);
      ++reconnects_;
    };
    options.reconnect_delay = absl::Milliseconds(50);
    options.poll = absl::Milliseconds(50);
    return options;
  }

  // Waits up to 10 s until `done` holds of what was heard.
  bool WaitFor(std::function<bool(const std::vector<std::string>&, int)> done) {
    absl::MutexLock lock(&mu_);
    auto holds = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return done(payloads_, reconnects_); };
    return mu_.AwaitWithTimeout(absl::Condition(&holds), absl::Seconds(10));
  }

  std::vector<std::string> payloads() {
    absl::MutexLock lock(&mu_);
    return payloads_;
  }
  int reconnects() {
    absl::MutexLock lock(&mu_);
    return reconnects_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> payloads_ ABSL_GUARDED_BY(mu_);
  int reconnects_ ABSL_GUARDED_BY(mu_) = 0;
};

class PgListenerTest : public PgClusterTest<PgListenerTest> {
 protected:
  void SetUp() override {
    PgClusterTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_OK_AND_ASSIGN(sender_, PgConnection::Open(cluster().conninfo()));
  }

  void Send(const std::string& payload) { ASSERT_OK(sender_->Notify(kChannel, payload)); }

  std::unique_ptr<PgConnection> sender_;
};

TEST_F(PgListenerTest, HearsWhatIsSentOnceConstructed) {
  Heard heard;
  PgListener listener(heard.Options(cluster().conninfo()));
  EXPECT_OK(listener.first_attempt());
  Send("one");
  Send("two");
  ASSERT_OK(sender_->Notify("another channel", "not for us"));
  EXPECT_TRUE(heard.WaitFor([](const auto& payloads, int) { return payloads.size() >= 2; }));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_THAT(heard.payloads(), ElementsAre("one", "two"));
  EXPECT_EQ(heard.reconnects(), 0);
}

TEST_F(PgListenerTest, ComesBackAfterALostConnectionAndSaysSo) {
  Heard heard;
  PgListener listener(heard.Options(cluster().conninfo()));
  ASSERT_OK(listener.first_attempt());
  ASSERT_OK_AND_ASSIGN(PgResult killed,
                       sender_->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                      "WHERE pid <> pg_backend_pid() AND query LIKE 'LISTEN%'"));
  ASSERT_EQ(killed.rows(), 1);
  EXPECT_TRUE(heard.WaitFor([](const auto&, int reconnects) { return reconnects == 1; }));
  Send("after");
  EXPECT_TRUE(heard.WaitFor(
      [](const auto& payloads, int) { return !payloads.empty() && payloads.back() == "after"; }));
}

TEST_F(PgListenerTest, KeepsTryingWhenTheFirstAttemptFails) {
  const std::string database = "listener_late";
  ASSERT_OK(sender_->Exec(absl::StrCat("DROP DATABASE IF EXISTS ", database)));
  Heard heard;
  PgListener listener(heard.Options(cluster().conninfo() + " dbname=" + database));
  EXPECT_THAT(listener.first_attempt(), StatusIs(absl::StatusCode::kUnavailable));
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(heard.reconnects(), 0);
  ASSERT_OK(sender_->Exec(absl::StrCat("CREATE DATABASE ", database)));
  EXPECT_TRUE(heard.WaitFor([](const auto&, int reconnects) { return reconnects == 1; }));
  // Notifications are per database.
  ASSERT_OK_AND_ASSIGN(auto late_sender,
                       PgConnection::Open(cluster().conninfo() + " dbname=" + database));
  ASSERT_OK(late_sender->Notify(kChannel, "late"));
  EXPECT_TRUE(heard.WaitFor([](const auto& payloads, int) { return !payloads.empty(); }));
  EXPECT_THAT(heard.payloads(), Contains("late"));
}

TEST_F(PgListenerTest, DestructionStopsTheThreadPromptly) {
  Heard heard;
  auto listener = std::make_unique<PgListener>(heard.Options(cluster().conninfo()));
  absl::Time start = absl::Now();
  listener.reset();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  Send("nobody");
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_TRUE(heard.payloads().empty());
}

}  // namespace
}  // namespace gograder::store
