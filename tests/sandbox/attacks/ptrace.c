/* Case 17: ptrace a sibling or init, read another process's memory. */
#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "probe.h"

static char sibling_secret[64] = "sibling-memory";

int main(void) {
  pid_t sibling = fork();
  if (sibling < 0) die("fork");
  if (sibling == 0) {
    for (;;) pause();
  }
  probe_rc("ptrace_attach_sibling", ptrace(PTRACE_ATTACH, sibling, 0, 0));
  probe_rc("ptrace_seize_sibling", ptrace(PTRACE_SEIZE, sibling, 0, 0));
  probe_rc("ptrace_attach_init", ptrace(PTRACE_ATTACH, 1, 0, 0));
  char buffer[64];
  struct iovec local = {buffer, sizeof buffer};
  struct iovec remote = {sibling_secret, sizeof sibling_secret};
  probe_rc("process_vm_readv", process_vm_readv(sibling, &local, 1, &remote, 1, 0));
  probe_rc("process_vm_writev", process_vm_writev(sibling, &local, 1, &remote, 1, 0));
  probe_rc("process_vm_readv_init", process_vm_readv(1, &local, 1, &remote, 1, 0));
  probe_rc("kcmp", syscall(SYS_kcmp, getpid(), sibling, 0, 0, 0));
  int pidfd = (int)syscall(SYS_pidfd_open, sibling, 0);
  probe_rc("pidfd_getfd", pidfd < 0 ? -1 : syscall(SYS_pidfd_getfd, pidfd, 0, 0));
  probe_rc("open_proc1_mem", open("/proc/1/mem", O_RDONLY));
  pid_t child = fork();
  if (child == 0) {
    long rc = ptrace(PTRACE_TRACEME, 0, 0, 0);
    printf("probe=ptrace_traceme %s%s\n", rc < 0 ? "errno=" : "result=OK",
           rc < 0 ? errno_name(errno) : "");
    _exit(0);
  }
  waitpid(child, NULL, 0);
  kill(sibling, SIGKILL);
  waitpid(sibling, NULL, 0);
  return 0;
}
