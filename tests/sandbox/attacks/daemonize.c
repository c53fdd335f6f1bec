/* Case 11: double fork + setsid + ignored SIGHUP/SIGTERM: daemons that keep
 * appending to a file on a writable bind. One closes its stdio, one keeps the
 * output pipes open, one blocks every signal. After the run none may be left:
 * the heartbeat file must stop growing. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "probe.h"

static void daemon_loop(const char* path, int variant) {
  signal(SIGHUP, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  if (variant == 0) {
    int null_fd = open("/dev/null", O_RDWR);
    dup2(null_fd, 0);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
  } else if (variant == 2) {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    setpgid(0, 0);
  }
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
  for (;;) {
    char line[32];
    int n = snprintf(line, sizeof line, "beat %d\n", variant);
    if (fd >= 0) write(fd, line, n);
    usleep(5000);
  }
}

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "/box/heartbeat";
  for (int variant = 0; variant < 3; ++variant) {
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
      setsid();
      pid_t grandchild = fork();
      if (grandchild == 0) daemon_loop(path, variant);
      _exit(0);
    }
    waitpid(child, NULL, 0);
  }
  /* Wait until the daemons are writing. */
  for (int i = 0; i < 400; ++i) {
    struct stat info;
    if (stat(path, &info) == 0 && info.st_size > 64) {
      printf("probe=daemons result=OK count=3\n");
      return 0;
    }
    usleep(5000);
  }
  printf("probe=daemons errno=ETIMEDOUT\n");
  return 1;
}
