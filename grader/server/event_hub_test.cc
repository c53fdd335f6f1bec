#include "grader/server/event_hub.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "grader/server/service_testing.h"

namespace gograder::server {
namespace {

using ::gograder::v1::WatchEvent;

// Long enough never to pass in a passing test: a missed wake-up fails it.
constexpr absl::Duration kNever = absl::Seconds(60);

class EventHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store =
        store::OpenSqliteStore((std::filesystem::path(dir_.path()) / "gograder.db").string());
    ASSERT_OK(store);
    store_ = *std::move(store);
    hub_ = std::make_unique<EventHub>(store_.get());
    auto id = InsertSubmission(*store_, "phase1/concurrent-web-scraper", dir_.path());
    ASSERT_OK(id);
    id_ = *id;
  }

  TempDir dir_{"gograder_event_hub_test_"};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<EventHub> hub_;
  std::string id_;
};

TEST_F(EventHubTest, NewsAfterSubscribeIsKeptUntilWaitedFor) {
  EventHub::Subscription news = hub_->Subscribe(id_);
  hub_->Notify(id_);
  EXPECT_TRUE(news.WaitUntil(absl::Now() + kNever));
  // Taken: no news since.
  EXPECT_FALSE(news.WaitUntil(absl::Now() + absl::Milliseconds(20)));
}

TEST_F(EventHubTest, OtherSubmissionsDoNotWake) {
  EventHub::Subscription news = hub_->Subscribe(id_);
  hub_->Notify("another");
  EXPECT_FALSE(news.WaitUntil(absl::Now() + absl::Milliseconds(20)));
}

TEST_F(EventHubTest, AppendStoresTheEventAndWakesEveryWaiter) {
  EventHub::Subscription first = hub_->Subscribe(id_);
  EventHub::Subscription second = hub_->Subscribe(id_);
  bool first_woke = false, second_woke = false;
  std::thread a([&] { first_woke = first.WaitUntil(absl::Now() + kNever); });
  std::thread b([&] { second_woke = second.WaitUntil(absl::Now() + kNever); });
  WatchEvent event;
  event.mutable_step_started()->set_label("build");
  auto appended = hub_->Append(id_, event);
  a.join();
  b.join();
  ASSERT_OK(appended);
  EXPECT_TRUE(first_woke);
  EXPECT_TRUE(second_woke);
  EXPECT_EQ(appended->sequence(), 1);
  EXPECT_FALSE(appended->time().empty());  // the store stamps it
  auto stored = store_->EventsAfter(id_, 0);
  ASSERT_OK(stored);
  ASSERT_EQ(stored->size(), 1);
  EXPECT_EQ((*stored)[0].step_started().label(), "build");
  EXPECT_EQ((*stored)[0].time(), appended->time());
}

TEST_F(EventHubTest, AFailedAppendStillWakesWaiters) {
  EventHub::Subscription news = hub_->Subscribe("unknown");
  auto appended = hub_->Append("unknown", WatchEvent());
  EXPECT_THAT(appended, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_TRUE(news.WaitUntil(absl::Now() + kNever));
}

TEST_F(EventHubTest, ALaterSubscriberStartsWithoutOldNews) {
  { EventHub::Subscription gone = hub_->Subscribe(id_); }
  hub_->Notify(id_);
  EventHub::Subscription news = hub_->Subscribe(id_);
  EXPECT_FALSE(news.WaitUntil(absl::Now() + absl::Milliseconds(20)));
}

}  // namespace
}  // namespace gograder::server
