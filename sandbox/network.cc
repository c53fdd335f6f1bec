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

#include "absl/strings/str_cat.h"
#include "sandbox/status_macros.h"

namespace gograder::sandbox {

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
    if (entered) return absl::OkStatus();
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
