#include "sandbox/network.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sandbox/status_macros.h"

namespace gograder::sandbox {
namespace {

// True when `table` (a /proc/thread-self/net file listing sockets one per
// line after a header) lists none; also when this kernel lacks it.
bool TableEmpty(const char* table) {
  int fd = open(absl::StrCat("/proc/thread-self/net/", table).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;
  char buffer[4096];
  int lines = 0;
  ssize_t n;
  while (lines < 2 && (n = read(fd, buffer, sizeof buffer)) > 0) {
    for (ssize_t i = 0; i < n; ++i) lines += buffer[i] == '\n';
  }
  close(fd);
  return lines < 2;  // a header line and no socket
}

// True when the per-namespace counters of `sockstat` ("inuse", and "tw" for
// TCP) are all zero. Unlike /proc/net/tcp, which walks the kernel's global
// connection tables (milliseconds with many connections on the host), this
// reads counters.
bool SockstatIdle(const char* file) {
  std::string text;
  int fd = open(absl::StrCat("/proc/thread-self/net/", file).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;
  char buffer[1024];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, n);
  close(fd);
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    for (size_t i = 1; i + 1 < words.size(); ++i) {
      if ((words[i] == "inuse" || words[i] == "tw") && words[i + 1] != "0") return false;
    }
  }
  return true;
}

// True when the caller's network namespace holds no socket at all. A run
// that ends can leave sockets behind in the namespace it shared with the
// slot's later runs: TIME_WAIT connections (their ports stay bound for a
// minute), and listeners whose descriptors it sent in flight through a unix
// socket that holds itself, alive until the kernel's garbage collector runs.
// The next run would find those ports taken and connect to those listeners.
bool NoSocketsLeft() {
  return SockstatIdle("sockstat") && SockstatIdle("sockstat6") && TableEmpty("unix") &&
         TableEmpty("icmp") && TableEmpty("icmp6");
}

}  // namespace

absl::Status BringLoopbackUp() {
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return ErrnoStatus("socket for loopback");
  struct ifreq request = {};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  absl::Status status;
  if (ioctl(sock, SIOCGIFFLAGS, &request) != 0) {
    status = ErrnoStatus("SIOCGIFFLAGS lo");
  } else {
    request.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(sock, SIOCSIFFLAGS, &request) != 0) status = ErrnoStatus("SIOCSIFFLAGS lo");
  }
  close(sock);
  return status;
}

absl::Status EnterSlotNetwork(const std::string& state_dir, int slot) {
  std::string dir = state_dir + "/netns";
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + dir);
  std::string pin = absl::StrCat(dir, "/slot-", slot);
  int fd = open(pin.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    bool entered = setns(fd, CLONE_NEWNET) == 0;  // fails on a stale file (no pin mounted)
    close(fd);
    if (entered && NoSocketsLeft()) return absl::OkStatus();
    // Left dirty by the previous run: replace it by a fresh namespace.
    if (entered) umount2(pin.c_str(), MNT_DETACH);
  }
  if (unshare(CLONE_NEWNET) != 0) return ErrnoStatus("unshare network namespace");
  RETURN_IF_ERROR(BringLoopbackUp());
  fd = open(pin.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoStatus("create " + pin);
  close(fd);
  if (mount("/proc/thread-self/ns/net", pin.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return ErrnoStatus("pin network namespace at " + pin);
  }
  return absl::OkStatus();
}

}  // namespace gograder::sandbox
