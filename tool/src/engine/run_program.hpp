#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace retort {

// What a program that ran wrote and how it ended.
struct ProgramResult {
  int exit_code = 0;  // 128 + the signal's number when a signal ended it
  std::string out, err;
};

// Runs `program` (a path) with `arguments`, its standard input closed, and
// collects its standard output and error. Its environment is this process's
// with `overrides` (name, value) set. Nothing when it cannot be started; errno
// then says why.
std::optional<ProgramResult> run_program(
    const std::string& program, const std::vector<std::string>& arguments,
    const std::vector<std::pair<std::string, std::string>>& overrides);

// The first executable file `name` in a folder of $PATH, or nothing.
std::optional<std::string> find_in_path(const std::string& name);

}  // namespace retort
