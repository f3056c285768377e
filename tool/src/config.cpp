// Resolves the settings of docs/configuration.md: flags > environment > .env >
// defaults, one key at a time.

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>

#include "retort/config.hpp"

extern char** environ;

namespace retort {

namespace {

namespace fs = std::filesystem;
using Environment = std::map<std::string, std::string, std::less<>>;

enum class Source { flag, environment, dotenv };

// One key's value and where it came from: errors point there, and relative
// paths resolve against the folder of that source.
struct Setting {
  std::string value;
  Source source = Source::flag;
  std::string name;  // the key, or the flag ("--url") for Source::flag
  int line = 0;      // for Source::dotenv
};

// Drops a trailing separator so that parent_path() and operator/ behave.
fs::path normal(const fs::path& p) {
  auto n = p.lexically_normal();
  if (!n.has_filename() && n != n.root_path()) n = n.parent_path();
  return n;
}

std::optional<fs::path> find_dotenv(const fs::path& cwd) {
  for (auto dir = cwd;; dir = dir.parent_path()) {
    std::error_code ignored;
    if (fs::is_regular_file(dir / ".env", ignored)) return dir / ".env";
    if (dir == dir.parent_path()) return std::nullopt;
  }
}

std::string read_env_file(const fs::path& path, const std::string& shown) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail(ExitCode::config, fmt::format("cannot read env file '{}': {}", shown, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A warning when the .env at `path` holds a secret (a password, token or key,
// or a URL with a password in it) and users other than its owner may read it.
std::optional<std::string> exposed_secrets(const fs::path& path, const DotEnv& dotenv) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || (info.st_mode & (S_IRGRP | S_IROTH)) == 0) return std::nullopt;
  std::vector<std::string> keys;
  for (const auto& [key, entry] : dotenv.entries) {
    if (!is_secret_key(key) || entry.value.empty()) continue;
    // URL keys are secret only with a password in them; sqlite:///app.db is not.
    if (key.ends_with("URL") && mask_url(entry.value) == entry.value) continue;
    keys.push_back(key);
  }
  if (keys.empty()) return std::nullopt;
  return fmt::format("{} holds {} and other users may read it (mode {:04o}); run 'chmod 600 {}'",
                     dotenv.path, fmt::join(keys, ", "), info.st_mode & 07777, dotenv.path);
}

std::optional<long long> parse_integer(std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

class Resolver {
 public:
  Resolver(const Environment& environment, const DotEnv& dotenv, fs::path cwd, fs::path project_dir)
      : environment_(environment),
        dotenv_(dotenv),
        cwd_(std::move(cwd)),
        project_dir_(std::move(project_dir)) {}

  // The first source that sets `key`. An empty value counts as unset (a
  // template .env often has `POSTGRES_PASSWORD=`) unless `keep_empty`.
  std::optional<Setting> get(std::string_view key,
                             const std::optional<std::string>& flag = std::nullopt,
                             std::string_view flag_name = {}, bool keep_empty = false) const {
    auto usable = [&](const std::string& v) { return keep_empty || !v.empty(); };
    if (flag && usable(*flag)) return Setting{*flag, Source::flag, std::string(flag_name)};
    if (auto it = environment_.find(key); it != environment_.end() && usable(it->second))
      return Setting{it->second, Source::environment, std::string(key)};
    if (auto it = dotenv_.entries.find(key); it != dotenv_.entries.end() && usable(it->second.value))
      return Setting{it->second.value, Source::dotenv, std::string(key), it->second.line};
    return std::nullopt;
  }

  // A bad value, located where it was set.
  [[noreturn]] void fail_at(const Setting& s, std::string message) const {
    Diagnostic d;
    d.message = std::move(message);
    if (s.source == Source::dotenv) {
      d.path = dotenv_.path;
      d.line = s.line;
    } else if (s.source == Source::environment) {
      d.path = "environment variable " + s.name;
    }
    throw DiagnosticError(ExitCode::config, std::move(d));
  }

  // Relative paths in the .env are relative to its folder, so the file means
  // the same from any working directory; others are relative to cwd.
  std::string path(const Setting& s, std::string_view value) const {
    const auto& base = s.source == Source::dotenv ? project_dir_ : cwd_;
    return normal(base / fs::path(value)).string();
  }

  std::string path_or(const std::optional<Setting>& s, std::string_view fallback) const {
    return s ? path(*s, s->value) : normal(project_dir_ / fallback).string();
  }

  int seconds(const std::optional<Setting>& s) const {
    if (!s) return 0;
    auto value = parse_integer(s->value);
    if (!value || *value < 0 || *value > std::numeric_limits<int>::max())
      fail_at(*s, fmt::format("{} must be a whole number of seconds, 0 or more, not '{}'",
                              s->name, s->value));
    return static_cast<int>(*value);
  }

  std::string name(std::string_view key, const std::optional<std::string>& flag,
                   std::string_view flag_name, std::string_view fallback) const {
    auto s = get(key, flag, flag_name, true);
    if (!s) return std::string(fallback);
    if (s->value.empty()) fail_at(*s, fmt::format("{} must not be empty", s->name));
    return s->value;
  }

 private:
  const Environment& environment_;
  const DotEnv& dotenv_;
  fs::path cwd_;
  fs::path project_dir_;
};

std::optional<std::string> flag_number(const std::optional<int>& n) {
  if (!n) return std::nullopt;
  return std::to_string(*n);
}

// DATABASE_URL, SQLAlchemy style: sqlite:///relative.db, sqlite:////abs.db,
// postgresql[+driver]://...; libpq parses the postgres form itself.
void apply_database_url(const Resolver& r, const Setting& url, Config& config) {
  const auto scheme_end = url.value.find("://");
  if (scheme_end == std::string::npos)
    r.fail_at(url, fmt::format("{} must be a URL such as 'sqlite:///app.db' or "
                               "'postgresql://user@host/dbname'",
                               url.name));
  const auto scheme = lower(std::string_view(url.value).substr(0, scheme_end));
  const auto base = scheme.substr(0, scheme.find('+'));  // SQLAlchemy's "+driver"
  const auto rest = std::string_view(url.value).substr(scheme_end + 3);

  if (base == "postgres" || base == "postgresql") {
    config.engine = Dialect::postgres;
    config.postgres_url = base + "://" + std::string(rest);
    return;
  }
  if (base != "sqlite")
    r.fail_at(url, fmt::format("{} has unsupported scheme '{}' in '{}'; use sqlite:/// or postgresql://",
                               url.name, url.value.substr(0, scheme_end), mask_url(url.value)));

  if (rest.empty() || rest == "/:memory:")
    r.fail_at(url, fmt::format("{} '{}' is an in-memory database, which is gone when retort exits; "
                               "name a file, such as 'sqlite:///app.db'",
                               url.name, mask_url(url.value)));
  if (rest.front() != '/')
    r.fail_at(url, fmt::format("{} '{}' names a host; a sqlite URL is 'sqlite:///relative/path.db' "
                               "or 'sqlite:////absolute/path.db'",
                               url.name, mask_url(url.value)));
  if (rest.find('?') != std::string_view::npos)
    r.fail_at(url, fmt::format("{} '{}' has query parameters; a sqlite URL takes none", url.name,
                               mask_url(url.value)));
  config.engine = Dialect::sqlite;
  config.sqlite_path = r.path(url, rest.substr(1));
}

void apply_postgres_keys(const Resolver& r, Config& config) {
  // Only what is set: libpq fills in the rest from PGHOST, PGPORT, PGUSER,
  // PGPASSWORD, ~/.pgpass and its defaults (port 5432 among them).
  static constexpr std::pair<std::string_view, std::string_view> keys[] = {
      {"POSTGRES_SERVER", "host"},
      {"POSTGRES_PORT", "port"},
      {"POSTGRES_USER", "user"},
      {"POSTGRES_PASSWORD", "password"},
      {"POSTGRES_DB", "dbname"},
  };
  for (auto [key, keyword] : keys) {
    auto s = r.get(key);
    if (!s) continue;
    if (keyword == "port") {
      auto port = parse_integer(s->value);
      if (!port || *port < 1 || *port > 65535)
        r.fail_at(*s, fmt::format("{} must be a port number from 1 to 65535, not '{}'", s->name,
                                  s->value));
    }
    config.postgres.emplace_back(keyword, s->value);
  }
}

}  // namespace

Config load_config(const ConfigFlags& flags, const Environment& environment, const std::string& cwd_text) {
  const auto cwd = normal(fs::absolute(cwd_text));
  Config config;

  std::optional<fs::path> env_path;
  std::string shown;  // the .env's path as diagnostics print it
  if (flags.env_file) {
    shown = *flags.env_file;
    env_path = normal(cwd / *flags.env_file);
    std::error_code ec;
    if (!fs::exists(*env_path, ec))
      fail(ExitCode::config, fmt::format("env file '{}' does not exist", shown),
           {"give --env-file an existing file, or leave it out to use the nearest .env"});
    if (fs::is_directory(*env_path, ec))
      fail(ExitCode::config, fmt::format("env file '{}' is a directory", shown));
  } else if ((env_path = find_dotenv(cwd))) {
    shown = env_path->lexically_relative(cwd).string();
  }

  DotEnv dotenv;
  if (env_path) {
    dotenv = parse_dotenv(shown, read_env_file(*env_path, shown));
    if (!dotenv.diagnostics.empty()) throw DiagnosticError(ExitCode::config, dotenv.diagnostics);
    if (auto warning = exposed_secrets(*env_path, dotenv)) config.warnings.push_back(std::move(*warning));
    config.env_file = env_path->string();
    config.project_dir = env_path->parent_path().string();
  } else {
    config.project_dir = cwd.string();
  }
  const Resolver r(environment, dotenv, cwd, config.project_dir);

  if (auto url = r.get("DATABASE_URL", flags.database_url, "--url")) {
    apply_database_url(r, *url, config);
  } else {
    auto engine = r.get("DB_ENGINE");
    auto name = engine ? lower(engine->value) : std::string("sqlite");
    if (name == "postgres" || name == "postgresql") {
      config.engine = Dialect::postgres;
      apply_postgres_keys(r, config);
    } else if (name == "sqlite") {
      config.sqlite_path = r.path_or(r.get("SQLITE_PATH"), "app.db");
    } else {
      r.fail_at(*engine, fmt::format("DB_ENGINE must be 'sqlite' or 'postgres', not '{}'", engine->value));
    }
  }

  config.version_table.name =
      r.name("RETORT_VERSION_TABLE", flags.version_table, "--version-table", "retort_version");
  config.version_table.schema =
      r.name("RETORT_VERSION_SCHEMA", flags.version_schema, "--version-schema", "public");
  config.migrations_dir =
      r.path_or(r.get("RETORT_MIGRATIONS_DIR", flags.directory, "--directory"), "migrations");
  config.lock_timeout_s =
      r.seconds(r.get("RETORT_LOCK_TIMEOUT", flag_number(flags.lock_timeout_s), "--lock-timeout"));
  if (auto wait = flag_number(flags.wait_s)) config.wait_s = r.seconds(Setting{*wait, Source::flag, "--wait"});
  return config;
}

Config config_from_url(std::string_view url, const std::string& cwd_text) {
  const auto cwd = normal(fs::absolute(cwd_text));
  // The resolver keeps references: both must outlive it.
  const Environment no_environment;
  const DotEnv no_dotenv;
  const Resolver r(no_environment, no_dotenv, cwd, cwd);
  Config config;
  config.project_dir = cwd.string();
  apply_database_url(r, Setting{std::string(url), Source::flag, "database URL"}, config);
  return config;
}

Environment process_environment() {
  Environment out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    // getenv() returns the first of duplicate names; so does emplace.
    out.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return out;
}

}  // namespace retort
