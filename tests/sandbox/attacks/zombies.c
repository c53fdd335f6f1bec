/* Case 12: leave zombies: children never waited for, and orphans whose
 * zombies init must reap. */
#include <dirent.h>
#include <sys/wait.h>

#include "probe.h"

/* Counts zombie processes whose parent is `parent` (0: any parent). */
static int count_zombies(pid_t parent) {
  DIR* proc = opendir("/proc");
  if (proc == NULL) die("opendir /proc");
  int zombies = 0;
  struct dirent* entry;
  while ((entry = readdir(proc)) != NULL) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    char path[300];
    snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
    FILE* file = fopen(path, "r");
    if (file == NULL) continue;
    char line[512];
    if (fgets(line, sizeof line, file) != NULL) {
      char* close_paren = strrchr(line, ')');
      char state;
      int ppid;
      if (close_paren && sscanf(close_paren + 2, "%c %d", &state, &ppid) == 2 && state == 'Z' &&
          (parent == 0 || ppid == parent)) {
        ++zombies;
      }
    }
    fclose(file);
  }
  closedir(proc);
  return zombies;
}

int main(void) {
  const int children = 20;
  for (int i = 0; i < children; ++i) {
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) _exit(0);
  }
  /* Orphans: the middle process exits (we reap it), its child dies later and
   * is re-parented to init. */
  for (int i = 0; i < 10; ++i) {
    pid_t middle = fork();
    if (middle < 0) die("fork");
    if (middle == 0) {
      if (fork() == 0) {
        usleep(20000);
        _exit(0);
      }
      _exit(0);
    }
    waitpid(middle, NULL, 0);
  }
  usleep(200000);
  printf("probe=own_zombies result=OK count=%d\n", count_zombies(getpid()));
  printf("probe=orphan_zombies result=OK count=%d\n", count_zombies(1));
  return 0;
}
