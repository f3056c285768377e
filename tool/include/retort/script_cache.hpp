#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "retort/script.hpp"

namespace retort {

// What identifies one version of a script file without reading it: the
// stamp ninja and ccache trust, with the inode and ctime added so that a
// file replaced by another of the same size and mtime still counts as new.
struct FileStamp {
  // The file name inside the migrations directory: a view of the name that
  // file_stamps() was given, which must outlive it.
  std::string_view name;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};

// The stamps of the files `names` in the open folder `folder` (a file
// descriptor); nothing when one cannot be taken.
std::optional<std::vector<FileStamp>> file_stamps(int folder, const std::vector<std::string>& names);

// Parsed scripts (and their up checksums) kept between runs, one file per
// migrations directory, so that a command with nothing to run does not read,
// parse and hash every script again. An entry is used only when every file's
// stamp, the set of files and the running executable are what they were when
// it was written; anything else, including a damaged or unreadable cache,
// means a normal load. Never shared between users: it lives in their cache
// folder. Failing to write it is silent, as it only costs time.
class ScriptCache {
 public:
  // Files changed less than `racy_window` before write() are not kept: a
  // later edit within the same timestamp tick would go unseen (git's "racy
  // clean" problem). Two seconds covers the coarsest file systems' mtime.
  explicit ScriptCache(std::filesystem::path folder,
                       std::chrono::nanoseconds racy_window = std::chrono::seconds(2))
      : folder_(std::move(folder)), racy_window_(racy_window) {}

  const std::filesystem::path& folder() const { return folder_; }

  // The folder of the user running Retort: $RETORT_CACHE_DIR, else
  // $XDG_CACHE_HOME/retort, else $HOME/.cache/retort. Nothing when
  // RETORT_CACHE_DIR is "off" or none of them is set.
  static std::optional<ScriptCache> for_user();

  // The scripts of `directory` as last written, if `files` (sorted by id, as
  // load_scripts orders them) are exactly the files they were parsed from.
  // Script::path is rebuilt from `path_prefix` and the file name.
  std::optional<std::vector<Script>> read(const std::string& directory,
                                          const std::vector<FileStamp>& files,
                                          const std::string& path_prefix) const;

  // Keeps `scripts`, parsed from `files` without any diagnostic, unless a
  // file is too recent (see the constructor).
  void write(const std::string& directory, const std::vector<FileStamp>& files,
             const std::vector<Script>& scripts) const;

 private:
  // The cache file of a directory, given absolute and normalised as read()
  // and write() make it once for both the file's name and its header.
  std::filesystem::path file_for(const std::string& absolute) const;

  std::filesystem::path folder_;
  std::chrono::nanoseconds racy_window_;
};

}  // namespace retort
