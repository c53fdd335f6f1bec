/* Case 14: network. argv: TCP port and UDP port of host listeners on
 * 127.0.0.1, name of a host abstract unix socket. Nothing outside the
 * sandbox may be reached; loopback inside works. No probe sends a packet to
 * any address other than loopback (a UDP connect() only looks up a route). */
#include <arpa/inet.h>
#include <linux/vm_sockets.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "probe.h"

static void probe_connect(const char* name, int family, const struct sockaddr* address,
                          socklen_t length) {
  int fd = socket(family, SOCK_STREAM, 0);
  if (fd < 0) {
    probe_rc(name, -1);
    return;
  }
  probe_rc(name, connect(fd, address, length));
  close(fd);
}

int main(int argc, char** argv) {
  if (argc < 4) die("usage: net TCP_PORT UDP_PORT ABSTRACT_NAME");
  int tcp_port = atoi(argv[1]);
  int udp_port = atoi(argv[2]);
  const char* abstract = argv[3];

  struct if_nameindex* interfaces = if_nameindex();
  printf("probe=interfaces result=OK names=");
  for (struct if_nameindex* i = interfaces; i && i->if_index != 0; ++i) {
    printf("%s%s", i == interfaces ? "" : ",", i->if_name);
  }
  printf("\n");

  struct sockaddr_in host4 = {.sin_family = AF_INET, .sin_port = htons(tcp_port)};
  inet_pton(AF_INET, "127.0.0.1", &host4.sin_addr);
  probe_connect("tcp_host_listener", AF_INET, (struct sockaddr*)&host4, sizeof host4);
  struct sockaddr_in6 host6 = {.sin6_family = AF_INET6, .sin6_port = htons(tcp_port)};
  inet_pton(AF_INET6, "::1", &host6.sin6_addr);
  probe_connect("tcp6_host_listener", AF_INET6, (struct sockaddr*)&host6, sizeof host6);

  int udp = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in udp_host = {.sin_family = AF_INET, .sin_port = htons(udp_port)};
  inet_pton(AF_INET, "127.0.0.1", &udp_host.sin_addr);
  probe_rc("udp_host_listener",
           sendto(udp, "sandbox-datagram", 16, 0, (struct sockaddr*)&udp_host, sizeof udp_host));
  close(udp);

  /* Route lookup only: connect() on a UDP socket sends nothing. */
  udp = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in outside = {.sin_family = AF_INET, .sin_port = htons(53)};
  inet_pton(AF_INET, "192.0.2.1", &outside.sin_addr);
  probe_rc("route_outside", connect(udp, (struct sockaddr*)&outside, sizeof outside));
  close(udp);

  struct addrinfo* found = NULL;
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
  int gai = getaddrinfo("example.com", "80", &hints, &found);
  if (gai == 0) {
    printf("probe=dns result=OK\n");
    freeaddrinfo(found);
  } else {
    printf("probe=dns errno=GAI%d\n", gai);
  }
  gai = getaddrinfo("localhost", "80", &hints, &found);
  printf("probe=dns_localhost %s\n", gai == 0 ? "result=OK" : "errno=GAI");
  if (gai == 0) freeaddrinfo(found);

  struct sockaddr_un unix_address = {.sun_family = AF_UNIX};
  size_t name_length = strlen(abstract);
  if (name_length > sizeof unix_address.sun_path - 1) die("abstract name too long");
  memcpy(unix_address.sun_path + 1, abstract, name_length);
  probe_connect("abstract_host_listener", AF_UNIX, (struct sockaddr*)&unix_address,
                offsetof(struct sockaddr_un, sun_path) + 1 + name_length);

  /* The slot's network namespace outlives the run: it cannot be reconfigured. */
  int control = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq request = {0};
  strcpy(request.ifr_name, "lo");
  ioctl(control, SIOCGIFFLAGS, &request);
  request.ifr_flags &= ~IFF_UP;
  probe_rc("loopback_down", ioctl(control, SIOCSIFFLAGS, &request));
  struct ifreq address_request = {0};
  strcpy(address_request.ifr_name, "lo");
  struct sockaddr_in* new_address = (struct sockaddr_in*)&address_request.ifr_addr;
  new_address->sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.2", &new_address->sin_addr);
  probe_rc("loopback_set_address", ioctl(control, SIOCSIFADDR, &address_request));
  close(control);

  probe_rc("vsock", socket(AF_VSOCK, SOCK_STREAM, 0));
  probe_rc("packet_socket", socket(AF_PACKET, SOCK_RAW, 0));
  probe_rc("raw_socket", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));

  /* Loopback inside the sandbox works. */
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in local = {.sin_family = AF_INET};
  inet_pton(AF_INET, "127.0.0.1", &local.sin_addr);
  socklen_t local_length = sizeof local;
  if (bind(listener, (struct sockaddr*)&local, sizeof local) != 0 || listen(listener, 4) != 0 ||
      getsockname(listener, (struct sockaddr*)&local, &local_length) != 0) {
    probe_rc("loopback", -1);
    return 0;
  }
  int client = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(client, (struct sockaddr*)&local, sizeof local) != 0) {
    probe_rc("loopback", -1);
    return 0;
  }
  int server = accept(listener, NULL, NULL);
  char reply[8] = {0};
  if (server < 0 || write(client, "ping", 4) != 4 || read(server, reply, 4) != 4 ||
      strcmp(reply, "ping") != 0) {
    probe_rc("loopback", -1);
  } else {
    printf("probe=loopback result=OK\n");
  }
  return 0;
}
