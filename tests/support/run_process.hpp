#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace retort::testing {

// What a finished child process left behind.
struct ProcessResult {
  int exit_code = -1;
  std::string out;  // standard output
  std::string err;  // standard error
};

// Runs `program` with `args` in `cwd`, standard input closed, the current
// environment plus `env` (an empty value removes the variable), and waits.
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::filesystem::path& cwd,
                          const std::map<std::string, std::string>& env = {});

// run_process for the retort binary under test, with NO_COLOR set.
ProcessResult run_retort(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                         const std::map<std::string, std::string>& env = {});

}  // namespace retort::testing
