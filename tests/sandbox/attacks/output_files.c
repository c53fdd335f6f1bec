/* Case 23: replace the output file the host copies out (/box/out.txt) by
 * something that would make a naive copy read or clobber a host file
 * (Judge0 CVE-2024-28185): a symlink to a host path, a directory symlink, a
 * FIFO, a hard link, a socket, an oversized file, or a daemon that keeps
 * swapping the file for a symlink while the run ends. */
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "probe.h"

static const char kOut[] = "/box/out.txt";

static void write_file(const char* path, const char* content) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || write(fd, content, strlen(content)) < 0) die("write");
  close(fd);
}

int main(int argc, char** argv) {
  if (argc < 2) die("usage: output_files MODE [TARGET]");
  const char* mode = argv[1];
  const char* target = argc > 2 ? argv[2] : "";
  if (strcmp(mode, "regular") == 0) {
    write_file(kOut, "regular-output\n");
    printf("probe=regular result=OK\n");
  } else if (strcmp(mode, "symlink") == 0) {
    probe_rc("symlink", symlink(target, kOut));
  } else if (strcmp(mode, "dir_symlink") == 0) {
    probe_rc("dir_symlink", symlink(target, "/box/dir"));
  } else if (strcmp(mode, "fifo") == 0) {
    probe_rc("mkfifo", mkfifo(kOut, 0644));
  } else if (strcmp(mode, "hardlink") == 0) {
    probe_rc("hardlink_host_file", link(target, kOut));
    write_file("/box/a.txt", "hardlinked-output\n");
    probe_rc("hardlink_own_file", link("/box/a.txt", kOut));
  } else if (strcmp(mode, "socket") == 0) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strcpy(address.sun_path, kOut);
    probe_rc("bind_socket", bind(fd, (struct sockaddr*)&address, sizeof address));
  } else if (strcmp(mode, "too_large") == 0) {
    long size = atol(target);
    int fd = open(kOut, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    probe_rc("sparse_large", fd < 0 ? -1 : ftruncate(fd, size));
  } else if (strcmp(mode, "racer") == 0) {
    fflush(stdout);
    if (fork() == 0) {
      setsid();
      for (;;) {
        unlink(kOut);
        write_file("/box/tmp.txt", "racer-output\n");
        rename("/box/tmp.txt", kOut);
        unlink("/box/link.txt");
        symlink(target, "/box/link.txt");
        rename("/box/link.txt", kOut);
      }
    }
    usleep(50000);
    printf("probe=racer result=OK\n");
  } else {
    die("unknown mode");
  }
  return 0;
}
