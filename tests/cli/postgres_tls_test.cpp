// TLS, which the retort executable reaches through OpenSSL functions it loads
// on their first call when it carries libpq (tool/libpq_archive.cmake), and
// through libpq.so.5 otherwise: a server of the test's own (the fixture's is
// shared, and TLS on it would change every other test's connection) with ssl
// on and a self-signed certificate for localhost, made by the openssl command
// (Debian's postgresql brings it, through ssl-cert).
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/process/search_path.hpp>

#include <string>

#include "support/logged_migrations.hpp"
#include "support/pg_server.hpp"
#include "support/project_dir.hpp"
#include "support/run_process.hpp"

using namespace retort::testing;
namespace fs = std::filesystem;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class PostgresTls : public ::testing::Test, protected ProjectDir {
 protected:
  // A self-signed certificate for localhost and its key, in `folder`.
  static void make_certificate(const fs::path& folder) {
    const auto openssl = boost::process::search_path("openssl").string();
    ASSERT_FALSE(openssl.empty()) << "no openssl command (Debian: apt-get install openssl)";
    auto made = run_process(openssl,
                            {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                             "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout",
                             "server.key", "-out", "server.crt"},
                            folder);
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
};

TEST_F(PostgresTls, MigratesOverTlsAndChecksTheServersCertificate) {
  RETORT_OWN_POSTGRES_SERVER(server);
  // The certificate and key in the data folder, owned by the server's user
  // (root's tests run it as another), the key readable by it alone.
  const auto data = server->folder() / "data";
  make_certificate(data);
  struct stat owner {};
  ASSERT_EQ(::stat(data.c_str(), &owner), 0);
  for (const char* file : {"server.key", "server.crt"})
    ASSERT_EQ(::chown((data / file).c_str(), owner.st_uid, owner.st_gid), 0) << file;
  fs::permissions(data / "server.key", fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  pg_exec(server->url(), "ALTER SYSTEM SET ssl = on");
  pg_exec(server->url(), "SELECT pg_catalog.pg_reload_conf()");
  ASSERT_TRUE(eventually([&] { return pg_value(server->url(), "SHOW ssl") == "on"; }));

  dir.write("migrations/0001_notes.sql",
            "-- retort:up\nCREATE TABLE notes (id int);\n-- retort:down\nDROP TABLE notes;\n");
  const auto at = "postgresql://retort@localhost:" + std::to_string(server->port()) + "/postgres";
  auto upgrade = run_retort({"--url", at + "?sslmode=require&gssencmode=disable", "upgrade", "head"},
                            dir.path(), {{"LD_DEBUG", "files"}});
  ASSERT_EQ(upgrade.exit_code, 0) << upgrade.err;
  EXPECT_TRUE(has(upgrade.err, "file=libssl.so.3")) << upgrade.err;
  EXPECT_EQ(pg_value(server->url(), "SELECT count(*) FROM retort_version"), "1");

  // verify-full: the chain up to the given root, and the name localhost.
  const auto root = (data / "server.crt").string();
  auto verified = run_retort({"--url", at + "?sslmode=verify-full&sslrootcert=" + root, "current"}, dir.path());
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_TRUE(has(verified.out, "0001 (head)")) << verified.out;

  TempDir other;
  make_certificate(other.path());
  const auto wrong_root = (other.path() / "server.crt").string();
  auto refused =
      run_retort({"--url", at + "?sslmode=verify-full&sslrootcert=" + wrong_root, "current"}, dir.path());
  EXPECT_EQ(refused.exit_code, 5) << refused.err;
  EXPECT_TRUE(has(refused.err, "certificate verify failed")) << refused.err;
}

}  // namespace
