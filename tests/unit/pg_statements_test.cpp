#include "engine/pg_statements.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace retort {
namespace {

// The text of each statement `split_postgres` finds.
std::vector<std::string> texts(std::string_view sql) {
  std::vector<std::string> out;
  for (const auto& s : split_postgres(sql)) out.emplace_back(sql.substr(s.offset, s.length));
  return out;
}

TEST(SplitPostgres, PlainStatementsWithoutTerminatorsOrBlanks) {
  EXPECT_EQ(texts("CREATE TABLE a (id int);\n\n  INSERT INTO a VALUES (1) ;\nSELECT 1"),
            (std::vector<std::string>{"CREATE TABLE a (id int)", "INSERT INTO a VALUES (1)",
                                      "SELECT 1"}));
}

TEST(SplitPostgres, EmptyAndCommentOnlyScriptsHaveNoStatements) {
  EXPECT_TRUE(texts("").empty());
  EXPECT_TRUE(texts("  -- nothing; here\n/* nor ; here */\n").empty());
  EXPECT_EQ(texts("SELECT 1; -- trailing; comment\n"), std::vector<std::string>{"SELECT 1"});
}

TEST(SplitPostgres, EmptyStatementsAreNoPartOfTheNextOne) {
  // Found by tests/unit/pg_split_property_test.cpp: a stray ';' began the next
  // statement. The second script takes the scanner's way (it does not parse).
  for (const std::string sql :
       {"SELECT 1;;\n; SELECT 2;; -- c\n;", "SELEC 1 FROM t;;\n; SELECT 2;; -- c\n;"}) {
    auto statements = split_postgres(sql);
    ASSERT_EQ(statements.size(), 2u) << sql;
    EXPECT_EQ(statements[0].offset, 0u) << sql;
    EXPECT_EQ(statements[1].offset, sql.find("SELECT 2")) << sql;
    EXPECT_EQ(statements[1].length, 8u) << sql;
  }
}

TEST(SplitPostgres, DollarQuotedFunctionBodies) {
  const std::string function =
      "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $$\n"
      "BEGIN\n  PERFORM 1; RETURN 'a;b';\nEND\n$$";
  const std::string tagged =
      "CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $body$ SELECT '$$;' $body$";
  EXPECT_EQ(texts(function + ";\n" + tagged + ";\nSELECT 2;"),
            (std::vector<std::string>{function, tagged, "SELECT 2"}));
}

TEST(SplitPostgres, NestedCommentsAndDashesInStrings) {
  const std::string sql =
      "/* outer /* inner; */ still comment; */ SELECT '-- not a comment;' AS x;\n"
      "SELECT E'it\\'s; fine', \"semi;colon\" FROM (SELECT 1 AS \"semi;colon\") s;";
  EXPECT_EQ(texts(sql),
            (std::vector<std::string>{
                "SELECT '-- not a comment;' AS x",
                "SELECT E'it\\'s; fine', \"semi;colon\" FROM (SELECT 1 AS \"semi;colon\") s"}));
  // The first statement starts after the comment, at its first token.
  EXPECT_EQ(split_postgres(sql).front().offset, sql.find("SELECT"));
}

TEST(SplitPostgres, BeginAtomicBodies) {
  const std::string function =
      "CREATE FUNCTION h() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND";
  EXPECT_EQ(texts(function + ";\nSELECT 3;"), (std::vector<std::string>{function, "SELECT 3"}));
}

TEST(SplitPostgres, ScriptThatDoesNotParseStillSplitsForTheServer) {
  // The scanner splits it; the bad statement reaches the server, which names the error.
  auto statements = texts("SELECT 1;\nSELEC 2;\nSELECT 'x;y';");
  ASSERT_FALSE(statements.empty());
  EXPECT_EQ(statements.front(), "SELECT 1");
  std::string all;
  for (const auto& s : statements) all += s + "|";
  EXPECT_NE(all.find("SELEC 2"), std::string::npos) << all;
  EXPECT_NE(all.find("SELECT 'x;y'"), std::string::npos) << all;
  EXPECT_FALSE(parses_as_postgres("SELEC 2"));
  EXPECT_TRUE(parses_as_postgres("SELECT 2"));
}

TEST(SplitPostgres, TextThatIsNotUtf8CountsAsNotParsing) {
  // libpg_query's JSON parse tree carries the bytes as they are; reading it
  // must not throw (found by fuzzing: tests/fuzz/corpus/pg_split).
  const std::string sql = "SELECT 1;\nSELECT '\xf3\xf3';\nVACUUM;";
  EXPECT_FALSE(parses_as_postgres(sql));
  EXPECT_FALSE(find_non_transactional_statement(sql));
  EXPECT_FALSE(find_transaction_control_statement("SELECT '\xf3'; COMMIT;"));
  EXPECT_EQ(texts(sql), (std::vector<std::string>{"SELECT 1", "SELECT '\xf3\xf3'", "VACUUM"}));
}

TEST(NonTransactionalStatement, FoundWithItsOffset) {
  const std::string sql =
      "CREATE TABLE a (id int);\n-- the index\nCREATE INDEX CONCURRENTLY a_idx ON a (id);\n";
  auto found = find_non_transactional_statement(sql);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->what, "CREATE INDEX CONCURRENTLY");
  EXPECT_EQ(found->offset, sql.find("CREATE INDEX"));
}

TEST(NonTransactionalStatement, EveryKindPostgresRefuses) {
  const std::pair<const char*, const char*> cases[] = {
      {"CREATE UNIQUE INDEX CONCURRENTLY i ON t (a)", "CREATE INDEX CONCURRENTLY"},
      {"DROP INDEX CONCURRENTLY i", "DROP INDEX CONCURRENTLY"},
      {"REINDEX INDEX CONCURRENTLY i", "REINDEX CONCURRENTLY"},
      {"REINDEX DATABASE d", "REINDEX DATABASE"},
      {"REINDEX SCHEMA s", "REINDEX SCHEMA"},
      {"VACUUM (ANALYZE) t", "VACUUM"},
      {"VACUUM", "VACUUM"},
      {"CLUSTER", "CLUSTER without a table"},
      {"CREATE DATABASE d", "CREATE DATABASE"},
      {"DROP DATABASE d", "DROP DATABASE"},
      {"ALTER DATABASE d SET TABLESPACE x", "ALTER DATABASE SET TABLESPACE"},
      {"CREATE TABLESPACE x LOCATION '/x'", "CREATE TABLESPACE"},
      {"DROP TABLESPACE x", "DROP TABLESPACE"},
      {"ALTER SYSTEM SET work_mem = '64MB'", "ALTER SYSTEM"},
      {"CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p", "CREATE SUBSCRIPTION"},
  };
  for (auto [sql, what] : cases) {
    auto found = find_non_transactional_statement(std::string("SELECT 1;\n") + sql + ";");
    ASSERT_TRUE(found) << sql;
    EXPECT_EQ(found->what, what) << sql;
    EXPECT_EQ(found->offset, 10u) << sql;
  }
}

TEST(NonTransactionalStatement, TransactionalLookalikesAreAccepted) {
  for (const char* sql :
       {"CREATE INDEX i ON t (a)", "DROP INDEX i", "REINDEX TABLE t", "ANALYZE t",
        "CLUSTER t USING i", "ALTER DATABASE d SET work_mem = '1MB'",
        "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (connect = false)",
        "SELECT 'CREATE INDEX CONCURRENTLY i ON t (a)'",
        "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'VACUUM'; END $$",
        "SELEC broken"})
    EXPECT_FALSE(find_non_transactional_statement(sql)) << sql;
}

TEST(TransactionControlStatement, FoundWithItsOffset) {
  const std::string sql = "CREATE TABLE a (id int);\nCOMMIT;\nSAVEPOINT s;";
  auto found = find_transaction_control_statement(sql);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->what, "COMMIT");
  EXPECT_EQ(found->offset, sql.find("COMMIT"));
  EXPECT_FALSE(find_transaction_control_statement("SAVEPOINT s; RELEASE SAVEPOINT s;"));
}

// Found by the fuzzer: the server ends a `--` comment at a lone carriage return.
TEST(TransactionControlStatement, ACommentEndsAtACarriageReturn) {
  const std::string sql = "  --\rCOMMIT";
  auto found = find_transaction_control_statement(sql);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->offset, sql.find("COMMIT"));
  auto statements = split_postgres(sql);
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0].offset, sql.find("COMMIT"));
}

// The keyword pre-check must let every spelling of every kind through to the parse.
TEST(TransactionControlStatement, EveryKindInAnyLetterCaseAndNextToOtherTokens) {
  const std::pair<const char*, const char*> cases[] = {
      {"begin", "BEGIN"},
      {"Start Transaction", "START TRANSACTION"},
      {"cOmMiT", "COMMIT"},
      {"end", "COMMIT"},
      {"rollback", "ROLLBACK"},
      {"abort", "ROLLBACK"},
      {"prepare transaction 'x'", "PREPARE TRANSACTION"},
      {"commit prepared 'x'", "COMMIT PREPARED"},
      {"rollback prepared 'x'", "ROLLBACK PREPARED"},
  };
  for (auto [sql, what] : cases) {
    auto found = find_transaction_control_statement(std::string("SELECT $$a$$;") + sql + ";");
    ASSERT_TRUE(found) << sql;
    EXPECT_EQ(found->what, what) << sql;
  }
  EXPECT_FALSE(find_transaction_control_statement("CREATE TABLE pending (appended_at int);"));
}

TEST(NonTransactionalStatement, FoundInAnyLetterCaseNextToOtherTokens) {
  auto found = find_non_transactional_statement("SELECT $$a$$;vacuum;");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->what, "VACUUM");
  found = find_non_transactional_statement("SELECT 1;/**/create index Concurrently i ON t(a)");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->what, "CREATE INDEX CONCURRENTLY");
}

TEST(CharacterPosition, CountsUtf8CharactersAsPostgresDoes) {
  const std::string text = "SELECT 'é€𝄞', x";
  // PostgreSQL's position of "x" counts é, € and 𝄞 as one character each.
  EXPECT_EQ(character_position_to_offset(text, 15), text.find("x"));
  EXPECT_EQ(character_position_to_offset(text, 1), 0u);
  EXPECT_EQ(character_position_to_offset(text, 1000), text.size());
}

}  // namespace
}  // namespace retort
