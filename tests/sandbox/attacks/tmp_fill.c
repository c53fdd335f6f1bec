/* Case 5: fill /tmp (a size-limited tmpfs whose pages are charged to the
 * run's memory cgroup). Prints ENOSPC when the tmpfs is full. "inodes DIR"
 * fills DIR with empty files instead (up to 10 million), "files DIR" with
 * 16 MiB files (up to 4 GiB: no single file meets the file size limit). */
#include <fcntl.h>

#include "probe.h"

/* Creates empty files in `dir` until that fails: the tmpfs's inode cap
 * should stop it with ENOSPC long before its kernel memory fills the run's. */
static int fill_inodes(const char* dir) {
  char path[256];
  for (long i = 0; i < 10000000; ++i) {
    snprintf(path, sizeof path, "%s/inode-%ld", dir, i);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    if (fd < 0) {
      printf("probe=inodes errno=%s count=%ld\n", errno_name(errno), i);
      return 0;
    }
    close(fd);
  }
  printf("probe=inodes result=OK count=10000000\n");
  return 0;
}

/* Writes `total` bytes as 64 KiB blocks to `fd`; returns the bytes written
 * before an error (errno set) or `total`. */
static long long write_bytes(int fd, long long total) {
  static char buffer[1 << 16];
  memset(buffer, 'x', sizeof buffer);
  long long written = 0;
  while (written < total) {
    ssize_t n = write(fd, buffer, sizeof buffer);
    if (n < 0) return written;
    written += n;
  }
  return written;
}

static int fill_files(const char* dir) {
  const long long file_size = 16LL << 20, total = 4LL << 30;
  long long written = 0;
  char path[256];
  for (long i = 0; written < total; ++i) {
    snprintf(path, sizeof path, "%s/fill-%ld", dir, i);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) {
      printf("probe=files errno=%s mib=%lld\n", errno_name(errno), written >> 20);
      return 0;
    }
    long long n = write_bytes(fd, file_size);
    written += n;
    if (n < file_size) {
      printf("probe=files errno=%s mib=%lld\n", errno_name(errno), written >> 20);
      return 0;
    }
    close(fd);
  }
  printf("probe=files result=OK mib=%lld\n", written >> 20);
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 2 && strcmp(argv[1], "inodes") == 0) return fill_inodes(argv[2]);
  if (argc > 2 && strcmp(argv[1], "files") == 0) return fill_files(argv[2]);
  const char* path = argc > 1 ? argv[1] : "/tmp/fill";
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("open");
  long long total = write_bytes(fd, 1LL << 62);
  printf("probe=fill errno=%s mib=%lld\n", errno_name(errno), total >> 20);
  return 0;
}
