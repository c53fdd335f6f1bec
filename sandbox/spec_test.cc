#include "sandbox/spec.h"

#include "base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::sandbox {
namespace {

using ::testing::HasSubstr;

TEST(ParseSpecTextTest, ParsesAFullSpec) {
  auto spec = ParseSpecText(R"pb(
                              argv: "/bin/true"
                              env: "PATH=/usr/bin"
                              mounts {
                                target: "/usr"
                                bind { source: "/usr" }
                              }
                              mounts {
                                target: "/tmp"
                                tmpfs { size_bytes: 1048576 }
                              }
                              limits { wall_time_ms: 100 }
                            )pb",
                            "spec.textproto");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->argv(0), "/bin/true");
  EXPECT_EQ(spec->mounts(1).tmpfs().size_bytes(), 1048576);
  EXPECT_EQ(spec->limits().wall_time_ms(), 100);
}

TEST(ParseSpecTextTest, ReportsLineAndColumnOfSyntaxErrors) {
  auto spec = ParseSpecText("argv: \"/bin/true\"\nlimits { wall_time_ms: \"soon\" }\n", "s.txtpb");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(spec.status().message(), HasSubstr("s.txtpb:2:24:"));
}

TEST(ParseSpecTextTest, UnknownFieldsAreErrors) {
  auto spec = ParseSpecText("argv: \"x\"\n  wall_time: 3\n", "s");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), HasSubstr("s:2:12:"));
  EXPECT_THAT(spec.status().message(), HasSubstr("wall_time"));
}

TEST(ValidateSpecTest, AcceptsDefaultsOfAMinimalSpec) {
  SandboxSpec spec;
  spec.add_argv("/bin/true");
  EXPECT_TRUE(ValidateSpec(WithDefaults(spec)).ok());
  EXPECT_EQ(WithDefaults(spec).limits().memory_bytes(), 512 << 20);
  EXPECT_EQ(WithDefaults(spec).cwd(), "/");
  EXPECT_TRUE(WithDefaults(spec).loopback());
}

TEST(ValidateSpecTest, RejectsBadFieldsNamingThem) {
  struct Case {
    const char* text;
    const char* field;
  };
  for (const Case& c : {
           Case{"", "argv"},
           Case{"argv: 'x' cwd: 'rel'", "cwd"},
           Case{"argv: 'x' env: 'NOVALUE'", "env[0]"},
           Case{"argv: 'x' mounts { target: '/a/../b' tmpfs {} }", "mounts[0].target"},
           Case{"argv: 'x' mounts { target: '/proc' tmpfs {} }", "mounts[0].target"},
           Case{"argv: 'x' mounts { target: '/a' }", "mounts[0]"},
           Case{"argv: 'x' mounts { target: '/a' bind { source: 'rel' } }",
                "mounts[0].bind.source"},
           Case{"argv: 'x' mounts { target: '/a' bind { source: '/a' private_copy_bytes: 9 } }",
                "mounts[0].bind.private_copy_bytes"},
           Case{"argv: 'x' mounts { target: '/a' bind { source: '/a' writable: true "
                "private_copy_bytes: -1 } }",
                "mounts[0].bind.private_copy_bytes"},
           Case{"argv: 'x' mounts { target: '/a' overlay { lower: '/a,b' } }",
                "mounts[0].overlay.lower"},
           Case{"argv: 'x' mounts { target: '/a' overlay { lower: '/a' layer_dir: '/b:c' } }",
                "mounts[0].overlay.layer_dir"},
           Case{"argv: 'x' mounts { target: '/a' overlay { lower: '/a' layer_dir: 'rel' } }",
                "mounts[0].overlay.layer_dir"},
           Case{"argv: 'x' slot: 5000", "slot"},
           Case{"argv: 'x' limits { memory_bytes: 10 }", "limits.memory_bytes"},
           Case{"argv: 'x' cpus: '0;1'", "cpus"},
           Case{"argv: 'x' output_files { sandbox_path: '/box/a' host_path: 'b' }",
                "output_files[0].host_path"},
       }) {
    auto spec = ParseSpecText(c.text, "s");
    ASSERT_TRUE(spec.ok()) << c.text;
    absl::Status status = ValidateSpec(*spec);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument)) << c.text;
    EXPECT_THAT(status.message(), HasSubstr(std::string("spec field ") + c.field)) << c.text;
  }
}

TEST(IsCleanAbsolutePathTest, Cases) {
  EXPECT_TRUE(IsCleanAbsolutePath("/"));
  EXPECT_TRUE(IsCleanAbsolutePath("/usr/local/go"));
  EXPECT_FALSE(IsCleanAbsolutePath(""));
  EXPECT_FALSE(IsCleanAbsolutePath("usr"));
  EXPECT_FALSE(IsCleanAbsolutePath("/usr/"));
  EXPECT_FALSE(IsCleanAbsolutePath("//usr"));
  EXPECT_FALSE(IsCleanAbsolutePath("/usr/./bin"));
  EXPECT_FALSE(IsCleanAbsolutePath("/usr/../etc"));
}

}  // namespace
}  // namespace gograder::sandbox
