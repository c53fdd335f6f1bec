#include "grader/server/event_hub.h"

#include <algorithm>
#include <chrono>

#include "absl/time/clock.h"

namespace gograder::server {

using ::gograder::v1::WatchEvent;

EventHub::Subscription::Subscription(EventHub& hub, std::string submission_id, Channel& channel)
    : hub_(hub),
      submission_id_(std::move(submission_id)),
      channel_(channel),
      seen_(channel.version) {}

EventHub::Subscription::~Subscription() {
  std::lock_guard<std::mutex> lock(hub_.mutex_);
  if (--channel_.subscribers == 0) hub_.channels_.erase(submission_id_);
}

bool EventHub::Subscription::WaitUntil(absl::Time until) {
  // A bounded wait: absl::InfiniteFuture does not convert to a chrono time.
  absl::Duration wait = std::clamp(until - absl::Now(), absl::ZeroDuration(), absl::Hours(24));
  std::unique_lock<std::mutex> lock(hub_.mutex_);
  bool news = channel_.changed.wait_for(lock, absl::ToChronoNanoseconds(wait),
                                        [this] { return channel_.version != seen_; });
  seen_ = channel_.version;
  return news;
}

absl::StatusOr<WatchEvent> EventHub::Append(const std::string& submission_id, WatchEvent event) {
  absl::StatusOr<WatchEvent> appended = store_->AppendEvent(submission_id, std::move(event));
  Notify(submission_id);
  return appended;
}

void EventHub::Notify(const std::string& submission_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = channels_.find(submission_id);
  if (it == channels_.end()) return;
  ++it->second->version;
  it->second->changed.notify_all();
}

EventHub::Subscription EventHub::Subscribe(const std::string& submission_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::unique_ptr<Channel>& channel = channels_[submission_id];
  if (channel == nullptr) channel = std::make_unique<Channel>();
  ++channel->subscribers;
  return Subscription(*this, submission_id, *channel);
}

}  // namespace gograder::server
