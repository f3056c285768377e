#include "support/temp_dir.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <stdlib.h>

namespace retort::testing {

TempDir::TempDir() {
  auto pattern = (std::filesystem::temp_directory_path() / "retort-test-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buffer.data();
}

namespace {

// Gives the owner full access to `folder` and every folder below it, so that a
// test that made one read-only (and runs without root's override, see
// permissions.hpp) still leaves nothing behind.
void open_up(const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  std::error_code ignored;
  fs::permissions(folder, fs::perms::owner_all, fs::perm_options::add, ignored);
  for (fs::directory_iterator it(folder, ignored), end; !ignored && it != end; it.increment(ignored))
    if (it->symlink_status(ignored).type() == fs::file_type::directory) open_up(it->path());
}

}  // namespace

TempDir::~TempDir() {
  std::error_code ignored;
  open_up(path_);
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(const std::string& relative, std::string_view content) const {
  auto full = path_ / relative;
  std::filesystem::create_directories(full.parent_path());
  std::ofstream out(full, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + full.string());
  return full;
}

std::string TempDir::read(const std::string& relative) const {
  std::ifstream in(path_ / relative, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + (path_ / relative).string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace retort::testing
