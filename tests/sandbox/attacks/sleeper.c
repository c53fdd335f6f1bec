/* Case 10: never finish: pause, stop ourselves with SIGSTOP, block every
 * signal, or leave stopped children behind. */
#include <signal.h>
#include <sys/wait.h>

#include "probe.h"

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "pause";
  if (strcmp(mode, "pause") == 0) {
    printf("probe=pause result=OK\n");
    for (;;) pause();
  }
  if (strcmp(mode, "sigstop") == 0) {
    printf("probe=sigstop result=OK\n");
    raise(SIGSTOP);
    printf("probe=resumed result=OK\n");
    for (;;) pause();
  }
  if (strcmp(mode, "blocked") == 0) {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_IGN);
    printf("probe=blocked result=OK\n");
    for (;;) pause();
  }
  if (strcmp(mode, "stopped_children") == 0) {
    const int count = 8;
    for (int i = 0; i < count; ++i) {
      pid_t pid = fork();
      if (pid < 0) die("fork");
      if (pid == 0) {
        signal(SIGTERM, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        raise(SIGSTOP);
        for (;;) pause();
      }
    }
    int stopped = 0;
    for (int i = 0; i < count; ++i) {
      int status;
      if (waitpid(-1, &status, WUNTRACED) > 0 && WIFSTOPPED(status)) ++stopped;
    }
    printf("probe=stopped_children result=OK count=%d\n", stopped);
    return 0;
  }
  die("unknown mode");
}
