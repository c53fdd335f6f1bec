/* Case 22 for the network namespace, which runs of one slot reuse: "plant"
 * leaves listeners (TCP, UDP, abstract unix) whose descriptors are in flight
 * in a unix socket that holds itself (a cycle only the kernel's garbage
 * collector frees), plus a TIME_WAIT connection; "probe" (the slot's next
 * run) must find no listener: connections refused, ports free to bind. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "probe.h"

static const char kAbstract[] = "gograder-persist";

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  return address;
}

static socklen_t abstract_address(struct sockaddr_un* address) {
  memset(address, 0, sizeof *address);
  address->sun_family = AF_UNIX;
  memcpy(address->sun_path + 1, kAbstract, strlen(kAbstract));
  return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(kAbstract);
}

static int send_fds(int via, const int* fds, int count) {
  char data = 'x';
  struct iovec iov = {&data, 1};
  char control[CMSG_SPACE(8 * sizeof(int))];
  memset(control, 0, sizeof control);
  struct msghdr message = {.msg_iov = &iov,
                           .msg_iovlen = 1,
                           .msg_control = control,
                           .msg_controllen = CMSG_SPACE(count * sizeof(int))};
  struct cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(count * sizeof(int));
  memcpy(CMSG_DATA(header), fds, count * sizeof(int));
  return (int)sendmsg(via, &message, 0);
}

int main(int argc, char** argv) {
  if (argc < 3) die("usage: netns_persist plant|probe PORT");
  int port = atoi(argv[2]);
  struct sockaddr_in tcp = loopback(port), udp = loopback(port + 1), wait = loopback(port + 2);
  struct sockaddr_un unix_address;
  socklen_t unix_length = abstract_address(&unix_address);
  if (strcmp(argv[1], "plant") == 0) {
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    probe_rc("tcp_listen",
             bind(listener, (struct sockaddr*)&tcp, sizeof tcp) == 0 ? listen(listener, 8) : -1);
    int datagram = socket(AF_INET, SOCK_DGRAM, 0);
    probe_rc("udp_bind", bind(datagram, (struct sockaddr*)&udp, sizeof udp));
    int local = socket(AF_UNIX, SOCK_STREAM, 0);
    probe_rc("abstract_listen", bind(local, (struct sockaddr*)&unix_address, unix_length) == 0
                                    ? listen(local, 8)
                                    : -1);
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) die("socketpair");
    int fds[5] = {listener, datagram, local, pair[0], pair[1]};
    probe_rc("in_flight", send_fds(pair[0], fds, 5));
    /* A connection the server side closes first: TIME_WAIT on port + 2. */
    int server = socket(AF_INET, SOCK_STREAM, 0);
    int client = socket(AF_INET, SOCK_STREAM, 0);
    bind(server, (struct sockaddr*)&wait, sizeof wait);
    listen(server, 1);
    connect(client, (struct sockaddr*)&wait, sizeof wait);
    int accepted = accept(server, NULL, NULL);
    close(accepted);
    close(server);
    usleep(20000);
    close(client);
    for (int i = 0; i < 5; ++i) close(fds[i]);
    return 0;
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  probe_rc("tcp_connect_planted", connect(fd, (struct sockaddr*)&tcp, sizeof tcp));
  close(fd);
  fd = socket(AF_INET, SOCK_STREAM, 0);
  probe_rc("tcp_bind_planted_port", bind(fd, (struct sockaddr*)&tcp, sizeof tcp));
  close(fd);
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  probe_rc("udp_bind_planted_port", bind(fd, (struct sockaddr*)&udp, sizeof udp));
  close(fd);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  probe_rc("abstract_connect_planted", connect(fd, (struct sockaddr*)&unix_address, unix_length));
  close(fd);
  fd = socket(AF_UNIX, SOCK_STREAM, 0);
  probe_rc("abstract_bind_planted", bind(fd, (struct sockaddr*)&unix_address, unix_length));
  close(fd);
  /* Go's net.Listen sets SO_REUSEADDR, which ignores TIME_WAIT. */
  fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  probe_rc("tcp_bind_time_wait_port_reuseaddr", bind(fd, (struct sockaddr*)&wait, sizeof wait));
  close(fd);
  fd = socket(AF_INET, SOCK_STREAM, 0);
  probe_rc("tcp_bind_time_wait_port", bind(fd, (struct sockaddr*)&wait, sizeof wait));
  close(fd);
  return 0;
}
