#include "grader/core/toolchain/slots.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class SlotLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("slots_test_" + std::to_string(getpid()))).string();
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(SlotLeaseTest, ALeasedSlotIsNotGivenTwiceAndIsFreedWithItsLease) {
  ASSERT_OK_AND_ASSIGN(SlotLease first, SlotLease::AcquireAny(3, 5, dir_));
  EXPECT_EQ(first.slot(), 3);
  {
    ASSERT_OK_AND_ASSIGN(SlotLease second, SlotLease::AcquireAny(3, 5, dir_));
    EXPECT_EQ(second.slot(), 4);
    EXPECT_THAT(SlotLease::Acquire(3, dir_),
                StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("slot 3 is in use")));
  }
  ASSERT_OK_AND_ASSIGN(SlotLease again, SlotLease::AcquireAny(3, 5, dir_));
  EXPECT_EQ(again.slot(), 4);  // freed when `second` went
  ASSERT_OK_AND_ASSIGN(SlotLease last, SlotLease::AcquireAny(3, 5, dir_));
  EXPECT_EQ(last.slot(), 5);
  EXPECT_THAT(SlotLease::AcquireAny(3, 5, dir_), StatusIs(absl::StatusCode::kResourceExhausted));
  EXPECT_THAT(SlotLease::Acquire(1024, dir_), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(SlotLeaseTest, AnotherProcessSeesTheLeaseUntilItsHolderDies) {
  int ready[2], done[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(done), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lease = SlotLease::Acquire(7, dir_);
    char byte = lease.ok() ? 'y' : 'n';
    if (write(ready[1], &byte, 1) != 1) _exit(2);
    if (read(done[0], &byte, 1) < 0) _exit(3);  // hold it until told, then die without cleanup
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  EXPECT_THAT(SlotLease::Acquire(7, dir_), StatusIs(absl::StatusCode::kFailedPrecondition));
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_OK(SlotLease::Acquire(7, dir_));
}

TEST_F(SlotLeaseTest, AnExclusiveCpuTurnWaitsForSharedOnesAndGoesFirst) {
  ASSERT_OK_AND_ASSIGN(CpuTurn first, CpuTurn::Take(false, {}, dir_));
  ASSERT_OK_AND_ASSIGN(CpuTurn second, CpuTurn::Take(false, {}, dir_));  // shared turns share
  std::atomic<bool> exclusive_taken{false};
  std::thread bench([&] {
    auto turn = CpuTurn::Take(true, {}, dir_);
    exclusive_taken = turn.ok();
    absl::SleepFor(absl::Milliseconds(100));  // hold it a while
  });
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_FALSE(exclusive_taken);  // the shared turns still run
  // A new shared turn waits behind the exclusive one: stop it while it waits.
  std::stop_source stop;
  std::thread stopper([&] {
    absl::SleepFor(absl::Milliseconds(100));
    stop.request_stop();
  });
  EXPECT_THAT(CpuTurn::Take(false, stop.get_token(), dir_), StatusIs(absl::StatusCode::kCancelled));
  stopper.join();
  { CpuTurn done = std::move(first); }
  { CpuTurn done = std::move(second); }
  bench.join();
  EXPECT_TRUE(exclusive_taken);
  EXPECT_OK(CpuTurn::Take(false, {}, dir_));  // free again
}

}  // namespace
}  // namespace gograder::core
