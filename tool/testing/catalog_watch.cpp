#include "catalog_watch.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

namespace retort::testing {

namespace {

using Rows = std::vector<std::vector<std::optional<std::string>>>;

// The type ids (pg_type.oid, fixed since PostgreSQL 13) that matter here.
bool is_xid(int type) { return type == 28 || type == 5069; }
bool is_oid(int type) {
  static const std::set<int> types{26, 24, 2202, 2203, 2204, 2205, 2206, 3734, 3769, 4089, 4096, 4191};
  return types.contains(type);
}
bool is_oid_array(int type) { return type == 30 || type == 1028; }
constexpr int node_tree_type = 194;
constexpr int first_normal_oid = 16384;
constexpr int toast_namespace = 99;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Calls found(at, length) for each run of decimal digits in `text`.
template <typename Found>
void for_each_number(std::string_view text, Found found) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t end = i;
    while (end < text.size() && is_digit(text[end])) ++end;
    if (end > i) found(i, end - i);
    i = end + 1;
  }
}

// Shared catalogs list every database's rows, and the tests running in
// parallel create and drop databases all the time; pg_dump of this database
// reads only this database's rows of them.
std::string filter_of(const std::string& catalog) {
  if (catalog == "pg_database") return "datname = pg_catalog.current_database()";
  if (catalog == "pg_shdepend")
    return "dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())";
  return "true";
}

std::string value(const Rows& rows, std::size_t row, std::size_t column) {
  return rows.at(row).at(column).value_or("");
}

// Calls `found(offset, length)` for every object id in the text of a node
// tree (a stored expression, view, default...): the values of the fields
// known to hold one, and the members of id lists "(o 1 2 3)". A field missing
// from the list keeps its value as it is, which can only make two states differ.
template <typename Found>
void for_each_node_oid(const std::string& tree, Found found) {
  static const std::set<std::string, std::less<>> oid_fields{
      ":relid",        ":funcid",        ":opno",           ":opfuncid",     ":hashfuncid",
      ":negfuncid",    ":typeid",        ":consttype",      ":vartype",      ":resulttype",
      ":collid",       ":inputcollid",   ":varcollid",      ":constcollid",  ":resultcollid",
      ":aggfnoid",     ":winfnoid",      ":aggtype",        ":wintype",      ":aggtranstype",
      ":aggcollid",    ":wincollid",     ":funcresulttype", ":funccollid",   ":opresulttype",
      ":opcollid",     ":refcontainertype", ":refelemtype", ":refrestype",   ":refcollid",
      ":sortop",       ":eqop",          ":row_typeid",     ":element_typeid", ":array_typeid",
      ":minmaxtype",   ":minmaxcollid",  ":casetype",       ":casecollid",   ":paramtype",
      ":paramcollid",  ":checkAsUser",   ":resorigtbl",     ":collOid",      ":startInRangeFunc",
      ":endInRangeFunc", ":inRangeColl"};
  auto is_digits = [](std::string_view token) {
    return !token.empty() && std::all_of(token.begin(), token.end(), is_digit);
  };
  bool after_oid_field = false, in_oid_list = false;
  std::string_view previous;
  for (std::size_t i = 0; i < tree.size();) {
    if (tree[i] == ' ') {
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    if (std::string_view("(){}").find(tree[i]) == std::string_view::npos)
      while (end < tree.size() && std::string_view(" (){}").find(tree[end]) == std::string_view::npos)
        end += tree[end] == '\\' ? 2 : 1;  // outToken escapes blanks and brackets in names
    end = std::min(end, tree.size());
    std::string_view token(tree.data() + i, end - i);
    if ((after_oid_field || in_oid_list) && is_digits(token)) found(i, token.size());
    if (token == ")") in_oid_list = false;
    if (token == "o" && previous == "(") in_oid_list = true;
    after_oid_field = oid_fields.contains(token);
    previous = token;
    i = end;
  }
}

// Constants of an object-id type (regclass, oid, ...), of their arrays, or of a
// user type (a domain may wrap one): their value is binary, so an id in it
// cannot be renamed, and one left over from another state would read alike.
bool has_unrenamable_constant(const std::string& tree) {
  static const std::set<long> types{26,   24,   2202, 2203, 2204, 2205, 2206, 3734, 3769, 4089,
                                    4096, 4191, 30,   1028, 1008, 2207, 2208, 2209, 2210, 2211,
                                    3735, 3770, 4090, 4097, 4192, 1013};
  constexpr std::string_view field = ":consttype ";
  for (auto at = tree.find(field); at != std::string::npos; at = tree.find(field, at + 1)) {
    const auto first = at + field.size();
    auto end = first;
    while (end < tree.size() && is_digit(tree[end])) ++end;
    if (end == first || end == tree.size() || tree[end] != ' ') continue;
    long type = std::stol(tree.substr(first, end - first));
    if (types.contains(type) || type >= first_normal_oid) return true;
  }
  return false;
}

// The field of a row holding a name that the server makes up from an object
// id, for an object pg_dump never shows: toast tables, their types and
// indexes ("pg_toast_<oid>", only the server creates objects in pg_toast), and
// the internal triggers of foreign keys ("RI_ConstraintTrigger_a_<oid>").
nlohmann::json* internal_name(const std::string& catalog, const std::map<std::string, nlohmann::json*>& row) {
  auto holds = [&](const char* column, const nlohmann::json& expected) {
    auto it = row.find(column);
    return it != row.end() && *it->second == expected;
  };
  if (catalog == "pg_class" && holds("relnamespace", toast_namespace)) return row.at("relname");
  if (catalog == "pg_type" && holds("typnamespace", toast_namespace)) return row.at("typname");
  if (catalog == "pg_trigger" && holds("tgisinternal", "true")) return row.at("tgname");
  return nullptr;
}

// A column's value as text. Debian 12's PostgreSQL 15.20 keeps the WAL
// position at which each column was created as an attribute option
// (attoptions {pg_attver=26489112}), different in every run and never shown
// by pg_dump; options named pg_* are left out.
std::string text_of(const std::string& catalog, const std::string& column) {
  if (catalog == "pg_attribute" && column == "attoptions")
    return "ARRAY(SELECT o FROM pg_catalog.unnest(attoptions) o WHERE o NOT LIKE 'pg\\_%')::text";
  return column + "::text";
}

}  // namespace

std::optional<CatalogWatch> CatalogWatch::start(Engine& engine) {
  auto usable = engine.select_rows(
      "SELECT pg_catalog.current_setting('server_version_num')::int >= 130000, "
      "bool_and(pg_catalog.has_table_privilege(c.oid, 'SELECT')) FROM pg_catalog.pg_class c "
      "WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r'");
  if (value(usable, 0, 0) != "t" || value(usable, 0, 1) != "t") return std::nullopt;

  CatalogWatch watch;
  auto columns = engine.select_rows(
      "SELECT c.relname, a.attname, a.atttypid::int FROM pg_catalog.pg_class c "
      "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
      "WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r' "
      "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum");
  for (std::size_t i = 0; i < columns.size(); ++i) {
    auto name = value(columns, i, 0);
    if (watch.catalogs_.empty() || watch.catalogs_.back().name != name)
      watch.catalogs_.push_back({name, filter_of(name), {}, 0});
    int type = std::stoi(value(columns, i, 2));
    // xids record when a row was written or frozen, which pg_dump never prints.
    Kind kind = is_xid(type)         ? Kind::ignored
                : is_oid(type)       ? Kind::oid
                : is_oid_array(type) ? Kind::oids
                : type == node_tree_type ? Kind::node_tree
                                         : Kind::text;
    watch.catalogs_.back().columns.push_back({value(columns, i, 1), kind});
  }

  // The oldest transaction still running anywhere (subtransactions
  // included): rows it or any later one writes count as new. (Its 32-bit
  // form, which is what xmin holds.) This state's own rows must all be older;
  // the tests running in parallel hold short transactions, so wait for them a
  // little when they began before this state's last rows were written.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (true) {
    watch.oldest_running_ = value(
        engine.select_rows("SELECT pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::text::bigint "
                           "% 4294967296"),
        0, 0);
    auto scan = watch.scan(engine, false);
    if (std::all_of(scan.begin(), scan.end(), [](const Scan& s) { return s.new_rows == 0; })) {
      for (std::size_t i = 0; i < scan.size(); ++i) {
        watch.catalogs_[i].rows = scan[i].old_rows;
        // Object ids are allocated in increasing order, so every id allocated
        // after this point is larger than every id (and relfilenode) that exists now.
        watch.max_old_oid_ = std::max(watch.max_old_oid_, scan[i].max_id);
      }
      return watch;
    }
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// A row is new when its xmin is the oldest running transaction at start() or
// later. age() counts back from the next transaction id, modulo 2^32; frozen
// and bootstrap rows have the largest age, so they are old.
std::string CatalogWatch::is_new() const {
  return fmt::format("pg_catalog.age(xmin) <= pg_catalog.age('{}'::xid)", oldest_running_);
}

// One pass over every catalog (their size makes each pass cost a few
// milliseconds per thousand tables of the schema).
std::vector<CatalogWatch::Scan> CatalogWatch::scan(Engine& engine, bool with_new_rows) const {
  std::string sql;
  for (std::size_t i = 0; i < catalogs_.size(); ++i) {
    std::string ids = "NULL", values;
    for (const auto& column : catalogs_[i].columns) {
      if (column.name == "oid" || column.name == "relfilenode")
        ids = fmt::format("greatest({}, max({})::bigint)", ids, column.name);
      if (column.kind == Kind::ignored) continue;
      if (!values.empty()) values += ", ";
      values += column.kind == Kind::oid    ? fmt::format("{}::oid::bigint", column.name)
                : column.kind == Kind::oids ? fmt::format("{}::oid[]::bigint[]", column.name)
                                            : text_of(catalogs_[i].name, column.name);
    }
    if (i > 0) sql += " UNION ALL ";
    sql += fmt::format(
        "SELECT {0}, count(*) FILTER (WHERE NOT ({1})), count(*) FILTER (WHERE {1}), {2}, {3} "
        "FROM pg_catalog.{4} WHERE {5}",
        i, is_new(), ids,
        with_new_rows ? fmt::format("pg_catalog.json_agg(pg_catalog.json_build_array({})) FILTER (WHERE {})",
                                    values, is_new())
                      : "NULL",
        catalogs_[i].name, catalogs_[i].filter);
  }
  // Planning the query costs as much as running it: prepare it once per
  // connection (a rollback opens a new one) and per start state.
  auto name = fmt::format("retort_catalog_{}_{}", with_new_rows ? "rows" : "counts", oldest_running_);
  auto prepared = engine.select_rows(fmt::format(
      "SELECT 1 FROM pg_catalog.pg_prepared_statements WHERE name = '{}'", name));
  if (prepared.empty()) engine.select_rows(fmt::format("PREPARE {} AS {}", name, sql));
  std::vector<Scan> result(catalogs_.size());
  auto rows = engine.select_rows("EXECUTE " + name);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    auto& catalog = result.at(std::stoul(value(rows, r, 0)));
    catalog.old_rows = std::stoll(value(rows, r, 1));
    catalog.new_rows = std::stoll(value(rows, r, 2));
    if (rows[r][3]) catalog.max_id = std::stoll(*rows[r][3]);
    if (rows[r][4]) catalog.new_row_values = nlohmann::json::parse(*rows[r][4]);
  }
  return result;
}

bool CatalogWatch::unchanged(Engine& engine) const {
  // Old rows never come back once deleted, so as many old rows as at start()
  // are exactly the rows of start(); and no new ones.
  auto scan_now = scan(engine, false);
  for (std::size_t i = 0; i < scan_now.size(); ++i)
    if (scan_now[i].old_rows != catalogs_[i].rows || scan_now[i].new_rows != 0) return false;
  return true;
}

std::optional<std::vector<std::string>> CatalogWatch::changes(Engine& engine) const {
  auto scan_now = scan(engine, true);
  for (std::size_t i = 0; i < scan_now.size(); ++i)
    if (scan_now[i].old_rows != catalogs_[i].rows) return std::nullopt;

  // Every object id in the new rows that did not exist at start().
  std::set<std::int64_t> new_ids;
  auto note_id = [&](const nlohmann::json& id) {
    if (id.is_number_integer() && id.get<std::int64_t>() > max_old_oid_) new_ids.insert(id.get<std::int64_t>());
  };
  for (std::size_t i = 0; i < scan_now.size(); ++i) {
    for (const auto& values : scan_now[i].new_row_values) {
      std::size_t v = 0;
      for (const auto& column : catalogs_[i].columns) {
        if (column.kind == Kind::ignored) continue;
        const auto& field = values.at(v++);
        if (column.kind == Kind::oid) note_id(field);
        if (column.kind == Kind::oids && field.is_array())
          for (const auto& id : field) note_id(id);
        if (column.kind == Kind::node_tree && field.is_string()) {
          const auto& tree = field.get_ref<const std::string&>();
          if (has_unrenamable_constant(tree)) return std::nullopt;
          for_each_node_oid(tree, [&](std::size_t at, std::size_t length) {
            note_id(std::stoll(tree.substr(at, length)));
          });
        }
      }
    }
  }

  // Each new id becomes its rank: ids are allocated in increasing order, so
  // equal ranks name the objects the two runs created in the same order.
  std::map<std::int64_t, std::string> rank;
  for (auto id : new_ids) rank.emplace(id, fmt::format("#{}", rank.size()));
  auto rename = [&](nlohmann::json& id) {
    if (id.is_number_integer())
      if (auto it = rank.find(id.get<std::int64_t>()); it != rank.end()) id = it->second;
  };
  // `text` with the new ids among the numbers that `for_each_id` finds renamed.
  auto rename_in_text = [&](const std::string& text, auto for_each_id) {
    std::string out;
    std::size_t done = 0;
    for_each_id(text, [&](std::size_t at, std::size_t length) {
      auto id = rank.find(std::stoll(text.substr(at, length)));
      if (id == rank.end()) return;
      out += text.substr(done, at - done) + id->second;
      done = at + length;
    });
    return out + text.substr(done);
  };
  auto digits = [](const std::string& text, auto found) { for_each_number(text, found); };
  auto node_ids = [](const std::string& tree, auto found) { for_each_node_oid(tree, found); };

  std::vector<std::string> canonical;
  for (std::size_t i = 0; i < scan_now.size(); ++i) {
    for (auto& values : scan_now[i].new_row_values) {
      std::map<std::string, nlohmann::json*> by_name;
      std::size_t v = 0;
      for (const auto& column : catalogs_[i].columns) {
        if (column.kind == Kind::ignored) continue;
        auto& field = values.at(v++);
        by_name[column.name] = &field;
        if (column.kind == Kind::oid) rename(field);
        if (column.kind == Kind::oids && field.is_array())
          for (auto& id : field) rename(id);
        if (column.kind == Kind::node_tree && field.is_string())
          field = rename_in_text(field.get<std::string>(), node_ids);
      }
      if (auto* name = internal_name(catalogs_[i].name, by_name); name != nullptr && name->is_string())
        *name = rename_in_text(name->get<std::string>(), digits);
      canonical.push_back(catalogs_[i].name + '\t' + values.dump());
    }
  }
  std::sort(canonical.begin(), canonical.end());
  return canonical;
}

}  // namespace retort::testing
