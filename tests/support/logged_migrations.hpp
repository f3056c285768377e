#pragma once

// Migrations for fault and concurrency tests: each one writes its id into the
// table `log`, so a revision applied twice (or half applied) shows there.
// The SQL is the same on SQLite and PostgreSQL.

#include <chrono>
#include <string>
#include <thread>

#include "support/run_process.hpp"

namespace retort::testing {

// Revision 0001: creates `log` and writes its own row.
inline constexpr const char* create_log = R"(-- retort:message Create the log
-- retort:up
CREATE TABLE log (revision TEXT NOT NULL);
INSERT INTO log VALUES ('0001');
-- retort:down
DROP TABLE log;
)";

// How a revision's script runs.
enum class Mode { per_migration, no_transaction };

// Revision `id` (parent `parent`): a table t<id> and its log row, then `extra` SQL.
inline std::string logged(const std::string& id, const std::string& parent,
                          const std::string& extra, Mode mode = Mode::per_migration) {
  return "-- retort:parent " + parent + "\n-- retort:message Table t" + id + "\n" +
         (mode == Mode::no_transaction ? "-- retort:transaction none\n" : "") +
         "-- retort:up\nCREATE TABLE t" + id + " (n INTEGER);\nINSERT INTO log VALUES ('" + id +
         "');\n" + extra + "-- retort:down\nDROP TABLE t" + id + ";\n";
}

// The SQL that counts how often each revision wrote its log row, as one value
// such as "0001:1 0002:1"; `aggregate` is the dialect's string_agg.
inline std::string log_counts_sql(const std::string& aggregate) {
  return "SELECT " + aggregate + " FROM (SELECT revision, count(*) AS n FROM log GROUP BY revision "
         "ORDER BY revision) AS counts";
}

// True when the output of a run shows that it ran revision `id` itself rather
// than finding it done by another process.
inline bool ran_itself(const ProcessResult& run, const std::string& id) {
  std::string line = id + " Table t" + id + " (";
  auto at = run.out.find(line);
  return at != std::string::npos && run.out.compare(at + line.size(), 7, "already") != 0;
}

// Waits until `ready` holds; false when it never did in a minute (a bound for
// a broken build, not a measurement).
template <class Predicate>
bool eventually(Predicate ready) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace retort::testing
