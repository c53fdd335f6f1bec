// Watch latency of the Grader service (not a test): how long after a worker
// appends a progress event does a Watch client receive it. Starts the real
// GraderService on 127.0.0.1 (an ephemeral port) with a SQLite store in a
// temporary directory, opens one Watch stream with a real gRPC client, and
// --events times appends a step event the way the workers do
// (EventHub::Append, which stores it and wakes the watchers), measuring from
// just before the append until the client has read the event. Between events
// it pauses a random 0..--gap-ms (the poll period by default), so that the
// appends land at a uniform phase of the baseline's poll.
//
// In the same run, the baseline: the behaviour before the event hub, a Watch
// that re-reads the store every --poll-ms (100 ms was the old
// ServiceOptions.watch_poll) and events appended to the store without any
// notification. It prints the median and p99 of both and their ratio.
//
//   build/bench/watch_latency --events 200
//
// Target: median < 20 ms with the event hub.
#include <grpcpp/client_context.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "base/temp_dir.h"
#include "grader/server/service_testing.h"

namespace {

using Clock = std::chrono::steady_clock;
using gograder::TempDir;
using gograder::server::TestService;
using gograder::server::TestServiceOptions;
using gograder::v1::WatchEvent;

struct Options {
  int events = 200;
  double gap_ms = -1;  // default: poll_ms
  double poll_ms = 100;
};

struct Summary {
  double median_ms = 0;
  double p99_ms = 0;
};

// Nearest-rank percentile `p` of `values`.
double NearestRank(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  size_t rank = std::min(values.size() - 1, static_cast<size_t>(p / 100 * values.size()));
  return values[rank];
}

// The sequences a Watch stream has delivered, with the time each arrived.
class Received {
 public:
  void Add(int64_t sequence) {
    std::lock_guard<std::mutex> lock(mutex_);
    arrived_.resize(std::max<size_t>(arrived_.size(), sequence + 1));
    arrived_[sequence] = Clock::now();
    changed_.notify_all();
  }
  // When `sequence` arrived; false if not within `timeout`.
  bool Await(int64_t sequence, std::chrono::seconds timeout, Clock::time_point* when) {
    std::unique_lock<std::mutex> lock(mutex_);
    bool ok = changed_.wait_for(lock, timeout, [&] {
      return static_cast<int64_t>(arrived_.size()) > sequence &&
             arrived_[sequence] != Clock::time_point();
    });
    if (ok) *when = arrived_[sequence];
    return ok;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Clock::time_point> arrived_;
};

// Runs one measurement: a service with `fallback` as its store re-read
// period, `append` adding each event. Empty on failure (printed).
std::vector<double> Measure(
    const Options& options, absl::Duration fallback,
    const std::function<bool(TestService&, const std::string&, WatchEvent)>& append) {
  TempDir dir("gograder_watch_latency_");
  TestServiceOptions service_options;
  service_options.dir = dir.path();
  service_options.watch_fallback = fallback;
  auto service = TestService::Start(service_options);
  if (!service.ok()) {
    std::fprintf(stderr, "watch_latency: %s\n", std::string(service.status().message()).c_str());
    return {};
  }
  auto id = gograder::server::InsertSubmission((*service)->store(), "phase1/concurrent-web-scraper",
                                               dir.path());
  if (!id.ok()) {
    std::fprintf(stderr, "watch_latency: %s\n", std::string(id.status().message()).c_str());
    return {};
  }
  auto stub = (*service)->NewStub();
  grpc::ClientContext context;
  gograder::v1::WatchRequest request;
  request.set_submission_id(*id);
  Received received;
  std::thread reader([&] {
    auto stream = stub->Watch(&context, request);
    WatchEvent event;
    while (stream->Read(&event)) received.Add(event.sequence());
    stream->Finish();
  });

  std::mt19937_64 random(42);
  std::uniform_real_distribution<double> gap(0, options.gap_ms);
  std::vector<double> latencies;
  for (int i = 1; i <= options.events; ++i) {
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(gap(random)));
    WatchEvent event;
    event.mutable_step_started()->set_step(gograder::v1::TEST);
    event.mutable_step_started()->set_label("benchmark event");
    Clock::time_point start = Clock::now(), arrived;
    if (!append(**service, *id, std::move(event)) ||
        !received.Await(i, std::chrono::seconds(30), &arrived)) {
      std::fprintf(stderr, "watch_latency: event %d was not delivered\n", i);
      latencies.clear();
      break;
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(arrived - start).count());
  }
  context.TryCancel();
  reader.join();
  return latencies;
}

Summary Summarize(const char* what, const std::vector<double>& ms) {
  Summary summary{NearestRank(ms, 50), NearestRank(ms, 99)};
  std::printf("%-44s n=%-4zu median %8.3f ms  p99 %8.3f ms  max %8.3f ms\n", what, ms.size(),
              summary.median_ms, summary.p99_ms, NearestRank(ms, 100));
  return summary;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"watch_latency: time from a worker's event append to a Watch client receiving it"};
  app.add_option("--events", options.events, "events per measurement")->capture_default_str();
  app.add_option("--gap-ms", options.gap_ms,
                 "random pause before each event, 0..this (default: --poll-ms)");
  app.add_option("--poll-ms", options.poll_ms, "store re-read period of the polling baseline")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (options.events < 1) return 2;
  if (options.gap_ms < 0) options.gap_ms = options.poll_ms;

  // The workers' path: EventHub::Append stores the event and wakes Watch.
  std::vector<double> hub = Measure(
      options, absl::Seconds(5), [](TestService& service, const std::string& id, WatchEvent event) {
        return service.events().Append(id, std::move(event)).ok();
      });
  // The old behaviour: nobody is told; Watch re-reads the store every poll.
  std::vector<double> polling =
      Measure(options, absl::Milliseconds(options.poll_ms),
              [](TestService& service, const std::string& id, WatchEvent event) {
                return service.store().AppendEvent(id, std::move(event)).ok();
              });
  if (hub.empty() || polling.empty()) return 1;
  Summary woken = Summarize("Watch woken by the event hub", hub);
  char label[64];
  std::snprintf(label, sizeof(label), "Watch polling the store every %.0f ms (old)",
                options.poll_ms);
  Summary polled = Summarize(label, polling);
  std::printf("polling / event hub: median %.1fx, p99 %.1fx\n", polled.median_ms / woken.median_ms,
              polled.p99_ms / woken.p99_ms);
  std::printf("target median < 20 ms: %s\n", woken.median_ms < 20 ? "met" : "NOT met");
  return 0;
}
