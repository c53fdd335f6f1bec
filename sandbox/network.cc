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
#include "base/status_macros.h"

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

namespace {

// Opens a namespace file, or -1.
int OpenNamespace(const std::string& path) {
  return open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

// Enters (creating it on first use) the mount namespace that holds the
// slots' network namespace pins. Pinning each slot's network namespace with a
// bind mount in the host's mount namespace would grow the host's mount table
// by one mount per slot, and every sandbox copies that table (clone with
// CLONE_NEWNS) and walks it twice: with a hundred slots that cost ~1 ms per
// run. The holder namespace keeps them all behind one host mount, `holder`.
absl::Status EnterPinHolder(const std::string& dir, int host_mounts) {
  std::string holder = dir + "/holder";
  int fd = OpenNamespace(holder);
  if (fd >= 0) {
    bool entered = setns(fd, CLONE_NEWNS) == 0;  // fails on a stale file (no pin mounted)
    close(fd);
    if (entered) return absl::OkStatus();
    umount2(holder.c_str(), MNT_DETACH);
  }
  if (unshare(CLONE_NEWNS) != 0) return ErrnoStatus("unshare pin holder mount namespace");
  // Nothing mounted here may reach the host: a private tree, and the pins on
  // a tmpfs of their own over the state directory.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return ErrnoStatus("make / private");
  if (mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
            "size=64k,mode=0700") != 0) {
    return ErrnoStatus("mount pin store at " + dir);
  }
  int self = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (self < 0) return ErrnoStatus("open holder mount namespace");
  // Pin the holder from the host's namespace (its `dir` is the real one).
  absl::Status pinned;
  if (setns(host_mounts, CLONE_NEWNS) != 0) {
    pinned = ErrnoStatus("return to the host mount namespace");
  } else {
    int file = open(holder.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (file < 0) pinned = ErrnoStatus("create " + holder);
    if (file >= 0) close(file);
    if (pinned.ok() && mount(absl::StrCat("/proc/self/fd/", self).c_str(), holder.c_str(), nullptr,
                             MS_BIND, nullptr) != 0) {
      pinned = ErrnoStatus("pin the holder mount namespace at " + holder);
    }
    if (pinned.ok() && setns(self, CLONE_NEWNS) != 0)
      pinned = ErrnoStatus("enter the holder mount namespace");
  }
  close(self);
  return pinned;
}

// Inside the holder: enters slot `slot`'s pinned network namespace, or pins a
// fresh one when it is missing or the previous run left sockets in it.
absl::Status EnterPinnedNetwork(const std::string& dir, int slot) {
  std::string pin = absl::StrCat(dir, "/slot-", slot);
  int fd = OpenNamespace(pin);
  if (fd >= 0) {
    bool entered = setns(fd, CLONE_NEWNET) == 0;
    close(fd);
    if (entered && NoSocketsLeft()) return absl::OkStatus();
    // Left dirty by the previous run: replace it by a fresh namespace.
    umount2(pin.c_str(), MNT_DETACH);
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

}  // namespace

absl::Status EnterSlotNetwork(const std::string& state_dir, int slot) {
  std::string dir = state_dir + "/netns";
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + dir);
  // setns into a mount namespace resets the working directory: keep ours.
  int host_mounts = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
  int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (host_mounts < 0 || cwd < 0) return ErrnoStatus("open the current mount namespace");
  absl::Status status = EnterPinHolder(dir, host_mounts);
  if (status.ok()) status = EnterPinnedNetwork(dir, slot);
  // Back to the host's mounts (the network namespace stays the slot's).
  if (setns(host_mounts, CLONE_NEWNS) != 0 && status.ok())
    status = ErrnoStatus("return to the host mount namespace");
  if (fchdir(cwd) != 0 && status.ok()) status = ErrnoStatus("restore the working directory");
  close(host_mounts);
  close(cwd);
  return status;
}

}  // namespace gograder::sandbox
