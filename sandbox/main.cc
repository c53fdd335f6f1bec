// gograder-sandbox: runs one program in the sandbox described by a spec and
// prints the result. See --help.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "sandbox/sandbox.h"
#include "sandbox/spec.h"

namespace {

constexpr char kUsage[] = R"(usage: gograder-sandbox [--spec FILE] [--spec-format text|binary]
                        [--format text|json|binary] [--output FILE]
       gograder-sandbox --prepare-lower DIR

Runs one program inside gograder's sandbox (user, mount, pid, net, ipc, uts
and cgroup namespaces; a tmpfs root built from the spec; seccomp; cgroup
memory, pids and CPU limits) and reports what it did.

  --spec FILE     the SandboxSpec as a text proto (default: read from stdin;
                  "-" means stdin too). Schema with defaults and comments:
                  proto/gograder/v1/sandbox.proto. Example:
                    argv: "/usr/bin/go" argv: "version"
                    env: "PATH=/usr/local/go/bin:/usr/bin"
                    mounts { target: "/usr" bind { source: "/usr" } }
                    mounts { target: "/lib" symlink { link_target: "usr/lib" } }
                    mounts { target: "/lib64" symlink { link_target: "usr/lib64" } }
                    mounts { target: "/tmp" tmpfs { size_bytes: 67108864 } }
                    limits { wall_time_ms: 5000 memory_bytes: 268435456 }
  --spec-format FMT
                  "text" (default) or "binary" (the protobuf wire format, for
                  programs: it skips ~0.3 ms of descriptor set-up per run).
  --format FMT    "text" (a text-format SandboxResult, default), "json", or
                  "binary" (wire format).
  --output FILE   write the result there instead of stdout.
  --prepare-lower DIR
                  make DIR (e.g. a warm GOCACHE) usable as the read-only lower
                  layer of an `overlay` mount: hands it to the sandbox's shared
                  id and makes its directories group-writable. Run it once after
                  filling DIR; runs never change it.

Exit status: 0 when a result was written, whatever the program did (its
outcome is the result's verdict: OK, NONZERO_EXIT, SIGNALED, TIME_LIMIT,
CPU_LIMIT, MEMORY_LIMIT, OUTPUT_LIMIT or SETUP_ERROR); 2 when the spec is
invalid (the message names file:line:column or the field) or the sandbox
itself failed; 1 for a usage error. Must run as root.
)";

struct Options {
  std::string spec_path = "-";
  std::string spec_format = "text";
  std::string format = "text";
  std::string output_path;
  std::string prepare_lower;
};

bool ParseFlags(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) return false;
      into = argv[++i];
      return true;
    };
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    bool ok = (flag == "--spec" && value(options.spec_path)) ||
              (flag == "--format" && value(options.format)) ||
              (flag == "--spec-format" && value(options.spec_format)) ||
              (flag == "--output" && value(options.output_path)) ||
              (flag == "--prepare-lower" && value(options.prepare_lower));
    if (!ok) return false;
  }
  return (options.format == "text" || options.format == "json" || options.format == "binary") &&
         (options.spec_format == "text" || options.spec_format == "binary");
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseFlags(argc, argv, options)) {
    std::cerr << kUsage;
    return 1;
  }
  if (!options.prepare_lower.empty()) {
    absl::Status status = gograder::sandbox::PrepareOverlayLower(options.prepare_lower);
    if (!status.ok()) {
      std::cerr << "gograder-sandbox: " << status.message() << "\n";
      return 2;
    }
    return 0;
  }
  std::stringstream text;
  std::string source_name = options.spec_path == "-" ? "<stdin>" : options.spec_path;
  if (options.spec_path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream file(options.spec_path);
    if (!file) {
      std::cerr << "gograder-sandbox: cannot read spec " << options.spec_path << "\n";
      return 2;
    }
    text << file.rdbuf();
  }
  absl::StatusOr<gograder::v1::SandboxSpec> spec;
  if (options.spec_format == "binary") {
    spec.emplace();
    if (!spec->ParseFromString(text.str())) {
      spec = absl::InvalidArgumentError(absl::StrCat(source_name, ": not a binary SandboxSpec"));
    }
  } else {
    spec = gograder::sandbox::ParseSpecText(text.str(), source_name);
  }
  if (!spec.ok()) {
    std::cerr << "gograder-sandbox: " << spec.status().message() << "\n";
    return 2;
  }
  auto result = gograder::sandbox::RunSandboxed(*spec);
  if (!result.ok()) {
    std::cerr << "gograder-sandbox: " << result.status().message() << "\n";
    return 2;
  }
  std::string printed;
  if (options.format == "binary") {
    result->SerializeToString(&printed);
  } else if (options.format == "json") {
    google::protobuf::util::JsonPrintOptions json;
    json.always_print_primitive_fields = true;
    (void)google::protobuf::util::MessageToJsonString(*result, &printed, json);
    printed += "\n";
  } else {
    google::protobuf::TextFormat::PrintToString(*result, &printed);
  }
  if (options.output_path.empty()) {
    std::cout << printed << std::flush;
  } else {
    std::ofstream(options.output_path) << printed;
  }
  return 0;
}
