/* Case 13: kill(-1, SIGKILL), kill(getppid(), SIGKILL), kill(1, ...) and
 * signals to a host pid: only the sandbox may be affected, and init (our
 * parent) survives everything sent from inside. */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "probe.h"

int main(int argc, char** argv) {
  pid_t host_pid = argc > 1 ? atoi(argv[1]) : 1;
  pid_t sibling = fork();
  if (sibling < 0) die("fork");
  if (sibling == 0) {
    for (;;) pause();
  }
  probe_rc("kill_host_pid", kill(host_pid, SIGKILL));
  probe_rc("pidfd_open_host_pid", syscall(SYS_pidfd_open, host_pid, 0));
  probe_rc("kill_minus1", kill(-1, SIGKILL));
  int status = 0;
  waitpid(sibling, &status, 0);
  printf("probe=sibling result=OK killed=%d\n", WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  pid_t parent = getppid();
  printf("probe=ppid result=OK ppid=%d\n", parent);
  probe_rc("kill_ppid", kill(parent, SIGKILL));
  probe_rc("kill_init_term", kill(1, SIGTERM));
  probe_rc("kill_init_segv", kill(1, SIGSEGV));
  probe_rc("kill_init_stop", kill(1, SIGSTOP));
  usleep(100000);
  printf("probe=survived result=OK ppid=%d\n", getppid());
  return 0;
}
