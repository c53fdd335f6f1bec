// Load benchmark of a running gograderd (not a test; scripts/bench-daemon
// starts a daemon and runs it). Four phases:
//
//  1. idle: the daemon's resident set (VmRSS from /proc/<pid>/status) before
//     any request;
//  2. submit: --submissions Submit calls of the --submission directory (a file
//     map) or archive (.tar, .tar.gz, .zip) for --exercise, from
//     --submit-concurrency threads; the acknowledgement latency includes the
//     daemon persisting the submission (SQLite, fsync) as it always does.
//     With --cancel (default) the submissions are cancelled afterwards, so the
//     workers do not grade during the measurement, except the first
//     --keep-graded, which are graded and awaited (a full report in the mix;
//     with --only-graded, GetReport asks for those only);
//  3. load: GetReport of those submissions at a fixed rate (--rps for
//     --seconds after --warmup seconds) over --channels connections, open
//     loop: each call's latency counts from its scheduled start, so a slow
//     daemon cannot hide behind a stalled client (no coordinated omission).
//     The daemon's RSS is sampled every 100 ms meanwhile;
//  4. idle again: RSS after the load.
//
//   bench/daemon_load --address 127.0.0.1:50051 --exercise
//       phase1/concurrent-web-scraper --submission
//       rubrics/phase1/concurrent-web-scraper/reference --pid $(pidof gograderd)
//
// Targets (DESIGN.md): GetReport p99 < 5 ms at 500 rps; idle RSS < 60 MB.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "proto/gograder/v1/api.pb.h"
#include "proto/gograder/v1/grader.grpc.pb.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using gograder::v1::Grader;

struct Options {
  std::string address = "127.0.0.1:50051";
  std::string token;
  std::string exercise;
  std::string submission;
  int submissions = 200;
  int submit_concurrency = 4;
  bool cancel = true;
  int keep_graded = 0;
  bool only_graded = false;
  double grade_timeout_seconds = 600;
  double rps = 500;
  double seconds = 10;
  double warmup_seconds = 1;
  int channels = 4;
  int pid = 0;
};

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Nearest-rank percentile of sorted `values` (milliseconds).
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(p / 100 * sorted.size());
  return sorted[std::min(rank, sorted.size() - 1)];
}

void PrintLatencies(const char* what, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("%-22s n=%-7zu p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  max %8.3f ms\n", what,
              ms.size(), Percentile(ms, 50), Percentile(ms, 90), Percentile(ms, 99),
              ms.empty() ? 0.0 : ms.back());
}

// VmRSS and VmHWM of `pid` in KiB, or -1 when unreadable.
struct Rss {
  long rss_kib = -1;
  long hwm_kib = -1;
};
Rss ReadRss(int pid) {
  Rss rss;
  if (pid <= 0) return rss;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long value;
  std::string unit;
  while (status >> key) {
    if (key == "VmRSS:" && status >> value >> unit)
      rss.rss_kib = value;
    else if (key == "VmHWM:" && status >> value >> unit)
      rss.hwm_kib = value;
    else
      status.ignore(1 << 20, '\n');
  }
  return rss;
}

std::string Mib(long kib) {
  if (kib < 0) return "n/a";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", kib / 1024.0);
  return text;
}

// The submission's content: an archive file as is, or every regular file
// under a directory as a file map (relative paths).
bool LoadSubmission(const std::string& path, gograder::v1::SubmitRequest& request) {
  std::error_code error;
  auto read = [](const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  };
  if (fs::is_regular_file(path, error)) {
    request.set_archive(read(path));
    return true;
  }
  if (!fs::is_directory(path, error)) return false;
  auto& files = *request.mutable_file_map()->mutable_files();
  for (const auto& entry : fs::recursive_directory_iterator(path, error)) {
    if (!entry.is_regular_file()) continue;
    files[fs::relative(entry.path(), path).generic_string()] = read(entry.path());
  }
  return !files.empty();
}

class Client {
 public:
  Client(const Options& options) : options_(options) {
    for (int i = 0; i < std::max(1, options.channels); ++i) {
      grpc::ChannelArguments args;
      // One TCP connection per channel: without a local subchannel pool,
      // channels to the same address would share one.
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetMaxReceiveMessageSize(64 << 20);
      stubs_.push_back(Grader::NewStub(
          grpc::CreateCustomChannel(options.address, grpc::InsecureChannelCredentials(), args)));
    }
  }

  Grader::Stub& Stub(size_t i) { return *stubs_[i % stubs_.size()]; }

  // A context with the bearer token and a deadline.
  void Prepare(grpc::ClientContext& context, std::chrono::milliseconds deadline) const {
    if (!options_.token.empty()) {
      context.AddMetadata("authorization", "Bearer " + options_.token);
    }
    context.set_deadline(std::chrono::system_clock::now() + deadline);
  }

  bool WaitConnected() {
    for (auto& stub : stubs_) {
      gograder::v1::ListExercisesRequest request;
      gograder::v1::ListExercisesResponse response;
      grpc::ClientContext context;
      Prepare(context, std::chrono::seconds(10));
      context.set_wait_for_ready(true);
      grpc::Status status = stub->ListExercises(&context, request, &response);
      if (!status.ok()) {
        std::fprintf(stderr, "daemon_load: ListExercises: %s\n", status.error_message().c_str());
        return false;
      }
    }
    return true;
  }

 private:
  const Options& options_;
  std::vector<std::unique_ptr<Grader::Stub>> stubs_;
};

struct SubmitResults {
  std::vector<std::string> ids;
  std::vector<double> latencies_ms;
  std::map<std::string, int> errors;
};

SubmitResults SubmitAll(Client& client, const Options& options,
                        const gograder::v1::SubmitRequest& base) {
  SubmitResults results;
  std::mutex mutex;
  std::atomic<int> next{0};
  // Fresh idempotency keys per run: every call is a new submission.
  std::string run = std::to_string(std::random_device{}());
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, options.submit_concurrency); ++t) {
    threads.emplace_back([&, t] {
      for (int i; (i = next++) < options.submissions;) {
        gograder::v1::SubmitRequest request = base;
        request.set_course_id("bench");
        request.set_student_id("student-" + std::to_string(i));
        request.set_attempt_id("1");
        request.set_idempotency_key("bench-" + run + "-" + std::to_string(i));
        gograder::v1::SubmitResponse response;
        grpc::ClientContext context;
        client.Prepare(context, std::chrono::seconds(30));
        Clock::time_point start = Clock::now();
        grpc::Status status = client.Stub(t).Submit(&context, request, &response);
        double ms = Millis(Clock::now() - start);
        std::lock_guard<std::mutex> lock(mutex);
        if (status.ok()) {
          results.ids.push_back(response.submission_id());
          results.latencies_ms.push_back(ms);
        } else {
          results.errors[status.error_message()]++;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return results;
}

void CancelAll(Client& client, const std::vector<std::string>& ids) {
  int failed = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    gograder::v1::CancelRequest request;
    request.set_submission_id(ids[i]);
    gograder::v1::Submission response;
    grpc::ClientContext context;
    client.Prepare(context, std::chrono::seconds(30));
    if (!client.Stub(i).Cancel(&context, request, &response).ok()) ++failed;
  }
  if (failed) std::fprintf(stderr, "daemon_load: %d cancels failed\n", failed);
}

// Waits until every submission of `ids` is DONE or CANCELLED.
bool AwaitFinished(Client& client, const std::vector<std::string>& ids, double timeout_seconds) {
  Clock::time_point end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(timeout_seconds));
  for (const std::string& id : ids) {
    while (true) {
      gograder::v1::GetReportRequest request;
      request.set_submission_id(id);
      gograder::v1::Submission response;
      grpc::ClientContext context;
      client.Prepare(context, std::chrono::seconds(10));
      grpc::Status status = client.Stub(0).GetReport(&context, request, &response);
      if (status.ok() && (response.state() == gograder::v1::Submission::DONE ||
                          response.state() == gograder::v1::Submission::CANCELLED)) {
        std::printf("graded %s: state %s, score %.1f, %zu bytes\n", id.c_str(),
                    gograder::v1::Submission::State_Name(response.state()).c_str(),
                    response.report().score(), response.ByteSizeLong());
        break;
      }
      if (Clock::now() > end) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  return true;
}

// One asynchronous GetReport in flight.
struct Call {
  grpc::ClientContext context;
  gograder::v1::Submission response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<gograder::v1::Submission>> reader;
  Clock::time_point scheduled;
  Clock::time_point sent;
  bool measured = false;
};

struct LoadResults {
  std::vector<double> latencies_ms;       // from the scheduled start
  std::vector<double> send_latencies_ms;  // from the actual start
  std::map<std::string, int> errors;
  double seconds = 0;
  long bytes = 0;
  long max_rss_kib = -1;
  long last_rss_kib = -1;
  long issued_late = 0;  // calls the client itself started > 1 ms late
};

LoadResults DriveGetReport(Client& client, const Options& options,
                           const std::vector<std::string>& ids) {
  LoadResults results;
  std::mutex mutex;
  const int queues = 2;
  std::vector<std::unique_ptr<grpc::CompletionQueue>> cqs;
  for (int i = 0; i < queues; ++i) cqs.push_back(std::make_unique<grpc::CompletionQueue>());
  std::vector<std::thread> pollers;
  for (int q = 0; q < queues; ++q) {
    pollers.emplace_back([&, q] {
      void* tag;
      bool ok;
      std::vector<double> latencies, send_latencies;
      std::map<std::string, int> errors;
      long bytes = 0;
      while (cqs[q]->Next(&tag, &ok)) {
        std::unique_ptr<Call> call(static_cast<Call*>(tag));
        Clock::time_point now = Clock::now();
        if (!call->measured) continue;
        if (ok && call->status.ok()) {
          latencies.push_back(Millis(now - call->scheduled));
          send_latencies.push_back(Millis(now - call->sent));
          bytes += static_cast<long>(call->response.ByteSizeLong());
        } else {
          errors[call->status.error_message()]++;
        }
      }
      std::lock_guard<std::mutex> lock(mutex);
      results.latencies_ms.insert(results.latencies_ms.end(), latencies.begin(), latencies.end());
      results.send_latencies_ms.insert(results.send_latencies_ms.end(), send_latencies.begin(),
                                       send_latencies.end());
      for (auto& [message, count] : errors) results.errors[message] += count;
      results.bytes += bytes;
    });
  }

  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      Rss rss = ReadRss(options.pid);
      results.last_rss_kib = rss.rss_kib;
      results.max_rss_kib = std::max(results.max_rss_kib, rss.rss_kib);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / options.rps));
  const long warmup = static_cast<long>(options.warmup_seconds * options.rps);
  const long total = warmup + static_cast<long>(options.seconds * options.rps);
  Clock::time_point start = Clock::now();
  for (long i = 0; i < total; ++i) {
    Clock::time_point scheduled = start + i * interval;
    std::this_thread::sleep_until(scheduled);
    auto* call = new Call;
    call->scheduled = scheduled;
    call->sent = Clock::now();
    if (call->sent - scheduled > std::chrono::milliseconds(1)) ++results.issued_late;
    call->measured = i >= warmup;
    client.Prepare(call->context, std::chrono::seconds(2));
    gograder::v1::GetReportRequest request;
    request.set_submission_id(ids[i % ids.size()]);
    grpc::CompletionQueue& cq = *cqs[i % queues];
    call->reader = client.Stub(i).PrepareAsyncGetReport(&call->context, request, &cq);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
  }
  Clock::time_point measured_start = start + warmup * interval;
  // Wait for the calls in flight (2 s deadline), then stop the pollers.
  for (auto& cq : cqs) cq->Shutdown();
  for (auto& poller : pollers) poller.join();
  results.seconds = std::chrono::duration<double>(Clock::now() - measured_start).count();
  sampling = false;
  sampler.join();
  return results;
}

void PrintErrors(const std::map<std::string, int>& errors) {
  for (const auto& [message, count] : errors) {
    std::printf("  error x%d: %s\n", count, message.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (const char* token = std::getenv("GOGRADER_TOKEN")) options.token = token;
  CLI::App app{"daemon_load: GetReport and Submit latency and RSS of a running gograderd"};
  app.add_option("--address", options.address, "gograderd gRPC address (loopback)")
      ->capture_default_str();
  app.add_option("--token", options.token, "bearer token (default: $GOGRADER_TOKEN)");
  app.add_option("--exercise", options.exercise, "exercise id")->required();
  app.add_option("--submission", options.submission,
                 "directory (sent as a file map) or .tar/.tar.gz/.zip archive")
      ->required();
  app.add_option("--submissions", options.submissions, "submissions to pre-submit")
      ->capture_default_str();
  app.add_option("--submit-concurrency", options.submit_concurrency, "threads submitting at once")
      ->capture_default_str();
  app.add_option("--cancel", options.cancel,
                 "cancel the submissions after submitting (no grading during the load)")
      ->capture_default_str();
  app.add_option("--keep-graded", options.keep_graded,
                 "with --cancel: leave this many to be graded, and wait for them")
      ->capture_default_str();
  app.add_flag("--only-graded", options.only_graded,
               "GetReport only the --keep-graded submissions (full reports)");
  app.add_option("--grade-timeout", options.grade_timeout_seconds,
                 "seconds to wait for --keep-graded gradings")
      ->capture_default_str();
  app.add_option("--rps", options.rps, "GetReport calls per second")->capture_default_str();
  app.add_option("--seconds", options.seconds, "measured seconds of GetReport load")
      ->capture_default_str();
  app.add_option("--warmup", options.warmup_seconds, "unmeasured seconds before")
      ->capture_default_str();
  app.add_option("--channels", options.channels, "gRPC connections")->capture_default_str();
  app.add_option("--pid", options.pid, "gograderd's pid, for its RSS");
  CLI11_PARSE(app, argc, argv);
  if (options.rps <= 0 || options.seconds <= 0 || options.submissions < 1) {
    std::fprintf(stderr, "daemon_load: --rps, --seconds and --submissions must be positive\n");
    return 2;
  }

  gograder::v1::SubmitRequest base;
  base.set_exercise_id(options.exercise);
  if (!LoadSubmission(options.submission, base)) {
    std::fprintf(stderr, "daemon_load: no files in %s\n", options.submission.c_str());
    return 2;
  }
  Client client(options);
  if (!client.WaitConnected()) return 1;

  std::printf("gograderd at %s, pid %d; %d channels\n", options.address.c_str(), options.pid,
              options.channels);
  Rss idle = ReadRss(options.pid);
  std::printf("idle RSS              %s (peak so far %s)\n", Mib(idle.rss_kib).c_str(),
              Mib(idle.hwm_kib).c_str());

  SubmitResults submitted = SubmitAll(client, options, base);
  std::printf("submit: %d x %zu bytes, %d threads\n", options.submissions, base.ByteSizeLong(),
              options.submit_concurrency);
  PrintLatencies("Submit ack", submitted.latencies_ms);
  PrintErrors(submitted.errors);
  if (submitted.ids.empty()) return 1;
  std::printf("RSS after submit      %s\n", Mib(ReadRss(options.pid).rss_kib).c_str());

  std::vector<std::string> targets = submitted.ids;
  if (options.cancel) {
    size_t keep = std::min<size_t>(std::max(0, options.keep_graded), submitted.ids.size());
    std::vector<std::string> kept(submitted.ids.begin(), submitted.ids.begin() + keep);
    if (options.only_graded && !kept.empty()) targets = kept;
    CancelAll(client, std::vector<std::string>(submitted.ids.begin() + keep, submitted.ids.end()));
    if (!AwaitFinished(client, kept, options.grade_timeout_seconds)) {
      std::fprintf(stderr, "daemon_load: gradings not finished after %.0f s\n",
                   options.grade_timeout_seconds);
    }
  }

  LoadResults load = DriveGetReport(client, options, targets);
  double mean_bytes =
      load.latencies_ms.empty() ? 0.0 : static_cast<double>(load.bytes) / load.latencies_ms.size();
  std::printf(
      "GetReport: target %.0f rps for %.1f s (+%.1f s warm-up), achieved %.1f rps,"
      " mean response %.0f bytes, %ld calls started >1 ms late by the client\n",
      options.rps, options.seconds, options.warmup_seconds,
      load.latencies_ms.size() / std::max(load.seconds, 1e-9), mean_bytes, load.issued_late);
  PrintLatencies("GetReport", load.latencies_ms);
  PrintLatencies("  (from actual send)", load.send_latencies_ms);
  PrintErrors(load.errors);
  std::printf("RSS under load        max %s, last %s\n", Mib(load.max_rss_kib).c_str(),
              Mib(load.last_rss_kib).c_str());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  Rss after = ReadRss(options.pid);
  std::printf("idle RSS after        %s (peak %s)\n", Mib(after.rss_kib).c_str(),
              Mib(after.hwm_kib).c_str());

  std::vector<double> sorted = load.latencies_ms;
  std::sort(sorted.begin(), sorted.end());
  bool report_ok = !sorted.empty() && Percentile(sorted, 99) < 5 && load.errors.empty();
  bool rss_ok = idle.rss_kib >= 0 && idle.rss_kib * 1024 < 60'000'000;
  std::printf("targets: GetReport p99 < 5 ms: %s; idle RSS < 60 MB: %s\n",
              report_ok ? "met" : "MISSED",
              idle.rss_kib < 0 ? "not measured (--pid)"
              : rss_ok         ? "met"
                               : "MISSED");
  return 0;
}
