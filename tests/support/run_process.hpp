#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace retort::testing {

// What a finished child process left behind.
struct ProcessResult {
  int exit_code = -1;  // 128 + the signal's number when a signal ended it
  std::string out;     // standard output
  std::string err;     // standard error
};

// A child process running in the background, for tests that run several at
// once or kill one part way. Killed (SIGKILL) if still running when destroyed.
class Process {
 public:
  // Starts `program` with `args` in `cwd`, standard input closed, the current
  // environment plus `env` (an empty value removes the variable).
  Process(const std::string& program, const std::vector<std::string>& args,
          const std::filesystem::path& cwd, const std::map<std::string, std::string>& env = {});
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  ~Process();

  // Its process id.
  pid_t pid() const;

  // True until it has ended.
  bool running();

  // Sends SIGKILL, as `kill -9` does; wait() then returns 137.
  void kill();

  // Waits for it to end; what it printed, and how it ended.
  ProcessResult wait();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Runs `program` with `args` in `cwd`, standard input closed, the current
// environment plus `env` (an empty value removes the variable), and waits.
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::filesystem::path& cwd,
                          const std::map<std::string, std::string>& env = {});

// The retort binary under test in the background, with NO_COLOR set.
Process start_retort(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                     const std::map<std::string, std::string>& env = {});

// run_process for the retort binary under test, with NO_COLOR set.
ProcessResult run_retort(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                         const std::map<std::string, std::string>& env = {});

}  // namespace retort::testing
