// Case 14 through Go's net package: host listeners on 127.0.0.1 and an
// abstract unix socket are unreachable, DNS fails, and loopback inside the
// sandbox (including net/http, as httptest-based exercises use) works.
// Arguments: TCP port, UDP port, abstract socket name.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"gograder.test/attacks/internal/probe"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Println("probe=fatal what=usage")
		os.Exit(3)
	}
	tcpPort, udpPort, abstract := os.Args[1], os.Args[2], os.Args[3]
	dial := func(name, network, address string) {
		conn, err := net.DialTimeout(network, address, 2*time.Second)
		if err == nil {
			conn.Close()
		}
		probe.Report(name, err)
	}
	dial("go_tcp_host_listener", "tcp", "127.0.0.1:"+tcpPort)
	dial("go_unix_abstract", "unix", "@"+abstract)

	conn, err := net.Dial("udp", "127.0.0.1:"+udpPort)
	if err == nil {
		_, err = conn.Write([]byte("go-sandbox-datagram"))
		conn.Close()
	}
	probe.Report("go_udp_host_listener", err)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var resolver net.Resolver
	_, err = resolver.LookupHost(ctx, "example.com")
	if err == nil {
		probe.Report("go_dns", nil)
	} else {
		fmt.Println("probe=go_dns errno=LOOKUP_FAILED")
	}
	goResolver := &net.Resolver{PreferGo: true}
	_, err = goResolver.LookupHost(ctx, "golang.org")
	if err == nil {
		probe.Report("go_dns_purego", nil)
	} else {
		fmt.Println("probe=go_dns_purego errno=LOOKUP_FAILED")
	}

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		probe.Report("go_loopback_http", err)
		return
	}
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from loopback")
	})}
	go server.Serve(listener)
	response, err := http.Get("http://" + listener.Addr().String() + "/")
	if err != nil {
		probe.Report("go_loopback_http", err)
		return
	}
	body, _ := io.ReadAll(response.Body)
	response.Body.Close()
	probe.Report("go_loopback_http", nil, "body_ok="+fmt.Sprint(string(body) == "hello from loopback"))
}
