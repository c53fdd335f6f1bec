// The gRPC listener with TLS: certificates made in the test by the openssl
// CLI, the real service behind it on 127.0.0.1, and clients that check the
// server's certificate.
#include "grader/server/listener.h"

#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/status_matchers.h"
#include "grader/server/service_testing.h"

namespace gograder::server {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A self-signed certificate for `names` (subjectAltName entries); returns its PEM.
std::string MakeCertificate(const fs::path& dir, const std::string& stem,
                            const std::string& names) {
  std::string command = absl::StrCat(
      OPENSSL, " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes",
      " -days 1 -subj /CN=gograder-test -addext subjectAltName=", names, " -keyout ",
      (dir / (stem + ".key")).string(), " -out ", (dir / (stem + ".pem")).string(), " 2>/dev/null");
  if (std::system(command.c_str()) != 0) return "";
  std::stringstream pem;
  pem << std::ifstream(dir / (stem + ".pem")).rdbuf();
  return pem.str();
}

// The service over TLS with a new certificate for `names`, whose PEM goes to `pem`.
std::unique_ptr<TestService> StartWithCertificate(const std::string& dir, const std::string& names,
                                                  std::string* pem) {
  *pem = MakeCertificate(dir, "server", names);
  TestServiceOptions options;
  options.dir = dir;
  options.tls.set_cert_file(dir + "/server.pem");
  options.tls.set_key_file(dir + "/server.key");
  auto service = TestService::Start(options);
  EXPECT_TRUE(service.ok()) << service.status();
  return service.ok() ? *std::move(service) : nullptr;
}

// ListExercises through a client with `credentials`.
grpc::Status ListExercises(const TestService& service,
                           std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::ListExercisesResponse response;
  return service.NewStub(std::move(credentials))->ListExercises(&context, {}, &response);
}

// A client that checks the server's certificate against `pem` only.
std::shared_ptr<grpc::ChannelCredentials> Trusting(const std::string& pem) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = pem;
  return grpc::SslCredentials(ssl);
}

class TlsListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_ = StartWithCertificate(dir_.path(), "IP:127.0.0.1,DNS:localhost", &server_pem_);
    ASSERT_NE(service_, nullptr);
    ASSERT_THAT(server_pem_, HasSubstr("BEGIN CERTIFICATE"));
  }

  TempDir dir_{"gograder_tls_test_"};
  std::string server_pem_;
  std::unique_ptr<TestService> service_;
};

TEST_F(TlsListenerTest, AClientThatTrustsTheCertificateIsServed) {
  grpc::Status status = ListExercises(*service_, Trusting(server_pem_));
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsListenerTest, AClientThatDoesNotTrustTheCertificateIsRefused) {
  std::string other = MakeCertificate(dir_.path(), "other", "IP:127.0.0.1");
  ASSERT_THAT(other, HasSubstr("BEGIN CERTIFICATE"));
  EXPECT_EQ(ListExercises(*service_, Trusting(other)).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsListenerTest, PlaintextClientsAreRefused) {
  EXPECT_EQ(ListExercises(*service_, grpc::InsecureChannelCredentials()).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(TlsListenerHostTest, ACertificateForAnotherHostIsRefused) {
  TempDir dir("gograder_tls_test_");
  std::string elsewhere;
  std::unique_ptr<TestService> service =
      StartWithCertificate(dir.path(), "DNS:grader.example.org", &elsewhere);
  ASSERT_NE(service, nullptr);
  ASSERT_THAT(elsewhere, HasSubstr("BEGIN CERTIFICATE"));
  EXPECT_EQ(ListExercises(*service, Trusting(elsewhere)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(ServerCredentialsTest, UnreadablePemFilesAreNamed) {
  gograder::v1::TlsConfig tls;
  tls.set_cert_file("/nonexistent/server.pem");
  tls.set_key_file("/nonexistent/server.key");
  auto credentials = ServerCredentialsFor(tls);
  EXPECT_THAT(credentials,
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("/nonexistent/server.pem")));
  ListenerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.tls = tls;
  EXPECT_THAT(StartListener(options), StatusIs(absl::StatusCode::kNotFound));
}

TEST(ServerCredentialsTest, WithoutACertificateTheListenerIsPlaintext) {
  auto credentials = ServerCredentialsFor(gograder::v1::TlsConfig());
  ASSERT_OK(credentials);
  EXPECT_NE(*credentials, nullptr);
}

}  // namespace
}  // namespace gograder::server
