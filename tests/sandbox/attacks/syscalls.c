/* Cases 18, 21, 22: dangerous or foreign syscalls. All must fail with an
 * errno (never kill the process): EPERM for denied ones, ENOSYS for x32,
 * i386 (int 0x80), clone3 and unknown numbers. Arguments are chosen so that
 * even a wrongly allowed call could not change the host. */
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>

#include "probe.h"

#define X32_SYSCALL_BIT 0x40000000L

#if defined(__x86_64__)
/* An i386 syscall from a 64-bit process: the filter sees a foreign arch. */
static long int80(long number) {
  long rc;
  __asm__ volatile("int $0x80" : "=a"(rc) : "a"(number) : "memory");
  return rc;
}
#endif

int main(void) {
  struct io_uring_params params = {0};
  probe_rc("io_uring_setup", syscall(SYS_io_uring_setup, 8, &params));
  probe_rc("io_uring_enter", syscall(SYS_io_uring_enter, 0, 0, 0, 0, NULL, 0));
  char bpf_attr[128] = {0};
  probe_rc("bpf", syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, bpf_attr, sizeof bpf_attr));
  probe_rc("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
  probe_rc("add_key", syscall(SYS_add_key, "user", "gograder", "x", 1, -3));
  probe_rc("request_key", syscall(SYS_request_key, "user", "gograder", NULL, 0));
  struct perf_event_attr perf = {
      .type = PERF_TYPE_SOFTWARE, .size = sizeof perf, .config = PERF_COUNT_SW_CPU_CLOCK};
  probe_rc("perf_event_open", syscall(SYS_perf_event_open, &perf, 0, -1, -1, 0));
  probe_rc("userfaultfd", syscall(SYS_userfaultfd, 0));
  probe_rc("init_module", syscall(SYS_init_module, NULL, 0, ""));
  probe_rc("reboot_bad_magic", syscall(SYS_reboot, 0, 0, 0, NULL));
  probe_rc("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
  probe_rc("iopl", syscall(SYS_iopl, 3));
  probe_rc("ioperm", syscall(SYS_ioperm, 0x80, 1, 1));
  probe_rc("modify_ldt", syscall(SYS_modify_ldt, 0, NULL, 0));
  probe_rc("syslog_read", syscall(SYS_syslog, 3 /* READ_ALL */, NULL, 0));
  probe_rc("swapon", syscall(SYS_swapon, "/nonexistent", 0));
  probe_rc("clock_settime_bad_clock", syscall(SYS_clock_settime, -1, NULL));
  probe_rc("name_to_handle_at", syscall(SYS_name_to_handle_at, -100, "/", NULL, NULL, 0));
  probe_rc("tiocsti", ioctl(0, TIOCSTI, "x"));
#if defined(__x86_64__)
  probe_rc("x32_getpid", syscall(X32_SYSCALL_BIT | SYS_getpid));
  probe_raw("int80_getpid", int80(20 /* i386 getpid */));
  probe_raw("int80_ptrace", int80(26 /* i386 ptrace */));
#endif
  probe_rc("unknown_syscall", syscall(1000));
  probe_rc("clone3", syscall(SYS_clone3, NULL, 0));
  printf("probe=survived result=OK\n");
  return 0;
}
