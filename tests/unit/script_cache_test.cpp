#include "retort/script_cache.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace retort {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view first = "-- retort:up\nCREATE TABLE a (x INT);\n-- retort:down\nDROP TABLE a;\n";
constexpr std::string_view second =
    "-- retort:parent 0001\n-- retort:message two\n-- retort:transaction none\n"
    "-- retort:up\nCREATE INDEX i ON a (x);\n-- retort:up postgres\nCREATE INDEX CONCURRENTLY i ON a (x);\n"
    "-- retort:down\nDROP INDEX i;\n";

// A migrations folder and a cache folder; the cache trusts files of any age
// unless a test says otherwise, since the files here were just written.
struct Fixture {
  TempDir root;
  std::string migrations = (root.path() / "migrations").string();
  ScriptCache cache{root.path() / "cache", 0ns};

  Fixture() {
    fs::create_directory(migrations);
    write("0001_first.sql", first);
    write("0002_second.sql", second);
  }
  void write(const std::string& name, std::string_view content) const {
    std::ofstream(fs::path(migrations) / name, std::ios::binary | std::ios::trunc) << content;
  }
  // Overwrites, in the one cache file, the bytes after the first `marker` with `bytes`.
  void patch_cache(std::string_view marker, std::string_view bytes) const {
    for (fs::directory_iterator it(root.path() / "cache"), end; it != end; ++it) {
      std::fstream file(it->path(), std::ios::in | std::ios::out | std::ios::binary);
      std::string content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
      const auto at = content.find(marker);
      ASSERT_NE(at, std::string::npos);
      file.seekp(static_cast<std::streamoff>(at + marker.size()));
      file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
  }
  std::size_t cache_files() const {
    std::error_code ec;
    std::size_t n = 0;
    for (fs::directory_iterator it(root.path() / "cache", ec), end; !ec && it != end; it.increment(ec)) ++n;
    return n;
  }
};

void expect_same_scripts(const std::vector<Script>& expected, const std::vector<Script>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto &e = expected[i], &a = actual[i];
    EXPECT_EQ(e.id, a.id);
    EXPECT_EQ(e.slug, a.slug);
    EXPECT_EQ(e.path, a.path);
    EXPECT_EQ(e.parents, a.parents);
    EXPECT_EQ(e.parent_line, a.parent_line);
    EXPECT_EQ(e.message, a.message);
    EXPECT_EQ(e.transaction, a.transaction);
    EXPECT_EQ(e.irreversible, a.irreversible);
    for (auto direction : {Direction::up, Direction::down}) {
      for (auto dialect : {Dialect::sqlite, Dialect::postgres}) {
        const auto *x = e.section(direction, dialect), *y = a.section(direction, dialect);
        ASSERT_EQ(x == nullptr, y == nullptr);
        if (x == nullptr) continue;
        EXPECT_EQ(x->sql, y->sql);
        EXPECT_EQ(x->first_line, y->first_line);
        EXPECT_EQ(x->directive_line, y->directive_line);
        EXPECT_EQ(e.checksum(direction, dialect), a.checksum(direction, dialect));
      }
    }
  }
}

// Fresh scripts compute checksums on demand: present ones came from the cache.
TEST(ScriptCache, ASecondLoadComesFromTheCacheWithTheChecksumsAlreadyComputed) {
  Fixture f;
  auto fresh = load_scripts(f.migrations);
  ASSERT_TRUE(fresh.diagnostics.empty());
  EXPECT_EQ(fresh.scripts[0].known_up_checksum(Dialect::sqlite), nullptr);
  load_scripts(f.migrations, &f.cache);
  ASSERT_EQ(f.cache_files(), 1u);

  auto cached = load_scripts(f.migrations, &f.cache);
  ASSERT_TRUE(cached.diagnostics.empty());
  for (const auto& script : cached.scripts)
    for (auto dialect : {Dialect::sqlite, Dialect::postgres})
      EXPECT_NE(script.known_up_checksum(dialect), nullptr);
  expect_same_scripts(fresh.scripts, cached.scripts);
  for (const auto& script : cached.scripts)
    EXPECT_EQ(script.up->sql.data()[script.up->sql.size()], '\0');  // as the SQLite engine needs
  // Dialect sections are read back only where there were some.
  EXPECT_FALSE(cached.scripts[0].dialect_sections);
  EXPECT_TRUE(cached.scripts[1].dialect_sections);
}

TEST(ScriptCache, AnEditIsSeenEvenWithTheSameSizeAndModificationTime) {
  Fixture f;
  load_scripts(f.migrations, &f.cache);
  const auto path = fs::path(f.migrations) / "0001_first.sql";
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  std::string edited(first);
  edited.replace(edited.find("a (x"), 4, "b (y");
  f.write("0001_first.sql", edited);
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);

  auto loaded = load_scripts(f.migrations, &f.cache);
  ASSERT_EQ(loaded.scripts.size(), 2u);
  EXPECT_NE(loaded.scripts[0].up->sql.find("CREATE TABLE b (y INT)"), std::string::npos);
}

TEST(ScriptCache, AddedAndRemovedFilesAreSeen) {
  Fixture f;
  load_scripts(f.migrations, &f.cache);
  f.write("0003_third.sql", "-- retort:parent 0002\n-- retort:up\nSELECT 3;\n-- retort:down\nSELECT 4;\n");
  EXPECT_EQ(load_scripts(f.migrations, &f.cache).scripts.size(), 3u);
  fs::remove(fs::path(f.migrations) / "0002_second.sql");
  auto loaded = load_scripts(f.migrations, &f.cache);
  ASSERT_EQ(loaded.scripts.size(), 2u);
  EXPECT_EQ(loaded.scripts[1].id, "0003");
}

TEST(ScriptCache, RecentlyChangedFilesAreNotCached) {
  Fixture f;
  ScriptCache cautious(f.root.path() / "cache", 1h);
  load_scripts(f.migrations, &cautious);
  EXPECT_EQ(f.cache_files(), 0u);
}

TEST(ScriptCache, AFolderOfHugeScriptsIsNotCached) {
  Fixture f;
  f.write("0003_huge.sql", "-- retort:parent 0002\n-- retort:up\n" + std::string(33 << 20, ' ') +
                               "\n-- retort:down\nSELECT 1;\n");
  EXPECT_EQ(load_scripts(f.migrations, &f.cache).scripts.size(), 3u);
  EXPECT_EQ(f.cache_files(), 0u);
}

TEST(ScriptCache, ProblemsAreNotCachedAndShowEveryTime) {
  Fixture f;
  f.write("0003_broken.sql", "-- retort:up\nSELECT 1;\n-- retort:sideways\n");
  for (int run = 0; run < 2; ++run) EXPECT_FALSE(load_scripts(f.migrations, &f.cache).diagnostics.empty());
  EXPECT_EQ(f.cache_files(), 0u);
}

// Cut in the texts, in the fields, in the header, or to nothing.
TEST(ScriptCache, ADamagedCacheIsIgnored) {
  Fixture f;
  auto fresh = load_scripts(f.migrations, &f.cache);
  for (double kept : {0.95, 0.5, 0.1, 0.0}) {
    load_scripts(f.migrations, &f.cache);  // written again whole
    for (fs::directory_iterator it(f.root.path() / "cache"), end; it != end; ++it)
      fs::resize_file(it->path(), static_cast<std::uintmax_t>(
                                      static_cast<double>(fs::file_size(it->path())) * kept));
    expect_same_scripts(fresh.scripts, load_scripts(f.migrations, &f.cache).scripts);
  }
}

// A cache written by another format (its version field differs) is not read,
// even when everything else about it matches.
TEST(ScriptCache, ACacheOfAnotherFormatVersionIsIgnored) {
  Fixture f;
  load_scripts(f.migrations, &f.cache);
  f.patch_cache("CREATE TABLE ", "z");
  ASSERT_EQ(load_scripts(f.migrations, &f.cache).scripts[0].up->sql, "CREATE TABLE z (x INT);\n");

  // The header spells the version out: "retort script cache\n<length>:<version>\n".
  std::string marker;
  char digit = 0;
  for (fs::directory_iterator it(f.root.path() / "cache"), end; it != end; ++it) {
    std::ifstream file(it->path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    ASSERT_TRUE(content.starts_with("retort script cache\n"));
    const auto colon = content.find(':');
    marker = content.substr(0, colon + 1);
    digit = content[colon + 1];
  }
  ASSERT_TRUE(std::isdigit(static_cast<unsigned char>(digit)));
  f.patch_cache(marker, std::string(1, digit == '9' ? '8' : '9'));
  EXPECT_EQ(load_scripts(f.migrations, &f.cache).scripts[0].up->sql, "CREATE TABLE a (x INT);\n");
}

// Scripts from the cache view the file they were read from, mapped: they
// stay whole while the cache is rewritten and removed, and after their
// copies' originals are gone.
TEST(ScriptCache, ScriptsFromTheCacheOutliveItsFile) {
  Fixture f;
  auto fresh = load_scripts(f.migrations, &f.cache).scripts;
  std::vector<Script> copies;
  {
    auto cached = load_scripts(f.migrations, &f.cache).scripts;
    ASSERT_NE(cached[0].known_up_checksum(Dialect::sqlite), nullptr);  // from the cache
    copies = cached;
  }
  f.write("0003_third.sql", "-- retort:parent 0002\n-- retort:up\nSELECT 3;\n-- retort:down\n");
  ASSERT_EQ(load_scripts(f.migrations, &f.cache).scripts.size(), 3u);  // a new cache file
  fs::remove_all(f.root.path() / "cache");
  expect_same_scripts(fresh, copies);
  EXPECT_EQ(copies[1].up->sql.data()[copies[1].up->sql.size()], '\0');
}

// Whether the page holding `p` is mapped into this process (the present bit
// of /proc/self/pagemap).
bool mapped_in(const void* p) {
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const int fd = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  std::uint64_t entry = 0;
  const auto at = static_cast<off_t>(reinterpret_cast<std::uintptr_t>(p) / page * sizeof entry);
  const bool read = fd >= 0 && ::pread(fd, &entry, sizeof entry, at) == sizeof entry;
  if (fd >= 0) ::close(fd);
  EXPECT_TRUE(read) << "/proc/self/pagemap";
  return (entry >> 63) != 0;
}

// Loading cached scripts never touches their SQL, and a step reads its SQL
// from the file (Script::sql_to_run, which run_steps calls) rather than
// through the mapping: an upgrade of a thousand scripts never has their SQL
// resident.
TEST(ScriptCache, StepsReadTheirSqlWithoutMappingIt) {
  Fixture f;
  // 2 KiB of SQL per script: 0.4 MiB, beyond the 64 KiB that the kernel maps
  // around each page faulted in.
  const std::string filler(2000, 'x');
  auto up = [&](int n) { return "SELECT '" + std::to_string(n) + filler + "';\n"; };
  for (int n = 3; n <= 200; ++n) {
    char name[32];
    std::snprintf(name, sizeof name, "%04d_s.sql", n);
    char parent[32];
    std::snprintf(parent, sizeof parent, "%04d", n - 1);
    f.write(name, std::string("-- retort:parent ") + parent + "\n-- retort:up\n" + up(n) +
                      "-- retort:down\n");
  }
  ASSERT_TRUE(load_scripts(f.migrations, &f.cache).diagnostics.empty());
  const auto scripts = load_scripts(f.migrations, &f.cache).scripts;
  ASSERT_EQ(scripts.size(), 200u);
  ASSERT_NE(scripts.back().mapped_sql, nullptr);  // from the cache

  std::string buffer;
  for (int n = 3; n <= 200; ++n) {
    const auto& script = scripts[static_cast<std::size_t>(n - 1)];
    const auto sql = script.sql_to_run(*script.up, buffer);
    ASSERT_EQ(sql, up(n));
    EXPECT_EQ(sql.data()[sql.size()], '\0');
  }
  for (std::size_t i : {10u, 100u, 199u}) EXPECT_FALSE(mapped_in(scripts[i].up->sql.data())) << i;
  EXPECT_EQ(scripts[100].up->sql, up(101));  // and through the mapping, when asked
}

TEST(ScriptCache, PathsFollowHowTheFolderIsNamedThisTime) {
  Fixture f;
  load_scripts(f.migrations, &f.cache);
  auto other = (fs::path(f.migrations) / "." / "").string();
  auto loaded = load_scripts(other, &f.cache);
  EXPECT_EQ(f.cache_files(), 1u);  // the same folder, the same cache
  ASSERT_EQ(loaded.scripts.size(), 2u);
  EXPECT_EQ(loaded.scripts[0].path, other + "0001_first.sql");
}

TEST(ScriptCache, TheUsersFolderComesFromTheEnvironment) {
  struct Restore {
    std::vector<std::pair<std::string, std::optional<std::string>>> saved;
    void set(const char* name, const char* value) {
      const char* old = ::getenv(name);
      saved.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value) ::setenv(name, value, 1); else ::unsetenv(name);
    }
    ~Restore() {
      for (auto& [name, value] : saved)
        if (value) ::setenv(name.c_str(), value->c_str(), 1); else ::unsetenv(name.c_str());
    }
  } env;
  env.set("RETORT_CACHE_DIR", nullptr);
  env.set("XDG_CACHE_HOME", nullptr);
  env.set("HOME", "/home/u");
  EXPECT_EQ(ScriptCache::for_user()->folder(), "/home/u/.cache/retort");
  env.set("XDG_CACHE_HOME", "/x");
  EXPECT_EQ(ScriptCache::for_user()->folder(), "/x/retort");
  env.set("RETORT_CACHE_DIR", "/r");
  EXPECT_EQ(ScriptCache::for_user()->folder(), "/r");
  env.set("RETORT_CACHE_DIR", "off");
  EXPECT_FALSE(ScriptCache::for_user().has_value());
  env.set("RETORT_CACHE_DIR", nullptr);
  env.set("XDG_CACHE_HOME", nullptr);
  env.set("HOME", nullptr);
  EXPECT_FALSE(ScriptCache::for_user().has_value());
}

}  // namespace
}  // namespace retort
