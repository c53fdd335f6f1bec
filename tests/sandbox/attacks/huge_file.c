/* Case 6: write a file past RLIMIT_FSIZE. "default" dies of SIGXFSZ;
 * "ignore" ignores SIGXFSZ and must see EFBIG, also for sparse tricks. */
#include <fcntl.h>
#include <signal.h>

#include "probe.h"

int main(int argc, char** argv) {
  if (argc < 3) die("usage: huge_file default|ignore PATH");
  if (strcmp(argv[1], "ignore") == 0) signal(SIGXFSZ, SIG_IGN);
  int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("open");
  static char buffer[1 << 16];
  memset(buffer, 'y', sizeof buffer);
  long long total = 0;
  for (;;) {
    ssize_t n = write(fd, buffer, sizeof buffer);
    if (n < 0) {
      printf("probe=write errno=%s bytes=%lld\n", errno_name(errno), total);
      break;
    }
    if (n == 0) break;
    total += n;
  }
  probe_rc("pwrite_far", pwrite(fd, "z", 1, 10ll << 30));
  probe_rc("ftruncate_far", ftruncate(fd, 10ll << 30));
  probe_rc("fallocate_far", fallocate(fd, 0, 0, 1ll << 30));
  return 0;
}
