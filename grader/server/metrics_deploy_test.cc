// The deploy/ files against the metrics they watch: every gograder_ name the
// alerts and the dashboard use is a family of metrics.cc, the dashboard has a
// panel for every family, its queries parse (promtool), and the example
// configs parse as DaemonConfig text protos.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "grader/cli/batch_progress.h"
#include "grader/server/metrics.h"
#include "grader/store/pg_conninfo.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "proto/gograder/v1/config.pb.h"

namespace gograder::server {
namespace {

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(absl::StrCat(GOGRADER_SOURCE_DIR, "/", relative));
  EXPECT_TRUE(in) << relative;
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Families of a Metrics on which every helper was called once (a labelled
// family shows only once it has a series).
std::set<std::string> DefinedFamilies() {
  absl::StatusOr<std::unique_ptr<Metrics>> metrics = Metrics::Create("");
  EXPECT_TRUE(metrics.ok()) << metrics.status();
  if (!metrics.ok()) return {};
  Metrics& m = **metrics;
  m.SubmissionAccepted("phase1/concurrent-web-scraper");
  m.SubmissionFinished("phase1/concurrent-web-scraper", "graded", 90, 60);
  m.SubmissionRejected("queue_full");
  m.StepFinished(gograder::v1::TEST, gograder::v1::SandboxResult::OK, 10);
  m.SetQueueDepth(1);
  m.SetWorkersBusy(1);
  m.SetWorkers(2);
  m.RpcFinished("GetReport", 0, 0.001);
  m.RegradeProgress("r1", 3, 1, 0, false);
  std::set<std::string> families;
  // gograderd's, and those `gograder batch --metrics-file` writes.
  std::string exposition =
      m.Scrape() + cli::BatchMetricsText("phase1/concurrent-web-scraper", 40, 12, 1, 0, 3);
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::ConsumePrefix(&line, "# TYPE ")) continue;
    families.insert(std::string(line.substr(0, line.find(' '))));
  }
  return families;
}

bool IsNameChar(char c) { return isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Every gograder_... name in `text`, with a histogram's _bucket/_sum/_count
// mapped to its family when that is what it is.
std::set<std::string> UsedFamilies(const std::string& text, const std::set<std::string>& defined) {
  std::set<std::string> used;
  for (size_t at = text.find("gograder_"); at != std::string::npos;
       at = text.find("gograder_", at + 1)) {
    if (at > 0 && IsNameChar(text[at - 1])) continue;
    size_t end = at;
    while (end < text.size() && IsNameChar(text[end])) ++end;
    std::string name = text.substr(at, end - at);
    if (!defined.count(name)) {
      for (absl::string_view suffix : {"_bucket", "_sum", "_count"}) {
        if (absl::EndsWith(name, suffix)) {
          name.resize(name.size() - suffix.size());
          break;
        }
      }
    }
    used.insert(name);
  }
  return used;
}

TEST(MetricsDeployTest, AlertsUseOnlyDefinedFamilies) {
  std::set<std::string> defined = DefinedFamilies();
  std::set<std::string> used =
      UsedFamilies(ReadSourceFile("deploy/prometheus/gograder-alerts.yml"), defined);
  EXPECT_FALSE(used.empty());
  for (const std::string& name : used) {
    EXPECT_TRUE(defined.count(name)) << "alerts use " << name;
  }
}

TEST(MetricsDeployTest, DashboardShowsEveryFamilyAndNothingElse) {
  std::set<std::string> defined = DefinedFamilies();
  ASSERT_EQ(defined.size(), 17u);
  nlohmann::json dashboard =
      nlohmann::json::parse(ReadSourceFile("deploy/grafana/gograder-dashboard.json"));
  std::string queries;
  for (const nlohmann::json& panel : dashboard["panels"]) {
    for (const nlohmann::json& target : panel.value("targets", nlohmann::json::array())) {
      queries += target.value("expr", "") + "\n";
    }
  }
  std::set<std::string> used = UsedFamilies(queries, defined);
  for (const std::string& name : used) {
    EXPECT_TRUE(defined.count(name)) << "dashboard uses " << name;
  }
  for (const std::string& name : defined) {
    EXPECT_TRUE(used.count(name)) << "no dashboard panel shows " << name;
  }
}

// Grafana's variables replaced by values Prometheus accepts.
std::string Substituted(const std::string& expr) {
  return absl::StrReplaceAll(expr, {{"$__rate_interval", "5m"},
                                    {"$__interval", "1m"},
                                    {"$job", ".*"},
                                    {"$instance", ".*"},
                                    {"$exercise", ".*"},
                                    {"$step", ".*"}});
}

TEST(MetricsDeployTest, DashboardQueriesParse) {
  ASSERT_FALSE(absl::StrContains(PROMTOOL, "NOTFOUND"))
      << "promtool not found (Debian package prometheus; scripts/setup)";
  nlohmann::json dashboard =
      nlohmann::json::parse(ReadSourceFile("deploy/grafana/gograder-dashboard.json"));
  std::vector<std::string> exprs;
  for (const nlohmann::json& panel : dashboard["panels"]) {
    for (const nlohmann::json& target : panel.value("targets", nlohmann::json::array())) {
      if (target.contains("expr")) exprs.push_back(target["expr"]);
    }
  }
  for (const nlohmann::json& annotation : dashboard["annotations"]["list"]) {
    if (annotation.contains("expr")) exprs.push_back(annotation["expr"]);
  }
  ASSERT_GT(exprs.size(), 20u);
  // Each query as a recording rule: promtool parses and type-checks it.
  std::string rules = "groups:\n  - name: dashboard\n    rules:\n";
  for (size_t i = 0; i < exprs.size(); ++i) {
    EXPECT_FALSE(absl::StrContains(Substituted(exprs[i]), "$")) << exprs[i];
    absl::StrAppend(&rules, "      - record: dashboard:query_", i, "\n",
                    "        expr: ", nlohmann::json(Substituted(exprs[i])).dump(), "\n");
  }
  char path[] = "/tmp/metrics_deploy_test_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, rules.data(), rules.size()), static_cast<ssize_t>(rules.size()));
  close(fd);
  std::string command = absl::StrCat(PROMTOOL, " check rules ", path, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    output.append(buffer, n);
  }
  int status = pclose(pipe);
  unlink(path);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
}

// Parses `text` as a DaemonConfig the way gograderd does (unknown fields are
// errors); returns the errors, one per line.
std::string DaemonConfigErrors(const std::string& text) {
  class Collector : public google::protobuf::io::ErrorCollector {
   public:
    void AddError(int line, int column, const std::string& message) override {
      absl::StrAppend(&errors, line + 1, ":", column + 1, ": ", message, "\n");
    }
    std::string errors;
  } collector;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  gograder::v1::DaemonConfig config;
  if (!parser.ParseFromString(text, &config) && collector.errors.empty()) {
    return "parse failed";
  }
  return collector.errors;
}

// The gograderd.textproto block of a ConfigMap in deploy/, indented by four
// spaces there, parsed as a DaemonConfig (unknown fields are errors).
gograder::v1::DaemonConfig ConfigMapConfig(const std::string& relative) {
  std::string config;
  bool inside = false;
  for (absl::string_view line : absl::StrSplit(ReadSourceFile(relative), '\n')) {
    if (absl::StrContains(line, "gograderd.textproto: |")) {
      inside = true;
    } else if (inside && (line.empty() || absl::StartsWith(line, "    "))) {
      absl::StrAppend(&config, line.empty() ? line : line.substr(4), "\n");
    } else if (inside) {
      break;
    }
  }
  EXPECT_TRUE(absl::StrContains(config, "listen_address")) << relative << ":\n" << config;
  EXPECT_EQ(DaemonConfigErrors(config), "") << relative;
  gograder::v1::DaemonConfig parsed;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(config, &parsed)) << relative;
  return parsed;
}

TEST(MetricsDeployTest, ExampleConfigsParse) {
  EXPECT_EQ(DaemonConfigErrors(ReadSourceFile("deploy/config/gograderd.textproto")), "");
  for (const std::string configmap :
       {"deploy/kubernetes/base/configmap.yaml", "deploy/kubernetes/postgres/configmap.yaml"}) {
    gograder::v1::DaemonConfig parsed = ConfigMapConfig(configmap);
    EXPECT_EQ(parsed.metrics_address(), "0.0.0.0:9464") << configmap;
    EXPECT_FALSE(parsed.auth().tokens_file().empty())
        << configmap << ": a non-loopback listen address needs tokens";
  }
}

// The PostgreSQL mode's database is a URL DatabaseConnInfo takes: no
// password in it, the password from a file.
TEST(MetricsDeployTest, PostgresConfigNamesADatabaseWithoutPassword) {
  gograder::v1::DaemonConfig config = ConfigMapConfig("deploy/kubernetes/postgres/configmap.yaml");
  EXPECT_TRUE(store::IsPostgresDatabase(config.database())) << config.database();
  EXPECT_FALSE(config.database_password_file().empty());
  absl::StatusOr<store::DatabaseTarget> target =
      store::DatabaseConnInfo(config.database(), store::DatabaseSecrets());
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->kind, store::DatabaseTarget::Kind::kPostgres);
  EXPECT_TRUE(absl::StrContains(target->conninfo, "sslmode='verify-full'")) << target->conninfo;
}

}  // namespace
}  // namespace gograder::server
