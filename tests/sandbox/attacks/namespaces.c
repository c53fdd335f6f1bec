/* Case 18: new namespaces, mounts, setns, chroot, pivot_root, clone3 and
 * clone with namespace flags. */
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "probe.h"

static void probe_clone(const char* name, unsigned long flags) {
  long rc = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (rc == 0) _exit(0);
  if (rc > 0) waitpid((pid_t)rc, NULL, 0);
  probe_rc(name, rc);
}

int main(void) {
  mkdir("/tmp/mnt", 0755);
  probe_rc("unshare_user", unshare(CLONE_NEWUSER));
  probe_rc("unshare_mount", unshare(CLONE_NEWNS));
  probe_rc("unshare_net", unshare(CLONE_NEWNET));
  probe_rc("unshare_pid", unshare(CLONE_NEWPID));
  probe_rc("mount_tmpfs", mount("none", "/tmp/mnt", "tmpfs", 0, NULL));
  probe_rc("mount_bind", mount("/", "/tmp/mnt", NULL, MS_BIND, NULL));
  probe_rc("remount_root_rw", mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
  probe_rc("umount_proc", umount2("/proc", MNT_DETACH));
  int ns = open("/proc/1/ns/mnt", O_RDONLY);
  probe_rc("open_init_mntns", ns);
  probe_rc("setns", syscall(SYS_setns, ns, 0));
  probe_rc("chroot", chroot("/tmp"));
  probe_rc("pivot_root", syscall(SYS_pivot_root, "/tmp", "/tmp/mnt"));
  struct clone_args args = {.exit_signal = SIGCHLD};
  long rc = syscall(SYS_clone3, &args, sizeof args);
  if (rc == 0) _exit(0);
  if (rc > 0) waitpid((pid_t)rc, NULL, 0);
  probe_rc("clone3", rc);
  probe_clone("clone_newuser", CLONE_NEWUSER);
  probe_clone("clone_newns", CLONE_NEWNS);
  probe_clone("clone_newnet", CLONE_NEWNET);
  probe_clone("clone_newpid", CLONE_NEWPID);
  probe_clone("clone_plain", 0);
  probe_rc("fsopen", syscall(SYS_fsopen, "tmpfs", 0));
  probe_rc("open_tree", syscall(SYS_open_tree, AT_FDCWD, "/", 0));
  probe_rc("move_mount", syscall(SYS_move_mount, AT_FDCWD, "/tmp", AT_FDCWD, "/tmp/mnt", 0));
  probe_rc("mount_setattr", syscall(SYS_mount_setattr, AT_FDCWD, "/", 0, NULL, 0));
  probe_rc("sethostname", sethostname("pwned", 5));
  return 0;
}
