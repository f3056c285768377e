#include <gtest/gtest.h>

#include "retort/config.hpp"

namespace retort {
namespace {

std::string value_of(const DotEnv& env, std::string_view key) {
  auto it = env.entries.find(key);
  return it == env.entries.end() ? std::string("<unset>") : it->second.value;
}

std::string all_diagnostics(const DotEnv& env) {
  std::string out;
  for (const auto& d : env.diagnostics) out += format_diagnostic(d);
  return out;
}

TEST(DotEnv, ParsesTheSeedFile) {
  auto env = parse_dotenv(".env",
                          "# DB_ENGINE can be \"sqlite\" or \"postgres\" \n"
                          "DB_ENGINE=\"sqlite\"  # or \"postgres\"\n"
                          "\n"
                          "# For PostgreSQL\n"
                          "POSTGRES_USER=\"your_username\"\n"
                          "POSTGRES_PASSWORD=\"your_password\"\n"
                          "POSTGRES_SERVER=\"your_server\"\n"
                          "POSTGRES_PORT=5432  # Default PostgreSQL port\n"
                          "POSTGRES_DB=\"your_database\"\n");
  EXPECT_EQ(all_diagnostics(env), "");
  EXPECT_EQ(env.path, ".env");
  EXPECT_EQ(value_of(env, "DB_ENGINE"), "sqlite");
  EXPECT_EQ(value_of(env, "POSTGRES_USER"), "your_username");
  EXPECT_EQ(value_of(env, "POSTGRES_PASSWORD"), "your_password");
  EXPECT_EQ(value_of(env, "POSTGRES_SERVER"), "your_server");
  EXPECT_EQ(value_of(env, "POSTGRES_PORT"), "5432");
  EXPECT_EQ(value_of(env, "POSTGRES_DB"), "your_database");
  EXPECT_EQ(env.entries.find("DB_ENGINE")->second.line, 2);
  EXPECT_EQ(env.entries.find("POSTGRES_DB")->second.line, 9);
  EXPECT_EQ(env.entries.size(), 6u);
}

TEST(DotEnv, ExportPrefixAndWhitespace) {
  auto env = parse_dotenv(".env",
                          "export A=1\n"
                          "export\tB = two words  \n"
                          "  C  =   3\n"
                          "export=4\n"
                          "a.b_C9=5\n");
  EXPECT_EQ(all_diagnostics(env), "");
  EXPECT_EQ(value_of(env, "A"), "1");
  EXPECT_EQ(value_of(env, "B"), "two words");
  EXPECT_EQ(value_of(env, "C"), "3");
  EXPECT_EQ(value_of(env, "export"), "4");
  EXPECT_EQ(value_of(env, "a.b_C9"), "5");
}

TEST(DotEnv, EmptyValues) {
  auto env = parse_dotenv(".env", "A=\nB=   \nC=\"\"\nD=''\nE= # nothing\n");
  EXPECT_EQ(all_diagnostics(env), "");
  for (auto key : {"A", "B", "C", "D", "E"}) EXPECT_EQ(value_of(env, key), "") << key;
}

TEST(DotEnv, CommentsAfterUnquotedValues) {
  auto env = parse_dotenv(".env",
                          "A=value # comment\n"
                          "B=value\t# comment\n"
                          "C=a#b\n"
                          "D=#start\n"
                          "E=x # one # two\n");
  EXPECT_EQ(all_diagnostics(env), "");
  EXPECT_EQ(value_of(env, "A"), "value");
  EXPECT_EQ(value_of(env, "B"), "value");
  EXPECT_EQ(value_of(env, "C"), "a#b");
  EXPECT_EQ(value_of(env, "D"), "#start");
  EXPECT_EQ(value_of(env, "E"), "x");
}

TEST(DotEnv, QuotedValues) {
  auto env = parse_dotenv(".env",
                          "A=\"value\"  # comment\n"
                          "B='value' # comment\n"
                          "C=\"has # hash\"\n"
                          "D='it''s'#x\n"
                          "E=\"  padded  \"\n"
                          "F='a \"b\" c'\n"
                          "G=\"a 'b' c\"\n");
  EXPECT_EQ(value_of(env, "A"), "value");
  EXPECT_EQ(value_of(env, "B"), "value");
  EXPECT_EQ(value_of(env, "C"), "has # hash");
  EXPECT_EQ(value_of(env, "E"), "  padded  ");
  EXPECT_EQ(value_of(env, "F"), "a \"b\" c");
  EXPECT_EQ(value_of(env, "G"), "a 'b' c");
  // 'it''s' is 'it' followed by text that is neither a comment nor the end.
  EXPECT_EQ(all_diagnostics(env),
            ".env:4:7: error: unexpected text after the closing quote\n"
            "    4 | D='it''s'#x\n"
            "      |       ^\n");
}

TEST(DotEnv, DoubleQuoteEscapes) {
  auto env = parse_dotenv(".env",
                          R"(A="say \"hi\""
B="back\\slash"
C="line\nbreak\ttab"
D="keep \d and \$HOME"
E='single \n \" literal'
)");
  EXPECT_EQ(all_diagnostics(env), "");
  EXPECT_EQ(value_of(env, "A"), "say \"hi\"");
  EXPECT_EQ(value_of(env, "B"), "back\\slash");
  EXPECT_EQ(value_of(env, "C"), "line\nbreak\ttab");
  EXPECT_EQ(value_of(env, "D"), "keep \\d and \\$HOME");
  EXPECT_EQ(value_of(env, "E"), "single \\n \\\" literal");
}

TEST(DotEnv, NoVariableExpansion) {
  auto env = parse_dotenv(".env", "A=${HOME}/x\nB=\"$USER\"\n");
  EXPECT_EQ(value_of(env, "A"), "${HOME}/x");
  EXPECT_EQ(value_of(env, "B"), "$USER");
}

TEST(DotEnv, MultiLineValuesKeepLineNumbers) {
  auto env = parse_dotenv(".env",
                          "A=\"first\n"
                          "second\n"
                          "third\"  # done\n"
                          "B='x\n"
                          "y'\n"
                          "C=after\n");
  EXPECT_EQ(all_diagnostics(env), "");
  EXPECT_EQ(value_of(env, "A"), "first\nsecond\nthird");
  EXPECT_EQ(value_of(env, "B"), "x\ny");
  EXPECT_EQ(env.entries.find("A")->second.line, 1);
  EXPECT_EQ(env.entries.find("B")->second.line, 4);
  EXPECT_EQ(env.entries.find("C")->second.line, 6);
}

TEST(DotEnv, WindowsLineEndingsAndByteOrderMark) {
  auto env = parse_dotenv(".env", "\xEF\xBB\xBF" "A=1\r\nB=\"x\"\r\nC=\"p\r\nq\"\r\n# c\r\nD=4");
  EXPECT_EQ(all_diagnostics(env), "");
  EXPECT_EQ(value_of(env, "A"), "1");
  EXPECT_EQ(value_of(env, "B"), "x");
  EXPECT_EQ(value_of(env, "C"), "p\nq");
  EXPECT_EQ(value_of(env, "D"), "4");
  EXPECT_EQ(env.entries.find("D")->second.line, 6);
}

TEST(DotEnv, LaterDuplicateWins) {
  auto env = parse_dotenv(".env", "A=1\nA=2\n");
  EXPECT_EQ(value_of(env, "A"), "2");
  EXPECT_EQ(env.entries.find("A")->second.line, 2);
}

TEST(DotEnv, ExpectedKeyEqualsValue) {
  auto env = parse_dotenv("config/.env", "A=1\n  JUST_A_WORD\nexport \nB=2\n");
  EXPECT_EQ(all_diagnostics(env),
            "config/.env:2:3: error: expected KEY=VALUE\n"
            "    2 |   JUST_A_WORD\n"
            "      |   ^\n"
            "config/.env:3:8: error: expected KEY=VALUE\n"
            "    3 | export \n"
            "      |        ^\n");
  // Good lines around a bad one are still read.
  EXPECT_EQ(value_of(env, "A"), "1");
  EXPECT_EQ(value_of(env, "B"), "2");
}

TEST(DotEnv, InvalidKey) {
  auto env = parse_dotenv(".env", "my-key=1\n9LIVES=2\n");
  EXPECT_EQ(all_diagnostics(env),
            ".env:1:1: error: invalid key: use letters, digits, '_' and '.', not starting with a digit\n"
            "    1 | my-key=1\n"
            "      | ^\n"
            ".env:2:1: error: invalid key: use letters, digits, '_' and '.', not starting with a digit\n"
            "    2 | 9LIVES=2\n"
            "      | ^\n");
}

TEST(DotEnv, UnterminatedQuotedValue) {
  auto env = parse_dotenv(".env", "A=1\nNAME=\"abc\nB=2\n");
  EXPECT_EQ(all_diagnostics(env),
            ".env:2:6: error: unterminated quoted value\n"
            "    2 | NAME=\"abc\n"
            "      |      ^\n");
  EXPECT_EQ(value_of(env, "NAME"), "<unset>");
}

TEST(DotEnv, UnexpectedTextAfterAMultiLineValuePointsAtItsLastLine) {
  auto env = parse_dotenv(".env", "A=\"x\ny\" z\n");
  EXPECT_EQ(all_diagnostics(env),
            ".env:2:4: error: unexpected text after the closing quote\n"
            "    2 | y\" z\n"
            "      |    ^\n");
}

TEST(DotEnv, SecretLinesAreNeverShown) {
  auto env = parse_dotenv(".env",
                          "POSTGRES_PASSWORD=\"hunter2\n"
                          "x\n");
  EXPECT_EQ(all_diagnostics(env),
            ".env:1:19: error: unterminated quoted value\n"
            "note: the line is not shown because it may hold a secret\n");

  env = parse_dotenv(".env",
                     "PGPASSWORD='hunter2' trailing\n"
                     "DATABASE_URL = \"postgresql://app:hunter2@db/app\" x\n"
                     "POSTGRES_PASSWORD hunter2\n"
                     "APP_SECRET:hunter2=1\n"
                     "my-url=postgresql://app:hunter2@db/app\n");
  auto text = all_diagnostics(env);
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_EQ(env.diagnostics.size(), 5u);
  EXPECT_EQ(text.substr(0, text.find('\n', text.find('\n') + 1) + 1),
            ".env:1:22: error: unexpected text after the closing quote\n"
            "note: the line is not shown because it may hold a secret\n");
}

TEST(IsSecretKey, NamesThatHoldCredentials) {
  for (auto key : {"POSTGRES_PASSWORD", "PGPASSWORD", "DATABASE_URL", "db_password", "APP_SECRET",
                   "GITHUB_TOKEN", "SUPABASE_KEY", "REDIS_URL", "SMTP_PASSWD"})
    EXPECT_TRUE(is_secret_key(key)) << key;
  for (auto key : {"POSTGRES_USER", "POSTGRES_SERVER", "POSTGRES_PORT", "POSTGRES_DB", "DB_ENGINE",
                   "SQLITE_PATH", "RETORT_VERSION_TABLE", "KEYBOARD"})
    EXPECT_FALSE(is_secret_key(key)) << key;
}

TEST(MaskUrl, ReplacesThePassword) {
  EXPECT_EQ(mask_url("postgresql://app:hunter2@db/app"), "postgresql://app:***@db/app");
  EXPECT_EQ(mask_url("postgres://app:hunter2@db:5432/app?sslmode=require"),
            "postgres://app:***@db:5432/app?sslmode=require");
  EXPECT_EQ(mask_url("postgresql+asyncpg://u:p@h/d"), "postgresql+asyncpg://u:***@h/d");
}

TEST(MaskUrl, LeavesUrlsWithoutPasswordAlone) {
  for (auto url : {"postgresql://app@db/app", "postgresql://db/app", "postgresql:///app",
                   "sqlite:///app.db", "sqlite:////var/lib/app.db", "not a url",
                   "postgresql://db/app?options=a@b"})
    EXPECT_EQ(mask_url(url), url);
}

TEST(MaskUrl, SpecialCharactersInThePassword) {
  EXPECT_EQ(mask_url("postgresql://app:p%40ss%3Aw%2Fd@db/app"), "postgresql://app:***@db/app");
  EXPECT_EQ(mask_url("postgresql://app:p@ss@db/app"), "postgresql://app:***@db/app");
  EXPECT_EQ(mask_url("postgresql://app:a:b:c@db/app"), "postgresql://app:***@db/app");
  EXPECT_EQ(mask_url("postgresql://app:pa/ss@db/app"), "postgresql://app:***@db/app");
  EXPECT_EQ(mask_url("postgresql://app:pa?ss@db/app"), "postgresql://app:***@db/app");
  EXPECT_EQ(mask_url("postgresql://app:pa#ss@db/app"), "postgresql://app:***@db/app");
  EXPECT_EQ(mask_url("postgresql://app:@db/app"), "postgresql://app:***@db/app");
  EXPECT_EQ(mask_url("postgresql://app:p@ss@db/app?application_name=x"),
            "postgresql://app:***@db/app?application_name=x");
}

TEST(MaskUrl, PasswordAsAQueryParameter) {
  EXPECT_EQ(mask_url("postgresql://db/app?user=app&password=hunter2&sslmode=require"),
            "postgresql://db/app?user=app&password=***&sslmode=require");
  EXPECT_EQ(mask_url("postgresql://u:x@db/app?password=hunter2"),
            "postgresql://u:***@db/app?password=***");
}

}  // namespace
}  // namespace retort
