#include "support/pg_server.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;
namespace bp = boost::process;

namespace retort::testing {

namespace {

// Folders of test servers are /tmp/<prefix>XXXXXX: short, because a Unix
// socket path must fit in 107 bytes.
constexpr const char* folder_prefix = "retort-pg-";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
}

// The last `lines` lines of `path`, to explain a failed start.
std::string tail(const fs::path& path, int lines) {
  auto text = slurp(path);
  std::size_t pos = text.size();
  for (int i = 0; i <= lines && pos != std::string::npos && pos > 0; ++i)
    pos = text.rfind('\n', pos - 1);
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

// The first line of `path` as a pid (postmaster.pid, owner.pid); 0 when none.
pid_t read_pid(const fs::path& path) {
  std::ifstream in(path);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

// Hands `path` and everything under it to `run_as` (when dropping privileges).
void chown_tree(const fs::path& path, const RunAs& run_as) {
  if (!run_as.drop) return;
  auto own = [&](const fs::path& p) {
    if (::lchown(p.c_str(), run_as.uid, run_as.gid) != 0)
      throw std::runtime_error(fmt::format("cannot chown {}", p.string()));
  };
  own(path);
  if (fs::is_directory(path))
    for (const auto& entry : fs::recursive_directory_iterator(path)) own(entry.path());
}

// Runs `program` to completion as `run_as`; its exit code.
int run_to_end(const fs::path& program, const std::vector<std::string>& args, const fs::path& log,
               const RunAs& run_as) {
  pid_t pid = spawn_daemon(program, args, log, run_as);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Servers this process owns, stopped by the signal handler on SIGINT/SIGTERM.
constexpr int max_owned = 8;
std::atomic<pid_t> owned_pids[max_owned];

void stop_owned_and_reraise(int signal) {
  // Only async-signal-safe calls here: ask each server for an immediate
  // shutdown; its folder is removed by the next run's cleanup_stale().
  for (auto& pid : owned_pids)
    if (pid_t p = pid.load(); p > 0) ::kill(p, SIGQUIT);
  ::signal(signal, SIG_DFL);
  ::raise(signal);
}

void track(pid_t pid) {
  static std::once_flag once;
  std::call_once(once, [] {
    ::signal(SIGINT, stop_owned_and_reraise);
    ::signal(SIGTERM, stop_owned_and_reraise);
  });
  for (auto& slot : owned_pids) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pid)) return;
  }
}

void untrack(pid_t pid) {
  for (auto& slot : owned_pids) {
    pid_t expected = pid;
    slot.compare_exchange_strong(expected, 0);
  }
}

// True when the server at `conninfo` accepts connections.
bool server_ready(const std::string& conninfo) {
  return PQping(conninfo.c_str()) == PQPING_OK;
}

// A connection to `url` or an exception with libpq's message.
std::unique_ptr<PGconn, decltype(&PQfinish)> connect_or_throw(const std::string& url) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error(fmt::format("cannot connect to {}: {}", url, PQerrorMessage(conn.get())));
  return conn;
}

}  // namespace

std::optional<fs::path> find_postgres_bindir() {
  auto has_server = [](const fs::path& dir) {
    return fs::exists(dir / "initdb") && fs::exists(dir / "postgres");
  };
  // Replaces the search, so that a test can point it at a folder without a server.
  if (const char* dir = std::getenv("RETORT_TEST_PG_BINDIR"); dir != nullptr && *dir != '\0')
    return has_server(dir) ? std::optional<fs::path>(dir) : std::nullopt;
  auto pg_config = bp::search_path("pg_config");
  if (!pg_config.empty()) {
    bp::ipstream out;
    bp::child child(pg_config, "--bindir", bp::std_out > out, bp::std_err > bp::null,
                    bp::std_in.close());
    std::string line;
    std::getline(out, line);
    child.wait();
    if (child.exit_code() == 0 && !line.empty() && has_server(line)) return fs::path(line);
  }
  // Debian installs each major version side by side; take the newest.
  std::optional<fs::path> best;
  int best_major = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int major = std::atoi(entry.path().filename().c_str());
    if (major > best_major && has_server(entry.path() / "bin")) {
      best_major = major;
      best = entry.path() / "bin";
    }
  }
  return best;
}

RunAs unprivileged_user() {
  RunAs run_as;
  if (::geteuid() != 0) return run_as;
  for (const char* name : {"postgres", "nobody"}) {
    if (const passwd* user = ::getpwnam(name)) {
      run_as = {true, user->pw_uid, user->pw_gid};
      return run_as;
    }
  }
  throw std::runtime_error("running as root, and there is neither a 'postgres' nor a 'nobody' user "
                           "to run the server as");
}

pid_t spawn_daemon(const fs::path& program, const std::vector<std::string>& args,
                   const fs::path& log, const RunAs& run_as) {
  // Everything the child needs is prepared before fork(): after it, only
  // async-signal-safe calls are allowed (the tests run threads).
  std::vector<std::string> argv_storage{program.string()};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::string log_path = log.string();

  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::setsid();
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    // No inherited descriptor (CTest's output pipes among them) may outlive
    // this process's parent in the daemon.
    ::closefrom(3);
    if (run_as.drop &&
        (::setgroups(0, nullptr) != 0 || ::setgid(run_as.gid) != 0 || ::setuid(run_as.uid) != 0))
      ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

bool process_alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return errno == EPERM;
  // A zombie (an orphan that no init reaps) has exited all the same.
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text;
  std::getline(stat, text);
  auto close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() || text[close + 2] != 'Z';
}

void stop_process(pid_t pid, int signal, int timeout_s) {
  if (pid <= 0) return;
  ::kill(pid, signal);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    ::waitpid(pid, nullptr, WNOHANG);  // reaps it if it is our child
    if (!process_alive(pid)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, WNOHANG);
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0)
    throw std::runtime_error("cannot find a free TCP port");
  ::close(fd);
  return ntohs(address.sin_port);
}

fs::path template_cache() {
#ifdef RETORT_PG_TEMPLATE_DIR
  return RETORT_PG_TEMPLATE_DIR;
#else
  return {};
#endif
}

PgServer PgServer::start(const fs::path& template_cache) {
  cleanup_stale();
  auto bindir = find_postgres_bindir();
  if (!bindir)
    throw std::runtime_error(fmt::format(
        "PostgreSQL is not installed (no initdb/postgres under `pg_config --bindir` or "
        "/usr/lib/postgresql/*/bin): install the Debian packages {}; or point "
        "RETORT_TEST_POSTGRES_URL at a running server; or set RETORT_SKIP_POSTGRES=1 to skip "
        "the PostgreSQL tests",
        postgres_packages));
  RunAs run_as = unprivileged_user();

  PgServer server;
  std::string pattern = (fs::path("/tmp") / (std::string(folder_prefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  server.folder_ = pattern;
  server.set_owner(::getpid());
  chown_tree(server.folder_, run_as);

  const fs::path data = server.folder_ / "data";
  const fs::path log = server.folder_ / "log";
  // One cached template per installation: a data directory is tied to its major version.
  std::string key = bindir->string();
  std::replace(key.begin(), key.end(), '/', '_');
  const fs::path cached = template_cache.empty() ? fs::path() : template_cache / key;
  if (!cached.empty() && fs::exists(cached / "PG_VERSION")) {
    fs::copy(cached, data, fs::copy_options::recursive);
    chown_tree(data, run_as);
  } else {
    int code = run_to_end(*bindir / "initdb",
                          {"-D", data.string(), "-U", "retort", "--auth=trust", "-E", "UTF8",
                           "--locale=C", "--no-sync", "--no-instructions"},
                          log, run_as);
    if (code != 0)
      throw std::runtime_error(fmt::format("initdb failed ({}):\n{}", code, tail(log, 20)));
    if (!cached.empty()) {
      // Copy, then rename: a concurrent run never sees half a template.
      std::error_code ec;
      fs::create_directories(template_cache, ec);
      fs::path partial = template_cache / fmt::format("{}.partial-{}", key, ::getpid());
      fs::copy(data, partial, fs::copy_options::recursive, ec);
      if (ec || (fs::rename(partial, cached, ec), ec)) fs::remove_all(partial, ec);
    }
  }
  fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace);
  write_file(data / "pg_hba.conf",
             fmt::format("local all all trust\n"
                         "host all {0} 127.0.0.1/32 scram-sha-256\n"
                         "host all {0} ::1/128 scram-sha-256\n"
                         "host all all 127.0.0.1/32 trust\n"
                         "host all all ::1/128 trust\n",
                         password_role));
  chown_tree(data / "pg_hba.conf", run_as);

  for (int attempt = 0;; ++attempt) {
    server.port_ = free_port();
    if (server.launch(*bindir, run_as)) break;
    // Another process may have taken the port between free_port() and bind.
    if (attempt < 4 && slurp(log).find("could not bind") != std::string::npos) continue;
    throw std::runtime_error(fmt::format("PostgreSQL did not start:\n{}", tail(log, 20)));
  }
  pg_exec(server.url(),
          fmt::format("CREATE ROLE {} LOGIN PASSWORD '{}'; CREATE ROLE {} LOGIN",
                      password_role, password_role_secret, limited_role));
  write_file(server.folder_ / "url", server.url());
  return server;
}

bool PgServer::launch(const fs::path& bindir, const RunAs& run_as) {
  pid_ = spawn_daemon(
      bindir / "postgres",
      // autovacuum off: a worker in a round trip's database when the check
      // renames or drops it makes the check wait for the worker to end (one
      // revision in a few hundred took 0.6-1.3 s; docs/cmake.md).
      {"-D", (folder_ / "data").string(), "-p", std::to_string(port_), "-k", folder_.string(), "-h",
       "127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
       "full_page_writes=off", "-c", "max_connections=200", "-c", "log_min_messages=warning", "-c",
       "autovacuum=off"},
      folder_ / "log", run_as);
  track(pid_);
  std::string conninfo =
      fmt::format("host={} port={} user=retort dbname=postgres", folder_.string(), port_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (process_alive(pid_) && !server_ready(conninfo) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (server_ready(conninfo)) return true;
  stop_process(pid_, SIGQUIT, 10);
  untrack(pid_);
  pid_ = 0;
  return false;
}

void PgServer::restart() {
  stop_process(pid_, SIGINT, 30);
  untrack(pid_);
  auto bindir = find_postgres_bindir();
  if (!bindir || !launch(*bindir, unprivileged_user()))
    throw std::runtime_error(
        fmt::format("PostgreSQL did not restart:\n{}", tail(folder_ / "log", 20)));
}

PgServer::PgServer(PgServer&& other) noexcept
    : folder_(std::move(other.folder_)),
      port_(other.port_),
      pid_(other.pid_),
      released_(other.released_) {
  other.folder_.clear();
  other.pid_ = 0;
}

PgServer::~PgServer() {
  if (released_ || folder_.empty()) return;
  untrack(pid_);
  stop_folder(folder_);
  // Our own child: reap it so that no zombie is left.
  if (pid_ > 0) ::waitpid(pid_, nullptr, WNOHANG);
}

std::string PgServer::url() const {
  return fmt::format("postgresql://retort@127.0.0.1:{}/postgres", port_);
}

void PgServer::set_owner(pid_t pid) const {
  write_file(folder_ / "owner.pid", std::to_string(pid) + "\n");
}

void PgServer::stop_folder(const fs::path& folder) {
  // SIGINT is PostgreSQL's fast shutdown: it ends sessions and exits cleanly.
  stop_process(read_pid(folder / "data" / "postmaster.pid"), SIGINT, 30);
  std::error_code ec;
  fs::remove_all(folder, ec);
}

void PgServer::cleanup_stale() {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/tmp", ec)) {
    if (!entry.path().filename().string().starts_with(folder_prefix)) continue;
    pid_t owner = read_pid(entry.path() / "owner.pid");
    if (owner == 0) {
      // Leave a folder being set up right now alone.
      auto age = fs::file_time_type::clock::now() - fs::last_write_time(entry.path(), ec);
      if (ec || age < std::chrono::minutes(1)) continue;
    } else if (process_alive(owner)) {
      continue;
    }
    stop_folder(entry.path());
  }
}

PgBouncer PgBouncer::start(int server_port, const std::string& pool_mode) {
  // Debian installs it in /usr/sbin, which is not on every PATH.
  fs::path program = bp::search_path("pgbouncer").string();
  if (program.empty() && fs::exists("/usr/sbin/pgbouncer")) program = "/usr/sbin/pgbouncer";
  if (program.empty())
    throw std::runtime_error("pgbouncer is not installed: install the Debian package pgbouncer");
  RunAs run_as = unprivileged_user();
  PgBouncer bouncer;
  std::string pattern = (fs::path("/tmp") / (std::string(folder_prefix) + "XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  bouncer.folder_ = pattern;
  write_file(bouncer.folder_ / "owner.pid", std::to_string(::getpid()) + "\n");
  write_file(bouncer.folder_ / "userlist.txt", "\"retort\" \"\"\n");
  const fs::path log = bouncer.folder_ / "log";
  for (int attempt = 0;; ++attempt) {
    bouncer.port_ = free_port();
    // A small pool, so that concurrent clients really share server connections;
    // in session mode each client holds one, and a `transaction none` script
    // needs two (its lock lives on a second connection).
    int pool_size = pool_mode == "session" ? 4 : 2;
    write_file(bouncer.folder_ / "pgbouncer.ini",
               fmt::format("[databases]\n* = host=127.0.0.1 port={}\n"
                           "[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {}\n"
                           "unix_socket_dir =\nauth_type = trust\nauth_file = {}\n"
                           "pool_mode = {}\ndefault_pool_size = {}\nmax_client_conn = 100\n"
                           "pidfile = {}\n",
                           server_port, bouncer.port_, (bouncer.folder_ / "userlist.txt").string(),
                           pool_mode, pool_size, (bouncer.folder_ / "pgbouncer.pid").string()));
    chown_tree(bouncer.folder_, run_as);
    bouncer.pid_ = spawn_daemon(program, {(bouncer.folder_ / "pgbouncer.ini").string()}, log, run_as);
    track(bouncer.pid_);
    std::string conninfo =
        fmt::format("host=127.0.0.1 port={} user=retort dbname=postgres", bouncer.port_);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (process_alive(bouncer.pid_) && !server_ready(conninfo) &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (server_ready(conninfo)) return bouncer;
    stop_process(bouncer.pid_, SIGINT, 10);
    untrack(bouncer.pid_);
    bouncer.pid_ = 0;
    if (attempt < 4 && slurp(log).find("bind") != std::string::npos) continue;
    throw std::runtime_error(fmt::format("pgbouncer did not start:\n{}", tail(log, 20)));
  }
}

PgBouncer::PgBouncer(PgBouncer&& other) noexcept
    : folder_(std::move(other.folder_)), port_(other.port_), pid_(other.pid_) {
  other.folder_.clear();
  other.pid_ = 0;
}

PgBouncer::~PgBouncer() {
  if (folder_.empty()) return;
  untrack(pid_);
  stop_process(pid_, SIGINT, 10);  // SIGINT: pgbouncer's immediate shutdown
  std::error_code ec;
  fs::remove_all(folder_, ec);
}

std::string PgBouncer::url(const std::string& dbname) const {
  return fmt::format("postgresql://retort@127.0.0.1:{}/{}", port_, dbname);
}

PostgresAvailability postgres_availability() {
  PostgresAvailability result;
  if (const char* url = std::getenv("RETORT_TEST_POSTGRES_URL"); url != nullptr && *url != '\0') {
    result.url = url;
    return result;
  }
#ifdef RETORT_PG_STATE_DIR
  // The CTest fixture's server (FIXTURES_SETUP postgres), when it is running.
  fs::path state = RETORT_PG_STATE_DIR;
  if (fs::exists(state / "url")) {
    std::string url = slurp(state / "url");
    if (server_ready(url)) {
      result.url = url;
      return result;
    }
  }
#endif
  // Run directly (not through ctest): a server for this process alone.
  static std::once_flag once;
  static std::optional<PgServer> own;
  static std::string problem;
  std::call_once(once, [] {
    try {
      own.emplace(PgServer::start(template_cache()));
    } catch (const std::exception& e) {
      problem = e.what();
    }
  });
  if (own) {
    result.url = own->url();
    return result;
  }
  result.problem = problem;
  const char* skip = std::getenv("RETORT_SKIP_POSTGRES");
  result.skip = skip != nullptr && std::string_view(skip) == "1" && !find_postgres_bindir();
  return result;
}

std::string postgres_test_url() { return postgres_availability().url; }

std::string url_with_database(const std::string& url, const std::string& dbname) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto at = url.find('@', start);
  auto host = at == std::string::npos ? start : at + 1;
  auto path = url.find_first_of("/?", host);
  if (path == std::string::npos) return url + "/" + dbname;
  if (url[path] == '?') return url.substr(0, path) + "/" + dbname + url.substr(path);
  auto query = url.find('?', path);
  return url.substr(0, path) + "/" + dbname + (query == std::string::npos ? "" : url.substr(query));
}

void pg_exec(const std::string& url, const std::string& sql) {
  auto conn = connect_or_throw(url);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error(fmt::format("{}: {}", sql, PQerrorMessage(conn.get())));
}

std::string pg_value(const std::string& url, const std::string& sql) {
  auto conn = connect_or_throw(url);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK)
    throw std::runtime_error(fmt::format("{}: {}", sql, PQerrorMessage(conn.get())));
  if (PQntuples(result.get()) == 0) return "";
  if (PQgetisnull(result.get(), 0, 0)) return "<null>";
  return PQgetvalue(result.get(), 0, 0);
}

TestDatabase::TestDatabase(const std::string& base_url, const std::string& label)
    : base_url_(base_url) {
  static std::atomic<int> counter{0};
  std::string clean;
  for (char c : label)
    clean += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  name_ = fmt::format("t_{}_{}_{}", clean.substr(0, 36), ::getpid(), counter++);
  pg_exec(base_url_, fmt::format("CREATE DATABASE {} TEMPLATE template0", name_));
  url_ = url_with_database(base_url_, name_);
}

std::string TestDatabase::host_port() const {
  const auto at = url_.find('@');
  if (at == std::string::npos) return {};
  return url_.substr(at + 1, url_.find('/', at) - at - 1);
}

TestDatabase::~TestDatabase() {
  try {
    pg_exec(base_url_, fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name_));
  } catch (const std::exception&) {
    // The server may be gone already; its folder goes with it.
  }
}

}  // namespace retort::testing
