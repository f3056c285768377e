#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace retort::testing {

// Roles every test server has besides the trusted superuser "retort".
inline constexpr const char* password_role = "retort_password";  // scram-sha-256 over TCP
inline constexpr const char* password_role_secret = "p@ss%w#rd:/?x";  // every URL-special character
inline constexpr const char* limited_role = "retort_limited";  // no CREATE on any schema

// The Debian packages the PostgreSQL tests need, for messages.
inline constexpr const char* postgres_packages = "postgresql (initdb, postgres), pgbouncer";

// The newest PostgreSQL installation's bin folder (initdb, postgres):
// `pg_config --bindir`, then /usr/lib/postgresql/<major>/bin; only
// RETORT_TEST_PG_BINDIR when that is set.
std::optional<std::filesystem::path> find_postgres_bindir();

// The build's cache of an initialised data directory, for PgServer::start();
// empty when the build has none.
std::filesystem::path template_cache();

// The user a server runs as: postgres and pgbouncer refuse root, so under root
// the child drops to "postgres" (or "nobody").
struct RunAs {
  bool drop = false;  // false: run as ourselves
  uid_t uid = 0;
  gid_t gid = 0;
};

// RunAs for this process: drop privileges only when the effective user is root.
RunAs unprivileged_user();

// Starts `program` as a daemon in its own session (terminal signals and
// CTest's process-group kills do not reach it), standard input closed and
// output appended to `log`, as `run_as`. Returns its pid; the caller stops it.
pid_t spawn_daemon(const std::filesystem::path& program, const std::vector<std::string>& args,
                   const std::filesystem::path& log, const RunAs& run_as);

// True while process `pid` runs (a zombie counts as gone).
bool process_alive(pid_t pid);

// Sends `signal` to `pid` and waits up to `timeout_s` for it to end, then
// kills it. Reaps it when it is our child.
void stop_process(pid_t pid, int signal, int timeout_s);

// A free TCP port on 127.0.0.1 (bound, then released: a small race that
// start() handles by retrying).
int free_port();

// A throwaway PostgreSQL server: initdb (or a copy of the cached template data
// directory), fsync and autovacuum off, a Unix socket in its private folder and a free
// 127.0.0.1 port; superuser "retort" trusted, plus password_role and
// limited_role. Stops and removes its folder when destroyed, unless released.
class PgServer {
 public:
  // Starts a server; `template_cache` keeps an initialised data directory
  // between runs (empty: always initdb). Throws std::runtime_error.
  static PgServer start(const std::filesystem::path& template_cache);

  PgServer(PgServer&& other) noexcept;
  PgServer& operator=(PgServer&&) = delete;
  ~PgServer();

  // postgresql://retort@127.0.0.1:<port>/postgres
  std::string url() const;
  int port() const { return port_; }
  const std::filesystem::path& folder() const { return folder_; }
  pid_t pid() const { return pid_; }

  // Stops the server, if it runs, and starts it again on the same port and
  // data (a test of a restart mid-run). Throws std::runtime_error.
  void restart();

  // Leaves the server running past this object (the CTest fixture's start
  // step); stop_folder() ends it later.
  void release() { released_ = true; }

  // Records `pid` as the owner: when it has died, cleanup_stale() removes the
  // server. Defaults to this process.
  void set_owner(pid_t pid) const;

  // Stops the server whose folder is `folder` and removes the folder.
  static void stop_folder(const std::filesystem::path& folder);

  // Stops and removes servers whose owner process died (a crash, a Ctrl-C of
  // ctest) and folders whose server is gone.
  static void cleanup_stale();

 private:
  PgServer() = default;
  // Runs postgres on port_ and waits until it accepts connections; false
  // (and stopped again) when it does not.
  bool launch(const std::filesystem::path& bindir, const RunAs& run_as);
  std::filesystem::path folder_;
  int port_ = 0;
  pid_t pid_ = 0;
  bool released_ = false;
};

// Debian's pgbouncer in front of a test server on 127.0.0.1:`server_port`,
// user "retort" trusted, a small pool (2 server connections per database in
// transaction mode, 4 in session mode). Stopped
// and removed when destroyed.
class PgBouncer {
 public:
  // Starts it with `pool_mode` "transaction" or "session". Throws std::runtime_error.
  static PgBouncer start(int server_port, const std::string& pool_mode);

  PgBouncer(PgBouncer&& other) noexcept;
  PgBouncer& operator=(PgBouncer&&) = delete;
  ~PgBouncer();

  // postgresql://retort@127.0.0.1:<pgbouncer port>/<dbname>
  std::string url(const std::string& dbname) const;

 private:
  PgBouncer() = default;
  std::filesystem::path folder_;
  int port_ = 0;
  pid_t pid_ = 0;
};

// Where PostgreSQL tests connect: RETORT_TEST_POSTGRES_URL, else the CTest
// fixture's server, else a server started for this process. `problem` is set
// instead when there is no PostgreSQL, and `skip` when RETORT_SKIP_POSTGRES=1
// asks for the tests to be skipped rather than failed.
struct PostgresAvailability {
  std::string url;
  std::string problem;
  bool skip = false;
};
PostgresAvailability postgres_availability();

// The base URL of the test server (the "postgres" database); empty when none.
std::string postgres_test_url();

// `url` with its database replaced by `dbname`.
std::string url_with_database(const std::string& url, const std::string& dbname);

// Runs `sql` on `url` as one simple query; throws std::runtime_error with the
// server's message on failure. For test setup and checks.
void pg_exec(const std::string& url, const std::string& sql);

// The first column of the first row of `sql` on `url`; "" when no row, "<null>" for NULL.
std::string pg_value(const std::string& url, const std::string& sql);

// A database of its own for one test, created from template0 and dropped
// (WITH (FORCE)) when the object goes away.
class TestDatabase {
 public:
  // Creates a database named after `label` and a process-wide counter.
  TestDatabase(const std::string& base_url, const std::string& label);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  // The URL of this database (superuser "retort").
  const std::string& url() const { return url_; }
  // The server's "host:port" in url(): what follows the user's '@'.
  std::string host_port() const;

 private:
  std::string base_url_;
  std::string name_;
  std::string url_;
};

}  // namespace retort::testing

// In a test body or SetUp(): binds `variable` to the test server's base URL, or
// fails (or, with RETORT_SKIP_POSTGRES=1, skips) the test with what to install.
#define RETORT_NEED_POSTGRES(variable)                                     \
  auto retort_availability_ = ::retort::testing::postgres_availability(); \
  if (!retort_availability_.problem.empty()) {                             \
    if (retort_availability_.skip) GTEST_SKIP() << retort_availability_.problem; \
    FAIL() << retort_availability_.problem;                                \
  }                                                                        \
  const std::string variable = retort_availability_.url

// In a test body: a PostgreSQL server of the test's own, started from the
// template cache, as `variable` (a std::optional<PgServer>), for a test that
// stops or reconfigures it (the fixture's server is shared by the tests
// running in parallel). Fails, or skips, as RETORT_NEED_POSTGRES does.
#define RETORT_OWN_POSTGRES_SERVER(variable)                                                 \
  RETORT_NEED_POSTGRES(retort_fixture_url_);                                                 \
  static_cast<void>(retort_fixture_url_);                                                    \
  std::optional<::retort::testing::PgServer> variable;                                       \
  try {                                                                                      \
    variable.emplace(::retort::testing::PgServer::start(::retort::testing::template_cache())); \
  } catch (const std::exception& e) {                                                        \
    FAIL() << "cannot start a PostgreSQL server of the test's own: " << e.what();            \
  }
