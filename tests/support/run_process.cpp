#include "support/run_process.hpp"

#include <boost/process.hpp>

#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"

namespace bp = boost::process;

namespace retort::testing {

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::filesystem::path& cwd,
                          const std::map<std::string, std::string>& env) {
  // Files rather than pipes: a chatty child can never block on a full pipe.
  TempDir capture;
  auto out_path = capture.path() / "out";
  auto err_path = capture.path() / "err";
  auto environment = boost::this_process::environment();
  bp::environment child_env = environment;
  for (const auto& [key, value] : env) {
    if (value.empty())
      child_env.erase(key);
    else
      child_env[key] = value;
  }
  bp::child child(bp::exe = program, bp::args = args, bp::start_dir = cwd.string(),
                  bp::std_in.close(), bp::std_out > out_path.string(),
                  bp::std_err > err_path.string(), child_env);
  child.wait();
  return {child.exit_code(), slurp(out_path), slurp(err_path)};
}

ProcessResult run_retort(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                         const std::map<std::string, std::string>& env) {
  auto full_env = env;
  full_env.emplace("NO_COLOR", "1");
  return run_process(RETORT_BINARY, args, cwd, full_env);
}

}  // namespace retort::testing
