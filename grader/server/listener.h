// The gRPC listener of gograderd: plaintext, or TLS with the certificate
// chain and key of the config's TlsConfig (PEM files), serving the given
// services plus grpc.health.v1 and server reflection.
#ifndef GOGRADER_GRADER_SERVER_LISTENER_H_
#define GOGRADER_GRADER_SERVER_LISTENER_H_

#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/gograder/v1/config.pb.h"

namespace gograder::server {

struct ListenerOptions {
  std::string listen_address;            // "127.0.0.1:50051"; port 0 picks one
  gograder::v1::TlsConfig tls;           // no cert_file = plaintext
  std::vector<grpc::Service*> services;  // not owned; outlive the server
  int64_t max_receive_message_bytes = 4 << 20;
};

struct Listener {
  std::unique_ptr<grpc::Server> server;
  std::string address;  // the bound "host:port"
};

// The server credentials of `tls`: insecure without a cert_file, else TLS
// with the PEM chain and key (NotFound when a file cannot be read).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const gograder::v1::TlsConfig& tls);

// Builds and starts the gRPC server; Unavailable when it cannot listen.
absl::StatusOr<Listener> StartListener(const ListenerOptions& options);

}  // namespace gograder::server

#endif  // GOGRADER_GRADER_SERVER_LISTENER_H_
