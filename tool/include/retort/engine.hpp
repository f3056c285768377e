#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "retort/script.hpp"

namespace retort {

struct Config;

// Where the version table lives. `schema` is ignored by SQLite.
struct VersionTable {
  std::string schema = "public";
  std::string name = "retort_version";
};

// One row of the version table: a revision that is applied (or, for a
// `transaction none` script that stopped part way, partly applied).
struct AppliedRevision {
  std::string revision;
  std::string checksum;    // of the up section that ran (Script::checksum)
  std::string applied_at;  // UTC, "YYYY-MM-DD HH:MM:SS"
  std::int64_t duration_ms = 0;
  // Set only while a `transaction none` script is incomplete: how many of its
  // statements completed before the failure (or kill).
  std::optional<int> statements_done;
};

// Which of a version row's fields a reader of the version table needs.
enum class RowFields {
  all,
  // revision, checksum and statements_done, which are all that planning
  // reads: applied_at and duration_ms may be left empty. On PostgreSQL,
  // formatting and sending a thousand timestamps is half of a no-op
  // upgrade's query.
  planning,
};

// What the runner asks an engine to do for one step.
struct StepRequest {
  std::string revision;
  Direction direction = Direction::up;
  // The section that runs; may be empty (a merge). It views a Section, a
  // std::string or a literal, so a NUL byte follows it: SQLite then parses it in place rather
  // than copying the rest of the script for every statement.
  std::string_view sql;
  std::string checksum;  // recorded on the way up
  TransactionMode transaction = TransactionMode::per_migration;
};

// The outcome of one step.
struct StepOutcome {
  bool ran = false;  // false: once the lock was held the version table showed
                     // the step already done by another process; nothing ran
  std::int64_t duration_ms = 0;
};

// A statement of a step failed. Carries what the runner needs to point at the
// script: `offset` is the byte offset into StepRequest::sql of the failing
// position (the statement's start, or the exact token when the database says).
class StatementError : public std::runtime_error {
 public:
  explicit StatementError(std::string message) : std::runtime_error(std::move(message)) {}
  std::size_t offset = 0;
  std::string sqlstate;  // PostgreSQL only
  std::string detail;
  std::string hint;
};

// What identifies a database, and the state of its content, as an engine
// can tell without reading the schema: two equal stamps of one database mean
// the same rows in its version table (see RecordCache).
struct ContentStamp {
  std::string database;  // the same database has the same text; no password
  std::string state;     // changes with every committed change of the content
  bool operator==(const ContentStamp&) const = default;
};

// What a reader of the version table knows of it beforehand.
enum class TableHint {
  unknown,
  // It had rows when this database was last read (the record cache keeps
  // that): an engine may ask for the rows in the same round trip as for the
  // table's existence, at the price of a failed read, which the server may
  // log, when the table has gone since.
  seen,
};

// How an engine is opened.
enum class OpenMode {
  read_only,   // never creates the database or the version table
  read_write,
  // As read_write, but a database that does not exist yet is created by the
  // first write (SQLite), not by the open: a command can read the version
  // table before it knows that its scripts are valid and that it has work.
  read_write_create_later,
  // As read_write, on a database that exists for one check (ScratchDatabase)
  // and need not survive a power cut: SQLite commits without fsync
  // (synchronous = OFF), which would otherwise cost more than the check when
  // the kept databases are on a disk.
  scratch,
};

// A database that migrations run against. Implementations: SQLite (SQLite3 C
// API) and PostgreSQL (libpq). To add one:
//   1. keep all SQL of the version table in version_sql.hpp's functions;
//   2. make run() atomic per step: lock, re-check the version row, run the
//      SQL, write the version row, commit — or roll everything back;
//   3. throw StatementError with a byte offset for a failing statement, and
//      DiagnosticError (ExitCode::connection) when the database is unreachable;
//   4. pass the engine conformance tests in tests/engine/.
class Engine {
 public:
  virtual ~Engine() = default;

  // The dialect of the scripts' sections that run here.
  virtual Dialect dialect() const = 0;

  // The database, for messages; never contains a password.
  virtual std::string describe() const = 0;

  // The version table's rows in id order, with `fields` filled in; empty when
  // the table (or, for SQLite, the file) does not exist yet. Not virtual, so
  // that its default arguments are the ones every caller gets.
  std::vector<AppliedRevision> applied(RowFields fields = RowFields::all,
                                       TableHint hint = TableHint::unknown) {
    return version_rows(fields, hint);
  }

  // Whether applied() costs less given TableHint::seen (PostgreSQL: one
  // round trip instead of two), so that a record cache keeps the hint.
  virtual bool reads_faster_with_hint() const { return false; }

  // The database's content stamp, when it costs much less than applied():
  // nothing otherwise (the default, and PostgreSQL's, whose server keeps no
  // such counter that a client could read without a query of the catalog),
  // and nothing while a transaction of this engine's is open.
  virtual std::optional<ContentStamp> content_stamp() { return std::nullopt; }

  // Runs one step atomically with its version-row change, serialised against
  // other processes migrating the same database (see docs/reliability.md).
  virtual StepOutcome run(const StepRequest& request) = 0;

  // Replaces the version table's rows with `rows` without running any
  // migration (`retort stamp`); creates the table when needed.
  virtual void stamp(const std::vector<AppliedRevision>& rows) = 0;

  // Until commit_group(), run() calls share one transaction
  // (`--single-transaction`): a failure anywhere rolls all of them back.
  virtual void begin_group() = 0;
  virtual void commit_group() = 0;

  // The schema as normalised, stable SQL text (the version table left out),
  // so that two dumps can be compared byte for byte.
  virtual std::string dump_schema() = 0;

  // The rows of a read-only query outside any step, every value as text
  // (nullopt for NULL): for tools that read the catalog, such as the
  // round-trip checker's fast path (docs/cmake.md).
  virtual std::vector<std::vector<std::optional<std::string>>> select_rows(const std::string& sql) = 0;

 protected:
  // What applied() returns.
  virtual std::vector<AppliedRevision> version_rows(RowFields fields, TableHint hint) = 0;
};

// Opens the engine `config` names. Throws DiagnosticError (connection or
// config exit code) with a password-free message when that fails.
std::unique_ptr<Engine> open_engine(const Config& config, OpenMode mode);

// Loads the client library of `config`'s engine (libpq for PostgreSQL) now
// rather than at the first connection, so that a caller can choose when that
// cost is paid. A library that cannot be loaded is not reported here:
// open_engine() meets it again and throws, after whatever the caller reports
// first (broken scripts).
void load_client_library(const Config& config);

}  // namespace retort
