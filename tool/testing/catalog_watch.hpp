#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "retort/engine.hpp"

namespace retort::testing {

// PostgreSQL's catalogs watched through a round trip, so that the check can
// prove two states equal without running pg_dump (docs/cmake.md, "The fast
// path"). Every table of pg_catalog is read (found by query, so no kind of
// object is left out); a row is "new" when the transaction that wrote it had
// not finished when the watch started (its xmin), and "old" otherwise.
// Anything it cannot prove is reported as such, never as equal: the caller
// then compares pg_dump output.
class CatalogWatch {
 public:
  // Starts at the current state. nullopt when the server cannot support the
  // proof: older than PostgreSQL 13, a catalog the user may not read, or rows
  // of this state that a transaction still running may yet change.
  static std::optional<CatalogWatch> start(Engine& engine);

  // True when every catalog holds exactly the rows it held at start(): the
  // same row versions, hence what pg_dump shows is the same.
  bool unchanged(Engine& engine) const;

  // The rows written since start(), each as "<catalog>\t<values>" with the
  // object ids allocated since start() replaced by their rank, sorted. Two
  // states reached from the start state by deleting nothing and adding equal
  // changes are the same schema under a renaming of new object ids, which
  // pg_dump never prints. nullopt when a row of the start state is gone or a
  // new row holds an object id in a form this cannot rename (see the .cpp).
  std::optional<std::vector<std::string>> changes(Engine& engine) const;

 private:
  enum class Kind { ignored, text, oid, oids, node_tree };
  struct Column {
    std::string name;
    Kind kind;
  };
  struct Catalog {
    std::string name;
    std::string filter;  // SQL condition on the rows that concern this database
    std::vector<Column> columns;
    std::int64_t rows = 0;  // at start()
  };
  // What one pass over a catalog found.
  struct Scan {
    std::int64_t old_rows = 0;
    std::int64_t new_rows = 0;
    std::int64_t max_id = 0;  // the largest oid or relfilenode
    nlohmann::json new_row_values = nlohmann::json::array();  // when asked for
  };

  CatalogWatch() = default;
  std::string is_new() const;
  std::vector<Scan> scan(Engine& engine, bool with_new_rows) const;

  std::vector<Catalog> catalogs_;
  std::string oldest_running_;  // 32-bit xid: rows written by it or later are new
  std::int64_t max_old_oid_ = 0;
};

}  // namespace retort::testing
