#include "retort/scratch_database.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <memory>

#include "retort/version_sql.hpp"

namespace retort {

namespace {

struct FinishConnection {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};

// Runs `sql` on the server's maintenance database; throws with the server's
// message (never the password: the URL is masked).
void exec_on_server(const std::string& server_url, const std::string& sql) {
  std::unique_ptr<PGconn, FinishConnection> conn(PQconnectdb(server_url.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK)
    fail(ExitCode::connection, fmt::format("cannot connect to the PostgreSQL server {}: {}",
                                           mask_url(server_url), PQerrorMessage(conn.get())));
  // No "NOTICE: database ... does not exist, skipping" on the test's output.
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK)
    fail(ExitCode::connection, fmt::format("'{}' failed on {}: {}", sql, mask_url(server_url),
                                           PQerrorMessage(conn.get())));
}

// "retort_<label>_<pid>_<n>": unique among the tests CTest runs in parallel,
// and within PostgreSQL's 63-byte limit.
std::string database_name(std::string_view label) {
  static std::atomic<int> counter{0};
  std::string clean;
  for (char c : label.substr(0, 32))
    clean += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  return fmt::format("retort_{}_{}_{}", clean, ::getpid(), counter++);
}

}  // namespace

ScratchDatabase::ScratchDatabase(Dialect dialect, const std::string& server_url,
                                 std::string_view label, const std::string& seed, bool take_seed) {
  config_.engine = dialect;
  if (dialect == Dialect::sqlite) {
    namespace fs = std::filesystem;
    // A taken seed gets the folder beside it, so that taking it and keeping
    // it again (keep_as) are renames within one file system.
    const char* tmp = std::getenv("TMPDIR");
    fs::path parent = tmp != nullptr && *tmp ? tmp : "/tmp";
    if (take_seed && !seed.empty()) parent = fs::absolute(seed).parent_path();
    std::string pattern = (parent / "retort-scratch-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      fail(ExitCode::connection, fmt::format("cannot create a temporary folder '{}'", pattern));
    folder_ = pattern;
    config_.sqlite_path = (folder_ / "scratch.db").string();
    if (!seed.empty()) {
      std::error_code ec;
      if (take_seed)
        fs::rename(seed, config_.sqlite_path, ec);
      else
        fs::copy_file(seed, config_.sqlite_path, ec);
      if (ec) {
        fs::remove_all(folder_, ec);
        fail(ExitCode::connection, fmt::format("cannot {} the kept database '{}'",
                                               take_seed ? "take" : "copy", seed));
      }
    }
    return;
  }
  name_ = database_name(label);
  if (take_seed && !seed.empty())
    exec_on_server(server_url, fmt::format("ALTER DATABASE {} RENAME TO {}", quote_identifier(seed),
                                           quote_identifier(name_)));
  else
    exec_on_server(server_url, fmt::format("CREATE DATABASE {} TEMPLATE {}", quote_identifier(name_),
                                           seed.empty() ? std::string("template0") : quote_identifier(seed)));
  server_url_ = server_url;
  // libpq lets a later dbname override the URL's (connect_params adds the URL first).
  config_.postgres_url = server_url;
  config_.postgres = {{"dbname", name_}};
}

void ScratchDatabase::keep_as(const std::string& name) {
  if (config_.engine == Dialect::sqlite) {
    std::error_code ec;
    std::filesystem::rename(config_.sqlite_path, name, ec);
    if (!ec) return;
    // Another file system: a copy beside the target, then a rename, so that
    // a reader never sees half a file.
    auto temporary = fmt::format("{}.{}.tmp", name, ::getpid());
    ec.clear();
    std::filesystem::copy_file(config_.sqlite_path, temporary,
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (!ec) std::filesystem::rename(temporary, name, ec);
    if (ec) {
      std::filesystem::remove(temporary, ec);
      fail(ExitCode::connection, fmt::format("cannot keep the scratch database as '{}'", name));
    }
    return;
  }
  discard(config_.engine, server_url_, name);
  exec_on_server(server_url_, fmt::format("ALTER DATABASE {} RENAME TO {}", quote_identifier(name_),
                                          quote_identifier(name)));
  server_url_.clear();  // nothing left to drop
}

void ScratchDatabase::discard(Dialect dialect, const std::string& server_url, const std::string& name) {
  std::error_code ignored;
  if (dialect == Dialect::sqlite) {
    std::filesystem::remove(name, ignored);
    return;
  }
  exec_on_server(server_url, fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_identifier(name)));
}

ScratchDatabase::~ScratchDatabase() {
  std::error_code ignored;
  if (!folder_.empty()) std::filesystem::remove_all(folder_, ignored);
  if (server_url_.empty()) return;
  try {
    exec_on_server(server_url_, fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_identifier(name_)));
  } catch (const DiagnosticError&) {
    // The server may be gone already (the fixture stopped); nothing is left to clean.
  }
}

}  // namespace retort
