// Theory of operation: we are pid 1 of fresh user, mount and pid namespaces,
// already running as the namespace's root (the slot's host uid). Mount events
// stay private to our namespace. A tmpfs is mounted on `new_root`; every spec
// mount is created under it in order (a bind of a host path, a tmpfs, an
// overlay whose writable layer lives on a private tmpfs that is detached right
// after, a symlink or a small file); /proc is mounted for our pid namespace;
// /dev gets five bind-mounted character devices and a tmpfs /dev/shm. Then
// pivot_root makes the tmpfs "/", the old root is detached, and "/" is
// remounted read-only. Everything is nosuid and nodev except the devices.
#include "sandbox/mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"

namespace gograder::sandbox {
namespace {

using ::gograder::v1::Mount;

constexpr char kEtcPasswd[] =
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
constexpr char kEtcGroup[] = "root:x:0:\nnogroup:x:65534:\n";
constexpr char kEtcHosts[] = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n";
constexpr char kEtcNsswitch[] = "passwd: files\ngroup: files\nhosts: files\n";

absl::Status MountOrError(const char* source, const std::string& target, const char* type,
                          unsigned long flags, const std::string& data = "") {
  if (mount(source, target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) != 0) {
    return ErrnoStatus(
        absl::StrCat("mount ", type ? type : "bind", " ", source ? source : "", " on ", target));
  }
  return absl::OkStatus();
}

// mkdir -p: tries the whole path first and walks up only on ENOENT, so a
// directory whose parent exists costs one syscall.
absl::Status MakeDirectories(const std::string& path) {
  if (mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return absl::OkStatus();
  if (errno != ENOENT) return ErrnoStatus("mkdir " + path);
  size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string::npos) return ErrnoStatus("mkdir " + path, ENOENT);
  RETURN_IF_ERROR(MakeDirectories(path.substr(0, slash)));
  if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + path);
  return absl::OkStatus();
}

absl::Status MakeParentDirectories(const std::string& path) {
  return MakeDirectories(path.substr(0, path.rfind('/')));
}

absl::Status WriteNewFile(const std::string& path, absl::string_view content, mode_t mode) {
  RETURN_IF_ERROR(MakeParentDirectories(path));
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("create " + path);
  ssize_t n = write(fd, content.data(), content.size());
  int err = errno;
  close(fd);
  if (n != static_cast<ssize_t>(content.size()))
    return ErrnoStatus("write " + path, n < 0 ? err : EIO);
  return absl::OkStatus();
}

// Flags a bind remount must keep: the kernel refuses to clear flags locked by
// the mount's owner namespace (noexec, atime, ...).
unsigned long LockedFlags(const std::string& target) {
  struct statvfs info;
  if (statvfs(target.c_str(), &info) != 0) return 0;
  unsigned long flags = 0;
  if (info.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (info.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (info.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (info.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  if (info.f_flag & ST_RDONLY) flags |= MS_RDONLY;
  return flags;
}

absl::Status BindMount(const std::string& source, const std::string& target, bool writable) {
  struct stat info;
  if (lstat(source.c_str(), &info) != 0) return ErrnoStatus("bind source " + source);
  if (S_ISLNK(info.st_mode))
    return absl::InvalidArgumentError("bind source is a symlink: " + source);
  if (S_ISDIR(info.st_mode)) {
    RETURN_IF_ERROR(MakeDirectories(target));
  } else {
    RETURN_IF_ERROR(WriteNewFile(target, "", 0644));
  }
  // Non-recursive first: a host submount must not appear inside. The kernel
  // refuses that when a submount hides something; then bind the whole tree.
  if (mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    RETURN_IF_ERROR(MountOrError(source.c_str(), target, nullptr, MS_BIND | MS_REC));
  }
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | LockedFlags(target);
  if (writable) {
    flags &= ~static_cast<unsigned long>(MS_RDONLY);
  } else {
    flags |= MS_RDONLY;
  }
  return MountOrError(nullptr, target, nullptr, flags);
}

absl::Status MountTmpfs(const std::string& target, int64_t size_bytes, uint32_t mode) {
  RETURN_IF_ERROR(MakeDirectories(target));
  return MountOrError("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV,
                      TmpfsOptions(size_bytes, mode));
}

absl::Status MountOverlay(const std::string& root, int index, const Mount& spec_mount) {
  std::string target = root + spec_mount.target();
  const bool kept = !spec_mount.overlay().layer_dir().empty();  // a host directory, prepared
  std::string layer =
      kept ? spec_mount.overlay().layer_dir() : absl::StrCat(root, "/.overlay-", index);
  if (!kept) {
    RETURN_IF_ERROR(MountTmpfs(layer, spec_mount.overlay().upper_size_bytes(), 0755));
    RETURN_IF_ERROR(MakeDirectories(layer + "/upper"));
    RETURN_IF_ERROR(MakeDirectories(layer + "/work"));
  }
  RETURN_IF_ERROR(MakeDirectories(target));
  RETURN_IF_ERROR(MountOrError("overlay", target, "overlay", MS_NOSUID | MS_NODEV,
                               absl::StrCat("lowerdir=", spec_mount.overlay().lower(), ",upperdir=",
                                            layer, "/upper,workdir=", layer, "/work,userxattr")));
  if (kept) return absl::OkStatus();
  // The overlay keeps its layer alive; hide the layer's own mount point.
  if (umount2(layer.c_str(), MNT_DETACH) != 0) return ErrnoStatus("detach " + layer);
  if (rmdir(layer.c_str()) != 0) return ErrnoStatus("rmdir " + layer);
  return absl::OkStatus();
}

absl::Status ApplyMount(const std::string& root, int index, const Mount& spec_mount) {
  std::string target = root + spec_mount.target();
  switch (spec_mount.kind_case()) {
    case Mount::kBind:
      return BindMount(spec_mount.bind().source(), target, spec_mount.bind().writable());
    case Mount::kTmpfs:
      return MountTmpfs(target, spec_mount.tmpfs().size_bytes(), spec_mount.tmpfs().mode());
    case Mount::kOverlay:
      return MountOverlay(root, index, spec_mount);
    case Mount::kSymlink:
      RETURN_IF_ERROR(MakeParentDirectories(target));
      if (symlink(spec_mount.symlink().link_target().c_str(), target.c_str()) != 0) {
        return ErrnoStatus("symlink " + spec_mount.target());
      }
      return absl::OkStatus();
    case Mount::kFile:
      return WriteNewFile(target, spec_mount.file().content(), 0444);
    case Mount::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat("mount ", spec_mount.target(), " has no kind"));
}

absl::Status SetUpDev(const std::string& root) {
  std::string dev = root + "/dev";
  RETURN_IF_ERROR(MountTmpfs(dev, 1 << 20, 0755));
  for (const char* node : {"null", "zero", "full", "random", "urandom"}) {
    std::string target = absl::StrCat(dev, "/", node);
    RETURN_IF_ERROR(WriteNewFile(target, "", 0666));
    RETURN_IF_ERROR(MountOrError(absl::StrCat("/dev/", node).c_str(), target, nullptr, MS_BIND));
    RETURN_IF_ERROR(
        MountOrError(nullptr, target, nullptr,
                     MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NOEXEC | LockedFlags(target)));
  }
  for (auto [name, link_target] : {std::pair{"fd", "/proc/self/fd"},
                                   {"stdin", "/proc/self/fd/0"},
                                   {"stdout", "/proc/self/fd/1"},
                                   {"stderr", "/proc/self/fd/2"}}) {
    if (symlink(link_target, absl::StrCat(dev, "/", name).c_str()) != 0) {
      return ErrnoStatus(absl::StrCat("symlink /dev/", name));
    }
  }
  RETURN_IF_ERROR(MountTmpfs(dev + "/shm", 64 << 20, 01777));
  return MountOrError(nullptr, dev, nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
                      TmpfsOptions(1 << 20, 0755));
}

absl::Status WriteDefaultEtc(const std::string& root, const gograder::v1::SandboxSpec& spec) {
  for (const Mount& spec_mount : spec.mounts()) {
    if (spec_mount.target() == "/etc") return absl::OkStatus();
  }
  for (auto [name, content] : {std::pair{"passwd", kEtcPasswd},
                               {"group", kEtcGroup},
                               {"hosts", kEtcHosts},
                               {"nsswitch.conf", kEtcNsswitch}}) {
    RETURN_IF_ERROR(WriteNewFile(absl::StrCat(root, "/etc/", name), content, 0444));
  }
  return absl::OkStatus();
}

}  // namespace

std::string TmpfsOptions(int64_t size_bytes, uint32_t mode) {
  // An empty file costs about 1 KiB of kernel memory (inode and dentry): one
  // inode per 8 KiB of size keeps an inode flood to an eighth of the size, so
  // it ends in ENOSPC, not in the memory limit.
  int64_t inodes = std::max<int64_t>(1024, size_bytes / 8192);
  return absl::StrFormat("size=%d,nr_inodes=%d,mode=%o", size_bytes, inodes, mode);
}

absl::Status EnterSandboxRoot(const gograder::v1::SandboxSpec& spec, const std::string& new_root) {
  // Nothing we mount may propagate back to the host.
  RETURN_IF_ERROR(MountOrError(nullptr, "/", nullptr, MS_REC | MS_PRIVATE));
  RETURN_IF_ERROR(
      MountOrError("tmpfs", new_root, "tmpfs", MS_NOSUID | MS_NODEV, TmpfsOptions(1 << 20, 0755)));
  RETURN_IF_ERROR(WriteDefaultEtc(new_root, spec));
  for (int i = 0; i < spec.mounts_size(); ++i) {
    absl::Status status = ApplyMount(new_root, i, spec.mounts(i));
    if (!status.ok()) {
      return absl::Status(status.code(), absl::StrCat("mounts[", i, "] (", spec.mounts(i).target(),
                                                      "): ", status.message()));
    }
  }
  RETURN_IF_ERROR(MakeDirectories(new_root + "/proc"));
  RETURN_IF_ERROR(
      MountOrError("proc", new_root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC));
  RETURN_IF_ERROR(SetUpDev(new_root));
  RETURN_IF_ERROR(MakeDirectories(new_root + "/tmp"));

  if (chdir(new_root.c_str()) != 0) return ErrnoStatus("chdir " + new_root);
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching
  // it leaves the tmpfs as "/" with no path back to the host.
  if (syscall(SYS_pivot_root, ".", ".") != 0) return ErrnoStatus("pivot_root");
  if (umount2(".", MNT_DETACH) != 0) return ErrnoStatus("detach old root");
  if (chdir("/") != 0) return ErrnoStatus("chdir /");
  return MountOrError(nullptr, "/", nullptr,
                      MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV);
}

}  // namespace gograder::sandbox
