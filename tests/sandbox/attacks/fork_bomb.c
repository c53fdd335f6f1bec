/* Case 1: fork bomb. Every process forks forever; the pids cgroup must stop
 * it with EAGAIN and the wall limit must end the run with nothing left over. */
#include <signal.h>
#include <sys/types.h>

#include "probe.h"

int main(void) {
  pid_t leader = getpid();
  int forks = 0;
  int reported = 0;
  for (;;) {
    pid_t pid = fork();
    if (pid == 0) continue; /* the child joins the bomb */
    if (pid > 0) {
      if (getpid() == leader) ++forks;
      continue;
    }
    if (getpid() == leader && !reported) {
      printf("probe=fork errno=%s forks=%d\n", errno_name(errno), forks);
      reported = 1;
    }
    usleep(1000);
  }
}
