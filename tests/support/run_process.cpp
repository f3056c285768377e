#include "support/run_process.hpp"

#include <signal.h>
#include <sys/wait.h>

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

std::map<std::string, std::string> with_no_color(std::map<std::string, std::string> env) {
  env.emplace("NO_COLOR", "1");
  return env;
}

}  // namespace

struct Process::State {
  // Files rather than pipes: a chatty child can never block on a full pipe.
  TempDir capture;
  bp::child child;
};

Process::Process(const std::string& program, const std::vector<std::string>& args,
                 const std::filesystem::path& cwd, const std::map<std::string, std::string>& env)
    : state_(std::make_unique<State>()) {
  auto environment = boost::this_process::environment();
  bp::environment child_env = environment;
  for (const auto& [key, value] : env) {
    if (value.empty())
      child_env.erase(key);
    else  // not child_env[key]: Boost 1.74's lookup there reads past short variables
      child_env.set(key, value);
  }
  state_->child = bp::child(bp::exe = program, bp::args = args, bp::start_dir = cwd.string(),
                            bp::std_in.close(),
                            bp::std_out > (state_->capture.path() / "out").string(),
                            bp::std_err > (state_->capture.path() / "err").string(), child_env);
}

Process::Process(Process&& other) noexcept = default;
Process& Process::operator=(Process&& other) noexcept = default;

Process::~Process() {
  if (state_ && state_->child.valid() && running()) {
    kill();
    state_->child.wait();
  }
}

pid_t Process::pid() const { return state_->child.id(); }

bool Process::running() { return state_->child.running(); }

void Process::kill() {
  // Not child::terminate(), which reaps the child without keeping its status.
  if (running()) ::kill(pid(), SIGKILL);
}

ProcessResult Process::wait() {
  state_->child.wait();
  int status = state_->child.native_exit_code();
  int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  return {code, slurp(state_->capture.path() / "out"), slurp(state_->capture.path() / "err")};
}

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::filesystem::path& cwd,
                          const std::map<std::string, std::string>& env) {
  return Process(program, args, cwd, env).wait();
}

Process start_retort(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                     const std::map<std::string, std::string>& env) {
  return Process(RETORT_BINARY, args, cwd, with_no_color(env));
}

ProcessResult run_retort(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                         const std::map<std::string, std::string>& env) {
  return start_retort(args, cwd, env).wait();
}

}  // namespace retort::testing
