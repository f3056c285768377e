#include "retort/schema_diff.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace retort {
namespace {

using Changes = std::vector<std::string>;

SchemaColumn column(std::string name, int primary_key = 0) {
  return SchemaColumn{std::move(name), "", false, std::nullopt, primary_key};
}

SchemaObject table(std::string name, std::string sql, std::vector<SchemaColumn> columns,
                   std::vector<std::string> references = {}) {
  return SchemaObject{"table", name, name, std::move(sql), std::move(columns), std::move(references)};
}

SchemaObject object(std::string type, std::string name, std::string on, std::string sql) {
  return SchemaObject{std::move(type), std::move(name), std::move(on), std::move(sql), {}, {}};
}

const SchemaObject users = table("users", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)",
                                 {column("id", 1), column("email")});

TEST(NormalizeSql, IgnoresLayoutButNotQuotedText) {
  EXPECT_EQ(normalize_sql("CREATE TABLE t (\n  a INT ,\n  b  TEXT\n)"), "CREATE TABLE t(a INT,b TEXT)");
  EXPECT_EQ(normalize_sql("SELECT 'a  b'"), "SELECT 'a  b'");
  EXPECT_NE(normalize_sql("SELECT 'a  b'"), normalize_sql("SELECT 'a b'"));
}

TEST(DiffSchemas, NothingToDo) {
  auto spaced = table("USERS", "CREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n  email TEXT\n)",
                      users.columns);
  auto diff = diff_schemas({users}, {spaced});
  EXPECT_EQ(diff.changes, Changes{});
  EXPECT_EQ(diff.up, "");
  EXPECT_EQ(diff.down, "");
}

TEST(DiffSchemas, AddedTableThenItsIndex) {
  auto posts = table("posts", "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT REFERENCES users)",
                     {column("id", 1), column("user_id")}, {"users"});
  auto index = object("index", "posts_user_idx", "posts", "CREATE INDEX posts_user_idx ON posts (user_id)");
  // The index comes first in the snapshot and posts before users: creation puts tables
  // first and a table after the tables it references.
  auto diff = diff_schemas({}, {index, posts, users});
  EXPECT_EQ(diff.changes,
            (Changes{"added table 'users'", "added table 'posts'", "added index 'posts_user_idx'"}));
  EXPECT_EQ(diff.up,
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n\n"
            "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT REFERENCES users);\n\n"
            "CREATE INDEX posts_user_idx ON posts (user_id);\n");
  EXPECT_EQ(diff.down,
            "DROP INDEX \"posts_user_idx\";\n\n"
            "DROP TABLE \"posts\";\n\n"
            "DROP TABLE \"users\";\n");
}

TEST(DiffSchemas, RemovedTablesChildrenFirstAndInverseRestoresThem) {
  auto posts = table("posts", "CREATE TABLE posts (user_id INT REFERENCES users)", {column("user_id")},
                     {"users"});
  auto diff = diff_schemas({users, posts}, {});
  EXPECT_EQ(diff.changes, (Changes{"removed table 'posts'", "removed table 'users'"}));
  EXPECT_EQ(diff.up, "DROP TABLE \"posts\";\n\nDROP TABLE \"users\";\n");
  EXPECT_EQ(diff.down,
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n\n"
            "CREATE TABLE posts (user_id INT REFERENCES users);\n");
}

TEST(DiffSchemas, ColumnsAddedAtTheEnd) {
  auto wider = table("users",
                     "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT, \"age\" INT DEFAULT 0)",
                     {column("id", 1), column("email"), column("name"), column("age")});
  auto diff = diff_schemas({users}, {wider});
  EXPECT_EQ(diff.changes, (Changes{"added column 'users.name'", "added column 'users.age'"}));
  EXPECT_EQ(diff.up,
            "ALTER TABLE \"users\" ADD COLUMN name TEXT;\n\n"
            "ALTER TABLE \"users\" ADD COLUMN \"age\" INT DEFAULT 0;\n");
  EXPECT_EQ(diff.down,
            "ALTER TABLE \"users\" DROP COLUMN \"age\";\n\n"
            "ALTER TABLE \"users\" DROP COLUMN \"name\";\n");
}

TEST(DiffSchemas, ColumnsDroppedFromTheEndAreAddedBackInOrder) {
  auto wide = table("t", "CREATE TABLE t (a INT, b TEXT, c TEXT, CHECK (a > 0))",
                    {column("a"), column("b"), column("c")});
  auto narrow = table("t", "CREATE TABLE t (a INT, CHECK (a > 0))", {column("a")});
  auto diff = diff_schemas({wide}, {narrow});
  EXPECT_EQ(diff.changes, (Changes{"removed column 't.c'", "removed column 't.b'"}));
  EXPECT_EQ(diff.up, "ALTER TABLE \"t\" DROP COLUMN \"c\";\n\nALTER TABLE \"t\" DROP COLUMN \"b\";\n");
  EXPECT_EQ(diff.down, "ALTER TABLE \"t\" ADD COLUMN b TEXT;\n\nALTER TABLE \"t\" ADD COLUMN c TEXT;\n");
  EXPECT_EQ(diff.warnings, Changes{});
}

TEST(DiffSchemas, ColumnDroppedFromTheMiddleCannotComeBackByAlterTable) {
  auto wide = table("t", "CREATE TABLE t (a INT, b TEXT, c TEXT)", {column("a"), column("b"), column("c")});
  auto narrow = table("t", "CREATE TABLE t (a INT, c TEXT)", {column("a"), column("c")});
  auto diff = diff_schemas({wide}, {narrow});
  EXPECT_EQ(diff.up, "ALTER TABLE \"t\" DROP COLUMN \"b\";\n");
  EXPECT_EQ(diff.down,
            "-- TODO: rebuild table \"t\" to restore its columns:\n"
            "--   CREATE TABLE t (a INT, b TEXT, c TEXT)\n");
  EXPECT_EQ(diff.warnings.size(), 1u);
}

TEST(DiffSchemas, ColumnsAlterTableCannotAddNeedARebuild) {
  for (const char* definition : {"b TEXT UNIQUE", "b TEXT NOT NULL", "b TEXT DEFAULT CURRENT_TIMESTAMP",
                                 "b INT PRIMARY KEY"}) {
    auto now = table("t", "CREATE TABLE t (a INT)", {column("a")});
    auto b = column("b");
    b.not_null = std::string_view(definition).find("NOT NULL") != std::string_view::npos;
    if (std::string_view(definition).find("CURRENT") != std::string_view::npos) b.default_value = "CURRENT_TIMESTAMP";
    auto wanted = table("t", fmt::format("CREATE TABLE t (a INT, {})", definition), {column("a"), b});
    auto diff = diff_schemas({now}, {wanted});
    EXPECT_EQ(diff.changes, Changes{"changed table 't'"}) << definition;
    EXPECT_EQ(diff.up.rfind("-- TODO: rebuild table \"t\"", 0), 0u) << diff.up;
    EXPECT_EQ(diff.warnings.size(), 1u);
  }
}

TEST(DiffSchemas, ChangedTypeIsARebuildTodoBothWays) {
  auto wanted = table("users", "CREATE TABLE users (id INTEGER PRIMARY KEY, email BLOB)", users.columns);
  auto diff = diff_schemas({users}, {wanted});
  EXPECT_EQ(diff.changes, Changes{"changed table 'users'"});
  EXPECT_EQ(diff.up,
            "-- TODO: rebuild table \"users\": its definition changed in a way ALTER TABLE cannot\n"
            "-- express. Follow SQLite's 12-step procedure\n"
            "-- (https://www.sqlite.org/lang_altertable.html#otheralter) from\n"
            "--   CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)\n"
            "-- to\n"
            "--   CREATE TABLE users (id INTEGER PRIMARY KEY, email BLOB)\n");
  EXPECT_NE(diff.down.find("from\n--   CREATE TABLE users (id INTEGER PRIMARY KEY, email BLOB)\n"),
            std::string::npos);
  EXPECT_EQ(diff.warnings,
            Changes{"table 'users' changed in a way ALTER TABLE cannot express; the new script has "
                    "TODO comments where it must be rebuilt"});
}

TEST(DiffSchemas, ChangedIndexViewAndTriggerAreDroppedDependantsFirstThenCreated) {
  auto index = object("index", "i", "users", "CREATE INDEX i ON users (email)");
  auto view = object("view", "v", "v", "CREATE VIEW v AS SELECT email FROM users");
  auto trigger = object("trigger", "tr", "v", "CREATE TRIGGER tr INSTEAD OF INSERT ON v BEGIN SELECT 1; END");
  auto index2 = object("index", "i", "users", "CREATE UNIQUE INDEX i ON users (email)");
  auto view2 = object("view", "v", "v", "CREATE VIEW v AS SELECT id, email FROM users");
  auto trigger2 = object("trigger", "tr", "v", "CREATE TRIGGER tr INSTEAD OF INSERT ON v BEGIN SELECT 2; END");
  auto diff = diff_schemas({users, index, view, trigger}, {users, index2, view2, trigger2});
  EXPECT_EQ(diff.changes, (Changes{"changed trigger 'tr'", "changed view 'v'", "changed index 'i'"}));
  EXPECT_EQ(diff.up,
            "DROP TRIGGER \"tr\";\n\n"
            "DROP VIEW \"v\";\n\n"
            "DROP INDEX \"i\";\n\n"
            "CREATE UNIQUE INDEX i ON users (email);\n\n"
            "CREATE VIEW v AS SELECT id, email FROM users;\n\n"
            "CREATE TRIGGER tr INSTEAD OF INSERT ON v BEGIN SELECT 2; END;\n");
  EXPECT_EQ(diff.down,
            "DROP TRIGGER \"tr\";\n\n"
            "DROP VIEW \"v\";\n\n"
            "DROP INDEX \"i\";\n\n"
            "CREATE INDEX i ON users (email);\n\n"
            "CREATE VIEW v AS SELECT email FROM users;\n\n"
            "CREATE TRIGGER tr INSTEAD OF INSERT ON v BEGIN SELECT 1; END;\n");
}

TEST(DiffSchemas, ATableThatBecomesAViewIsRemovedThenAdded) {
  auto view = object("view", "users", "users", "CREATE VIEW users AS SELECT 1 AS id");
  auto diff = diff_schemas({users}, {view});
  EXPECT_EQ(diff.changes, (Changes{"removed table 'users'", "added view 'users'"}));
  EXPECT_EQ(diff.up, "DROP TABLE \"users\";\n\nCREATE VIEW users AS SELECT 1 AS id;\n");
}

}  // namespace
}  // namespace retort
