#include "retort/schema_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "retort/version_sql.hpp"

namespace retort {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The end of the string literal, quoted identifier or comment that starts at
// `i`, or `i` when none does: their text is never split, normalised or
// taken for keywords.
std::size_t quoted_end(std::string_view sql, std::size_t i) {
  auto until = [&](std::string_view close, std::size_t from) {
    auto end = sql.find(close, from);
    return end == std::string_view::npos ? sql.size() : end + close.size();
  };
  switch (sql[i]) {
    case '\'':
    case '"':
    case '`': {
      // A doubled quote character stands for itself inside the quotes.
      std::size_t end = i + 1;
      while ((end = until(sql.substr(i, 1), end)) < sql.size() && sql[end] == sql[i]) ++end;
      return end;
    }
    case '[':
      return until("]", i + 1);
    case '-':
      if (sql.substr(i, 2) != "--") return i;
      return std::min(sql.find('\n', i), sql.size());  // the line break is white space
    case '/':
      return sql.substr(i, 2) == "/*" ? until("*/", i + 2) : i;
    default:
      return i;
  }
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// The bare words of `sql` (outside quotes and comments), upper-cased.
std::vector<std::string> words(std::string_view sql) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < sql.size();) {
    if (auto end = quoted_end(sql, i); end > i) {
      i = end;
    } else if (is_word_char(sql[i])) {
      auto start = i;
      while (i < sql.size() && is_word_char(sql[i])) ++i;
      out.push_back(upper(sql.substr(start, i - start)));
    } else {
      ++i;
    }
  }
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// A CREATE TABLE statement cut at its top-level parentheses: the column
// definitions come first among the items, the table constraints after them.
struct TableParts {
  std::string_view head;  // "CREATE TABLE name ("
  std::vector<std::string_view> items;
  std::string_view tail;  // ")" and the table options (WITHOUT ROWID, STRICT)
};

std::optional<TableParts> split_table(std::string_view sql) {
  TableParts parts;
  int depth = 0;
  std::size_t item_start = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (auto end = quoted_end(sql, i); end > i) {
      i = end - 1;
      continue;
    }
    char c = sql[i];
    if (c == '(' && depth++ == 0) {
      parts.head = sql.substr(0, i + 1);
      item_start = i + 1;
    } else if ((c == ',' && depth == 1) || (c == ')' && --depth == 0)) {
      parts.items.push_back(trim(sql.substr(item_start, i - item_start)));
      item_start = i + 1;
      if (c == ')') {
        parts.tail = sql.substr(i);
        return parts;
      }
    }
  }
  return std::nullopt;
}

bool same_sql(std::string_view a, std::string_view b) { return normalize_sql(a) == normalize_sql(b); }

// The words of a column definition after the column's name.
std::vector<std::string> definition_words(std::string_view definition) {
  auto list = words(definition);
  if (!definition.empty() && quoted_end(definition, 0) == 0 && !list.empty()) list.erase(list.begin());
  return list;
}

// Whether ALTER TABLE ADD COLUMN accepts the column (SQLite's restrictions:
// https://www.sqlite.org/lang_altertable.html#altertabaddcol).
bool addable(const SchemaColumn& column, std::string_view definition) {
  auto list = definition_words(definition);
  if (column.primary_key > 0 || contains(list, "PRIMARY") || contains(list, "UNIQUE") ||
      contains(list, "STORED"))
    return false;
  auto def = column.default_value ? upper(trim(*column.default_value)) : std::string("NULL");
  if (def.starts_with('(') || def == "CURRENT_TIME" || def == "CURRENT_DATE" || def == "CURRENT_TIMESTAMP")
    return false;
  if (column.not_null && def == "NULL") return false;
  return !(contains(list, "REFERENCES") && def != "NULL");
}

// Whether ALTER TABLE DROP COLUMN can remove the column by itself; the
// restrictions that depend on other objects (indexes, views, triggers) hold
// because the desired schema no longer has such objects.
bool droppable(const SchemaColumn& column, std::string_view definition) {
  auto list = definition_words(definition);
  return column.primary_key == 0 && !contains(list, "PRIMARY") && !contains(list, "UNIQUE");
}

std::string key(const SchemaObject& object) { return object.type + ' ' + lower(object.name); }

// `sql` as a comment block, every line indented under "--".
std::string commented(std::string_view sql) {
  std::string out;
  std::size_t start = 0;
  while (start <= sql.size()) {
    auto end = sql.find('\n', start);
    out += fmt::format("--   {}\n", sql.substr(start, end == std::string_view::npos ? sql.npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

std::string rebuild_todo(const SchemaObject& table, std::string_view from, std::string_view to) {
  return fmt::format(
      "-- TODO: rebuild table {}: its definition changed in a way ALTER TABLE cannot\n"
      "-- express. Follow SQLite's 12-step procedure\n"
      "-- (https://www.sqlite.org/lang_altertable.html#otheralter) from\n{}-- to\n{}",
      quote_identifier(table.name), commented(from), commented(to));
}

// One change in both directions; `down` undoes `up`. Either may be empty.
struct Operation {
  std::string up;
  std::string down;
};

// `tables` reordered so that each comes after the tables its foreign keys
// name, when those are in the list too; otherwise, and within a cycle, the
// given order stays.
std::vector<const SchemaObject*> parents_first(std::vector<const SchemaObject*> tables) {
  std::vector<const SchemaObject*> out;
  auto listed = [&](const std::string& name) {
    return std::any_of(tables.begin(), tables.end(),
                       [&](const SchemaObject* t) { return lower(t->name) == lower(name); });
  };
  while (!tables.empty()) {
    auto ready = std::find_if(tables.begin(), tables.end(), [&](const SchemaObject* t) {
      return std::none_of(t->references.begin(), t->references.end(), [&](const std::string& r) {
        return lower(r) != lower(t->name) && listed(r);
      });
    });
    if (ready == tables.end()) ready = tables.begin();
    out.push_back(*ready);
    tables.erase(ready);
  }
  return out;
}

class Differ {
 public:
  Differ(const std::vector<SchemaObject>& current, const std::vector<SchemaObject>& desired)
      : current_(current), desired_(desired) {
    for (const auto& o : current) current_by_key_[key(o)] = &o;
    for (const auto& o : desired) desired_by_key_[key(o)] = &o;
  }

  SchemaDiff run() {
    // Dependants go first: a trigger may use a view, a view other objects.
    for (const char* type : {"trigger", "view", "index"}) drop_dependants(type);
    alter_tables();
    for (const char* type : {"index", "view", "trigger"}) create_dependants(type);

    SchemaDiff diff;
    diff.changes = std::move(changes_);
    diff.warnings = std::move(warnings_);
    auto append = [](std::string& section, const std::string& sql) {
      if (sql.empty()) return;
      if (!section.empty()) section += '\n';
      section += sql;
    };
    for (const auto& op : operations_) append(diff.up, op.up);
    for (auto op = operations_.rbegin(); op != operations_.rend(); ++op) append(diff.down, op->down);
    return diff;
  }

 private:
  static std::string create(const SchemaObject& object) { return object.sql + ";\n"; }
  static std::string drop(const SchemaObject& object) {
    return fmt::format("DROP {} {};\n", upper(object.type), quote_identifier(object.name));
  }

  const SchemaObject* find(const std::map<std::string, const SchemaObject*>& by_key,
                           const SchemaObject& object) const {
    auto it = by_key.find(key(object));
    return it == by_key.end() ? nullptr : it->second;
  }

  void detected(std::string_view what, const SchemaObject& object) {
    changes_.push_back(fmt::format("{} {} '{}'", what, object.type, object.name));
  }

  // Removed and changed objects of `type`, newest first.
  void drop_dependants(std::string_view type) {
    for (auto it = current_.rbegin(); it != current_.rend(); ++it) {
      if (it->type != type) continue;
      const SchemaObject* wanted = find(desired_by_key_, *it);
      if (wanted != nullptr && same_sql(wanted->sql, it->sql)) continue;
      detected(wanted == nullptr ? "removed" : "changed", *it);
      operations_.push_back({drop(*it), create(*it)});
    }
  }

  // Added and changed objects of `type`, in the desired schema's order.
  void create_dependants(std::string_view type) {
    for (const auto& object : desired_) {
      if (object.type != type) continue;
      const SchemaObject* existing = find(current_by_key_, object);
      if (existing != nullptr && same_sql(existing->sql, object.sql)) continue;
      if (existing == nullptr) detected("added", object);  // a change was reported on the way down
      operations_.push_back({create(object), drop(object)});
    }
  }

  void alter_tables() {
    std::vector<const SchemaObject*> removed, added;
    for (const auto& table : current_) {
      if (table.type != "table") continue;
      const SchemaObject* wanted = find(desired_by_key_, table);
      if (wanted == nullptr)
        removed.push_back(&table);
      else if (!same_sql(table.sql, wanted->sql))
        alter_table(table, *wanted);
    }
    for (const auto& table : desired_)
      if (table.type == "table" && find(current_by_key_, table) == nullptr) added.push_back(&table);

    // A table goes before the tables it references, so that the implicit
    // DELETE of DROP TABLE meets no foreign key still pointing at it.
    auto drops = parents_first(removed);
    for (auto it = drops.rbegin(); it != drops.rend(); ++it) {
      detected("removed", **it);
      operations_.push_back({drop(**it), create(**it)});
    }
    for (const SchemaObject* table : parents_first(added)) {
      detected("added", *table);
      operations_.push_back({create(*table), drop(*table)});
    }
  }

  // A table in both schemas with different definitions: columns added at the
  // end, or columns removed, with everything else equal, are ALTER TABLE
  // statements; anything else needs a rebuild, left as a TODO.
  void alter_table(const SchemaObject& current, const SchemaObject& desired) {
    auto now = split_table(current.sql);
    auto wanted = split_table(desired.sql);
    std::size_t n_now = current.columns.size(), n_wanted = desired.columns.size();
    if (now && wanted && now->items.size() >= n_now && wanted->items.size() >= n_wanted &&
        same_sql(now->head, wanted->head) && same_sql(now->tail, wanted->tail) &&
        std::equal(now->items.begin() + n_now, now->items.end(), wanted->items.begin() + n_wanted,
                   wanted->items.end(), same_sql)) {
      std::vector<std::string_view> now_columns(now->items.begin(), now->items.begin() + n_now);
      std::vector<std::string_view> wanted_columns(wanted->items.begin(), wanted->items.begin() + n_wanted);
      if (n_wanted > n_now && add_columns(desired, now_columns, wanted_columns)) return;
      if (n_wanted < n_now && drop_columns(current, now_columns, wanted_columns)) return;
    }
    detected("changed", current);
    warnings_.push_back(fmt::format(
        "table '{}' changed in a way ALTER TABLE cannot express; the new script has TODO comments "
        "where it must be rebuilt",
        current.name));
    operations_.push_back({rebuild_todo(current, current.sql, desired.sql),
                           rebuild_todo(current, desired.sql, current.sql)});
  }

  bool add_columns(const SchemaObject& desired, const std::vector<std::string_view>& now,
                   const std::vector<std::string_view>& wanted) {
    if (!std::equal(now.begin(), now.end(), wanted.begin(), same_sql)) return false;
    for (std::size_t i = now.size(); i < wanted.size(); ++i)
      if (!addable(desired.columns[i], wanted[i])) return false;
    auto table = quote_identifier(desired.name);
    for (std::size_t i = now.size(); i < wanted.size(); ++i) {
      changes_.push_back(fmt::format("added column '{}.{}'", desired.name, desired.columns[i].name));
      operations_.push_back({fmt::format("ALTER TABLE {} ADD COLUMN {};\n", table, wanted[i]),
                             fmt::format("ALTER TABLE {} DROP COLUMN {};\n", table,
                                         quote_identifier(desired.columns[i].name))});
    }
    return true;
  }

  bool drop_columns(const SchemaObject& current, const std::vector<std::string_view>& now,
                    const std::vector<std::string_view>& wanted) {
    // The wanted columns must be the current ones with some left out, in order.
    std::vector<std::size_t> removed;
    std::size_t next = 0;
    for (std::size_t i = 0; i < now.size(); ++i) {
      if (next < wanted.size() && same_sql(now[i], wanted[next]))
        ++next;
      else
        removed.push_back(i);
    }
    if (next < wanted.size()) return false;
    for (auto i : removed)
      if (!droppable(current.columns[i], now[i])) return false;

    // ADD COLUMN restores a column only at the end of the table.
    bool restorable = removed.front() == wanted.size() &&
                      std::all_of(removed.begin(), removed.end(), [&](std::size_t i) {
                        return addable(current.columns[i], now[i]);
                      });
    auto table = quote_identifier(current.name);
    if (!restorable) {
      warnings_.push_back(fmt::format(
          "ALTER TABLE cannot put back the columns removed from table '{}'; the down section has a "
          "TODO comment where it must be rebuilt",
          current.name));
      // First in `up`, so last of this table's statements in `down`.
      operations_.push_back({"", fmt::format("-- TODO: rebuild table {} to restore its columns:\n{}",
                                             table, commented(current.sql))});
    }
    // Newest column first, so that `down` adds them back in their order.
    for (auto i = removed.rbegin(); i != removed.rend(); ++i) {
      changes_.push_back(fmt::format("removed column '{}.{}'", current.name, current.columns[*i].name));
      operations_.push_back(
          {fmt::format("ALTER TABLE {} DROP COLUMN {};\n", table, quote_identifier(current.columns[*i].name)),
           restorable ? fmt::format("ALTER TABLE {} ADD COLUMN {};\n", table, now[*i]) : std::string()});
    }
    return true;
  }

  const std::vector<SchemaObject>& current_;
  const std::vector<SchemaObject>& desired_;
  std::map<std::string, const SchemaObject*> current_by_key_, desired_by_key_;
  std::vector<Operation> operations_;
  std::vector<std::string> changes_, warnings_;
};

}  // namespace

std::string normalize_sql(std::string_view sql) {
  std::string out;
  bool space = false;
  auto tight = [](char c) { return c == '(' || c == ')' || c == ','; };
  for (std::size_t i = 0; i < sql.size();) {
    if (is_space(sql[i])) {
      space = true;
      ++i;
      continue;
    }
    auto end = std::max(quoted_end(sql, i), i + 1);
    if (space && !out.empty() && !tight(out.back()) && !tight(sql[i])) out += ' ';
    space = false;
    out += sql.substr(i, end - i);
    i = end;
  }
  return out;
}

SchemaDiff diff_schemas(const std::vector<SchemaObject>& current,
                        const std::vector<SchemaObject>& desired) {
  return Differ(current, desired).run();
}

}  // namespace retort
