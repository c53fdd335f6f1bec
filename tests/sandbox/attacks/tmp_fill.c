/* Case 5: fill /tmp (a size-limited tmpfs whose pages are charged to the
 * run's memory cgroup). Prints ENOSPC when the tmpfs is full. */
#include <fcntl.h>

#include "probe.h"

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "/tmp/fill";
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("open");
  static char buffer[1 << 16];
  memset(buffer, 'x', sizeof buffer);
  long long total = 0;
  for (;;) {
    ssize_t n = write(fd, buffer, sizeof buffer);
    if (n < 0) {
      printf("probe=fill errno=%s mib=%lld\n", errno_name(errno), total >> 20);
      return 0;
    }
    total += n;
  }
}
