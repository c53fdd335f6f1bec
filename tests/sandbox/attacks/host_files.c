/* Case 15: read host files. argv: absolute host path of a secret (never
 * mounted), path of the same secret through a read-only bind (0600, owned
 * by host root). Everything read is printed, so a leak would be visible. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/utsname.h>

#include "probe.h"

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 3) die("usage: host_files HOST_SECRET BOUND_SECRET");
  char path[4096];
  probe_read_file("shadow", "/etc/shadow");
  probe_read_file("root_dir", "/root");
  probe_read_file("secret_host_path", argv[1]);
  probe_read_file("secret_bound", argv[2]);
  snprintf(path, sizeof path, "/proc/self/root/../../..%s", argv[1]);
  probe_read_file("secret_proc_self_root", path);
  snprintf(path, sizeof path, "/proc/1/root%s", argv[1]);
  probe_read_file("secret_proc1_root", path);
  snprintf(path, sizeof path, "/proc/1/cwd/../../..%s", argv[1]);
  probe_read_file("secret_proc1_cwd", path);
  probe_read_file("proc1_environ", "/proc/1/environ");
  probe_read_file("proc1_mem", "/proc/1/mem");
  /* init's descriptors include its report pipe to the supervisor: a forged
   * report would fake the verdict. */
  probe_rc("proc1_fd_dir", access("/proc/1/fd/.", R_OK));
  int writable = 0;
  for (int fd = 0; fd < 16; ++fd) {
    snprintf(path, sizeof path, "/proc/1/fd/%d", fd);
    int handle = open(path, O_WRONLY);
    if (handle >= 0) {
      ++writable;
      close(handle);
    }
  }
  printf("probe=proc1_fd_open result=OK writable=%d\n", writable);
  probe_read_file("sys", "/sys/kernel/hostname");
  probe_rc("sys_dir", access("/sys", F_OK));
  probe_rc("sys_fs_cgroup", access("/sys/fs/cgroup", F_OK));
  probe_read_file("kcore", "/proc/kcore");

  /* Processes visible in /proc: only the sandbox's own. */
  DIR* proc = opendir("/proc");
  if (proc == NULL) die("opendir /proc");
  int count = 0;
  char comms[2048] = "";
  struct dirent* entry;
  while ((entry = readdir(proc)) != NULL) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/comm", entry->d_name);
    FILE* file = fopen(path, "r");
    char comm[64] = "?";
    if (file != NULL) {
      if (fgets(comm, sizeof comm, file) != NULL) comm[strcspn(comm, "\n")] = '\0';
      fclose(file);
    }
    size_t used = strlen(comms);
    snprintf(comms + used, sizeof comms - used, "%s%s:%s", count ? "," : "", entry->d_name, comm);
    ++count;
  }
  closedir(proc);
  printf("probe=proc_pids result=OK count=%d list=%s\n", count, comms);

  /* Our cgroup paths are namespaced: no host path shows. */
  FILE* cgroup = fopen("/proc/self/cgroup", "r");
  int leaks = 0;
  char line[1024];
  while (cgroup && fgets(line, sizeof line, cgroup)) {
    if (strstr(line, "gograder") || strstr(line, "slot-")) leaks = 1;
  }
  if (cgroup) fclose(cgroup);
  printf("probe=proc_cgroup result=OK host_path=%d\n", leaks);

  /* Open file descriptors: only stdio, nothing inherited from the host. */
  printf("probe=fds result=OK open=");
  int first = 1;
  DIR* fds = opendir("/proc/self/fd");
  int fds_fd = fds ? dirfd(fds) : -1;
  while (fds && (entry = readdir(fds)) != NULL) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9' || atoi(entry->d_name) == fds_fd) continue;
    printf("%s%s", first ? "" : ",", entry->d_name);
    first = 0;
  }
  printf("\n");
  if (fds) closedir(fds);

  int variables = 0;
  for (char** e = environ; *e; ++e) ++variables;
  printf("probe=environ result=OK count=%d\n", variables);
  struct utsname names;
  uname(&names);
  printf("probe=hostname result=OK name=%s\n", names.nodename);
  printf("probe=ids result=OK uid=%d gid=%d\n", getuid(), getgid());
  return 0;
}
