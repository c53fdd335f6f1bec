// Package probe prints the machine-checkable lines of the Go attack
// programs, in the format of the C ones:
//
//	probe=NAME result=OK [key=value...]
//	probe=NAME errno=EPERM [key=value...]
package probe

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

var names = map[syscall.Errno]string{
	syscall.EPERM: "EPERM", syscall.ENOENT: "ENOENT", syscall.EACCES: "EACCES",
	syscall.EAGAIN: "EAGAIN", syscall.ENOSYS: "ENOSYS", syscall.EINVAL: "EINVAL",
	syscall.ECONNREFUSED: "ECONNREFUSED", syscall.ENETUNREACH: "ENETUNREACH",
	syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL", syscall.EROFS: "EROFS", syscall.ENOMEM: "ENOMEM",
	syscall.EAFNOSUPPORT: "EAFNOSUPPORT", syscall.ESRCH: "ESRCH", syscall.ENOSPC: "ENOSPC",
	syscall.EHOSTUNREACH: "EHOSTUNREACH", syscall.ETIMEDOUT: "ETIMEDOUT",
}

// ErrnoName names the errno inside err, or "EOTHER".
func ErrnoName(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if name, ok := names[errno]; ok {
			return name
		}
		return fmt.Sprintf("ERRNO%d", int(errno))
	}
	return "EOTHER"
}

// Report prints one probe line for err (nil: result=OK).
func Report(name string, err error, extra ...string) {
	line := "probe=" + name
	if err == nil {
		line += " result=OK"
	} else {
		line += " errno=" + ErrnoName(err)
	}
	for _, e := range extra {
		line += " " + e
	}
	fmt.Fprintln(os.Stdout, line)
}
