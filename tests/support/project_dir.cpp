#include "support/project_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace retort::testing {

void ProjectDir::write_env(const std::string& content, std::filesystem::perms mode) const {
  std::filesystem::permissions(dir.write(".env", content), mode,
                               std::filesystem::perm_options::replace);
}

ProcessResult ProjectDir::retort(const std::vector<std::string>& args) const {
  return run_retort(args, dir.path());
}

Process ProjectDir::start(const std::vector<std::string>& args) const {
  return start_retort(args, dir.path());
}

std::vector<std::string> ProjectDir::applied() const {
  auto current = retort({"current", "--format", "json"});
  EXPECT_EQ(current.exit_code, 0) << current.err;
  std::vector<std::string> ids;
  if (current.exit_code != 0) return ids;
  auto document = nlohmann::json::parse(current.out);
  for (const auto& row : document["applied"]) ids.push_back(row["revision"]);
  return ids;
}

std::string ProjectDir::schema() const {
  auto dump = retort({"dump-schema"});
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  return dump.out;
}

void ProjectDir::expect_up_down_up(const std::vector<std::string>& options) const {
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), options.begin(), options.end());
    return retort(args);
  };
  auto up = with({"upgrade", "head"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto down = with({"downgrade", "base"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  auto again = with({"upgrade", "head"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
}

}  // namespace retort::testing
