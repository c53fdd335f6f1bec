/* Case 20: device nodes. mknod of character/block devices fails; /dev has
 * only the harmless nodes; the host's /dev/null cannot be changed. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "probe.h"

static int compare(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

int main(void) {
  probe_rc("mknod_mem_tmp", mknod("/tmp/mem", S_IFCHR | 0666, makedev(1, 1)));
  probe_rc("mknod_mem_box", mknod("/box/mem", S_IFCHR | 0666, makedev(1, 1)));
  probe_rc("mknod_block", mknod("/tmp/sda", S_IFBLK | 0666, makedev(8, 0)));
  probe_rc("mknod_null_copy", mknod("/tmp/null", S_IFCHR | 0666, makedev(1, 3)));
  probe_rc("mkfifo", mknod("/tmp/fifo", S_IFIFO | 0644, 0));
  const char* absent[] = {"/dev/mem", "/dev/kmem", "/dev/port",    "/dev/kmsg", "/dev/sda",
                          "/dev/vda", "/dev/tty",  "/dev/console", "/dev/fuse", "/dev/net/tun"};
  for (size_t i = 0; i < sizeof absent / sizeof *absent; ++i) {
    char name[64];
    snprintf(name, sizeof name, "open%s", absent[i]);
    for (char* c = name; *c; ++c) {
      if (*c == '/') *c = '_';
    }
    probe_rc(name, open(absent[i], O_RDWR));
  }
  probe_rc("chmod_dev_null", chmod("/dev/null", 0600));
  probe_rc("chown_dev_null", chown("/dev/null", 0, 0));
  probe_rc("unlink_dev_null", unlink("/dev/null"));
  int null_fd = open("/dev/null", O_WRONLY);
  probe_rc("write_dev_null", null_fd < 0 ? -1 : write(null_fd, "x", 1));

  DIR* dev = opendir("/dev");
  if (dev == NULL) die("opendir /dev");
  char* names[64];
  int count = 0;
  struct dirent* entry;
  while ((entry = readdir(dev)) != NULL && count < 64) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    names[count++] = strdup(entry->d_name);
  }
  closedir(dev);
  qsort(names, count, sizeof *names, compare);
  printf("probe=dev_list result=OK names=");
  for (int i = 0; i < count; ++i) printf("%s%s", i ? "," : "", names[i]);
  printf("\n");
  return 0;
}
