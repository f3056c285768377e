#include "engine/postgres_engine.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <system_error>
#include <thread>

#include "engine/pg_statements.hpp"
#include "engine/run_program.hpp"
#include "retort/libpq_process.hpp"
#include "retort/version_sql.hpp"

namespace retort {

namespace {

using Clock = std::chrono::steady_clock;

// Owns a PGconn; PQfinish also ends the server session, which releases any
// lock and rolls back any open transaction.
struct ConnectionDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using Connection = std::unique_ptr<PGconn, ConnectionDeleter>;

// Owns a PGresult.
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// What the server said about a failed command.
struct ServerError {
  std::string sqlstate;
  std::string message;
  std::string detail;
  std::string hint;
  std::size_t position = 0;  // 1-based characters into the command; 0 when none
};

// The field `code` of `result`, or "".
std::string field(const PGresult* result, int code) {
  const char* value = PQresultErrorField(result, code);
  return value == nullptr ? std::string() : std::string(value);
}

// `text` without trailing new lines (libpq ends its messages with one).
std::string chomp(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// The passwords in play, to blank out of any text that reaches the user.
// libpq never puts a password in a message, but a malformed URL's pieces may
// be quoted back, so every message goes through scrub().
class Secrets {
 public:
  // Remembers `secret`; very short ones are skipped because replacing every
  // "a" in a message would garble it without protecting anything.
  void add(std::string_view secret) {
    if (secret.size() >= 3) secrets_.emplace_back(secret);
  }
  // `text` with every remembered secret replaced by "***".
  std::string scrub(std::string text) const {
    for (const auto& secret : secrets_) {
      for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
        text.replace(at, secret.size(), "***");
    }
    return text;
  }

 private:
  std::vector<std::string> secrets_;
};

// The keyword/value arrays for PQconnectdbParams, kept alive together.
struct ConnectParams {
  std::vector<std::string> keys;
  std::vector<std::string> values;
  bool expand_dbname = false;  // the first dbname is a URL for libpq to parse
  Secrets secrets;
  std::string url_shown;  // the URL with its password masked, for messages

  void add(std::string key, std::string value) {
    keys.push_back(std::move(key));
    values.push_back(std::move(value));
  }
  // PQconnectdbParams's view of the arrays: NULL-terminated C strings.
  std::pair<std::vector<const char*>, std::vector<const char*>> arrays() const {
    std::vector<const char*> k, v;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      k.push_back(keys[i].c_str());
      v.push_back(values[i].c_str());
    }
    k.push_back(nullptr);
    v.push_back(nullptr);
    return {k, v};
  }
};

// The raw (possibly percent-encoded) password of a URL's userinfo, with both
// readings of an unencoded '@' in it; libpq takes the first '@', users often
// mean the last.
std::vector<std::string> raw_url_passwords(std::string_view url) {
  std::vector<std::string> found;
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return found;
  auto rest = url.substr(scheme + 3);
  for (auto at : {rest.find('@'), rest.rfind('@')}) {
    if (at == std::string_view::npos) continue;
    auto userinfo = rest.substr(0, at);
    auto colon = userinfo.find(':');
    if (colon != std::string_view::npos) found.emplace_back(userinfo.substr(colon + 1));
  }
  return found;
}

// The connection parameters of `config`, the URL checked by libpq's own parser
// first so that a malformed one is a configuration error, not a connection one.
ConnectParams connect_params(const Config& config) {
  ConnectParams params;
  // fallback_: PGAPPNAME or an application_name in the URL still win.
  params.add("fallback_application_name", "retort");
  if (const char* env_password = std::getenv("PGPASSWORD")) params.secrets.add(env_password);
  if (!config.postgres_url.empty()) {
    for (const auto& raw : raw_url_passwords(config.postgres_url)) params.secrets.add(raw);
    params.url_shown = mask_url(config.postgres_url);
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(config.postgres_url.c_str(), &error);
    if (options == nullptr) {
      std::string reason = error == nullptr ? "out of memory" : chomp(error);
      PQfreemem(error);
      fail(ExitCode::config,
           fmt::format("DATABASE_URL '{}' is not a valid PostgreSQL URL: {}", params.url_shown,
                       params.secrets.scrub(reason)),
           {"the form is postgresql://user:password@host:port/dbname?sslmode=require; "
            "percent-encode '@', ':', '/', '%', '#' and '?' in the user name and password"});
    }
    for (auto* option = options; option->keyword != nullptr; ++option)
      if (option->val != nullptr && std::string_view(option->keyword) == "password")
        params.secrets.add(option->val);
    PQconninfoFree(options);
    params.add("dbname", config.postgres_url);
    params.expand_dbname = true;
  }
  for (const auto& [key, value] : config.postgres) {
    if (key == "password") params.secrets.add(value);
    params.add(key, value);
  }
  return params;
}

// "postgresql://user@host:port/db" of a (possibly failed) connection, without
// a password; a Unix socket shows as the libpq URL form with `host=`.
std::string describe_connection(PGconn* conn) {
  auto text = [](const char* s) { return s == nullptr ? std::string() : std::string(s); };
  std::string user = text(PQuser(conn));
  std::string host = text(PQhost(conn));
  std::string port = text(PQport(conn));
  std::string db = text(PQdb(conn));
  std::string who = user.empty() ? std::string() : user + "@";
  if (host.starts_with('/'))
    return fmt::format("postgresql://{}/{}?host={}&port={}", who, db, host, port);
  return fmt::format("postgresql://{}{}:{}/{}", who, host, port, db);
}

// Where a failed connection was going: "host:port", or the socket file.
std::string connection_target(PGconn* conn) {
  std::string host = PQhost(conn) == nullptr ? "" : PQhost(conn);
  std::string port = PQport(conn) == nullptr ? "" : PQport(conn);
  if (host.starts_with('/')) return fmt::format("{}/.s.PGSQL.{}", host, port);
  return fmt::format("{}:{}", host, port);
}

// The first line of a libpq message without the server's "FATAL:  ", or
// `whole` when that leaves nothing.
std::string first_line(std::string_view text, std::string_view whole) {
  text = text.substr(0, text.find('\n'));
  for (std::string_view prefix : {"FATAL:  ", "ERROR:  "})
    if (text.starts_with(prefix)) text.remove_prefix(prefix.size());
  return std::string(text.empty() ? whole : text);
}

// The reason libpq gives, without its "connection to server at ... failed:"
// preamble, the server's "FATAL:  " and its indented hint lines.
std::string connection_reason(const std::string& message) {
  std::string_view text = message;
  // With several addresses (localhost is ::1 and 127.0.0.1) libpq reports each
  // attempt; the last one is the one that decided.
  auto last = text.rfind("connection to server ");
  if (last != std::string_view::npos) text = text.substr(last);
  if (auto failed = text.find(" failed: "); failed != std::string_view::npos)
    text = text.substr(failed + 9);
  return first_line(text, message);
}

// Why a connection failed, as far as the notes to print are concerned.
enum class ConnectFailure { unreachable, starting, password, no_database, no_role, refused, other };

ConnectFailure classify(std::string_view reason) {
  auto has = [&](std::string_view s) { return reason.find(s) != std::string_view::npos; };
  if (has("the database system is starting up") || has("not yet accepting connections") ||
      has("the database system is shutting down") || has("in recovery mode"))
    return ConnectFailure::starting;
  if (has("Connection refused") || has("No such file or directory") || has("timeout expired") ||
      has("Network is unreachable") || has("No route to host") || has("Connection timed out") ||
      has("could not translate host name") || has("server closed the connection unexpectedly"))
    return ConnectFailure::unreachable;
  if (has("password authentication failed") || has("no password supplied") ||
      has("SCRAM authentication"))
    return ConnectFailure::password;
  if (has("database \"") && has("\" does not exist")) return ConnectFailure::no_database;
  if (has("role \"") && has("\" does not exist")) return ConnectFailure::no_role;
  if (has("pg_hba.conf") || has("permission denied for database")) return ConnectFailure::refused;
  return ConnectFailure::other;
}

// What to check for each kind of failure.
std::vector<std::string> connection_notes(ConnectFailure kind, std::string_view reason) {
  switch (kind) {
    case ConnectFailure::unreachable:
      if (reason.find("could not translate host name") != std::string_view::npos)
        return {"check the host name in POSTGRES_SERVER (or DATABASE_URL)"};
      return {"is the server running, and accepting connections on that host and port?",
              "check POSTGRES_SERVER and POSTGRES_PORT (or the host and port of DATABASE_URL), "
              "and any firewall in between",
              "'--wait SECONDS' retries while a server is starting"};
    case ConnectFailure::starting:
      return {"the server is starting or stopping; '--wait SECONDS' retries until it accepts "
              "connections"};
    case ConnectFailure::password:
      return {"check POSTGRES_PASSWORD (or the password of DATABASE_URL, percent-encoded), "
              "PGPASSWORD or ~/.pgpass; the password is never shown",
              "check POSTGRES_USER too: the server does not say whether the user exists"};
    case ConnectFailure::no_database:
      return {"create the database (e.g. 'createdb <name>' or CREATE DATABASE), or fix "
              "POSTGRES_DB (or the database of DATABASE_URL)"};
    case ConnectFailure::no_role:
      return {"check POSTGRES_USER (or the user of DATABASE_URL)"};
    case ConnectFailure::refused:
      return {"the server refuses this user, database or client address (pg_hba.conf, or a "
              "missing CONNECT privilege); a server that requires SSL needs sslmode=require"};
    case ConnectFailure::other:
      break;
  }
  if (reason.find("SSL") != std::string_view::npos || reason.find("certificate") != std::string_view::npos)
    return {"check sslmode, sslrootcert, sslcert and sslkey (in DATABASE_URL's query or PGSSL* "
            "variables)"};
  return {};
}

// Connects, retrying until `wait_s` seconds have passed while the server is
// down or starting. Throws DiagnosticError(ExitCode::connection).
Connection connect(const ConnectParams& params, int wait_s, std::string* shown) {
  auto [keys, values] = params.arrays();
  const auto deadline = Clock::now() + std::chrono::seconds(wait_s);
  while (true) {
    Connection conn(PQconnectdbParams(keys.data(), values.data(), params.expand_dbname ? 1 : 0));
    if (conn == nullptr) fail(ExitCode::connection, "out of memory while connecting to PostgreSQL");
    if (PQstatus(conn.get()) == CONNECTION_OK) {
      *shown = describe_connection(conn.get());
      return conn;
    }
    std::string reason = params.secrets.scrub(connection_reason(PQerrorMessage(conn.get())));
    auto kind = classify(reason);
    bool retry = kind == ConnectFailure::unreachable || kind == ConnectFailure::starting;
    if (retry && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      continue;
    }
    auto notes = connection_notes(kind, reason);
    std::string database = params.url_shown.empty() ? describe_connection(conn.get()) : params.url_shown;
    notes.push_back("database: " + params.secrets.scrub(database));
    if (retry && wait_s > 0) notes.push_back(fmt::format("gave up after waiting {} s", wait_s));
    fail(ExitCode::connection,
         fmt::format("could not connect to {}: {}", connection_target(conn.get()), reason),
         std::move(notes));
  }
}

// Discards notices ("relation ... already exists, skipping"): libpq would print
// them on standard error, in the middle of Retort's own output.
void ignore_notice(void*, const char*) {}

// The advisory lock key of a version table: FNV-1a of its qualified name, so
// that two version tables in one database never serialise each other.
std::int64_t lock_key(const VersionTable& table) {
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : "retort:" + qualified_table(Dialect::postgres, table)) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(hash);
}

// Shared or exclusive hold of the migration lock.
enum class LockMode { shared, exclusive };

// How long a setting lasts: to the end of the transaction, or of the session.
enum class Scope { transaction, session };

class PostgresEngine final : public Engine {
 public:
  PostgresEngine(const Config& config, OpenMode mode)
      : params_(connect_params(config)),
        table_(config.version_table),
        mode_(mode),
        lock_timeout_s_(config.lock_timeout_s),
        lock_key_(lock_key(config.version_table)) {
    conn_ = open_connection(config.wait_s);
  }

  Dialect dialect() const override { return Dialect::postgres; }

  std::string describe() const override { return shown_; }

  bool reads_faster_with_hint() const override { return true; }

  std::vector<AppliedRevision> version_rows(RowFields fields, TableHint hint) override {
    // Two statements, outside any transaction and without the migration lock:
    // each sees a state that some moment had. Writers must not take the
    // provisional row of a `transaction none` script still running for one
    // that stopped part way, so when a row records progress, they read again
    // holding the lock, which waits for such a script to end; readers take
    // what is there. Without BEGIN, the lock's try and COMMIT, a no-op upgrade
    // of 1000 scripts took 0.3 ms less (400 interleaved runs).
    const auto sql = select_versions_sql(Dialect::postgres, table_, fields);
    auto result = select_from_version_table(sql, hint);
    if (!result) return {};
    table_known_ = true;  // as ensure_table() takes it: the first step need not look again
    auto rows = applied_rows(result->get(), fields);
    const bool progress = std::any_of(rows.begin(), rows.end(), [](const auto& row) {
      return row.statements_done.has_value();
    });
    if (!progress || in_group_ || mode_ == OpenMode::read_only) return rows;
    rows = applied_rows(acquire_lock(conn_.get(), LockMode::shared, sql).get(), fields);
    exec_internal(conn_.get(), "COMMIT");
    return rows;
  }

  StepOutcome run(const StepRequest& request) override {
    if (request.transaction == TransactionMode::none) {
      if (in_group_) {
        abandon_transaction();
        fail(ExitCode::usage,
             fmt::format("revision {} runs without a transaction ('-- retort:transaction none') "
                         "and cannot be part of --single-transaction",
                         request.revision),
             {"the whole run was rolled back; run it without --single-transaction"});
      }
      return run_without_transaction(request);
    }
    reject_statements_outside_transactions(request.sql);
    try {
      auto done = lock_and_read_row(request.revision);
      if (done.has_value() == (request.direction == Direction::up)) {
        if (!in_group_) {
          table_known_ = false;  // the ROLLBACK may undo ensure_table's CREATE
          exec_internal(conn_.get(), "ROLLBACK");
        }
        return {false, 0};
      }
      return run_in_one_message(request);
    } catch (...) {
      abandon_transaction();
      throw;
    }
  }

  void stamp(const std::vector<AppliedRevision>& rows) override {
    try {
      if (!in_group_) acquire_lock(conn_.get(), LockMode::exclusive);
      ensure_table();
      exec_internal(conn_.get(), clear_versions_sql(Dialect::postgres, table_));
      for (const auto& row : rows)
        record(row.revision, row.checksum, row.duration_ms, row.statements_done);
      if (!in_group_) exec_internal(conn_.get(), "COMMIT");
    } catch (...) {
      abandon_transaction();
      throw;
    }
  }

  void begin_group() override {
    acquire_lock(conn_.get(), LockMode::exclusive);
    in_group_ = true;
  }

  void commit_group() override {
    if (!in_group_) return;
    try {
      commit();
    } catch (...) {
      in_group_ = false;
      throw;
    }
    in_group_ = false;
  }

  std::string dump_schema() override;

  std::vector<std::vector<std::optional<std::string>>> select_rows(const std::string& sql) override {
    Result result = exec_internal(conn_.get(), sql);
    std::vector<std::vector<std::optional<std::string>>> rows(PQntuples(result.get()));
    for (int r = 0; r < static_cast<int>(rows.size()); ++r)
      for (int c = 0; c < PQnfields(result.get()); ++c)
        rows[r].push_back(PQgetisnull(result.get(), r, c)
                              ? std::nullopt
                              : std::optional<std::string>(PQgetvalue(result.get(), r, c)));
    return rows;
  }

 private:
  // Opens one more connection with the engine's settings.
  Connection open_connection(int wait_s) {
    Connection conn = connect(params_, wait_s, &shown_);
    PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
    return conn;
  }

  // The server's error for `result`, or nothing when the command succeeded.
  static std::optional<ServerError> error_of(PGconn* conn, const PGresult* result) {
    auto status = PQresultStatus(result);
    if (result != nullptr &&
        (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY))
      return std::nullopt;
    ServerError error;
    error.sqlstate = field(result, PG_DIAG_SQLSTATE);
    error.message = field(result, PG_DIAG_MESSAGE_PRIMARY);
    if (error.message.empty()) error.message = chomp(PQerrorMessage(conn));
    error.detail = field(result, PG_DIAG_MESSAGE_DETAIL);
    error.hint = field(result, PG_DIAG_MESSAGE_HINT);
    auto position = field(result, PG_DIAG_STATEMENT_POSITION);
    if (!position.empty()) error.position = std::strtoul(position.c_str(), nullptr, 10);
    return error;
  }

  // Fails with the exit code that fits an error of Retort's own SQL.
  [[noreturn]] void fail_internal(PGconn* conn, const ServerError& error) {
    auto message = params_.secrets.scrub(error.message);
    if (PQstatus(conn) != CONNECTION_OK)
      fail(ExitCode::connection,
           fmt::format("lost the connection to {}: {}", shown_, first_line(message, message)),
           {"the server ended the session (a restart, a crash, a network failure or "
            "pg_terminate_backend); the transaction in progress was rolled back",
            "run the command again once the server is back ('--wait SECONDS' retries while it "
            "starts)"});
    auto schema = quote_identifier(table_.schema);
    if (error.sqlstate == "3F000")
      fail(ExitCode::state,
           fmt::format("the version table's schema {} does not exist in {}", schema, shown_),
           {fmt::format("create it (CREATE SCHEMA {}) or choose another one with "
                        "--version-schema",
                        schema)});
    if (error.sqlstate == "42501")
      fail(ExitCode::state,
           fmt::format("permission denied on the version table {}: {}",
                       qualified_table(Dialect::postgres, table_), message),
           {fmt::format("the user needs USAGE and CREATE on schema {} (GRANT USAGE, CREATE ON "
                        "SCHEMA {} TO <user>) and, once the table exists, SELECT, INSERT, UPDATE "
                        "and DELETE on it",
                        schema, schema)});
    std::vector<std::string> notes;
    if (!error.detail.empty()) notes.push_back("detail: " + params_.secrets.scrub(error.detail));
    if (!error.hint.empty()) notes.push_back("hint: " + params_.secrets.scrub(error.hint));
    fail(ExitCode::state,
         fmt::format("{} [SQLSTATE {}] on {}", message, error.sqlstate, shown_), std::move(notes));
  }

  // Runs Retort's own `sql` (simple query protocol); fails on any error.
  Result exec_internal(PGconn* conn, const std::string& sql) {
    Result result(PQexec(conn, sql.c_str()));
    if (auto error = error_of(conn, result.get())) fail_internal(conn, *error);
    return result;
  }

  // Sends `sql`, one statement or several, as one simple-query message and
  // returns a result per statement run. The server stops at the first error,
  // whose result is then the last; a message that could not be sent gives
  // one null result, which error_of() reports.
  std::vector<Result> exec_message(PGconn* conn, const std::string& sql) {
    std::vector<Result> results;
    if (PQsendQuery(conn, sql.c_str()) == 0) {
      results.emplace_back(nullptr);
      return results;
    }
    while (PGresult* result = PQgetResult(conn)) {
      auto status = PQresultStatus(result);
      results.emplace_back(result);
      // libpq repeats a COPY's result until the COPY ends; PQexec stops there too.
      if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) break;
    }
    return results;
  }

  // Runs `sql` with text parameters (NULL for nullopt) through the unnamed
  // statement, which transaction-pooling PgBouncer handles.
  Result exec_params(PGconn* conn, const std::string& sql,
                     const std::vector<std::optional<std::string>>& values) {
    std::vector<const char*> pointers;
    for (const auto& value : values) pointers.push_back(value ? value->c_str() : nullptr);
    Result result(PQexecParams(conn, sql.c_str(), static_cast<int>(pointers.size()), nullptr,
                               pointers.data(), nullptr, nullptr, 0));
    if (auto error = error_of(conn, result.get())) fail_internal(conn, *error);
    return result;
  }

  // Opens a transaction on `conn` that holds the migration lock, and runs
  // Retort's own `then` in it once the lock is held; returns then's result.
  // Polls pg_try_advisory_xact_lock in short transactions rather than
  // blocking in one: a transaction blocked in the lock would hold a snapshot,
  // and CREATE INDEX CONCURRENTLY in the lock holder's script waits for every
  // such transaction, a deadlock the server cannot see.
  Result acquire_lock(PGconn* conn, LockMode mode, const std::string& then = {}) {
    // The simple query protocol: an extended-protocol portal would stay open
    // until the transaction ends, holding a snapshot for the whole script.
    // BEGIN, for a writer watch_client's setting, and `then` go in the same
    // message: one round trip. `then` is a statement of its own, so that its
    // snapshot is taken once the lock is held. A failed try rolls back the
    // setting and throws then's result away.
    const auto sql = fmt::format("BEGIN; {}SELECT pg_try_advisory_xact_lock{}({}){}",
                                 mode == LockMode::exclusive
                                     ? watch_client_sql(conn, Scope::transaction) + "; "
                                     : std::string(),
                                 mode == LockMode::exclusive ? "" : "_shared", lock_key_,
                                 then.empty() ? std::string() : "; " + then);
    const std::size_t lock_from_end = then.empty() ? 1 : 2;
    const auto start = Clock::now();
    auto pause = std::chrono::milliseconds(20);
    while (true) {
      auto results = exec_message(conn, sql);
      if (auto error = error_of(conn, results.back().get())) fail_internal(conn, *error);
      const PGresult* lock = results[results.size() - lock_from_end].get();
      if (std::string_view(PQgetvalue(lock, 0, 0)) == "t")
        return then.empty() ? Result() : std::move(results.back());
      exec_internal(conn, "ROLLBACK");
      if (lock_timeout_s_ > 0 && Clock::now() - start >= std::chrono::seconds(lock_timeout_s_))
        fail(ExitCode::lock_timeout,
             fmt::format("another process held the migration lock of {} on {} for more than {} s",
                         qualified_table(Dialect::postgres, table_), shown_, lock_timeout_s_),
             {"another 'retort' is migrating this database; wait for it, or raise --lock-timeout",
              fmt::format("SELECT pid, state, query FROM pg_locks JOIN pg_stat_activity USING "
                          "(pid) WHERE locktype = 'advisory' shows who holds it (key {})",
                          lock_key_)});
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(500));
    }
  }

  // Has the server check every second, while it runs a statement on `conn`,
  // that Retort is still connected. Without it, the statement of a killed
  // Retort runs to its end (say, a long UPDATE) and keeps the migration lock
  // all that time; with it, the server cancels the statement, rolls back and
  // releases the lock. PostgreSQL 14 and later; older servers ignore it.
  void watch_client(PGconn* conn, Scope scope) { exec_internal(conn, watch_client_sql(conn, scope)); }

  // The setting exists from PostgreSQL 14 on; the server's version says so
  // without a look at pg_settings, a view that builds a row for every setting
  // (it cost the server about as much as a migration's version-row write).
  static std::string watch_client_sql(PGconn* conn, Scope scope) {
    if (PQserverVersion(conn) < 140000) return "SELECT 1";
    return fmt::format("SELECT set_config('client_connection_check_interval', '1000', {})",
                       scope == Scope::transaction ? "true" : "false");
  }

  // Whether the version table exists: a name lookup, not a join over
  // pg_namespace and pg_class (a fresh backend plans the join for 2.3 ms, the
  // lookup costs 0.7). A missing schema is simply "no table" here.
  bool table_exists() { return is_true(exec_internal(conn_.get(), table_exists_sql()).get()); }
  std::string table_exists_sql() {
    return exists_sql("to_regclass", qualified_table(Dialect::postgres, table_));
  }

  // Whether `name` names an object of `lookup`'s kind (to_regclass,
  // to_regnamespace).
  bool exists(std::string_view lookup, std::string_view name) {
    return is_true(exec_internal(conn_.get(), exists_sql(lookup, name)).get());
  }
  std::string exists_sql(std::string_view lookup, std::string_view name) {
    return fmt::format("SELECT pg_catalog.{}({}) IS NOT NULL", lookup, literal(name));
  }
  static bool is_true(const PGresult* result) {
    return std::string_view(PQgetvalue(result, 0, 0)) == "t";
  }

  // The result of `sql`, a read of the version table, when the table exists.
  // With a table seen before and no transaction open (which a failed read
  // would abort), the check and the read go in one message, one round trip
  // rather than two: a no-op upgrade of 1000 scripts took 0.45 ms less (300
  // interleaved runs). Should the table be gone, the read fails, harmlessly:
  // the check's answer comes first.
  std::optional<Result> select_from_version_table(const std::string& sql, TableHint hint) {
    if (hint != TableHint::seen || PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) {
      if (!table_exists()) return std::nullopt;
      return exec_internal(conn_.get(), sql);
    }
    auto results = exec_message(conn_.get(), table_exists_sql() + "; " + sql);
    if (auto error = error_of(conn_.get(), results.front().get()))
      fail_internal(conn_.get(), *error);
    if (!is_true(results.front().get())) return std::nullopt;
    if (auto error = error_of(conn_.get(), results.size() == 2 ? results.back().get() : nullptr))
      fail_internal(conn_.get(), *error);
    return std::move(results.back());
  }

  // The rows of select_versions_sql(`fields`)'s `result`, in id order.
  static std::vector<AppliedRevision> applied_rows(const PGresult* result, RowFields fields) {
    std::vector<AppliedRevision> rows;
    rows.reserve(static_cast<std::size_t>(PQntuples(result)));
    for (int i = 0; i < PQntuples(result); ++i) {
      AppliedRevision row;
      row.revision = PQgetvalue(result, i, 0);
      row.checksum = PQgetvalue(result, i, 1);
      if (!PQgetisnull(result, i, 2)) row.statements_done = std::atoi(PQgetvalue(result, i, 2));
      if (fields == RowFields::all) {
        row.applied_at = PQgetvalue(result, i, 3);
        row.duration_ms = std::strtoll(PQgetvalue(result, i, 4), nullptr, 10);
      }
      rows.push_back(std::move(row));
    }
    sort_versions(rows);
    return rows;
  }

  // Creates the version table when missing, under the migration lock (two
  // concurrent CREATE TABLE IF NOT EXISTS can otherwise both fail on the
  // catalog's unique index). Checked first because CREATE ... IF NOT EXISTS
  // demands CREATE on the schema even when the table exists.
  // Once seen, the table is taken to exist for the rest of the session (one
  // catalog query per migration less); a rollback forgets it, since it may
  // have undone the CREATE.
  void ensure_table() {
    if (table_known_) return;
    if (!table_exists()) {
      if (!exists("to_regnamespace", quote_identifier(table_.schema)))
        fail_internal(conn_.get(), ServerError{"3F000", "", "", "", 0});
      exec_internal(conn_.get(), create_version_table_sql(Dialect::postgres, table_));
    }
    table_known_ = true;
  }

  // `text` as a string literal, escaped by libpq for the connection's
  // settings (standard_conforming_strings, encoding).
  std::string literal(std::string_view text) {
    char* escaped = PQescapeLiteral(conn_.get(), text.data(), text.size());
    if (escaped == nullptr)
      fail_internal(conn_.get(), ServerError{"", chomp(PQerrorMessage(conn_.get())), "", "", 0});
    std::string out(escaped);
    PQfreemem(escaped);
    return out;
  }

  // The query of the statements_done of `revision`'s row.
  std::string select_row_sql(const std::string& revision) {
    return select_version_expr_sql(Dialect::postgres, table_, literal(revision));
  }

  // The statements_done in `result`, of select_row_sql(): nothing without a
  // row, a nullopt inside when the row is complete.
  static std::optional<std::optional<int>> statements_done(const PGresult* result) {
    if (PQntuples(result) == 0) return std::nullopt;
    // in_place rather than an empty optional<int>: g++ 12 warns falsely (-Wmaybe-uninitialized) on that.
    if (PQgetisnull(result, 0, 0)) return std::optional<std::optional<int>>(std::in_place);
    return std::optional<int>(std::atoi(PQgetvalue(result, 0, 0)));
  }

  std::optional<std::optional<int>> statements_done(const std::string& revision) {
    return statements_done(exec_internal(conn_.get(), select_row_sql(revision)).get());
  }

  // Opens the migration's transaction holding the lock (unless the group's is
  // open) and reads `revision`'s row under the lock: in the lock's own message
  // once the version table is known to exist.
  std::optional<std::optional<int>> lock_and_read_row(const std::string& revision) {
    if (!in_group_ && table_known_)
      return statements_done(
          acquire_lock(conn_.get(), LockMode::exclusive, select_row_sql(revision)).get());
    if (!in_group_) acquire_lock(conn_.get(), LockMode::exclusive);
    ensure_table();
    return statements_done(revision);
  }

  // Inserts or overwrites the row of `revision`.
  void record(const std::string& revision, const std::string& checksum, std::int64_t duration,
              std::optional<int> done) {
    exec_params(conn_.get(), upsert_version_param_sql(Dialect::postgres, table_),
                {revision, checksum, std::to_string(duration),
                 done ? std::optional<std::string>(std::to_string(*done)) : std::nullopt});
  }

  // COMMIT; a failure there (a deferred constraint) belongs to the migration.
  void commit() {
    Result result(PQexec(conn_.get(), "COMMIT"));
    if (auto error = error_of(conn_.get(), result.get())) {
      if (PQstatus(conn_.get()) != CONNECTION_OK) fail_internal(conn_.get(), *error);
      throw statement_error(*error, 0);
    }
  }

  // Rolls back whatever transaction is open after a failure, quietly: the
  // original error is the one to report.
  void abandon_transaction() {
    table_known_ = false;
    if (PQtransactionStatus(conn_.get()) != PQTRANS_IDLE) PQclear(PQexec(conn_.get(), "ROLLBACK"));
    in_group_ = false;
  }

  // The StatementError for `error`, pointing at byte `offset` of the section.
  StatementError statement_error(const ServerError& error, std::size_t offset) const {
    StatementError e(params_.secrets.scrub(error.message));
    e.offset = offset;
    e.sqlstate = error.sqlstate;
    e.detail = params_.secrets.scrub(error.detail);
    e.hint = params_.secrets.scrub(error.hint);
    return e;
  }

  // Runs one piece of a section: `text` starts at byte `base` of `sql`.
  // Throws StatementError pointing at the token the server names, else at the
  // piece's start.
  void run_piece(PGconn* conn, std::string_view sql, std::size_t base, std::size_t length) {
    std::string text(sql.substr(base, length));
    Result result(PQexec(conn, text.c_str()));
    auto error = error_of(conn, result.get());
    if (!error) return;
    if (PQstatus(conn) != CONNECTION_OK) fail_internal(conn, *error);
    std::size_t offset = base;
    if (error->position > 0) offset += character_position_to_offset(text, error->position);
    throw statement_error(*error, offset);
  }

  // Runs the section, writes the version row and, outside a group, commits,
  // all in one simple-query message: one round trip. The server runs the
  // statements in order and stops at the first error; the results received
  // before it tell which statement failed. The script comes first in the
  // message, so the server's error positions are positions in the script.
  StepOutcome run_in_one_message(const StepRequest& request) {
    const bool up = request.direction == Direction::up;
    // The row's duration is the server's time since it received the message,
    // the script's run time, known only once the script has run.
    const auto write =
        up ? insert_version_expr_sql(
                 Dialect::postgres, table_, literal(request.revision), literal(request.checksum),
                 "(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::bigint") +
                 " RETURNING duration_ms"
           : delete_version_expr_sql(Dialect::postgres, table_, literal(request.revision));
    // The new line ends a trailing `--` comment, the ';' a last statement without one.
    const auto sql =
        fmt::format("{}\n;\n{}{}", request.sql, write, in_group_ ? "" : ";\nCOMMIT");
    const auto start = Clock::now();
    auto results = exec_message(conn_.get(), sql);
    if (auto error = error_of(conn_.get(), results.back().get()))
      fail_in_message(request.sql, sql, results.size() - 1, *error);
    // A quote or comment left open at the script's end could swallow Retort's
    // statements without a syntax error: then the COMMIT did not run either.
    if (PQtransactionStatus(conn_.get()) != (in_group_ ? PQTRANS_INTRANS : PQTRANS_IDLE)) {
      StatementError e("the script ends inside a quoted string, quoted identifier or comment");
      e.offset = request.sql.size();
      throw e;
    }
    if (!up) return {true, elapsed_ms(start)};
    const PGresult* row = results[results.size() - (in_group_ ? 1 : 2)].get();
    return {true, std::strtoll(PQgetvalue(row, 0, 0), nullptr, 10)};
  }

  // Throws the error of run_in_one_message()'s message `sent`: `script`
  // followed by Retort's statements, of which `completed` statements ran.
  // The script is split only now: most scripts never fail, and splitting
  // costs a libpg_query parse.
  [[noreturn]] void fail_in_message(std::string_view script, std::string_view sent,
                                    std::size_t completed, const ServerError& error) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) fail_internal(conn_.get(), error);
    if (error.position > 0) {
      auto offset = character_position_to_offset(sent, error.position);
      if (offset < script.size()) throw statement_error(error, offset);
    }
    auto statements = split_postgres(script);
    if (completed < statements.size()) throw statement_error(error, statements[completed].offset);
    // The version row's write is Retort's own SQL; a failing COMMIT (a
    // deferred constraint) belongs to the migration.
    if (completed == statements.size()) fail_internal(conn_.get(), error);
    throw statement_error(error, 0);
  }

  // Refuses, before anything runs, a per-migration script with a statement
  // PostgreSQL cannot run in a transaction block, or one that would end it.
  static void reject_statements_outside_transactions(std::string_view sql) {
    if (auto found = find_non_transactional_statement(sql)) {
      StatementError e(fmt::format(
          "{} cannot run inside a transaction; add '-- retort:transaction none' to the script",
          found->what));
      e.offset = found->offset;
      throw e;
    }
    if (auto found = find_transaction_control_statement(sql)) {
      StatementError e(fmt::format(
          "{} would end the migration's transaction; remove it (each migration runs in a "
          "transaction of its own) or add '-- retort:transaction none' to the script",
          found->what));
      e.offset = found->offset;
      throw e;
    }
  }

  // A `transaction none` script: statements one by one, each committed on its
  // own, the version row recording progress. The migration lock is held by a
  // transaction on a second connection for the whole script: a transaction-
  // level lock survives transaction pooling, which a session lock would not.
  StepOutcome run_without_transaction(const StepRequest& request) {
    Connection lock_conn = open_connection(0);
    acquire_lock(lock_conn.get(), LockMode::exclusive);
    std::optional<std::optional<int>> done;
    try {
      exec_internal(conn_.get(), "BEGIN");
      ensure_table();
      done = statements_done(request.revision);
      exec_internal(conn_.get(), "COMMIT");
    } catch (...) {
      abandon_transaction();
      throw;
    }
    const bool up = request.direction == Direction::up;
    if (done && done->has_value())
      fail(ExitCode::state,
           fmt::format("revision {} stopped part way: only its first {} statement(s) completed",
                       request.revision, **done),
           {fmt::format("finish or revert it by hand, then 'retort stamp' the right revision")});
    if (done.has_value() == up) {
      exec_internal(lock_conn.get(), "COMMIT");
      return {false, 0};
    }
    auto statements = split_postgres(request.sql);
    // Through a transaction pooler the session setting may not stay with the
    // statements; the lock connection's transaction ends with Retort all the same.
    watch_client(conn_.get(), Scope::session);
    auto start = Clock::now();
    if (up) record(request.revision, request.checksum, 0, 0);
    int completed = 0;
    for (const auto& statement : statements) {
      try {
        run_piece(conn_.get(), request.sql, statement.offset, statement.length);
      } catch (const StatementError& e) {
        // A failure in parsing or analysis (class 42) changed nothing; if no
        // statement ran yet, there is no progress worth recording.
        if (up && completed == 0 && e.sqlstate.starts_with("42"))
          exec_params(conn_.get(), delete_version_param_sql(Dialect::postgres, table_),
                      {request.revision});
        if (!up && completed > 0) record(request.revision, request.checksum, 0, 0);
        throw;
      }
      ++completed;
      // Inside a BEGIN ... COMMIT of the script's own, progress waits for its end.
      if (up && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE)
        record(request.revision, request.checksum, elapsed_ms(start), completed);
    }
    auto duration = elapsed_ms(start);
    if (up)
      record(request.revision, request.checksum, duration, std::nullopt);
    else
      exec_params(conn_.get(), delete_version_param_sql(Dialect::postgres, table_),
                  {request.revision});
    exec_internal(lock_conn.get(), "COMMIT");
    return {true, duration};
  }

  static std::int64_t elapsed_ms(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  }

  ConnectParams params_;
  VersionTable table_;
  OpenMode mode_;
  int lock_timeout_s_;
  std::int64_t lock_key_;
  std::string shown_;
  Connection conn_;
  bool in_group_ = false;
  bool table_known_ = false;  // seen by version_rows() or ensure_table(), or created
};

// pg_dump of the server's major version when installed side by side (Debian's
// /usr/lib/postgresql/<major>/bin), else the one on PATH.
std::string find_pg_dump(int server_version) {
  int major = server_version >= 100000 ? server_version / 10000 : server_version / 100;
  std::string candidate = fmt::format("/usr/lib/postgresql/{}/bin/pg_dump", major);
  if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  auto found = find_in_path("pg_dump");
  if (!found)
    fail(ExitCode::config, "pg_dump not found, which 'dump-schema' runs",
         {fmt::format("install the PostgreSQL client of the server's version (Debian: "
                      "postgresql-client-{})",
                      major)});
  return *found;
}

// Keeps the lines of a pg_dump script that describe the schema: no comments
// (they carry versions and dates), no SET or set_config lines, no psql
// \restrict keys (random per dump), single blank lines.
std::string normalise_dump(std::string_view dump) {
  std::string out;
  bool blank_pending = false;
  while (!dump.empty()) {
    auto end = dump.find('\n');
    auto line = dump.substr(0, end);
    dump = end == std::string_view::npos ? std::string_view{} : dump.substr(end + 1);
    if (line.starts_with("--") || line.starts_with("SET ") ||
        line.starts_with("SELECT pg_catalog.set_config(") || line.starts_with("\\restrict") ||
        line.starts_with("\\unrestrict"))
      continue;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      blank_pending = !out.empty();
      continue;
    }
    if (blank_pending) out += '\n';
    blank_pending = false;
    out += line;
    out += '\n';
  }
  return out;
}

std::string PostgresEngine::dump_schema() {
  // The live connection's settings, passed as libpq's environment variables
  // (PGHOST, PGPASSWORD, ...): a password on a command line is visible to
  // every user of the machine.
  std::vector<std::pair<std::string, std::string>> environment;
  PQconninfoOption* options = PQconninfo(conn_.get());
  for (auto* option = options; option != nullptr && option->keyword != nullptr; ++option)
    if (option->val != nullptr && option->envvar != nullptr && *option->val != '\0')
      environment.emplace_back(option->envvar, option->val);
  PQconninfoFree(options);

  const auto pattern =
      fmt::format("{}.{}", quote_identifier(table_.schema), quote_identifier(table_.name));
  const auto pg_dump = find_pg_dump(PQserverVersion(conn_.get()));
  auto dump = run_program(
      pg_dump, {"--schema-only", "--no-owner", "--no-privileges", "--exclude-table=" + pattern},
      environment);
  if (!dump)
    fail(ExitCode::config,
         fmt::format("cannot run {}: {}", pg_dump, std::generic_category().message(errno)));
  if (dump->exit_code != 0)
    fail(ExitCode::connection,
         fmt::format("pg_dump failed on {}: {}", shown_, params_.secrets.scrub(chomp(dump->err))));
  return normalise_dump(dump->out);
}

}  // namespace

std::unique_ptr<Engine> open_postgres_engine(const Config& config, OpenMode mode) {
  return std::make_unique<PostgresEngine>(config, mode);
}

// Any call of libpq loads it when it is loaded on first use.
void load_libpq() { PQlibVersion(); }

void libpq_without_gnutls_init() { ::setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 0); }

}  // namespace retort
