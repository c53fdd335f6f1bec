#include "grader/server/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "base/version.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct CommandResult {
  int exit_status = -1;
  std::string output;
};

// Runs `promtool <args>` with `input` on its stdin; returns status and output.
CommandResult RunPromtool(const std::string& args, const std::string& input) {
  char path[] = "/tmp/metrics_test_XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(write(fd, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(fd);
  CommandResult result;
  std::string command = absl::StrCat(PROMTOOL, " ", args, " < ", path, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  if (pipe != nullptr) {
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
      result.output.append(buffer, n);
    }
    int status = pclose(pipe);
    result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  unlink(path);
  return result;
}

// GET /metrics from 127.0.0.1:`port` over a plain socket; returns the body.
std::string HttpGetMetrics(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ADD_FAILURE() << "connect to 127.0.0.1:" << port << " failed";
    close(fd);
    return "";
  }
  const std::string request =
      "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  EXPECT_EQ(send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) {
    response.append(buffer, n);
  }
  close(fd);
  size_t body = response.find("\r\n\r\n");
  EXPECT_NE(body, std::string::npos) << response;
  EXPECT_TRUE(absl::StartsWith(response, "HTTP/1.1 200") ||
              absl::StartsWith(response, "HTTP/1.0 200"))
      << response.substr(0, 200);
  return body == std::string::npos ? "" : response.substr(body + 4);
}

// The family names in a text exposition (from its # TYPE lines).
std::set<std::string> FamilyNames(const std::string& exposition) {
  std::set<std::string> names;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::ConsumePrefix(&line, "# TYPE ")) continue;
    names.insert(std::string(line.substr(0, line.find(' '))));
  }
  return names;
}

std::unique_ptr<Metrics> NewMetrics() {
  absl::StatusOr<std::unique_ptr<Metrics>> metrics = Metrics::Create("");
  EXPECT_TRUE(metrics.ok()) << metrics.status();
  return metrics.ok() ? *std::move(metrics) : nullptr;
}

// Records a little of everything, as a daemon would.
void RecordSome(Metrics& metrics) {
  metrics.SetWorkers(4);
  metrics.SetWorkersBusy(2);
  metrics.SetQueueDepth(7);
  metrics.SubmissionAccepted("hello-world");
  metrics.SubmissionAccepted("hello-world");
  metrics.SubmissionAccepted("word-count");
  metrics.SubmissionFinished("hello-world", "graded", 85, 12.5);
  metrics.SubmissionFinished("hello-world", "graded", 100, 9);
  metrics.SubmissionFinished("word-count", "grading_failed", 0, 1.5);
  metrics.SubmissionRejected("queue_full");
  metrics.StepFinished(gograder::v1::BUILD, gograder::v1::SandboxResult::OK, 3.2);
  metrics.StepFinished(gograder::v1::TEST, gograder::v1::SandboxResult::TIME_LIMIT, 30);
  metrics.RpcFinished("GetReport", 0, 0.0004);
  metrics.RpcFinished("Submit", 8, 0.002);
}

TEST(MetricsTest, ScrapeHasEveryFamily) {
  std::unique_ptr<Metrics> metrics = NewMetrics();
  ASSERT_NE(metrics, nullptr);
  RecordSome(*metrics);
  std::string text = metrics->Scrape();
  EXPECT_EQ(FamilyNames(text), (std::set<std::string>{
                                   "gograder_build_info",
                                   "gograder_grading_duration_seconds",
                                   "gograder_queue_depth",
                                   "gograder_regrade_items",
                                   "gograder_regrades_running",
                                   "gograder_rpc_duration_seconds",
                                   "gograder_sandbox_verdicts_total",
                                   "gograder_start_time_seconds",
                                   "gograder_step_duration_seconds",
                                   "gograder_submission_score",
                                   "gograder_submissions_accepted_total",
                                   "gograder_submissions_finished_total",
                                   "gograder_submissions_rejected_total",
                                   "gograder_workers",
                                   "gograder_workers_busy",
                               }));
  EXPECT_THAT(text, HasSubstr("gograder_workers 4\n"));
  EXPECT_THAT(text, HasSubstr("gograder_workers_busy 2\n"));
  EXPECT_THAT(text, HasSubstr("gograder_queue_depth 7\n"));
  EXPECT_THAT(text, HasSubstr("gograder_submissions_accepted_total{exercise=\"hello-"
                              "world\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("gograder_submissions_finished_total{exercise="
                              "\"hello-world\",outcome=\"graded\"} 2\n"));
  // Accepting an exercise creates its zero series for every outcome.
  EXPECT_THAT(text, HasSubstr("gograder_submissions_finished_total{exercise="
                              "\"hello-world\",outcome=\"cancelled\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("gograder_submissions_rejected_total{reason="
                              "\"queue_full\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("gograder_submissions_rejected_total{reason="
                              "\"unauthenticated\"} 0\n"));
  // Scores: 85 and 100 fall in le=90 and le=100; 85 is above le=80.
  EXPECT_THAT(text, HasSubstr("gograder_submission_score_bucket{exercise="
                              "\"hello-world\",le=\"80\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("gograder_submission_score_bucket{exercise="
                              "\"hello-world\",le=\"90\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("gograder_submission_score_bucket{exercise="
                              "\"hello-world\",le=\"100\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("gograder_submission_score_sum{exercise="
                              "\"hello-world\"} 185\n"));
  // A failed grading has no score.
  EXPECT_THAT(text, Not(HasSubstr("gograder_submission_score_count{exercise="
                                  "\"word-count\"}")));
  EXPECT_THAT(text, HasSubstr("gograder_grading_duration_seconds_count{"
                              "outcome=\"graded\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("gograder_step_duration_seconds_count{step="
                              "\"build\"} 1\n"));
  // Every step has its (zero) duration series from the start.
  EXPECT_THAT(text, HasSubstr("gograder_step_duration_seconds_count{step="
                              "\"static\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("gograder_sandbox_verdicts_total{step=\"test\","
                              "verdict=\"time_limit\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("gograder_rpc_duration_seconds_count{code="
                              "\"RESOURCE_EXHAUSTED\",method=\"Submit\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("gograder_build_info{commit=\""));
  EXPECT_THAT(text, HasSubstr(absl::StrCat("version=\"", kGograderVersion, "\"} 1\n")));
}

TEST(MetricsTest, RegradeGaugesSumTheRegradesStillRunning) {
  std::unique_ptr<Metrics> metrics = NewMetrics();
  ASSERT_NE(metrics, nullptr);
  metrics->RegradeProgress("a", 3, 1, 0, false);
  metrics->RegradeProgress("b", 5, 0, 2, false);
  metrics->RegradeProgress("a", 2, 2, 0, false);  // a's later state replaces its earlier one
  std::string text = metrics->Scrape();
  EXPECT_THAT(text, HasSubstr("gograder_regrade_items{state=\"pending\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("gograder_regrade_items{state=\"graded\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("gograder_regrade_items{state=\"failed\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("gograder_regrades_running 2\n"));
  metrics->RegradeProgress("a", 0, 4, 0, false);  // finished
  metrics->RegradeProgress("b", 5, 0, 2, true);   // reverted
  text = metrics->Scrape();
  EXPECT_THAT(text, HasSubstr("gograder_regrade_items{state=\"pending\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("gograder_regrades_running 0\n"));
}

TEST(MetricsTest, StartTimeIsNow) {
  std::unique_ptr<Metrics> metrics = NewMetrics();
  ASSERT_NE(metrics, nullptr);
  std::string text = metrics->Scrape();
  size_t at = text.find("\ngograder_start_time_seconds ");
  ASSERT_NE(at, std::string::npos) << text;
  at += sizeof("\ngograder_start_time_seconds ") - 1;
  double start;
  ASSERT_TRUE(absl::SimpleAtod(text.substr(at, text.find('\n', at) - at), &start));
  EXPECT_NEAR(start, static_cast<double>(time(nullptr)), 60);
}

TEST(MetricsTest, UnexpectedLabelValuesStayBounded) {
  std::unique_ptr<Metrics> metrics = NewMetrics();
  ASSERT_NE(metrics, nullptr);
  metrics->SubmissionFinished("hello-world", "exploded", 0, 1);
  metrics->SubmissionRejected("because");
  metrics->RpcFinished("Submit", 99, 0.1);
  metrics->StepFinished(static_cast<gograder::v1::Step>(99),
                        static_cast<gograder::v1::SandboxResult::Verdict>(42), 1);
  std::string text = metrics->Scrape();
  EXPECT_THAT(text, HasSubstr("outcome=\"other\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("reason=\"other\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("code=\"UNKNOWN\""));
  EXPECT_THAT(text, HasSubstr("gograder_sandbox_verdicts_total{step="
                              "\"unknown\",verdict=\"unknown\"} 1\n"));
}

TEST(MetricsTest, ExpositionPassesPromtool) {
  ASSERT_TRUE(absl::string_view(PROMTOOL).find("NOTFOUND") == absl::string_view::npos)
      << "promtool not found (Debian package prometheus; scripts/setup)";
  std::unique_ptr<Metrics> metrics = NewMetrics();
  ASSERT_NE(metrics, nullptr);
  RecordSome(*metrics);
  CommandResult lint = RunPromtool("check metrics", metrics->Scrape());
  EXPECT_EQ(lint.exit_status, 0) << lint.output;
  EXPECT_EQ(lint.output, "") << lint.output;
}

// One exposer for the whole binary: prometheus::Exposer's destructor waits
// about two seconds for its HTTP threads, so it is deliberately never
// destroyed.
Metrics& ServingMetrics() {
  static Metrics* metrics = [] {
    absl::StatusOr<std::unique_ptr<Metrics>> created = Metrics::Create("127.0.0.1:0");
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->release() : nullptr;
  }();
  if (metrics == nullptr) std::abort();
  return *metrics;
}

TEST(MetricsTest, ServesMetricsOverHttp) {
  Metrics& metrics = ServingMetrics();
  std::string address = metrics.BoundAddress();
  ASSERT_TRUE(absl::StartsWith(address, "127.0.0.1:")) << address;
  int port;
  ASSERT_TRUE(absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port));
  ASSERT_GT(port, 0);
  metrics.SetQueueDepth(3);
  std::string body = HttpGetMetrics(port);
  EXPECT_THAT(body, HasSubstr("gograder_queue_depth 3\n"));
  // The exposer adds its own exposer_* families to what Scrape() returns.
  std::set<std::string> served = FamilyNames(body);
  for (const std::string& family : FamilyNames(metrics.Scrape())) {
    EXPECT_TRUE(served.count(family)) << family;
  }
  CommandResult lint = RunPromtool("check metrics", body);
  EXPECT_EQ(lint.exit_status, 0) << lint.output;
}

TEST(MetricsTest, BusyPortIsAnError) {
  // Take a port, then ask the exposer for the same one.
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  absl::StatusOr<std::unique_ptr<Metrics>> metrics =
      Metrics::Create(absl::StrCat("127.0.0.1:", ntohs(address.sin_port)));
  close(fd);
  EXPECT_FALSE(metrics.ok());
}

}  // namespace
}  // namespace gograder::server
