
#include <dirent.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <system_error>
#include <tuple>

#include "retort/script.hpp"
#include "retort/script_cache.hpp"
#include "read_file.hpp"

namespace retort {

namespace {

Diagnostic directory_problem(const std::string& directory, std::string message) {
  Diagnostic d;
  d.path = directory;
  d.message = std::move(message);
  return d;
}

std::string_view leading_digits(std::string_view name) {
  std::size_t n = 0;
  while (n < name.size() && name[n] >= '0' && name[n] <= '9') ++n;
  return name.substr(0, n);
}

// The names of the regular files (or links to them) `*.sql` in `folder`,
// through readdir: std::filesystem builds a path per entry, which was most of
// a cached load. Returns 0 or the errno.
int script_file_names(DIR* folder, std::vector<std::string>& names) {
  errno = 0;
  while (const dirent* entry = ::readdir(folder)) {
    const std::string_view name = entry->d_name;
    // Dot files are editor and OS leftovers (macOS "._0001_x.sql"), never scripts.
    if (name.front() == '.' || !name.ends_with(".sql")) continue;
    struct stat info {};
    const bool regular = entry->d_type == DT_REG ||
                         ((entry->d_type == DT_LNK || entry->d_type == DT_UNKNOWN) &&
                          ::fstatat(::dirfd(folder), entry->d_name, &info, 0) == 0 &&
                          S_ISREG(info.st_mode));
    if (regular) names.emplace_back(name);
    errno = 0;
  }
  return errno;
}

}  // namespace

ScriptSet load_scripts(const std::string& directory, const ScriptCache* cache) {
  ScriptSet set;
  // One handle on the folder: the names and every stamp are looked up from
  // it, not by walking the whole path again for each of a thousand files.
  std::unique_ptr<DIR, int (*)(DIR*)> folder(::opendir(directory.c_str()), ::closedir);
  if (!folder) {
    const int open_error = errno;
    set.diagnostics.push_back(directory_problem(
        directory,
        open_error == ENOENT ? "migrations directory does not exist; run 'retort init' or pass --directory"
        : open_error == ENOTDIR
            ? "not a directory; pass the folder that holds the *.sql scripts with --directory"
            : fmt::format("cannot read migrations directory: {}",
                          std::generic_category().message(open_error))));
    return set;
  }

  const std::string prefix =
      directory.empty() || directory.back() == '/' ? directory : directory + '/';
  std::vector<std::string> names;
  if (int read_error = script_file_names(folder.get(), names)) {
    set.diagnostics.push_back(directory_problem(
        directory, fmt::format("cannot read migrations directory: {}",
                               std::generic_category().message(read_error))));
    return set;
  }

  // Sorting the names by id first yields both the scripts in id order and the
  // diagnostics in a stable, meaningful order. The keys give id_less's order,
  // computed once per name rather than once per comparison.
  using Key = std::tuple<std::size_t, std::string_view, std::string_view, std::string_view>;
  std::vector<std::pair<Key, std::string*>> keyed;
  keyed.reserve(names.size());
  for (auto& name : names) {
    const auto digits = leading_digits(name);
    const auto number = digits.substr(std::min(digits.find_first_not_of('0'), digits.size()));
    keyed.push_back({{number.size(), number, digits, name}, &name});
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> sorted;
  sorted.reserve(names.size());
  for (const auto& entry : keyed) sorted.push_back(std::move(*entry.second));
  names = std::move(sorted);

  const auto files = cache ? file_stamps(::dirfd(folder.get()), names) : std::nullopt;
  if (files) {
    if (auto scripts = cache->read(directory, *files, prefix)) {
      set.scripts = std::move(*scripts);
      return set;
    }
  }
  set.scripts.reserve(names.size());
  std::string path, content;
  for (const auto& name : names) {
    path = prefix + name;
    if (int read_error = read_file(path, content)) {
      Diagnostic d;
      d.path = path;
      d.message = fmt::format("cannot read script: {}",
                              std::generic_category().message(read_error));
      set.diagnostics.push_back(std::move(d));
      continue;
    }
    auto result = parse_script(path, content);
    std::move(result.diagnostics.begin(), result.diagnostics.end(),
              std::back_inserter(set.diagnostics));
    if (result.script) set.scripts.push_back(std::move(*result.script));
  }
  // Only a clean load is kept: diagnostics are not, and must show every time.
  if (files && set.diagnostics.empty()) cache->write(directory, *files, set.scripts);
  return set;
}

}  // namespace retort
