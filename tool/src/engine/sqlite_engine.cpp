#include "engine/sqlite_engine.hpp"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <filesystem>
#include <functional>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "retort/diagnostic.hpp"
#include "retort/sqlite_process.hpp"
#include "retort/sqlite_schema.hpp"
#include "retort/version_sql.hpp"

// Notes on behaviour (see also docs/reliability.md):
// - Every connection turns on PRAGMA foreign_keys, as users of the schema
//   expect; the journal mode is left as the file has it (WAL is the user's
//   choice and persists in the file).
// - run() takes the write lock with BEGIN IMMEDIATE before it re-reads the
//   version row, so concurrent migrators queue on the busy timeout and each
//   step runs exactly once.
// - A `transaction none` script runs statement by statement in autocommit
//   mode. Its row is inserted first with statements_done = 0 (claiming the
//   revision under the lock), advanced after every statement, and completed
//   (statements_done NULL) at the end; a failure or kill leaves the count of
//   completed statements behind. Its down direction runs the statements, then
//   deletes the row; a failure part way leaves the row as it was.
// - Inside a group (--single-transaction) every step, `transaction none`
//   ones included, runs in the group's one transaction; a statement SQLite
//   refuses inside a transaction (VACUUM) then fails with SQLite's message.

namespace retort {

namespace {

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct FinalizeStatement {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

// An open connection; move-only, closed (rolling back any open transaction)
// when it goes away.
using Database = std::unique_ptr<sqlite3, CloseDatabase>;

// A prepared statement; move-only, finalized when it goes away.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}

  explicit operator bool() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() const { return stmt_.get(); }

  void bind(int index, std::string_view text) {
    sqlite3_bind_text(get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int index, std::int64_t value) { sqlite3_bind_int64(get(), index, value); }
  void bind_null(int index) { sqlite3_bind_null(get(), index); }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(get()); }

  std::string text(int column) const { return std::string(view(column)); }

  // The text of `column`, valid until the next step().
  std::string_view view(int column) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(get(), column));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(get(), column)))
             : std::string_view();
  }
  std::int64_t int64(int column) const { return sqlite3_column_int64(get(), column); }
  bool is_null(int column) const { return sqlite3_column_type(get(), column) == SQLITE_NULL; }

 private:
  std::unique_ptr<sqlite3_stmt, FinalizeStatement> stmt_;
};

bool is_lock_error(int code) {
  int primary = code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

// The byte offset of the first token at or after `from`: statements start
// after the previous one's semicolon, so skip the white space and comments
// between them to point at the statement itself.
std::size_t skip_space_and_comments(std::string_view sql, std::size_t from) {
  std::size_t i = from;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      auto end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (sql.substr(i, 2) == "/*") {
      auto end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

// `sql` with the white space at the end of every line and of the whole text
// removed, so that dumps do not depend on how the statements were typed.
std::string trim_trailing_space(std::string_view sql) {
  std::string out;
  std::size_t start = 0;
  while (start <= sql.size()) {
    auto end = sql.find('\n', start);
    auto line = sql.substr(start, end == std::string_view::npos ? sql.npos : end - start);
    line.remove_suffix(line.size() - (line.find_last_not_of(" \t\r") + 1));
    out += line;
    if (end == std::string_view::npos) break;
    out += '\n';
    start = end + 1;
  }
  out.erase(out.find_last_not_of(" \t\r\n") + 1);
  return out;
}

// Whether `a` and `b` are equal with ASCII case ignored, as SQLite compares names.
bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

// Whether a row of sqlite_schema is a schema object of the user's: not
// SQLite's own (names starting with sqlite_), not the version table or its
// indexes. Checked here rather than in SQL, where it cost as much as reading
// the rows (LIKE and a collation per row).
bool user_object(std::string_view name, std::string_view table, std::string_view version_table) {
  constexpr std::string_view internal = "sqlite_";
  return !same_name(name.substr(0, internal.size()), internal) && !same_name(table, version_table);
}

class SqliteEngine final : public Engine {
 public:
  SqliteEngine(std::string path, VersionTable table, OpenMode mode, int lock_timeout_s)
      : path_(std::move(path)), table_(std::move(table)), mode_(mode),
        lock_timeout_s_(lock_timeout_s) {
    open();
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  std::string describe() const override { return "sqlite:" + path_; }

  // The hint is of no use here (reads_faster_with_hint()): the table's
  // existence is known without a query, from the schema SQLite has parsed.
  std::vector<AppliedRevision> version_rows(RowFields fields, TableHint) override {
    if (!db_ || !version_table_exists()) return {};
    auto stmt = prepare(select_versions_sql(Dialect::sqlite, table_, fields));
    std::vector<AppliedRevision> rows;
    int rc;
    while ((rc = stmt.step()) == SQLITE_ROW) {
      AppliedRevision row;
      row.revision = stmt.text(0);
      row.checksum = stmt.text(1);
      if (!stmt.is_null(2)) row.statements_done = static_cast<int>(stmt.int64(2));
      if (fields == RowFields::all) {
        row.applied_at = stmt.text(3);
        row.duration_ms = stmt.int64(4);
      }
      rows.push_back(std::move(row));
    }
    check(rc, "read the version table");
    sort_versions(rows);
    return rows;
  }

  // The file's change counter, which every commit in rollback-journal mode
  // increments, and its stat, taken while a statement that reads no schema
  // holds the shared lock, so that no writer can change the file meanwhile.
  // In WAL mode commits go to the -wal file and leave the counter alone:
  // no stamp there.
  std::optional<ContentStamp> content_stamp() override {
    if (!db_ || sqlite3_get_autocommit(db_.get()) == 0) return std::nullopt;
    auto shared_lock = prepare("PRAGMA schema_version");
    check(shared_lock.step(), "read the database header");
    sqlite3_file* file = nullptr;
    unsigned char header[100];
    if (sqlite3_file_control(db_.get(), "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
        file == nullptr || file->pMethods == nullptr ||
        file->pMethods->xRead(file, header, sizeof header, 0) != SQLITE_OK)
      return std::nullopt;
    // The file format's read and write versions: 1 for rollback journals, 2 for WAL.
    if (header[18] != 1 || header[19] != 1) return std::nullopt;
    struct stat info {};
    if (::stat(path_.c_str(), &info) != 0) return std::nullopt;
    struct stat wal {};
    if (::stat((path_ + "-wal").c_str(), &wal) == 0 || errno != ENOENT) return std::nullopt;
    auto big_endian = [&](int at) {
      return std::uint32_t{header[at]} << 24 | std::uint32_t{header[at + 1]} << 16 |
             std::uint32_t{header[at + 2]} << 8 | std::uint32_t{header[at + 3]};
    };
    std::error_code ec;
    return ContentStamp{
        "sqlite:" + std::filesystem::absolute(path_, ec).lexically_normal().string(),
        fmt::format("counter {} pages {} file {}:{} size {} mtime {}.{:09} ctime {}.{:09}",
                    big_endian(24), big_endian(28), info.st_dev, info.st_ino, info.st_size,
                    info.st_mtim.tv_sec, info.st_mtim.tv_nsec, info.st_ctim.tv_sec,
                    info.st_ctim.tv_nsec)};
  }

  StepOutcome run(const StepRequest& request) override {
    require_writable();
    if (request.transaction == TransactionMode::none && !group_open_)
      return run_without_transaction(request);
    bool up = request.direction == Direction::up;
    StepOutcome outcome;
    in_transaction([&] {
      // Down: deleting the row first is the claim (no row: another process
      // reverted it), one statement instead of a SELECT and a DELETE.
      if (up ? !claim(request) : !delete_row(request.revision)) return;
      auto start = std::chrono::steady_clock::now();
      execute_script(request.sql, Transaction::open, [](int) {});
      outcome.duration_ms = elapsed_ms(start);
      // claim() saw no row, so a plain INSERT does: the same statement that
      // `--sql` prints, cheaper for SQLite to compile than write_row's upsert.
      if (up)
        execute(insert_version_sql(Dialect::sqlite, table_, request.revision, request.checksum,
                                   outcome.duration_ms),
                "write the version table");
      outcome.ran = true;
    });
    return outcome;
  }

  void stamp(const std::vector<AppliedRevision>& rows) override {
    require_writable();
    in_transaction([&] {
      create_version_table();
      execute(clear_versions_sql(Dialect::sqlite, table_), "clear the version table");
      for (const auto& row : rows) write_row(row.revision, row.checksum, 0, std::nullopt);
    });
  }

  void begin_group() override {
    require_writable();
    if (group_open_) fail(ExitCode::internal, "begin_group() called twice");
    execute("BEGIN IMMEDIATE", "take the write lock");
    group_open_ = true;
  }

  void commit_group() override {
    if (!group_open_) fail(ExitCode::internal, "commit_group() without begin_group()");
    group_open_ = false;
    try {
      execute("COMMIT", "commit");
    } catch (...) {
      rollback();
      throw;
    }
  }

  std::string dump_schema() override { return sqlite_schema_dump(schema_rows()); }

  // What sqlite_schema_rows() returns.
  std::vector<SqliteSchemaRow> schema_rows() {
    std::vector<SqliteSchemaRow> rows;
    for_each_schema_row([&](const SchemaRow& row) {
      rows.push_back({std::string(row.type), std::string(row.name), std::string(row.sql)});
      return true;
    });
    return rows;
  }

  // What sqlite_schema_is() returns.
  bool schema_is(const std::vector<SqliteSchemaRow>& rows) {
    auto next = rows.begin();
    bool same = for_each_schema_row([&](const SchemaRow& row) {
      if (next == rows.end() || next->type != row.type || next->name != row.name || next->sql != row.sql)
        return false;
      ++next;
      return true;
    });
    return same && next == rows.end();
  }

  std::vector<std::vector<std::optional<std::string>>> select_rows(const std::string& sql) override {
    std::vector<std::vector<std::optional<std::string>>> rows;
    if (!db_) return rows;
    auto stmt = prepare(sql);
    int rc;
    while ((rc = stmt.step()) == SQLITE_ROW) {
      auto& row = rows.emplace_back();
      for (int c = 0; c < sqlite3_column_count(stmt.get()); ++c)
        row.push_back(stmt.is_null(c) ? std::nullopt : std::optional<std::string>(stmt.text(c)));
    }
    check(rc, "read the database");
    return rows;
  }

  // What sqlite_schema_objects() returns: rowid order is creation order.
  std::vector<SchemaObject> schema_objects() {
    std::vector<SchemaObject> objects;
    for_each_schema_row([&](const SchemaRow& row) {
      SchemaObject object{std::string(row.type), std::string(row.name), std::string(row.table),
                          std::string(row.sql), {}, {}};
      if (object.type == "table") read_table(object);
      objects.push_back(std::move(object));
      return true;
    });
    return objects;
  }

 private:
  // Whether a script runs inside Retort's transaction, where its own BEGIN,
  // COMMIT or ROLLBACK would break the step's atomicity and are refused.
  enum class Transaction { open, none };

  void open() {
    namespace fs = std::filesystem;
    std::error_code ec;
    bool exists = fs::exists(path_, ec);
    // Nothing is applied to a file that is not there, and reading never creates
    // it; an unreadable folder (ec set) is left for SQLite to report.
    if (mode_ == OpenMode::read_only && !exists && !ec) return;
    auto folder = fs::path(path_).parent_path();
    if (!exists && !folder.empty() && !fs::is_directory(folder, ec))
      fail(ExitCode::connection,
           fmt::format("cannot open SQLite database '{}': folder '{}' does not exist", path_,
                       folder.string()),
           {"create the folder first, or correct SQLITE_PATH (or DATABASE_URL)"});

    // SQLite writes its journal beside the file: without write access to the
    // folder, a migration would fail part way through its first transaction.
    auto writable_folder = folder.empty() ? fs::path(".") : folder;
    if (mode_ != OpenMode::read_only && ::access(writable_folder.c_str(), W_OK | X_OK) != 0)
      fail_read_only(fmt::format("folder '{}' is not writable, and SQLite keeps its journal there",
                                 writable_folder.string()));
    if (mode_ == OpenMode::read_write_create_later && !exists && !ec) return;
    connect(mode_ == OpenMode::read_write || mode_ == OpenMode::scratch);
  }

  // Opens the file (creating it only if `create`) and reads its header.
  void connect(bool create) {
    // An engine is used by one thread at a time (it is not thread-safe
    // itself, and the CLI's background read hands it over after a join), so
    // SQLite need not lock its mutex on every call: a lock and an unlock per
    // column read were 6 % of a round-trip check.
    int flags = SQLITE_OPEN_NOMUTEX | (mode_ == OpenMode::read_only
                                           ? SQLITE_OPEN_READONLY
                                           : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0));
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr);
    db_.reset(raw);  // a handle comes back even on failure and must be closed
    if (rc != SQLITE_OK) fail_to_open(raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    sqlite3_extended_result_codes(db_.get(), 1);
    if (mode_ != OpenMode::read_only && sqlite3_db_readonly(db_.get(), "main") == 1)
      fail_read_only("the file is read-only");

    // 0 means "wait as long as it takes": INT_MAX ms is 24 days.
    int timeout_ms = lock_timeout_s_ <= 0 || lock_timeout_s_ > INT_MAX / 1000
                         ? INT_MAX
                         : lock_timeout_s_ * 1000;
    sqlite3_busy_timeout(db_.get(), timeout_ms);

    // SQLite reads the file lazily; read its header now so that a file that is
    // not a database fails here, as a connection problem. The schema is read
    // by the first statement that needs it, which a content stamp does not.
    rc = read_header();
    if (rc == SQLITE_READONLY_ROLLBACK) {
      roll_back_hot_journal(timeout_ms);
      rc = read_header();
    }
    if (is_lock_error(rc)) fail_locked();
    if (rc != SQLITE_OK) fail_to_open(sqlite3_errmsg(db_.get()));
  }

  // Turns on foreign keys (and, on a scratch database, turns off fsync) and
  // reads the header: the first access to the file.
  int read_header() {
    return sqlite3_exec(db_.get(),
                        mode_ == OpenMode::scratch
                            ? "PRAGMA foreign_keys = ON; PRAGMA synchronous = OFF; "
                              "PRAGMA schema_version"
                            : "PRAGMA foreign_keys = ON; PRAGMA schema_version",
                        nullptr, nullptr, nullptr);
  }

  // A process killed in the middle of a write transaction leaves a hot
  // journal, which only a connection that may write can roll back; a
  // read-only connection fails on it (SQLITE_READONLY_ROLLBACK). Rolling it
  // back restores the last committed state, which is what every reader must
  // see, so `current` and `history` work right after a kill.
  void roll_back_hot_journal(int timeout_ms) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    Database writer(raw);
    if (rc == SQLITE_OK) {
      sqlite3_busy_timeout(raw, timeout_ms);
      rc = sqlite3_exec(raw, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr);
    }
    if (is_lock_error(rc)) fail_locked();
    if (rc != SQLITE_OK)
      fail(ExitCode::connection,
           fmt::format("cannot open SQLite database '{}': a process stopped in the middle of a "
                       "transaction, and rolling it back needs write access: {}",
                       path_, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)),
           {fmt::format("run any Retort command that writes (e.g. 'retort upgrade') as a user who "
                        "may write '{}' and its folder; the journal '{}-journal' holds what "
                        "must be undone",
                        path_, path_)});
  }

  [[noreturn]] void fail_to_open(std::string_view reason) const {
    fail(ExitCode::connection,
         fmt::format("cannot open SQLite database '{}': {}", path_, reason),
         {"check that the file is an SQLite database and that this user may read it "
          "(and, to migrate, write both the file and its folder, where SQLite keeps its journal)"});
  }

  // Reading commands work on such a database; only writing ones get here.
  [[noreturn]] void fail_read_only(std::string_view reason) const {
    fail(ExitCode::connection, fmt::format("cannot write SQLite database '{}': {}", path_, reason),
         {"give this user write access to the file and its folder; 'current', 'history' and "
          "'upgrade --sql' only read it"});
  }

  // A row of sqlite_schema, viewing SQLite's copy until the next step.
  struct SchemaRow {
    std::string_view type, name, table, sql;
  };

  // Calls `visit(row)` for the user's objects in sqlite_schema, in rowid
  // (creation) order, until it returns false; returns whether it always
  // returned true.
  template <class Visit>
  bool for_each_schema_row(Visit visit) {
    if (!db_) return true;
    auto stmt = prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid");
    int rc;
    while ((rc = stmt.step()) == SQLITE_ROW) {
      if (stmt.is_null(3)) continue;  // SQLite's automatic indexes
      SchemaRow row{stmt.view(0), stmt.view(1), stmt.view(2), stmt.view(3)};
      if (!user_object(row.name, row.table, table_.name)) continue;
      if (!visit(row)) return false;
    }
    check(rc, "read the schema");
    return true;
  }

  // The columns (generated ones included) and referenced tables of a table.
  void read_table(SchemaObject& table) {
    auto columns = prepare(
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_xinfo(?1) ORDER BY cid");
    columns.bind(1, table.name);
    int rc;
    while ((rc = columns.step()) == SQLITE_ROW) {
      SchemaColumn column{columns.text(0), columns.text(1), columns.int64(2) != 0, std::nullopt,
                          static_cast<int>(columns.int64(4))};
      if (!columns.is_null(3)) column.default_value = columns.text(3);
      table.columns.push_back(std::move(column));
    }
    check(rc, "read the columns of a table");
    auto references = prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)");
    references.bind(1, table.name);
    while ((rc = references.step()) == SQLITE_ROW) table.references.push_back(references.text(0));
    check(rc, "read the foreign keys of a table");
  }

  // Every write starts here: a read_write_create_later engine on a missing
  // file creates it now.
  void require_writable() {
    if (mode_ == OpenMode::read_only)
      fail(ExitCode::internal, fmt::format("the SQLite database '{}' was opened read-only", path_));
    if (!db_) connect(true);
  }

  Statement prepare(std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    Statement stmt(raw);
    check(rc, "prepare a statement");
    return stmt;
  }

  // Throws for a failed call (`rc` not OK, ROW or DONE) that is Retort's own,
  // not a script's: a lock wait that timed out, or a database problem.
  void check(int rc, std::string_view doing) const {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    if (is_lock_error(rc)) fail_locked();
    fail(ExitCode::connection,
         fmt::format("SQLite database '{}': cannot {}: {}", path_, doing,
                     sqlite3_errmsg(db_.get())));
  }

  [[noreturn]] void fail_locked() const {
    std::string waited = lock_timeout_s_ > 0 ? fmt::format(" (waited {} s)", lock_timeout_s_) : "";
    fail(ExitCode::lock_timeout,
         fmt::format("SQLite database '{}' is locked: another process holds the lock{}", path_,
                     waited),
         {"another migration, or an application with an open write transaction, uses the "
          "database; retry when it is done, or raise --lock-timeout"});
  }

  // Runs one statement of Retort's that returns no rows.
  void execute(std::string_view sql, std::string_view doing) {
    auto stmt = prepare(sql);
    int rc;
    while ((rc = stmt.step()) == SQLITE_ROW) {
    }
    check(rc, doing);
  }

  void create_version_table() {
    execute(create_version_table_sql(Dialect::sqlite, table_), "create the version table");
  }

  // Compiling CREATE TABLE IF NOT EXISTS on every step costs as much as a
  // small migration; once per connection is enough, until a rollback.
  void ensure_version_table() {
    if (!table_known_) create_version_table();
    table_known_ = true;
  }

  bool version_table_exists() {
    // Table names are case-insensitive (ASCII only) in SQLite, as is NOCASE.
    auto stmt = prepare(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE");
    stmt.bind(1, table_.name);
    int rc = stmt.step();
    check(rc, "look for the version table");
    return rc == SQLITE_ROW;
  }

  // The revision's statements_done: nothing when it is not recorded, an
  // engaged empty optional when it is complete. Creates the table first.
  std::optional<std::optional<int>> recorded_statements_done(const std::string& revision) {
    ensure_version_table();
    auto stmt = prepare(select_version_param_sql(Dialect::sqlite, table_));
    stmt.bind(1, revision);
    int rc = stmt.step();
    check(rc, "read the version table");
    if (rc != SQLITE_ROW) return std::nullopt;
    // in_place rather than an empty optional<int>: g++ 12 warns falsely (-Wmaybe-uninitialized) on that.
    if (stmt.is_null(0)) return std::optional<std::optional<int>>(std::in_place);
    return std::optional<int>(static_cast<int>(stmt.int64(0)));
  }

  // Under the write lock: whether `request` still has to run (up: the
  // revision is not recorded; down: it is). An up step over a partly applied
  // revision is an error, as finishing it needs a person.
  bool claim(const StepRequest& request) {
    bool up = request.direction == Direction::up;
    auto done = recorded_statements_done(request.revision);
    if (up && done && *done)
      fail(ExitCode::state,
           fmt::format("revision {} is partly applied in '{}' ({} statements done)",
                       request.revision, path_, **done),
           {"another process is running it, or it stopped part way; see `retort history`"});
    return up != done.has_value();
  }

  void write_row(const std::string& revision, const std::string& checksum,
                 std::int64_t duration_ms, std::optional<int> statements_done) {
    auto stmt = prepare(upsert_version_param_sql(Dialect::sqlite, table_));
    stmt.bind(1, revision);
    stmt.bind(2, checksum);
    stmt.bind(3, duration_ms);
    if (statements_done)
      stmt.bind(4, static_cast<std::int64_t>(*statements_done));
    else
      stmt.bind_null(4);
    check(stmt.step(), "write the version table");
  }

  // Whether there was a row to delete.
  bool delete_row(const std::string& revision) {
    ensure_version_table();
    auto stmt = prepare(delete_version_param_sql(Dialect::sqlite, table_));
    stmt.bind(1, revision);
    check(stmt.step(), "write the version table");
    return sqlite3_changes(db_.get()) > 0;
  }

  // Runs `body` in the open group's transaction, or in one of its own taken
  // with BEGIN IMMEDIATE. Any failure rolls back that whole transaction.
  void in_transaction(const std::function<void()>& body) {
    if (!group_open_) execute("BEGIN IMMEDIATE", "take the write lock");
    try {
      body();
      if (!group_open_) execute("COMMIT", "commit");
    } catch (...) {
      group_open_ = false;
      rollback();
      throw;
    }
  }

  void rollback() {
    table_known_ = false;  // the rollback may undo the table's creation
    // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL).
    if (sqlite3_get_autocommit(db_.get()) == 0)
      sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }

  StepOutcome run_without_transaction(const StepRequest& request) {
    StepOutcome outcome;
    bool up = request.direction == Direction::up;
    // Claim the revision under the write lock, as run() does.
    bool proceed = false;
    in_transaction([&] {
      proceed = claim(request);
      if (proceed && up) write_row(request.revision, request.checksum, 0, 0);
    });
    if (!proceed) return outcome;

    auto start = std::chrono::steady_clock::now();
    int completed = 0;
    try {
      execute_script(request.sql, Transaction::none, [&](int statements_done) {
        completed = statements_done;
        if (up) write_row(request.revision, request.checksum, elapsed_ms(start), statements_done);
      });
    } catch (StatementError& e) {
      if (up)
        e.detail = fmt::format(
            "{} statement(s) before it completed; the revision is recorded as partly applied",
            completed);
      throw;
    }
    outcome.duration_ms = elapsed_ms(start);
    if (up)
      write_row(request.revision, request.checksum, outcome.duration_ms, std::nullopt);
    else
      delete_row(request.revision);
    outcome.ran = true;
    return outcome;
  }

  static std::int64_t elapsed_ms(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  }

  // Runs every statement of a script, letting SQLite's own parser find where
  // each ends (so trigger bodies with BEGIN ... END; stay whole), and calls
  // `after_each` with the count of statements done so far.
  void execute_script(std::string_view sql, Transaction transaction,
                      const std::function<void(int)>& after_each) {
    TransactionGuard guard(db_.get(), transaction);
    std::size_t cursor = 0;
    int done = 0;
    while (cursor < sql.size()) {
      sqlite3_stmt* raw = nullptr;
      const char* tail = nullptr;
      // The length counts the NUL that follows the text (StepRequest::sql): given
      // a length without one, SQLite copies the whole rest of the script for
      // every statement, which is quadratic in a large script.
      int rc = sqlite3_prepare_v2(db_.get(), sql.data() + cursor,
                                  static_cast<int>(sql.size() - cursor + 1), &raw, &tail);
      Statement stmt(raw);
      if (rc == SQLITE_OK && stmt) {
        while ((rc = stmt.step()) == SQLITE_ROW) {
        }
      }
      if (rc != SQLITE_OK && rc != SQLITE_DONE) throw statement_error(sql, cursor, rc, guard);
      auto next = static_cast<std::size_t>(tail - sql.data());
      if (!stmt) {  // only white space or comments were left
        if (next <= cursor) break;
      } else {
        after_each(++done);
      }
      cursor = next;
    }
  }

  // Refuses a script's BEGIN, COMMIT and ROLLBACK (SQLite's authorizer sees
  // them when they are prepared, before anything is committed) while it runs
  // in Retort's transaction.
  class TransactionGuard {
   public:
    TransactionGuard(sqlite3* db, Transaction transaction) : db_(db) {
      if (transaction == Transaction::open) sqlite3_set_authorizer(db_, &deny, &denied_);
    }
    ~TransactionGuard() { sqlite3_set_authorizer(db_, nullptr, nullptr); }
    TransactionGuard(const TransactionGuard&) = delete;
    TransactionGuard& operator=(const TransactionGuard&) = delete;

    bool denied() const { return denied_; }

   private:
    static int deny(void* denied, int action, const char*, const char*, const char*,
                    const char*) {
      if (action != SQLITE_TRANSACTION) return SQLITE_OK;
      *static_cast<bool*>(denied) = true;
      return SQLITE_DENY;
    }

    sqlite3* db_;
    bool denied_ = false;
  };

  // The error of the statement starting at byte `start` of `sql`, read from the
  // connection before anything else can overwrite it.
  StatementError statement_error(std::string_view sql, std::size_t start, int rc,
                                 const TransactionGuard& guard) const {
    if (is_lock_error(rc)) fail_locked();
    if (guard.denied()) {
      StatementError e("a migration that runs in a transaction cannot begin, commit or roll back");
      e.offset = skip_space_and_comments(sql, start);
      e.hint = "Retort runs each migration and its version row in one transaction; remove the "
               "statement, or mark the script `-- retort:transaction none`";
      return e;
    }
    StatementError e(sqlite3_errmsg(db_.get()));
    e.offset = skip_space_and_comments(sql, start);
#if SQLITE_VERSION_NUMBER >= 3038000
    // The exact token, when SQLite knows it (syntax errors, unknown names).
    if (int at = sqlite3_error_offset(db_.get()); at >= 0)
      e.offset = start + static_cast<std::size_t>(at);
#endif
    return e;
  }

  std::string path_;
  VersionTable table_;
  OpenMode mode_;
  int lock_timeout_s_;
  Database db_;  // null on a missing file until a read_write_create_later engine's first write
  bool group_open_ = false;
  bool table_known_ = false;  // the version table exists (see ensure_version_table)
};

SqliteEngine& sqlite_engine(Engine& engine, std::string_view caller) {
  auto* sqlite = dynamic_cast<SqliteEngine*>(&engine);
  if (sqlite == nullptr) fail(ExitCode::internal, fmt::format("{}() needs an SQLite engine", caller));
  return *sqlite;
}

}  // namespace

std::unique_ptr<Engine> open_sqlite_engine(const std::string& path, const VersionTable& table,
                                           OpenMode mode, int lock_timeout_s) {
  return std::make_unique<SqliteEngine>(path, table, mode, lock_timeout_s);
}

std::vector<SchemaObject> sqlite_schema_objects(Engine& engine) {
  return sqlite_engine(engine, "sqlite_schema_objects").schema_objects();
}

std::vector<SqliteSchemaRow> sqlite_schema_rows(Engine& engine) {
  return sqlite_engine(engine, "sqlite_schema_rows").schema_rows();
}

bool sqlite_schema_is(Engine& engine, const std::vector<SqliteSchemaRow>& rows) {
  return sqlite_engine(engine, "sqlite_schema_is").schema_is(rows);
}

void sqlite_without_memory_statistics() {
  // SQLITE_MISUSE once SQLite is initialised: the statistics then stay on.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

std::string sqlite_schema_dump(std::vector<SqliteSchemaRow> rows) {
  // Tables first so that a dump replays in order.
  auto rank = [](const SqliteSchemaRow& row) {
    return row.type == "table" ? 0 : row.type == "index" ? 1 : row.type == "view" ? 2 : 3;
  };
  std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    return std::pair(rank(a), std::string_view(a.name)) < std::pair(rank(b), std::string_view(b.name));
  });
  std::string out;
  for (const auto& row : rows) out += trim_trailing_space(row.sql) + ";\n";
  return out;
}

}  // namespace retort
