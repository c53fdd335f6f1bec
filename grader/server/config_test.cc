#include "grader/server/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/status_matchers.h"

namespace gograder::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gograderd_config_test_" + std::to_string(getpid()));
    fs::create_directories(dir_ / "rubrics");
    std::ofstream(dir_ / "gograder-sandbox") << "x";
    std::ofstream(dir_ / "gograder-inspector") << "x";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }

  v1::DaemonConfig Valid() {
    v1::DaemonConfig config;
    config.set_rubrics_dir((dir_ / "rubrics").string());
    ApplyDefaults(config, dir_.string());
    return config;
  }

  fs::path dir_;
};

TEST_F(ConfigTest, ParsesCommentedTextProto) {
  std::string path = Write("gograderd.textproto",
                           "# the grading service\n"
                           "listen_address: \"127.0.0.1:6000\"  # loopback\n"
                           "workers: 3\n"
                           "auth { tokens_file: \"/etc/gograder/tokens.textproto\" }\n");
  auto config = LoadConfig(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen_address(), "127.0.0.1:6000");
  EXPECT_EQ(config->workers(), 3);
  EXPECT_EQ(config->auth().tokens_file(), "/etc/gograder/tokens.textproto");
}

TEST_F(ConfigTest, UnknownFieldIsAnErrorWithLineAndColumn) {
  std::string path = Write("bad.textproto", "workers: 2\nlisten_adress: \"x\"\n");
  auto config = LoadConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("bad.textproto:2:"));
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("listen_adress"));
}

TEST_F(ConfigTest, DefaultsAreApplied) {
  v1::DaemonConfig config = Valid();
  EXPECT_EQ(config.listen_address(), "127.0.0.1:50051");
  EXPECT_EQ(config.data_dir(), "/var/lib/gograder");
  EXPECT_EQ(config.database(), "/var/lib/gograder/gograder.db");
  EXPECT_GE(config.workers(), 1);
  EXPECT_EQ(config.queue_limit(), 1000);
  EXPECT_EQ(config.max_submission_bytes(), 16 << 20);
  EXPECT_EQ(config.first_slot(), 100);
  EXPECT_EQ(config.sandbox_binary(), (dir_ / "gograder-sandbox").string());
  EXPECT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config);
}

TEST_F(ConfigTest, RefusesNonLoopbackWithoutTokens) {
  v1::DaemonConfig config = Valid();
  config.set_listen_address("0.0.0.0:50051");
  absl::Status status = ValidateConfig(config);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(status.message()), HasSubstr("not loopback"));
  config.mutable_auth()->set_tokens_file(Write("tokens.textproto", ""));
  EXPECT_TRUE(ValidateConfig(config).ok()) << ValidateConfig(config);
}

TEST_F(ConfigTest, ReportsEveryProblemAtOnce) {
  v1::DaemonConfig config = Valid();
  config.set_rubrics_dir("");
  config.set_workers(-1);
  config.set_queue_limit(-5);
  config.mutable_tls()->set_cert_file("/nonexistent/cert.pem");
  config.set_listen_address("nonsense");
  std::string message(ValidateConfig(config).message());
  EXPECT_THAT(message, HasSubstr("rubrics_dir is required"));
  EXPECT_THAT(message, HasSubstr("workers -1"));
  EXPECT_THAT(message, HasSubstr("queue_limit -5"));
  EXPECT_THAT(message, HasSubstr("tls needs both"));
  EXPECT_THAT(message, HasSubstr("is not host:port"));
}

TEST_F(ConfigTest, QueueLimitsHaveDefaultsAndPerCourseOverrides) {
  std::string path = Write("limits.textproto",
                           "queue_limit: 500\n"
                           "limits { queued_per_student: 5 hourly_per_student: 30 }\n"
                           "course_limits { course_id: \"cs101\"\n"
                           "  limits { queued_per_student: 0 queued_per_course: 50 } }\n");
  ASSERT_OK_AND_ASSIGN(v1::DaemonConfig config, LoadConfig(path));
  config.set_rubrics_dir((dir_ / "rubrics").string());
  ApplyDefaults(config, dir_.string());
  ASSERT_OK(ValidateConfig(config));
  AdmissionLimits limits = AdmissionLimitsOf(config);
  const store::QueueLimits& other = limits.For("cs102");
  EXPECT_EQ(other.queued, 500);
  EXPECT_EQ(other.queued_per_student, 5);
  EXPECT_EQ(other.queued_per_course, 0);
  EXPECT_EQ(other.hourly_per_student, 30);
  EXPECT_EQ(other.hourly_per_course, 0);
  // cs101: an explicit 0 lifts the default; what it does not set stays.
  const store::QueueLimits& cs101 = limits.For("cs101");
  EXPECT_EQ(cs101.queued, 500);
  EXPECT_EQ(cs101.queued_per_student, 0);
  EXPECT_EQ(cs101.queued_per_course, 50);
  EXPECT_EQ(cs101.hourly_per_student, 30);

  // No limits in the config: only the whole queue's.
  const store::QueueLimits& none = AdmissionLimitsOf(Valid()).For("cs101");
  EXPECT_EQ(none.queued, 1000);
  EXPECT_EQ(none.queued_per_student + none.queued_per_course + none.hourly_per_student +
                none.hourly_per_course,
            0);
}

TEST_F(ConfigTest, BadQueueLimitsAreNamed) {
  v1::DaemonConfig config = Valid();
  config.mutable_limits()->set_hourly_per_course(-1);
  config.add_course_limits()->mutable_limits()->set_queued_per_student(3);
  v1::CourseQueueLimits* twice = config.add_course_limits();
  twice->set_course_id("cs101");
  twice->mutable_limits()->set_queued_per_student(-2);
  *config.add_course_limits() = *twice;
  std::string message(ValidateConfig(config).message());
  EXPECT_THAT(message, HasSubstr("limits.hourly_per_course -1 must be >= 0 (0 = unlimited)"));
  EXPECT_THAT(message, HasSubstr("course_limits[0] has no course_id"));
  EXPECT_THAT(message, HasSubstr("course_limits[1].limits.queued_per_student -2 must be >= 0"));
  EXPECT_THAT(message, HasSubstr("course_limits[2]: course \"cs101\" has limits already"));
}

// Found by config_fuzz: a path the file system refuses to look up (a name of
// more than 255 bytes: ENAMETOOLONG) made ValidateConfig throw
// std::filesystem::filesystem_error, so gograderd died instead of saying why.
TEST_F(ConfigTest, APathTheFileSystemRefusesIsInvalidNotAnException) {
  const std::string too_long = "/" + std::string(300, 'a');
  v1::DaemonConfig config = Valid();
  config.set_rubrics_dir(too_long);
  config.set_sandbox_binary(too_long);
  config.set_inspector_binary(too_long + "/x");
  config.mutable_tls()->set_cert_file(too_long);
  config.mutable_tls()->set_key_file(too_long);
  config.mutable_auth()->set_tokens_file(too_long);
  absl::Status status = ValidateConfig(config);
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(status.message(), HasSubstr("rubrics_dir \"" + too_long + "\" is not a directory"));
  EXPECT_THAT(status.message(),
              HasSubstr("sandbox_binary \"" + too_long + "\" is not an existing"));
  EXPECT_THAT(status.message(), HasSubstr("inspector_binary"));
  EXPECT_THAT(status.message(), HasSubstr("\"" + too_long + "\" does not exist"));
}

// Found by config_fuzz: first_slot + workers overflowed int32 (undefined
// behaviour) for a first_slot near 2^31.
TEST_F(ConfigTest, SlotsNearTheInt32LimitAreOutOfRangeWithoutOverflow) {
  v1::DaemonConfig config = Valid();
  config.set_first_slot(2147483647);
  config.set_workers(5);
  EXPECT_THAT(ValidateConfig(config),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("sandbox slots 2147483647..2147483652 must lie in 0..1023")));
  config.set_first_slot(1019);  // 5 workers and FindSimilar's slot: 1019..1024
  EXPECT_THAT(ValidateConfig(config), StatusIs(absl::StatusCode::kInvalidArgument));
  config.set_first_slot(1018);
  EXPECT_OK(ValidateConfig(config));  // slots 1018..1023
}

TEST(LoopbackTest, Addresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:0"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:50051"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:1"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:50051"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1:50051"));
  EXPECT_FALSE(IsLoopbackAddress("127.0.0.1"));
}

}  // namespace
}  // namespace gograder::server
