#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace retort::testing {

// A fresh folder under the system temp directory, removed with its contents
// when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `content` to `relative` (parent folders created); returns the full path.
  std::filesystem::path write(const std::string& relative, std::string_view content) const;

  // The content of `relative`.
  std::string read(const std::string& relative) const;

 private:
  std::filesystem::path path_;
};

}  // namespace retort::testing
