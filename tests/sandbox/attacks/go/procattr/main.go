// Cases 18 and 19 through os/exec and syscall: starting processes works
// (the runtime's clone3/pidfd probes fall back cleanly), but new namespaces,
// chroot, uid changes and ptrace requested through SysProcAttr fail.
package main

import (
	"os/exec"
	"syscall"

	"gograder.test/attacks/internal/probe"
)

func run(name string, attr *syscall.SysProcAttr) {
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = attr
	probe.Report(name, cmd.Run())
}

func main() {
	run("go_exec_plain", nil)
	run("go_exec_newuser", &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER})
	run("go_exec_newns", &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS})
	run("go_exec_newnet", &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET})
	run("go_exec_chroot", &syscall.SysProcAttr{Chroot: "/tmp"})
	run("go_exec_ptrace", &syscall.SysProcAttr{Ptrace: true})
	run("go_exec_setuid", &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 1, Gid: 1}})
	run("go_exec_pidfd", &syscall.SysProcAttr{PidFD: new(int)})
	probe.Report("go_unshare_user", syscall.Unshare(syscall.CLONE_NEWUSER))
	probe.Report("go_mount", syscall.Mount("none", "/tmp", "tmpfs", 0, ""))
	probe.Report("go_chroot", syscall.Chroot("/tmp"))
	probe.Report("go_setuid", syscall.Setuid(1))
	_, _, errno := syscall.RawSyscall(syscall.SYS_PTRACE, syscall.PTRACE_TRACEME, 0, 0)
	var err error
	if errno != 0 {
		err = errno
	}
	probe.Report("go_ptrace_traceme", err)
}
