// retort_roundtrip on the temporary PostgreSQL server: the catalog fast path
// (docs/cmake.md) proves correct revisions without pg_dump, and never passes a
// revision that the pg_dump comparison fails: every leftover kind of object
// and a nondeterministic upgrade still fail, and what the catalogs cannot
// prove falls back to pg_dump.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/pg_server.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

using namespace retort::testing;

namespace {

constexpr const char* fast_path = "the catalogs match, so the schemas match (fast path, no pg_dump)";
constexpr const char* fallback = "comparing pg_dump output";

constexpr const char* base = R"(-- retort:up
CREATE TABLE t (id int PRIMARY KEY, name text);
-- retort:down
DROP TABLE t;
)";

// A set of 0001 (table t) and 0002 with `up` and `down`.
struct Set {
  Set(const std::string& up, const std::string& down) {
    dir.write("m/0001_base.sql", base);
    dir.write("m/0002_change.sql",
              "-- retort:parent 0001\n-- retort:up\n" + up + "\n-- retort:down\n" + down + "\n");
  }

  // retort_roundtrip revision `id` (with a kept-database folder when `cache`).
  ProcessResult check(const std::string& url, const std::string& id = "0002", bool cache = false) {
    std::vector<std::string> args{"-d", (dir.path() / "m").string(), "--engine", "postgres",
                                  "--postgres-url", url};
    if (cache) args.insert(args.end(), {"--cache-dir", (dir.path() / "kept").string()});
    args.insert(args.end(), {"revision", id});
    return run_process(RETORT_ROUNDTRIP, args, dir.path());
  }

  TempDir dir;
};

TEST(PostgresRoundtrip, CorrectRevisionOfEveryKindPasses) {
  RETORT_NEED_POSTGRES(url);
  // One object of each kind besides the table u, and their down.
  const std::string others = R"(
CREATE INDEX u_note_idx ON u (note);
CREATE VIEW u_notes AS SELECT id, note FROM u WHERE note IS NOT NULL;
CREATE SEQUENCE s;
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER u_touch BEFORE UPDATE ON u FOR EACH ROW EXECUTE FUNCTION touch();
COMMENT ON TABLE u IS 'notes';)";
  const std::string down = "DROP TABLE u CASCADE; DROP SEQUENCE s; DROP TYPE mood; DROP FUNCTION touch();";
  Set set("CREATE TABLE u (id serial PRIMARY KEY, t_id int REFERENCES t (id) ON DELETE CASCADE, note text);" +
              others,
          down);
  // The foreign key onto t changes t's catalog row: pg_dump decides.
  auto result = set.check(url);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(fallback), std::string::npos) << result.out;

  Set independent("CREATE TABLE u (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text);" + others,
                  down);
  result = independent.check(url);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(fast_path), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find(fallback), std::string::npos) << result.out;
}

TEST(PostgresRoundtrip, LeftoverOfEachKindFails) {
  RETORT_NEED_POSTGRES(url);
  const std::vector<std::pair<std::string, std::string>> leftovers{
      {"table", "CREATE TABLE left_behind (a int);"},
      {"index", "CREATE INDEX t_name_idx ON t (name);"},
      {"view", "CREATE VIEW v AS SELECT id FROM t;"},
      {"sequence", "CREATE SEQUENCE s;"},
      {"type", "CREATE TYPE mood AS ENUM ('sad');"},
      {"function", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';"},
      {"trigger", "CREATE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; "
                  "END $$; CREATE TRIGGER t_g BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION g();"},
      {"comment", "COMMENT ON TABLE t IS 'left';"},
      {"column", "ALTER TABLE t ADD COLUMN extra int;"},
      {"constraint", "ALTER TABLE t ADD CONSTRAINT t_name_check CHECK (name <> '');"},
      {"default", "ALTER TABLE t ALTER COLUMN name SET DEFAULT 'x';"},
      {"schema", "CREATE SCHEMA other;"},
      {"domain", "CREATE DOMAIN positive AS int CHECK (VALUE > 0);"},
  };
  for (const auto& [kind, up] : leftovers) {
    Set set(up, "SELECT 1;");
    auto result = set.check(url);
    EXPECT_EQ(result.exit_code, 1) << kind << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("does not restore the schema of 0001"), std::string::npos)
        << kind << ": " << result.err;
    EXPECT_EQ(result.out.find(fast_path), std::string::npos) << kind << ": " << result.out;
  }
}

TEST(PostgresRoundtrip, NondeterministicUpgradeFails) {
  RETORT_NEED_POSTGRES(url);
  Set set("DO $$ BEGIN EXECUTE format('CREATE TABLE r%s (a int)', (random() * 1e9)::bigint); END $$;",
          "DO $$ DECLARE n text; BEGIN FOR n IN SELECT relname FROM pg_class WHERE relname ~ "
          "'^r[0-9]+$' AND relkind = 'r' LOOP EXECUTE 'DROP TABLE ' || n; END LOOP; END $$;");
  auto result = set.check(url);
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("again, after its downgrade, gives another schema"), std::string::npos)
      << result.err;
  EXPECT_EQ(result.out.find(fast_path), std::string::npos) << result.out;
}

TEST(PostgresRoundtrip, WhatTheCatalogsCannotProveFallsBackToPgDump) {
  RETORT_NEED_POSTGRES(url);
  // A dropped column stays in the catalogs, invisible to pg_dump.
  Set column("ALTER TABLE t ADD COLUMN extra int;", "ALTER TABLE t DROP COLUMN extra;");
  auto result = column.check(url);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(fallback), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find(fast_path), std::string::npos) << result.out;

  // A default that holds a table's id as a regclass constant: an id in a
  // constant cannot be renamed.
  Set constant("CREATE TABLE named (r regclass DEFAULT 't'::regclass);", "DROP TABLE named;");
  result = constant.check(url);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(fallback), std::string::npos) << result.out;

  // Privileges are not compared (pg_dump --no-privileges), but they are catalog rows.
  Set grant("GRANT SELECT ON t TO retort_limited;", "SELECT 1;");
  result = grant.check(url);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find(fallback), std::string::npos) << result.out;
}

TEST(PostgresRoundtrip, KeptDatabasesAreTakenAndGivenBack) {
  RETORT_NEED_POSTGRES(url);
  Set set("CREATE TABLE u (a int);", "DROP TABLE u;");
  set.dir.write("m/0003_more.sql",
                "-- retort:parent 0002\n-- retort:up\nCREATE TABLE w (b int);\n-- retort:down\nDROP TABLE w;\n");
  // 0001 from an empty database; then each check starts from the kept one,
  // and checking the same revision again works as well as the first time.
  for (const auto* id : {"0001", "0002", "0002", "0003", "0003"}) {
    auto result = set.check(url, id, true);
    EXPECT_EQ(result.exit_code, 0) << id << ": " << result.out << result.err;
    EXPECT_NE(result.out.find(fast_path), std::string::npos) << id << ": " << result.out;
  }
  // An edited ancestor makes the kept database stale: the check replays and
  // sees the edit.
  set.dir.write("m/0002_change.sql",
                "-- retort:parent 0001\n-- retort:up\nCREATE TABLE u (a int, c int);\n"
                "-- retort:down\nDROP TABLE u;\n");
  auto result = set.check(url, "0003", true);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

}  // namespace
