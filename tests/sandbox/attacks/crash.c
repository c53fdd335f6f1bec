/* A crash must end as SIGNALED and leave no core file (RLIMIT_CORE is 0),
 * neither in the working directory (the writable bind) nor anywhere else. */
#include <signal.h>
#include <sys/resource.h>

#include "probe.h"

int main(int argc, char** argv) {
  struct rlimit core = {RLIM_INFINITY, RLIM_INFINITY};
  probe_rc("raise_core_limit", setrlimit(RLIMIT_CORE, &core));
  if (argc > 1 && strcmp(argv[1], "abort") == 0) abort();
  *(volatile int*)0 = 1;
  return 0;
}
