// The progress events of submissions, in one place: appending an event
// (Store::AppendEvent, which numbers and timestamps it) and telling whoever
// waits in this process that a submission has news. Watch and Grade wait on a
// Subscription instead of polling the store; a woken waiter reads the store,
// which stays the only record (the hub carries no data). An event written by
// another process has no notification here: waiters also re-read the store
// after a long fallback period, so they see it eventually.
#ifndef GOGRADER_GRADER_SERVER_EVENT_HUB_H_
#define GOGRADER_GRADER_SERVER_EVENT_HUB_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grader/store/store.h"
#include "proto/gograder/v1/api.pb.h"

namespace gograder::server {

class EventHub {
 private:
  struct Channel;

 public:
  // Waits for news of one submission. News that comes after Subscribe is
  // never missed, even when nobody is waiting at that moment.
  class Subscription {
   public:
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    // Stops listening.
    ~Subscription();

    // Waits until the submission had news since Subscribe or since the last
    // WaitUntil that returned true, or until `until` passes. True on news.
    bool WaitUntil(absl::Time until);

   private:
    friend class EventHub;
    Subscription(EventHub& hub, std::string submission_id, Channel& channel);

    EventHub& hub_;
    std::string submission_id_;
    Channel& channel_;
    uint64_t seen_;
  };

  // Events are kept in `store` (not owned; outlives the hub).
  explicit EventHub(store::Store* store) : store_(store) {}
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Appends `event` to the submission's stored events (the store assigns its
  // sequence and, when unset, its time) and wakes the submission's
  // subscribers, also when appending failed (they re-read the store).
  absl::StatusOr<gograder::v1::WatchEvent> Append(const std::string& submission_id,
                                                  gograder::v1::WatchEvent event);

  // Wakes the subscribers of `submission_id`: its state or events changed.
  void Notify(const std::string& submission_id);

  // Starts listening for news of `submission_id`.
  Subscription Subscribe(const std::string& submission_id);

 private:
  struct Channel {
    std::condition_variable changed;
    uint64_t version = 0;
    int subscribers = 0;
  };

  store::Store* store_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<Channel>>
      channels_;  // only submissions with subscribers
};

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_EVENT_HUB_H_
