#include "engine/run_program.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <string_view>

extern char** environ;

namespace retort {

namespace {

// Both ends of a pipe, closed when it goes.
struct Pipe {
  std::array<int, 2> fd{-1, -1};
  ~Pipe() {
    for (int end : fd)
      if (end >= 0) ::close(end);
  }
  void close_end(int index) {
    ::close(fd[index]);
    fd[index] = -1;
  }
};

std::vector<std::string> environment_with(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    const auto name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& [key, value] : overrides) replaced |= name == key;
    if (!replaced) entries.emplace_back(text);
  }
  for (const auto& [key, value] : overrides) entries.push_back(key + '=' + value);
  return entries;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Reads both pipes to their ends, whichever the program fills first: reading
// one to its end before the other would deadlock once the other's buffer is full.
void drain(Pipe& out_pipe, Pipe& err_pipe, ProgramResult& result) {
  std::array<pollfd, 2> polled{pollfd{out_pipe.fd[0], POLLIN, 0},
                               pollfd{err_pipe.fd[0], POLLIN, 0}};
  std::array<std::string*, 2> into{&result.out, &result.err};
  char buffer[65536];
  while (polled[0].fd >= 0 || polled[1].fd >= 0) {
    if (::poll(polled.data(), polled.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (std::size_t i = 0; i < polled.size(); ++i) {
      if (polled[i].fd < 0 || polled[i].revents == 0) continue;
      const ssize_t n = ::read(polled[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        into[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        polled[i].fd = -1;  // poll() skips negative descriptors
      }
    }
  }
}

}  // namespace

std::optional<ProgramResult> run_program(
    const std::string& program, const std::vector<std::string>& arguments,
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  Pipe out_pipe, err_pipe;
  if (::pipe2(out_pipe.fd.data(), O_CLOEXEC) != 0 || ::pipe2(err_pipe.fd.data(), O_CLOEXEC) != 0)
    return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe.fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe.fd[1], STDERR_FILENO);

  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
  auto argv = pointers(argv_strings);
  auto env_strings = environment_with(overrides);
  auto envp = pointers(env_strings);
  pid_t pid = 0;
  const int spawn_error =
      ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    errno = spawn_error;
    return std::nullopt;
  }
  // Only the child writes: the pipes end when it does.
  out_pipe.close_end(1);
  err_pipe.close_end(1);

  ProgramResult result;
  drain(out_pipe, err_pipe, result);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::optional<std::string> find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view folders = path ? path : "";
  while (true) {
    const auto end = folders.find(':');
    std::string folder(folders.substr(0, end));
    // An empty entry means the current folder, as for execvp.
    auto candidate = (folder.empty() ? std::string(".") : folder) + '/' + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (end == std::string_view::npos) return std::nullopt;
    folders.remove_prefix(end + 1);
  }
}

}  // namespace retort
