/* Case 3: allocate and touch 10 GiB: the memory cgroup must OOM-kill the run. */
#include <stdint.h>

#include "probe.h"

int main(void) {
  const size_t chunk = 16u << 20;
  size_t total = 0;
  while (total < (10ull << 30)) {
    char* block = malloc(chunk);
    if (block == NULL) {
      printf("probe=malloc errno=%s mib=%zu\n", errno_name(errno), total >> 20);
      return 1;
    }
    memset(block, 0xa5, chunk);
    total += chunk;
    if ((total & ((64u << 20) - 1)) == 0) printf("probe=alloc mib=%zu\n", total >> 20);
  }
  printf("probe=alloc result=OK mib=%zu\n", total >> 20);
  return 0;
}
