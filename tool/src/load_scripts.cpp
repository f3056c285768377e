
#include <dirent.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <limits>
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
  // diagnostics in a stable, meaningful order: id_less's order, by the value
  // of the leading digits, computed once per name; equal values (ids padded
  // differently) and ids too long for 64 bits compare as id_less does. Eight
  // bytes of key and four of index per name rather than a tuple of views
  // (64 bytes), as the load's peak memory is every command's.
  struct Key {
    std::uint64_t value;
    std::uint32_t index;
  };
  auto full_key = [&](std::uint32_t index) {
    const std::string_view name = names[index];
    const auto digits = leading_digits(name);
    const auto number = digits.substr(std::min(digits.find_first_not_of('0'), digits.size()));
    return std::tuple(number.size(), number, digits, name);
  };
  std::vector<Key> keys;
  keys.reserve(names.size());
  for (std::uint32_t i = 0; i < names.size(); ++i) {
    const auto number = std::get<1>(full_key(i));
    std::uint64_t value = 0;
    if (number.size() > 18)
      value = std::numeric_limits<std::uint64_t>::max();
    else
      for (char digit : number) value = value * 10 + static_cast<std::uint64_t>(digit - '0');
    keys.push_back({value, i});
  }
  std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
    return a.value != b.value ? a.value < b.value : full_key(a.index) < full_key(b.index);
  });
  std::vector<std::string> sorted;
  sorted.reserve(names.size());
  for (const auto& key : keys) sorted.push_back(std::move(names[key.index]));
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
