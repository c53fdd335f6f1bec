/* Issue 10: huge pages come from a host-wide pool that the memory cgroup does
 * not count. Asks for 1 GiB of hugetlb memory three ways (mmap MAP_HUGETLB,
 * memfd_create MFD_HUGETLB, shmget SHM_HUGETLB) and touches whatever it gets;
 * reports each call and the host's huge pages in use before and after, read
 * from /proc/meminfo (host-wide figures). A plain mmap of the same size is
 * probed as the control. */
#include <sys/mman.h>
#include <sys/shm.h>

#include "probe.h"

#define SIZE (1L << 30)

/* Huge pages the host's pool has handed out (HugePages_Total - HugePages_Free;
 * surplus pages count in both), or -1 if /proc/meminfo has no such lines. */
static long huge_pages_in_use(void) {
  FILE* file = fopen("/proc/meminfo", "r");
  if (file == NULL) return -1;
  char line[256];
  long total = -1, free_pages = 0;
  while (fgets(line, sizeof line, file)) {
    sscanf(line, "HugePages_Total: %ld", &total);
    sscanf(line, "HugePages_Free: %ld", &free_pages);
  }
  fclose(file);
  return total < 0 ? -1 : total - free_pages;
}

/* Touches every 2 MiB page of `memory`, then reports the pages in use. */
static void touch(const char* name, char* memory) {
  for (long offset = 0; offset < SIZE; offset += 2L << 20) memory[offset] = 1;
  printf("probe=%s_touched result=OK in_use=%ld\n", name, huge_pages_in_use());
}

int main(void) {
  printf("probe=before result=OK in_use=%ld\n", huge_pages_in_use());
  void* memory = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE, -1, 0);
  probe_rc("mmap_hugetlb", memory == MAP_FAILED ? -1 : 0);
  if (memory != MAP_FAILED) touch("mmap_hugetlb", memory);

  int fd = memfd_create("huge", MFD_HUGETLB);
  probe_rc("memfd_hugetlb", fd);
  if (fd >= 0 && ftruncate(fd, SIZE) == 0) {
    memory = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (memory != MAP_FAILED) touch("memfd_hugetlb", memory);
  }

  int id = shmget(IPC_PRIVATE, SIZE, IPC_CREAT | SHM_HUGETLB | 0600);
  probe_rc("shmget_hugetlb", id);
  if (id >= 0) {
    memory = shmat(id, NULL, 0);
    shmctl(id, IPC_RMID, NULL);
    if (memory != (void*)-1) touch("shmget_hugetlb", memory);
  }

  /* The control: ordinary memory of the same size may be mapped (not touched). */
  memory = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  probe_rc("mmap_plain", memory == MAP_FAILED ? -1 : 0);
  printf("probe=after result=OK in_use=%ld\n", huge_pages_in_use());
  return 0;
}
