#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stop_token>
#include <thread>

#include "absl/time/clock.h"
#include "base/fd.h"
#include "base/files.h"
#include "base/fuzzing.h"
#include "base/process.h"
#include "base/status_matchers.h"
#include "base/temp_dir.h"
#include "base/text_proto.h"
#include "gmock/gmock.h"
#include "google/protobuf/duration.pb.h"
#include "gtest/gtest.h"

namespace gograder {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class BaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("base_test_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(BaseTest, WholeFilesRoundTripAndAMissingFileIsNotFound) {
  ASSERT_OK(WriteWholeFile(dir_ / "a", std::string("x\0y", 3)));
  ASSERT_OK_AND_ASSIGN(std::string content, ReadWholeFile(dir_ / "a"));
  EXPECT_EQ(content, std::string("x\0y", 3));
  EXPECT_EQ(ReadFileOrEmpty(dir_ / "missing"), "");
  EXPECT_THAT(ReadWholeFile(dir_ / "missing"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing")));
  EXPECT_THAT(WriteWholeFile(dir_ / "no" / "such" / "dir", "x"),
              StatusIs(absl::StatusCode::kInternal));
}

TEST_F(BaseTest, WriteAllWritesEverythingAndUniqueFdCloses) {
  int raw = -1;
  {
    UniqueFd fd(open((dir_ / "f").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    ASSERT_TRUE(fd.valid());
    raw = fd.get();
    ASSERT_OK(WriteAll(fd.get(), std::string(1 << 20, 'z')));
    UniqueFd moved = std::move(fd);
    EXPECT_FALSE(fd.valid());
    EXPECT_EQ(moved.get(), raw);
  }
  EXPECT_EQ(fcntl(raw, F_GETFD), -1);  // closed with its owner
  EXPECT_EQ(fs::file_size(dir_ / "f"), 1u << 20);
  EXPECT_THAT(WriteAll(-1, "x"), StatusIs(absl::StatusCode::kInternal, HasSubstr("write")));
}

TEST_F(BaseTest, TextProtoErrorsNameFileLineAndColumn) {
  google::protobuf::Duration duration;
  ASSERT_OK(ParseTextProto("seconds: 3", "d.textproto", &duration));
  EXPECT_EQ(duration.seconds(), 3);
  EXPECT_THAT(ParseTextProto("seconds: 3\nminutes: 2\n", "d.textproto", &duration),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("d.textproto:2:")));
}

TEST_F(BaseTest, RunProcessCapturesOutputAndExitCode) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"};
  spec.stdout_file = spec.stderr_file = (dir_ / "both").string();
  ASSERT_OK_AND_ASSIGN(ProcessExit exit, RunProcess(spec));
  EXPECT_EQ(exit.exit_code, 3);
  EXPECT_FALSE(exit.timed_out || exit.stopped);
  EXPECT_EQ(ReadFileOrEmpty(dir_ / "both"), "out\nerr\n");

  spec.argv = {"sh", "-c", "echo $GOGRADER_TEST_VAR; pwd"};
  spec.inherit_environment = false;
  spec.environment = {{"GOGRADER_TEST_VAR", "seen"}};
  spec.cwd = dir_.string();
  spec.stdout_file = (dir_ / "out").string();
  spec.stderr_file = "";
  spec.search_path = {"/bin", "/usr/bin"};
  ASSERT_OK_AND_ASSIGN(exit, RunProcess(spec));
  EXPECT_EQ(exit.exit_code, 0);
  EXPECT_EQ(ReadFileOrEmpty(dir_ / "out"), "seen\n" + dir_.string() + "\n");
}

TEST_F(BaseTest, RunProcessKillsAtTheTimeoutAndOnStop) {
  ProcessSpec spec;
  spec.argv = {"sleep", "30"};
  spec.timeout = absl::Milliseconds(100);
  absl::Time start = absl::Now();
  ASSERT_OK_AND_ASSIGN(ProcessExit exit, RunProcess(spec));
  EXPECT_TRUE(exit.timed_out);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));

  std::stop_source stop;
  spec.timeout.reset();
  spec.stop = stop.get_token();
  std::thread stopper([&] {
    absl::SleepFor(absl::Milliseconds(100));
    stop.request_stop();
  });
  ASSERT_OK_AND_ASSIGN(exit, RunProcess(spec));
  stopper.join();
  EXPECT_TRUE(exit.stopped);
  EXPECT_FALSE(exit.timed_out);
}

TEST_F(BaseTest, RunProcessChildDiesWithItsParent) {
  std::string pid_file = (dir_ / "pid").string();
  pid_t parent = fork();
  if (parent == 0) {
    ProcessSpec spec;
    spec.argv = {"sh", "-c", "echo $$ > " + pid_file + "; exec sleep 30"};
    (void)RunProcess(spec);
    _exit(0);
  }
  pid_t child = 0;
  for (int i = 0; i < 500 && child == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
    std::string text = ReadFileOrEmpty(pid_file);
    if (!text.empty() && text.back() == '\n') child = std::stoi(text);
  }
  ASSERT_GT(child, 0) << "the child never started";
  kill(parent, SIGKILL);  // a crash of the process that ran it
  waitpid(parent, nullptr, 0);
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = kill(child, 0) != 0 && errno == ESRCH;
    if (!gone) absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(gone) << "pid " << child << " outlived its parent";
  if (!gone) kill(child, SIGKILL);
}

TEST_F(BaseTest, RunProcessOfAMissingProgramIsNotFound) {
  ProcessSpec spec;
  spec.argv = {"gograder-no-such-program"};
  EXPECT_THAT(RunProcess(spec), StatusIs(absl::StatusCode::kNotFound));
  spec.argv = {"/no/such/program"};
  EXPECT_THAT(RunProcess(spec), StatusIs(absl::StatusCode::kInternal, HasSubstr("cannot start")));
}

TEST(TempDirTest, MakesAFreshDirectoryAndRemovesItWithItsContent) {
  std::string path;
  {
    TempDir dir("base_test_temp_");
    path = dir.path();
    ASSERT_FALSE(path.empty());
    EXPECT_TRUE(fs::is_directory(path));
    EXPECT_THAT(fs::path(path).filename().string(), ::testing::StartsWith("base_test_temp_"));
    TempDir other("base_test_temp_");
    EXPECT_NE(other.path(), path);
    fs::create_directories(fs::path(path) / "a" / "b");
    ASSERT_OK(WriteWholeFile(fs::path(path) / "a" / "b" / "f", "x"));
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(FuzzingTest, FuzzInputIsTheBytesAsText) {
  const uint8_t bytes[] = {'a', 0, 'b'};
  EXPECT_EQ(FuzzInput(bytes, 3), absl::string_view("a\0b", 3));
}

TEST(FuzzingDeathTest, AViolatedPropertyAbortsNamingIt) {
  FuzzExpect(true, "never printed");
  FuzzExpectOkOr(absl::OkStatus(), absl::StatusCode::kInvalidArgument, "parse");
  FuzzExpectOkOr(absl::InvalidArgumentError("bad"), absl::StatusCode::kInvalidArgument, "parse");
  EXPECT_DEATH(FuzzExpect(false, "files stay inside"), "fuzz property violated: files stay inside");
  EXPECT_DEATH(
      FuzzExpectOkOr(absl::InternalError("boom"), absl::StatusCode::kInvalidArgument, "parse"),
      "parse must succeed or fail with INVALID_ARGUMENT; got INTERNAL: boom");
}

}  // namespace
}  // namespace gograder
