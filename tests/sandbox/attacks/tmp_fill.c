/* Case 5: fill /tmp (a size-limited tmpfs whose pages are charged to the
 * run's memory cgroup). Prints ENOSPC when the tmpfs is full. "inodes DIR"
 * fills it with empty files instead. */
#include <fcntl.h>

#include "probe.h"

/* Creates empty files in `dir` until that fails: the inodes and dentries are
 * kernel memory that must be charged to the run too. */
static int fill_inodes(const char* dir) {
  char path[256];
  for (long i = 0;; ++i) {
    snprintf(path, sizeof path, "%s/inode-%ld", dir, i);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    if (fd < 0) {
      printf("probe=inodes errno=%s count=%ld\n", errno_name(errno), i);
      return 0;
    }
    close(fd);
  }
}

int main(int argc, char** argv) {
  if (argc > 2 && strcmp(argv[1], "inodes") == 0) return fill_inodes(argv[2]);
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
