#include "retort/script.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "checksum.hpp"

namespace retort {
namespace {

constexpr std::string_view path = "migrations/0002_add_email.sql";

ParseResult parse(std::string_view content, std::string_view file = path) {
  return parse_script(file, content);
}

// The one diagnostic of `content`, which must have exactly one.
Diagnostic only_diagnostic(std::string_view content, std::string_view file = path) {
  auto result = parse(content, file);
  EXPECT_FALSE(result.script);
  EXPECT_EQ(result.diagnostics.size(), 1u);
  return result.diagnostics.empty() ? Diagnostic{} : result.diagnostics.front();
}

std::string formatted(const ParseResult& result) {
  std::string out;
  for (const auto& d : result.diagnostics) out += format_diagnostic(d);
  return out;
}

Script parse_ok(std::string_view content, std::string_view file = path) {
  auto result = parse(content, file);
  EXPECT_TRUE(result.diagnostics.empty()) << formatted(result);
  return result.script.value_or(Script{});
}

constexpr std::string_view sections = "-- retort:up\nSELECT 1;\n-- retort:down\nSELECT 2;\n";

// --- what a good script yields -------------------------------------------------

TEST(ParseScript, ReadsHeaderAndSections) {
  auto script = parse_ok(
      "-- retort:parent 0001\n"
      "-- retort:message Add an index on users.email\n"
      "\n"
      "-- retort:up\n"
      "CREATE INDEX users_email_idx ON users (email);\n"
      "\n"
      "-- retort:down\n"
      "DROP INDEX users_email_idx;\n");
  EXPECT_EQ(script.id, "0002");
  EXPECT_EQ(script.slug, "add_email");
  EXPECT_EQ(script.path, path);
  EXPECT_EQ(script.parents, std::vector<std::string>{"0001"});
  EXPECT_EQ(script.parent_line, 1);
  EXPECT_EQ(script.message, "Add an index on users.email");
  EXPECT_EQ(script.transaction, TransactionMode::per_migration);
  EXPECT_FALSE(script.irreversible);
  ASSERT_TRUE(script.up);
  EXPECT_EQ(script.up->sql, "CREATE INDEX users_email_idx ON users (email);\n\n");
  EXPECT_EQ(script.up->directive_line, 4);
  EXPECT_EQ(script.up->first_line, 5);
  ASSERT_TRUE(script.down);
  EXPECT_EQ(script.down->sql, "DROP INDEX users_email_idx;\n");
  EXPECT_EQ(script.down->directive_line, 7);
  EXPECT_EQ(script.down->first_line, 8);
  EXPECT_FALSE(script.dialect_sections);
}

TEST(ParseScript, RootWithoutParentAndMessageFromSlug) {
  auto script = parse_ok(sections, "0001_create-users_table.sql");
  EXPECT_EQ(script.id, "0001");
  EXPECT_TRUE(script.parents.empty());
  EXPECT_EQ(script.parent_line, 0);
  EXPECT_EQ(script.message, "create users table");
}

TEST(ParseScript, IdKeepsLeadingZerosAndTimestampsWork) {
  EXPECT_EQ(parse_ok(sections, "dir/sub/20261125143000_x.sql").id, "20261125143000");
  EXPECT_EQ(parse_ok(sections, "000_x.sql").id, "000");
}

TEST(ParseScript, MergeParentsBySpaceOrComma) {
  auto script = parse_ok("-- retort:parent 0003, 0004 ,0005\t0006\n-- retort:up\n-- retort:down\n",
                         "0007_merge.sql");
  EXPECT_EQ(script.parents, (std::vector<std::string>{"0003", "0004", "0005", "0006"}));
  EXPECT_EQ(script.up->sql, "");
  EXPECT_EQ(script.down->sql, "");
}

TEST(ParseScript, DirectiveSpacingIsFlexible) {
  auto script = parse_ok(
      "  --retort:parent   0001  \n"
      "\t--\tretort:transaction none\t\n"
      "--retort:up\n"
      "SELECT 1;\n"
      "   -- retort:down   \n");
  EXPECT_EQ(script.parents, std::vector<std::string>{"0001"});
  EXPECT_EQ(script.transaction, TransactionMode::none);
  ASSERT_TRUE(script.down);
  EXPECT_EQ(script.down->directive_line, 5);
}

TEST(ParseScript, OrdinaryCommentsAreNotDirectives) {
  auto script = parse_ok(
      "-- Adds users; see retort:up below.\n"
      "-- retort is great\n"
      "--- retort:foo\n"
      "-- retort:up\n"
      "-- a comment in SQL\n"
      "SELECT 1; -- retort:down\n"
      "-- retort:down\n");
  EXPECT_EQ(script.up->sql, "-- a comment in SQL\nSELECT 1; -- retort:down\n");
}

TEST(ParseScript, IrreversibleNeedsNoDown) {
  auto script = parse_ok("-- retort:irreversible\n-- retort:up\nDROP TABLE t;\n");
  EXPECT_TRUE(script.irreversible);
  EXPECT_EQ(script.section(Direction::down, Dialect::sqlite), nullptr);
  EXPECT_EQ(script.checksum(Direction::down, Dialect::postgres), "");
}

TEST(ParseScript, DialectSectionsOverrideThePlainOne) {
  auto script = parse_ok(
      "-- retort:up\nplain up\n"
      "-- retort:up postgres\npg up\n"
      "-- retort:down sqlite\nlite down\n"
      "-- retort:down postgres\npg down\n");
  EXPECT_EQ(script.section(Direction::up, Dialect::sqlite)->sql, "plain up\n");
  EXPECT_EQ(script.section(Direction::up, Dialect::postgres)->sql, "pg up\n");
  EXPECT_EQ(script.section(Direction::down, Dialect::sqlite)->sql, "lite down\n");
  EXPECT_EQ(script.section(Direction::down, Dialect::postgres)->sql, "pg down\n");
  EXPECT_EQ(script.section(Direction::up, Dialect::postgres)->first_line, 4);
  EXPECT_FALSE(script.down);
}

// The script owns its text: it outlives the file's bytes and path, and each
// section is followed by a NUL byte, which the SQLite engine relies on.
TEST(ParseScript, TheScriptKeepsItsTextAfterTheInputIsGone) {
  auto file = std::make_unique<std::string>("migrations/0007_add_things.sql");
  auto content = std::make_unique<std::string>(
      "-- retort:message things\n-- retort:up\nCREATE TABLE t (x INT);\n-- retort:down\nDROP TABLE t;\n");
  auto result = parse(*content, *file);
  ASSERT_TRUE(result.script);
  std::fill(content->begin(), content->end(), '#');
  std::fill(file->begin(), file->end(), '#');
  content.reset();
  file.reset();
  const Script copy = *result.script;
  result.script.reset();
  EXPECT_EQ(copy.path, "migrations/0007_add_things.sql");
  EXPECT_EQ(copy.slug, "add_things");
  EXPECT_EQ(copy.message, "things");
  EXPECT_EQ(copy.up->sql, "CREATE TABLE t (x INT);\n");
  EXPECT_EQ(copy.down->sql, "DROP TABLE t;\n");
  for (const auto* section : {&*copy.up, &*copy.down}) EXPECT_EQ(section->sql.data()[section->sql.size()], '\0');
}

TEST(ParseScript, CrlfBecomesLf) {
  auto script = parse_ok("-- retort:up\r\nSELECT 1;\r\nSELECT 2;\r\n-- retort:down\r\nSELECT 3;");
  EXPECT_EQ(script.up->sql, "SELECT 1;\nSELECT 2;\n");
  EXPECT_EQ(script.down->sql, "SELECT 3;");
  EXPECT_EQ(script.down->first_line, 5);
}

TEST(ParseScript, ByteOrderMarkIsAccepted) {
  auto script = parse_ok("\xEF\xBB\xBF-- retort:message Hi\n-- retort:up\n-- retort:down\n");
  EXPECT_EQ(script.message, "Hi");
}

TEST(ParseScript, Utf8InSqlIsFine) {
  auto script = parse_ok("-- retort:up\nINSERT INTO t VALUES ('h\xC3\xA9llo \xF0\x9F\x8D\xB5');\n"
                         "-- retort:down\n");
  EXPECT_EQ(script.up->sql, "INSERT INTO t VALUES ('h\xC3\xA9llo \xF0\x9F\x8D\xB5');\n");
}

// --- checksum ------------------------------------------------------------------

TEST(Checksum, IgnoresLineEndingsTrailingSpaceAndOuterBlankLines) {
  auto a =
      parse_ok("-- retort:up\nCREATE TABLE t (\n  id int\n);\n-- retort:down\nDROP TABLE t;\n");
  auto b = parse_ok(
      "-- retort:up\r\n\r\n  \r\nCREATE TABLE t ( \t\r\n  id int\r\n);   \r\n\r\n"
      "-- retort:down\r\nDROP TABLE t;");
  EXPECT_EQ(a.checksum(Direction::up, Dialect::sqlite), b.checksum(Direction::up, Dialect::sqlite));
  EXPECT_EQ(a.checksum(Direction::down, Dialect::sqlite),
            b.checksum(Direction::down, Dialect::postgres));
  EXPECT_EQ(a.checksum(Direction::up, Dialect::sqlite),
            sha256_hex("CREATE TABLE t (\n  id int\n);"));
}

TEST(Checksum, RealEditsChangeIt) {
  auto base = parse_ok("-- retort:up\nSELECT 1;\n\nSELECT 2;\n-- retort:down\n")
                  .checksum(Direction::up, Dialect::sqlite);
  for (auto edited : {"-- retort:up\nSELECT 1;\nSELECT 2;\n-- retort:down\n",
                      "-- retort:up\nSELECT 1;\n\n SELECT 2;\n-- retort:down\n",
                      "-- retort:up\nSELECT 1;\n\nSELECT 3;\n-- retort:down\n"}) {
    EXPECT_NE(parse_ok(edited).checksum(Direction::up, Dialect::sqlite), base) << edited;
  }
}

TEST(Checksum, FollowsTheEffectiveSection) {
  auto script = parse_ok("-- retort:up\nA\n-- retort:up postgres\nB\n-- retort:down\n");
  EXPECT_EQ(script.checksum(Direction::up, Dialect::sqlite), sha256_hex("A"));
  EXPECT_EQ(script.checksum(Direction::up, Dialect::postgres), sha256_hex("B"));
  EXPECT_EQ(script.checksum(Direction::down, Dialect::sqlite), sha256_hex(""));
}

TEST(Checksum, KeptForEachDialectOnceComputed) {
  auto plain = parse_ok(sections);
  EXPECT_EQ(plain.known_up_checksum(Dialect::sqlite), nullptr);
  const auto sum = plain.checksum(Direction::up, Dialect::sqlite);
  // Both dialects run the plain section: one hash serves both.
  ASSERT_NE(plain.known_up_checksum(Dialect::postgres), nullptr);
  EXPECT_EQ(hex(*plain.known_up_checksum(Dialect::postgres)), sum);

  auto split = parse_ok("-- retort:up\nA\n-- retort:up postgres\nB\n-- retort:down\n");
  split.checksum(Direction::up, Dialect::sqlite);
  EXPECT_EQ(split.known_up_checksum(Dialect::postgres), nullptr);
  // A digest known beforehand (the script cache's, an embedded one) is not recomputed.
  split.remember_up_checksum(Dialect::postgres, sha256("x"));
  EXPECT_EQ(split.checksum(Direction::up, Dialect::postgres), sha256_hex("x"));
}

// A version row's checksum is compared with the kept digest, or with one
// computed for the purpose when none is kept.
TEST(Checksum, ComparedWithWhatAVersionRowRecords) {
  auto script = parse_ok("-- retort:up\nA\n-- retort:up postgres\nB\n-- retort:down\n");
  EXPECT_TRUE(script.up_checksum_is(Dialect::sqlite, sha256_hex("A")));
  ASSERT_NE(script.known_up_checksum(Dialect::sqlite), nullptr);
  EXPECT_TRUE(script.up_checksum_is(Dialect::sqlite, sha256_hex("A")));
  EXPECT_FALSE(script.up_checksum_is(Dialect::sqlite, sha256_hex("B")));
  EXPECT_FALSE(script.up_checksum_is(Dialect::postgres, sha256_hex("A")));
  EXPECT_TRUE(script.up_checksum_is(Dialect::postgres, sha256_hex("B")));
}

// --- copies --------------------------------------------------------------------

constexpr std::string_view dialect_script =
    "-- retort:up\nA\n-- retort:up postgres\nB\n-- retort:down\n-- retort:down sqlite\nC\n";

void expect_dialect_script(const Script& s) {
  ASSERT_NE(s.dialect_section(Direction::up, Dialect::postgres), nullptr);
  EXPECT_EQ(s.dialect_section(Direction::up, Dialect::postgres)->sql, "B\n");
  EXPECT_EQ(s.dialect_section(Direction::up, Dialect::sqlite), nullptr);
  EXPECT_EQ(s.section(Direction::up, Dialect::sqlite)->sql, "A\n");
  EXPECT_EQ(s.section(Direction::down, Dialect::sqlite)->sql, "C\n");
  EXPECT_EQ(s.section(Direction::down, Dialect::postgres)->sql, "");
}

// The dialect sections live out of line: copies must not share them with the
// original, only the text they view.
TEST(ScriptCopy, KeepsTheDialectSectionsWhenTheOriginalIsGone) {
  auto original = std::make_unique<Script>(parse_ok(dialect_script));
  Script copy = *original;
  Script assigned;
  assigned = *original;
  original.reset();
  expect_dialect_script(copy);
  expect_dialect_script(assigned);
}

TEST(ScriptCopy, KeepTextOnACopyLeavesTheOriginalAsItWas) {
  const auto original = parse_ok(dialect_script);
  const auto* before = original.dialect_section(Direction::up, Dialect::postgres)->sql.data();
  {
    Script copy = original;
    copy.keep_text();
    EXPECT_NE(copy.dialect_section(Direction::up, Dialect::postgres)->sql.data(), before);
    expect_dialect_script(copy);
  }
  EXPECT_EQ(original.dialect_section(Direction::up, Dialect::postgres)->sql.data(), before);
  expect_dialect_script(original);
}

// --- diagnostics ---------------------------------------------------------------

TEST(Diagnostics, BadFileNames) {
  for (auto name : {"create_users.sql", "0001.sql", "0001_.sql", "0001-x.sql", "0001_a b.sql",
                    "0001_x.SQL", "x0001_y.sql", "0001_\xC3\xA9.sql", "dir/0001_x.sql.txt"}) {
    auto d = only_diagnostic(sections, name);
    EXPECT_EQ(d.path, name);
    EXPECT_EQ(d.line, 0);
    EXPECT_EQ(d.message, "file name must be <digits>_<slug>.sql, e.g. 0001_create_users.sql");
  }
  parse_ok(sections, "./0001_a-B_9.sql");
}

TEST(Diagnostics, BadFileNameIsReportedWithTheContentProblems) {
  auto result = parse("-- retort:bogus\n-- retort:up\n-- retort:down\n", "bad.sql");
  ASSERT_EQ(result.diagnostics.size(), 2u);
  EXPECT_EQ(result.diagnostics[0].line, 0);
  EXPECT_EQ(result.diagnostics[1].line, 1);
}

TEST(Diagnostics, EmptyFile) {
  for (auto content : {"", " \n\t\r\n  ", "\xEF\xBB\xBF\n"}) {
    auto d = only_diagnostic(content);
    EXPECT_EQ(d.line, 0);
    EXPECT_EQ(d.message, "script is empty; add '-- retort:up' and '-- retort:down' sections");
  }
}

TEST(Diagnostics, NulByteStopsParsing) {
  using namespace std::string_view_literals;
  auto d = only_diagnostic("-- retort:bogus\nSELECT\0 1;\n-- retort:up\n"sv);
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.column, 7);
  EXPECT_EQ(d.message, "NUL byte in script; migration scripts must be UTF-8 text");
  EXPECT_EQ(d.source_line, "SELECT?");
}

TEST(Diagnostics, InvalidUtf8StopsParsing) {
  auto d = only_diagnostic("-- retort:up\r\nSELECT 'caf\xE9';\n-- retort:down\n");
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(d.column, 12);
  EXPECT_EQ(d.message, "invalid UTF-8 byte 0xe9; save the script as UTF-8");
  EXPECT_EQ(d.source_line, "SELECT 'caf?");
  EXPECT_EQ(format_diagnostic(d),
            "migrations/0002_add_email.sql:2:12: error: invalid UTF-8 byte 0xe9; save the script "
            "as UTF-8\n"
            "    2 | SELECT 'caf?\n"
            "      |            ^\n");
}

TEST(Diagnostics, MalformedUtf8Forms) {
  struct Case {
    const char* bytes;
    int column;
  };
  for (auto [bytes, column] : {Case{"a\xC0\xAF", 2},             // overlong '/'
                               Case{"ab\xE0\x80\x80", 3},        // overlong 3-byte
                               Case{"\xED\xA0\x80", 1},          // UTF-16 surrogate
                               Case{"\xF4\x90\x80\x80", 1},      // above U+10FFFF
                               Case{"\xF5\x80\x80\x80", 1},      // never valid lead
                               Case{"\x80", 1},                  // lone continuation
                               Case{"x\xE2\x82", 2}}) {          // cut short at end of file
    auto d = only_diagnostic(std::string("-- retort:up\n") + bytes);
    EXPECT_EQ(d.line, 2) << bytes;
    EXPECT_EQ(d.column, column) << bytes;
  }
}

TEST(Diagnostics, UnknownDirective) {
  auto d = only_diagnostic("-- retort:foo bar\n-- retort:up\n-- retort:down\n");
  EXPECT_EQ(d.line, 1);
  EXPECT_EQ(d.column, 4);
  EXPECT_EQ(format_diagnostic(d),
            "migrations/0002_add_email.sql:1:4: error: unknown directive 'retort:foo'\n"
            "    1 | -- retort:foo bar\n"
            "      |    ^\n"
            "note: known directives: retort:parent, retort:message, retort:transaction, "
            "retort:irreversible, retort:up, retort:down\n");
}

TEST(Diagnostics, UnknownDirectiveSuggestsTheClosestName) {
  auto d = only_diagnostic("-- retort:parnet 0001\n-- retort:up\n-- retort:down\n");
  EXPECT_EQ(d.message, "unknown directive 'retort:parnet'");
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_EQ(d.notes[0], "did you mean 'retort:parent'?");

  d = only_diagnostic("-- retort:UP\n-- retort:up\n-- retort:down\n");
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_EQ(d.notes[0], "did you mean 'retort:up'?");

  d = only_diagnostic("-- retort: up\n-- retort:down\n-- retort:up\n");
  EXPECT_EQ(d.message, "unknown directive 'retort:'");
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_EQ(d.notes[0], "did you mean 'retort:up'? no space after the colon");

  d = only_diagnostic("-- retort:zzzzzz\n-- retort:up\n-- retort:down\n");
  EXPECT_EQ(d.notes.size(), 1u);
}

TEST(Diagnostics, HeaderDirectiveAfterASection) {
  auto d = only_diagnostic("\n-- retort:up\nSELECT 1;\n  -- retort:parent 0001\n-- retort:down\n");
  EXPECT_EQ(d.line, 4);
  EXPECT_EQ(d.column, 6);
  EXPECT_EQ(d.message,
            "header directive 'retort:parent' after the first section; move it above line 2");
  EXPECT_EQ(d.source_line, "  -- retort:parent 0001");

  d = only_diagnostic("-- retort:up\nDROP TABLE t;\n-- retort:irreversible\n");
  EXPECT_EQ(d.message,
            "header directive 'retort:irreversible' after the first section; move it above "
            "line 1");
}

TEST(Diagnostics, DuplicateSection) {
  auto d = only_diagnostic(
      "-- retort:up\n-- retort:down\n-- retort:up postgres\nA\n-- retort:up postgres\nB\n");
  EXPECT_EQ(d.line, 5);
  EXPECT_EQ(d.column, 4);
  EXPECT_EQ(d.message, "duplicate section 'up postgres'");
  EXPECT_EQ(d.notes, std::vector<std::string>{"first defined at line 3"});

  d = only_diagnostic("-- retort:up\n-- retort:down\n-- retort:down\n");
  EXPECT_EQ(d.message, "duplicate section 'down'");
  EXPECT_EQ(d.notes, std::vector<std::string>{"first defined at line 2"});
}

TEST(Diagnostics, MissingUp) {
  auto d = only_diagnostic("-- retort:down\nSELECT 1;\n");
  EXPECT_EQ(d.line, 0);
  EXPECT_EQ(d.message, "missing up section for sqlite and postgres; add '-- retort:up'");

  d = only_diagnostic("-- retort:up sqlite\n-- retort:down\n");
  EXPECT_EQ(d.message,
            "missing up section for postgres; add '-- retort:up postgres' or '-- retort:up'");

  d = only_diagnostic("-- retort:up postgres\n-- retort:down\n");
  EXPECT_EQ(d.message,
            "missing up section for sqlite; add '-- retort:up sqlite' or '-- retort:up'");

  parse_ok("-- retort:up sqlite\n-- retort:up postgres\n-- retort:down\n");
}

TEST(Diagnostics, MissingDown) {
  auto d = only_diagnostic("-- retort:up\nSELECT 1;\n");
  EXPECT_EQ(d.message,
            "missing down section for sqlite and postgres; add '-- retort:down' or "
            "'-- retort:irreversible'");

  d = only_diagnostic("-- retort:up\n-- retort:down postgres\n");
  EXPECT_EQ(d.message,
            "missing down section for sqlite; add '-- retort:down sqlite' or '-- retort:down'");
}

TEST(Diagnostics, IrreversibleWithDown) {
  auto d = only_diagnostic("-- retort:irreversible\n-- retort:up\n-- retort:down sqlite\n");
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.column, 4);
  EXPECT_EQ(d.message,
            "down section in an irreversible script; remove it or remove "
            "'-- retort:irreversible'");
  EXPECT_EQ(d.notes, std::vector<std::string>{"declared irreversible at line 1"});
}

TEST(Diagnostics, UnknownDialect) {
  auto d = only_diagnostic("-- retort:up mysql\n-- retort:up\n-- retort:down\n");
  EXPECT_EQ(d.line, 1);
  EXPECT_EQ(d.column, 14);
  EXPECT_EQ(d.message, "unknown dialect 'mysql'; use 'sqlite' or 'postgres'");
}

TEST(Diagnostics, TransactionArgument) {
  auto d = only_diagnostic("-- retort:transaction\n" + std::string(sections));
  EXPECT_EQ(d.column, 22);
  EXPECT_EQ(d.message, "missing mode after 'retort:transaction'; the only mode is 'none'");

  d = only_diagnostic("-- retort:transaction off\n" + std::string(sections));
  EXPECT_EQ(d.column, 23);
  EXPECT_EQ(d.message, "unknown transaction mode 'off'; the only mode is 'none'");
}

TEST(Diagnostics, IrreversibleTakesNoArgument) {
  auto d = only_diagnostic("-- retort:irreversible yes\n-- retort:up\n");
  EXPECT_EQ(d.column, 24);
  EXPECT_EQ(d.message, "unexpected 'yes' after 'retort:irreversible'; it takes no argument");
}

TEST(Diagnostics, MessageNeedsText) {
  auto d = only_diagnostic("-- retort:message   \n" + std::string(sections));
  EXPECT_EQ(d.line, 1);
  EXPECT_EQ(d.column, 18);
  EXPECT_EQ(d.message, "missing text after 'retort:message'");
}

TEST(Diagnostics, ParentArguments) {
  auto d = only_diagnostic("-- retort:parent , \n" + std::string(sections));
  EXPECT_EQ(d.message, "missing revision id after 'retort:parent'");
  EXPECT_EQ(d.column, 18);

  d = only_diagnostic("-- retort:parent 0001 abc\n" + std::string(sections));
  EXPECT_EQ(d.column, 23);
  EXPECT_EQ(d.message,
            "bad parent id 'abc'; use the digits that start the parent's file name, e.g. '0002'");

  d = only_diagnostic("-- retort:parent 0002\n" + std::string(sections));
  EXPECT_EQ(d.column, 18);
  EXPECT_EQ(d.message, "script names itself as its parent; name the revision it follows");

  d = only_diagnostic("-- retort:parent 0001,0001\n" + std::string(sections));
  EXPECT_EQ(d.column, 23);
  EXPECT_EQ(d.message, "parent '0001' is listed twice");
}

TEST(Diagnostics, DuplicateHeaderDirective) {
  auto d = only_diagnostic("-- retort:message a\n-- x\n-- retort:message b\n" +
                           std::string(sections));
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.message, "duplicate 'retort:message'");
  EXPECT_EQ(d.notes, std::vector<std::string>{"first given at line 1"});

  d = only_diagnostic("-- retort:parent 0001\n-- retort:parent 0000\n" + std::string(sections));
  EXPECT_EQ(d.message, "duplicate 'retort:parent'");
}

TEST(Diagnostics, SqlBeforeTheFirstSectionIsReportedOnce) {
  auto d = only_diagnostic("-- header comment\n\n  CREATE TABLE t (id int);\nDROP TABLE t;\n" +
                           std::string(sections));
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.column, 3);
  EXPECT_EQ(d.message,
            "SQL before the first section; put it under '-- retort:up' or '-- retort:down'");
  EXPECT_EQ(d.source_line, "  CREATE TABLE t (id int);");
}

TEST(Diagnostics, PlainSqlFileWithoutDirectives) {
  auto result = parse("CREATE TABLE t (id int);\n");
  EXPECT_EQ(formatted(result),
            "migrations/0002_add_email.sql:1:1: error: SQL before the first section; put it under "
            "'-- retort:up' or '-- retort:down'\n"
            "    1 | CREATE TABLE t (id int);\n"
            "      | ^\n"
            "migrations/0002_add_email.sql: error: missing up section for sqlite and postgres; "
            "add '-- retort:up'\n"
            "migrations/0002_add_email.sql: error: missing down section for sqlite and postgres; "
            "add '-- retort:down' or '-- retort:irreversible'\n");
}

TEST(Diagnostics, EveryProblemOfAFileIsReportedInLineOrder) {
  auto result = parse(
      "-- retort:parent x\n"
      "-- retort:transaction maybe\n"
      "-- retort:up sqlite\n"
      "-- retort:up sqlite\n"
      "-- retort:message late\n"
      "-- retort:frob\n"
      "-- retort:down oracle\n");
  EXPECT_FALSE(result.script);
  std::vector<int> lines;
  for (const auto& d : result.diagnostics) lines.push_back(d.line);
  EXPECT_EQ(lines, (std::vector<int>{1, 2, 4, 5, 6, 7, 0, 0})) << formatted(result);
}

// --- ids -----------------------------------------------------------------------

TEST(Ids, OrderNumerically) {
  EXPECT_TRUE(id_less("2", "10"));
  EXPECT_FALSE(id_less("10", "2"));
  EXPECT_TRUE(id_less("0003", "20261125143000"));
  EXPECT_TRUE(id_less("0009", "10"));
  EXPECT_TRUE(id_less("99999999999999999999998", "99999999999999999999999"));
  EXPECT_TRUE(id_less("0", "1"));
  EXPECT_FALSE(id_less("7", "7"));
}

TEST(Ids, EqualNumbersFallBackToText) {
  EXPECT_TRUE(id_less("003", "03"));
  EXPECT_FALSE(id_less("03", "003"));
  EXPECT_TRUE(id_less("0", "00"));
  std::vector<std::string> ids{"10", "03", "2", "003", "0001", "000", "0"};
  std::sort(ids.begin(), ids.end(), [](const auto& a, const auto& b) { return id_less(a, b); });
  EXPECT_EQ(ids, (std::vector<std::string>{"0", "000", "0001", "2", "003", "03", "10"}));
}

TEST(Ids, SameNumber) {
  EXPECT_TRUE(id_same_number("03", "003"));
  EXPECT_TRUE(id_same_number("0", "000"));
  EXPECT_TRUE(id_same_number("12", "12"));
  EXPECT_FALSE(id_same_number("12", "120"));
  EXPECT_FALSE(id_same_number("1", "01x"));
}

TEST(Dialects, NamesRoundTrip) {
  for (auto d : {Dialect::sqlite, Dialect::postgres}) EXPECT_EQ(parse_dialect(dialect_name(d)), d);
  EXPECT_EQ(dialect_name(Dialect::postgres), "postgres");
  EXPECT_FALSE(parse_dialect("postgresql"));
  EXPECT_FALSE(parse_dialect("SQLite"));
}

}  // namespace
}  // namespace retort
