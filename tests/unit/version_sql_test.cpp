#include "retort/version_sql.hpp"

#include <gtest/gtest.h>

namespace retort {
namespace {

const VersionTable default_table;
const VersionTable weird_table{"my \"schema\"", "we\"ird"};

TEST(QuoteIdentifier, WrapsInDoubleQuotes) {
  EXPECT_EQ(quote_identifier("retort_version"), R"("retort_version")");
  EXPECT_EQ(quote_identifier("Mixed Case"), R"("Mixed Case")");
  EXPECT_EQ(quote_identifier(""), R"("")");
}

TEST(QuoteIdentifier, DoublesInnerDoubleQuotes) {
  EXPECT_EQ(quote_identifier(R"(we"ird)"), R"("we""ird")");
  EXPECT_EQ(quote_identifier(R"(x"; DROP TABLE users; --)"), R"("x""; DROP TABLE users; --")");
  EXPECT_EQ(quote_identifier("it's"), R"("it's")");
}

TEST(QuoteLiteral, DoublesInnerSingleQuotes) {
  EXPECT_EQ(quote_literal("0001"), "'0001'");
  EXPECT_EQ(quote_literal("it's"), "'it''s'");
  EXPECT_EQ(quote_literal("'); DROP TABLE users; --"), "'''); DROP TABLE users; --'");
  EXPECT_EQ(quote_literal(R"(a"b)"), R"('a"b')");
}

TEST(QualifiedTable, SqliteIgnoresSchema) {
  EXPECT_EQ(qualified_table(Dialect::sqlite, default_table), R"("retort_version")");
  EXPECT_EQ(qualified_table(Dialect::sqlite, weird_table), R"("we""ird")");
}

TEST(QualifiedTable, PostgresQualifiesWithSchema) {
  EXPECT_EQ(qualified_table(Dialect::postgres, default_table), R"("public"."retort_version")");
  EXPECT_EQ(qualified_table(Dialect::postgres, weird_table), R"("my ""schema"""."we""ird")");
  EXPECT_EQ(qualified_table(Dialect::postgres, VersionTable{"App", "Mixed Case"}),
            R"("App"."Mixed Case")");
}

TEST(CreateVersionTable, Sqlite) {
  EXPECT_EQ(create_version_table_sql(Dialect::sqlite, default_table),
            "CREATE TABLE IF NOT EXISTS \"retort_version\" (\n"
            "  revision TEXT NOT NULL PRIMARY KEY,\n"
            "  checksum TEXT NOT NULL,\n"
            "  applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
            "  duration_ms BIGINT NOT NULL DEFAULT 0,\n"
            "  statements_done INTEGER\n"
            ")");
}

TEST(CreateVersionTable, Postgres) {
  EXPECT_EQ(create_version_table_sql(Dialect::postgres, VersionTable{"public", "Mixed Case"}),
            "CREATE TABLE IF NOT EXISTS \"public\".\"Mixed Case\" (\n"
            "  revision TEXT NOT NULL PRIMARY KEY,\n"
            "  checksum TEXT NOT NULL,\n"
            "  applied_at timestamptz NOT NULL DEFAULT now(),\n"
            "  duration_ms BIGINT NOT NULL DEFAULT 0,\n"
            "  statements_done INTEGER\n"
            ")");
}

TEST(InsertVersion, QuotesEveryValue) {
  EXPECT_EQ(insert_version_sql(Dialect::sqlite, default_table, "0001", "ab12", 42),
            "INSERT INTO \"retort_version\" (revision, checksum, duration_ms) "
            "VALUES ('0001', 'ab12', 42)");
  EXPECT_EQ(insert_version_sql(Dialect::postgres, weird_table, "x'y", "c", 0),
            R"(INSERT INTO "my ""schema"""."we""ird" (revision, checksum, duration_ms) )"
            R"(VALUES ('x''y', 'c', 0))");
}

TEST(DeleteVersion, QuotesTheRevision) {
  EXPECT_EQ(delete_version_sql(Dialect::sqlite, weird_table, "0002"),
            R"(DELETE FROM "we""ird" WHERE revision = '0002')");
  EXPECT_EQ(delete_version_sql(Dialect::postgres, default_table, "'; DROP TABLE t; --"),
            R"(DELETE FROM "public"."retort_version" WHERE revision = '''; DROP TABLE t; --')");
}

TEST(VersionExpr, ValuesGoInAsWritten) {
  EXPECT_EQ(insert_version_expr_sql(Dialect::postgres, default_table, "E'a\\b'", "'c'", "now_ms()"),
            "INSERT INTO \"public\".\"retort_version\" (revision, checksum, duration_ms) "
            "VALUES (E'a\\b', 'c', now_ms())");
  EXPECT_EQ(delete_version_expr_sql(Dialect::postgres, weird_table, "'0002'"),
            R"(DELETE FROM "my ""schema"""."we""ird" WHERE revision = '0002')");
  EXPECT_EQ(select_version_expr_sql(Dialect::postgres, default_table, "'0002'"),
            R"(SELECT statements_done FROM "public"."retort_version" WHERE revision = '0002')");
}

TEST(UpsertVersionParam, PlaceholdersPerDialect) {
  EXPECT_EQ(upsert_version_param_sql(Dialect::sqlite, default_table),
            "INSERT INTO \"retort_version\" (revision, checksum, duration_ms, statements_done) "
            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (revision) DO UPDATE SET checksum = "
            "excluded.checksum, duration_ms = excluded.duration_ms, statements_done = "
            "excluded.statements_done");
  EXPECT_EQ(upsert_version_param_sql(Dialect::postgres, default_table),
            "INSERT INTO \"public\".\"retort_version\" (revision, checksum, duration_ms, "
            "statements_done) VALUES ($1, $2, $3, $4) ON CONFLICT (revision) DO UPDATE SET "
            "checksum = excluded.checksum, duration_ms = excluded.duration_ms, statements_done = "
            "excluded.statements_done");
}

TEST(DeleteVersionParam, PlaceholdersPerDialect) {
  EXPECT_EQ(delete_version_param_sql(Dialect::sqlite, weird_table),
            R"(DELETE FROM "we""ird" WHERE revision = ?1)");
  EXPECT_EQ(delete_version_param_sql(Dialect::postgres, weird_table),
            R"(DELETE FROM "my ""schema"""."we""ird" WHERE revision = $1)");
}

TEST(SelectVersionParam, PlaceholdersPerDialect) {
  EXPECT_EQ(select_version_param_sql(Dialect::sqlite, default_table),
            R"(SELECT statements_done FROM "retort_version" WHERE revision = ?1)");
  EXPECT_EQ(select_version_param_sql(Dialect::postgres, default_table),
            R"(SELECT statements_done FROM "public"."retort_version" WHERE revision = $1)");
}

TEST(SelectVersions, AppliedAtAsUtcText) {
  EXPECT_EQ(select_versions_sql(Dialect::sqlite, weird_table, RowFields::all),
            "SELECT revision, checksum, statements_done, applied_at, duration_ms "
            R"(FROM "we""ird")");
  EXPECT_EQ(select_versions_sql(Dialect::postgres, default_table, RowFields::all),
            "SELECT revision, checksum, statements_done, to_char(applied_at AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD HH24:MI:SS'), duration_ms FROM \"public\".\"retort_version\"");
}

TEST(SelectVersions, PlanningLeavesOutTheTimes) {
  EXPECT_EQ(select_versions_sql(Dialect::postgres, default_table, RowFields::planning),
            "SELECT revision, checksum, statements_done FROM \"public\".\"retort_version\"");
}

TEST(ClearVersions, DeletesEveryRow) {
  EXPECT_EQ(clear_versions_sql(Dialect::sqlite, default_table), R"(DELETE FROM "retort_version")");
  EXPECT_EQ(clear_versions_sql(Dialect::postgres, VersionTable{"s", "Mixed Case"}),
            R"(DELETE FROM "s"."Mixed Case")");
}

}  // namespace
}  // namespace retort
