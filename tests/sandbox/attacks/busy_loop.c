/* Case 9: burn CPU in N processes: the CPU limit (summed over the cgroup)
 * must end the run long before the wall limit. */
#include "probe.h"

int main(int argc, char** argv) {
  int processes = argc > 1 ? atoi(argv[1]) : 1;
  for (int i = 1; i < processes; ++i) {
    if (fork() == 0) break;
  }
  volatile unsigned long counter = 0;
  for (;;) ++counter;
}
