/* Case 16: write kernel knobs through /proc and climb out of the root
 * through /proc/self/root. argv: a host path that must stay invisible. Files
 * whose write could change the host are only opened, never written, unless
 * the write is harmless. */
#include <fcntl.h>
#include <sys/stat.h>

#include "probe.h"

static void probe_open_write(const char* name, const char* path, const char* harmless) {
  int fd = open(path, O_WRONLY);
  if (fd < 0) {
    printf("probe=%s errno=%s\n", name, errno_name(errno));
    return;
  }
  if (harmless == NULL) {
    printf("probe=%s result=OK opened=1\n", name);
  } else {
    ssize_t n = write(fd, harmless, strlen(harmless));
    if (n < 0) {
      printf("probe=%s errno=%s opened=1\n", name, errno_name(errno));
    } else {
      printf("probe=%s result=OK written=%zd\n", name, n);
    }
  }
  close(fd);
}

int main(int argc, char** argv) {
  if (argc < 2) die("usage: proc_writes HOST_PATH");
  probe_open_write("sysrq_trigger", "/proc/sysrq-trigger", "h");
  probe_open_write("core_pattern", "/proc/sys/kernel/core_pattern", NULL);
  probe_open_write("drop_caches", "/proc/sys/vm/drop_caches", NULL);
  probe_open_write("sysrq", "/proc/sys/kernel/sysrq", NULL);
  probe_open_write("kernel_hostname", "/proc/sys/kernel/hostname", "pwned-by-sandbox");
  /* The slot's network namespace outlives the run: its knobs must be out of reach. */
  probe_open_write("net_port_range", "/proc/sys/net/ipv4/ip_local_port_range", NULL);
  probe_open_write("net_ip_forward", "/proc/sys/net/ipv4/ip_forward", NULL);
  probe_open_write("net_somaxconn", "/proc/sys/net/core/somaxconn", NULL);
  probe_open_write("oom_score_adj", "/proc/self/oom_score_adj", "-1000");
  probe_open_write("proc1_oom_score_adj", "/proc/1/oom_score_adj", "-1000");
  probe_rc("mkdir_proc", mkdir("/proc/sandbox-was-here", 0755));

  /* Climb out through /proc/self/root and "..". */
  if (chdir("/proc/self/root") != 0) die("chdir /proc/self/root");
  for (int i = 0; i < 16; ++i) {
    if (chdir("..") != 0) break;
  }
  probe_rc("escape_chdir_dotdot", access(argv[1] + 1, F_OK));
  char path[4096];
  snprintf(path, sizeof path, "/proc/self/root/../../../..%s", argv[1]);
  probe_rc("escape_proc_self_root", access(path, F_OK));
  snprintf(path, sizeof path, "/proc/1/root/../..%s", argv[1]);
  probe_rc("escape_proc1_root", access(path, F_OK));
  int root = open("/proc/self/root", O_PATH | O_DIRECTORY);
  probe_rc("escape_openat_dotdot", root < 0 ? -1 : faccessat(root, argv[1] + 1, F_OK, 0));
  probe_rc("host_path_direct", access(argv[1], F_OK));
  return 0;
}
