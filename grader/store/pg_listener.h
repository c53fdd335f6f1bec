// LISTEN on a PostgreSQL channel from a thread of its own, over a connection
// of its own that comes back after it is lost.
//
// The thread waits for notifications a short while at a time (so that it
// sees the stop flag soon), hands each to `notified`, and after a lost
// connection reconnects every `reconnect_delay` until it listens again; then
// it calls `reconnected`, since whatever was sent in between is lost (the
// caller re-checks what it would have heard about).
#ifndef GOGRADER_GRADER_STORE_PG_LISTENER_H_
#define GOGRADER_GRADER_STORE_PG_LISTENER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grader/store/pg_db.h"

namespace gograder::store {

struct PgListenerOptions {
  std::string conninfo;
  std::string channel;
  std::function<void(const PgNotification&)> notified;  // from the listener's thread
  std::function<void()> reconnected;                    // likewise; may be empty
  absl::Duration reconnect_delay = absl::Seconds(1);
  absl::Duration poll = absl::Milliseconds(200);  // how soon the thread sees Stop
};

class PgListener {
 public:
  // Connects and LISTENs before returning, so every notification sent after
  // this returns is heard; when that first attempt fails, the thread keeps
  // trying and calls `reconnected` once it listens.
  explicit PgListener(PgListenerOptions options);
  PgListener(const PgListener&) = delete;
  PgListener& operator=(const PgListener&) = delete;
  // Stops the thread and waits for it (about `poll`, or a callback running).
  ~PgListener();

  // The error of the first attempt to listen (OK when it listened).
  const absl::Status& first_attempt() const { return first_attempt_; }

 private:
  // A connection that listens to the channel.
  absl::StatusOr<std::unique_ptr<PgConnection>> Listen() const;
  // The thread: waits, hands over, reconnects, until stop_.
  void Run(std::unique_ptr<PgConnection> connection);

  const PgListenerOptions options_;
  absl::Status first_attempt_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace gograder::store

#endif  // GOGRADER_GRADER_STORE_PG_LISTENER_H_
