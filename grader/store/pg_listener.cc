#include "grader/store/pg_listener.h"

#include <utility>
#include <vector>

#include "base/status_macros.h"

namespace gograder::store {

PgListener::PgListener(PgListenerOptions options) : options_(std::move(options)) {
  absl::StatusOr<std::unique_ptr<PgConnection>> connection = Listen();
  first_attempt_ = connection.status();
  thread_ = std::thread(&PgListener::Run, this, connection.ok() ? *std::move(connection) : nullptr);
}

PgListener::~PgListener() {
  stop_.Notify();
  thread_.join();
}

absl::StatusOr<std::unique_ptr<PgConnection>> PgListener::Listen() const {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> connection, PgConnection::Open(options_.conninfo));
  RETURN_IF_ERROR(connection->Listen(options_.channel));
  return connection;
}

void PgListener::Run(std::unique_ptr<PgConnection> connection) {
  while (!stop_.HasBeenNotified()) {
    if (connection == nullptr) {
      if (stop_.WaitForNotificationWithTimeout(options_.reconnect_delay)) return;
      absl::StatusOr<std::unique_ptr<PgConnection>> again = Listen();
      if (!again.ok()) continue;
      connection = *std::move(again);
      if (options_.reconnected) options_.reconnected();
      continue;
    }
    absl::StatusOr<std::vector<PgNotification>> received =
        connection->WaitForNotification(options_.poll);
    if (!received.ok()) {
      connection.reset();  // lost: reconnect after the delay
      continue;
    }
    for (const PgNotification& notification : *received) options_.notified(notification);
  }
}

}  // namespace gograder::store
