#include "retort/script_cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string_view>
#include <type_traits>

#include "checksum.hpp"
#include "cache_file.hpp"

namespace retort {

namespace {

namespace fs = std::filesystem;

// Bump whenever the parser or Script changes what it makes of a file: a cache
// written by another build of the same version must not be read. The
// executable's stamp (below) catches most rebuilds; this catches the rest.
constexpr std::uint32_t format_version = 5;

// How many directories' caches a user keeps; the least recently written go.
constexpr std::size_t kept_files = 64;

// Folders with more script text than this are not cached: reading them is
// not where their time goes, and a copy would double their memory and disk.
constexpr std::int64_t largest_cached_folder = 32 << 20;

std::int64_t nanoseconds(const struct timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// The running executable's size and mtime: a rebuilt Retort may parse differently.
std::string executable_stamp() {
  struct stat info {};
  if (::stat("/proc/self/exe", &info) != 0) return {};
  return fmt::format("{}:{}", info.st_size, nanoseconds(info.st_mtim));
}

// The directory as the cache knows it, whatever folder Retort runs from.
std::string absolute_directory(const std::string& directory) {
  std::error_code ec;
  auto path = fs::absolute(directory, ec).lexically_normal();
  return (path.has_filename() ? path : path.parent_path()).string();  // "dir/" is "dir"
}

// The kernel maps the 64 KiB around each page of a file that a process faults
// in (fault-around), so the fields are given back in such blocks as they are
// read: a page given back inside a block still being read would be mapped
// again by the next fault there.
constexpr std::uintptr_t fault_around_block = 64 << 10;

// The file is the header, then the sizes of the fields and of the names, the
// fields, and the texts they name by offset and size, each followed by a NUL
// byte: first the names (ids, slugs, messages, file names), then the SQL of
// the sections. The texts come last so that they can be mapped: the scripts
// view them where they are, rather than in a read buffer and a copy per
// script. The SQL comes apart from the names so that loading, planning and a
// run with nothing to do never touch it; a step reads its SQL from the file
// (MappedCache::read).
class Writer {
 public:
  template <typename Integer>
  void integer(Integer value) {
    static_assert(std::is_integral_v<Integer>);
    auto wide = static_cast<std::int64_t>(value);
    fields_.append(reinterpret_cast<const char*>(&wide), sizeof wide);
  }
  void text(std::string_view value) { append(names_, value); }
  void sql(std::string_view value) { append(sql_, value); }
  void optional_digest(const Script::Digest* value) {
    integer(value != nullptr);
    if (value) fields_.append(reinterpret_cast<const char*>(value->data()), value->size());
  }
  std::string sizes() const {
    Writer sizes;
    sizes.integer(fields_.size());
    sizes.integer(names_.size());
    return sizes.fields_;
  }
  const std::string& fields() const { return fields_; }
  const std::string& names() const { return names_; }
  const std::string& sql() const { return sql_; }

 private:
  void append(std::string& texts, std::string_view value) {
    integer(texts.size());
    integer(value.size());
    texts.append(value);
    texts += '\0';
  }
  std::string fields_, names_, sql_;
};

// Reads what Writer wrote; any inconsistency (a damaged or truncated file)
// sets failed() and yields zeros, so the caller checks once at the end.
class Reader {
 public:
  Reader(std::string_view fields, std::string_view names, std::string_view sql)
      : in_(fields), names_(names), sql_(sql) {}
  std::int64_t integer() {
    std::int64_t value = 0;
    if (in_.size() < sizeof value) return fail();
    std::memcpy(&value, in_.data(), sizeof value);
    in_.remove_prefix(sizeof value);
    return value;
  }
  // A view into the names, NUL-terminated: valid while they are.
  std::string_view text() {
    const auto value = view(names_);
    if (!failed_ && value.data()[value.size()] != '\0') return fail(), std::string_view();
    return value;
  }
  // A view into the SQL, not touched here: its NUL was written as the
  // names' was, and the SQL's last byte is checked to be one (read()).
  std::string_view sql() { return view(sql_); }
  std::optional<Script::Digest> optional_digest() {
    if (integer() == 0) return std::nullopt;
    Script::Digest digest;
    const auto raw = bytes(digest.size());
    if (failed_) return std::nullopt;
    std::copy(raw.begin(), raw.end(), digest.begin());
    return digest;
  }
  bool failed() const { return failed_; }
  bool at_end() const { return in_.empty(); }
  const char* position() const { return in_.data(); }

 private:
  // The text at the next offset and size, inside `texts` with a byte after it.
  std::string_view view(std::string_view texts) {
    const auto offset = integer(), size = integer();
    if (offset < 0 || size < 0 || static_cast<std::uint64_t>(offset) >= texts.size() ||
        static_cast<std::uint64_t>(size) >= texts.size() - static_cast<std::uint64_t>(offset))
      return fail(), std::string_view();
    return texts.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
  }
  std::string_view bytes(std::size_t size) {
    if (size > in_.size()) return fail(), std::string_view();
    auto value = in_.substr(0, size);
    in_.remove_prefix(size);
    return value;
  }
  std::int64_t fail() {
    failed_ = true;
    in_ = {};
    return 0;
  }
  std::string_view in_, names_, sql_;
  bool failed_ = false;
};

void write_section(Writer& out, const std::optional<Section>& section) {
  out.integer(section.has_value());
  if (!section) return;
  out.sql(section->sql);
  out.integer(section->first_line);
  out.integer(section->directive_line);
}

std::optional<Section> read_section(Reader& in) {
  if (in.integer() == 0) return std::nullopt;
  Section section;
  section.sql = in.sql();
  section.first_line = static_cast<int>(in.integer());
  section.directive_line = static_cast<int>(in.integer());
  return section;
}

void write_stamp(Writer& out, const FileStamp& stamp) {
  out.text(stamp.name);
  out.integer(stamp.size);
  out.integer(stamp.mtime_ns);
  out.integer(stamp.ctime_ns);
  out.integer(stamp.inode);
}

// Whether the next stamp in `in` is `stamp`; compared in place, as every
// run with a cache reads them all.
bool read_stamp_equal(Reader& in, const FileStamp& stamp) {
  bool equal = in.text() == stamp.name;
  equal &= in.integer() == stamp.size;
  equal &= in.integer() == stamp.mtime_ns;
  equal &= in.integer() == stamp.ctime_ns;
  equal &= static_cast<std::uint64_t>(in.integer()) == stamp.inode;
  return equal && !in.failed();
}

void write_script(Writer& out, const Script& script) {
  out.text(script.id);
  out.text(script.slug);
  out.integer(script.parents.size());
  for (const auto& parent : script.parents) out.text(parent);
  out.integer(script.parent_line);
  out.text(script.message);
  out.integer(static_cast<int>(script.transaction));
  out.integer(script.irreversible);
  write_section(out, script.up);
  write_section(out, script.down);
  out.integer(static_cast<bool>(script.dialect_sections));
  if (script.dialect_sections)
    for (const auto* sections : {&script.dialect_sections->up, &script.dialect_sections->down})
      for (const auto& section : *sections) write_section(out, section);
  for (auto dialect : {Dialect::sqlite, Dialect::postgres})
    out.optional_digest(script.known_up_checksum(dialect));
}

// The script's views point into the texts of `in` and at `path`.
Script read_script(Reader& in, std::string_view path) {
  Script script;
  script.path = path;
  script.id = in.text();
  script.slug = in.text();
  auto parents = in.integer();
  for (std::int64_t i = 0; i < parents && !in.failed(); ++i) script.parents.emplace_back(in.text());
  script.parent_line = static_cast<int>(in.integer());
  script.message = in.text();
  script.transaction = static_cast<TransactionMode>(in.integer());
  script.irreversible = in.integer() != 0;
  script.up = read_section(in);
  script.down = read_section(in);
  if (in.integer() != 0)
    for (auto direction : {Direction::up, Direction::down})
      for (auto dialect : {Dialect::sqlite, Dialect::postgres})
        script.dialect_slot(direction, dialect) = read_section(in);
  for (auto dialect : {Dialect::sqlite, Dialect::postgres})
    if (auto digest = in.optional_digest()) script.remember_up_checksum(dialect, *digest);
  return script;
}

// Identifies the cache's format, the executable and the directory (as
// absolute_directory gives it): a file that starts otherwise belongs to
// something else.
std::string header(const std::string& absolute) {
  std::string out = "retort script cache";
  for (const auto& field : {std::to_string(format_version), executable_stamp(), absolute})
    out += fmt::format("\n{}:{}", field.size(), field);
  return out + '\n';
}

// A cache file, open and mapped read-only, and the paths of its scripts: what
// the scripts read from it view. Writers replace the file by a rename, so the
// mapped one never changes. Its fields are needed once: release() gives their
// pages back as they are read. Its SQL is read from the file when it runs.
class MappedCache final : public MappedSql {
 public:
  // Takes `fd`, open on the file, and closes it when it goes.
  MappedCache(int fd, std::size_t size) : fd_(fd) {
    void* address = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (address != MAP_FAILED) content_ = {static_cast<const char*>(address), size};
  }
  ~MappedCache() {
    if (!content_.empty()) ::munmap(const_cast<char*>(content_.data()), content_.size());
    ::close(fd_);
  }
  MappedCache(const MappedCache&) = delete;
  MappedCache& operator=(const MappedCache&) = delete;

  std::string_view content() const { return content_; }

  // Drops the whole pages within `part`, a view into content(): they are
  // read again from the file should anything touch them.
  void release(std::string_view part) const {
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = (address(part.data()) + page - 1) / page * page;
    const auto end = address(part.data() + part.size()) / page * page;
    if (begin < end) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
  }

  // Drops the fault-around blocks wholly inside [from, to), and says where
  // the next call starts.
  const char* release_blocks(const char* from, const char* to) const {
    const auto end = address(to) / fault_around_block * fault_around_block;
    if (end <= address(from)) return from;
    const auto* until = reinterpret_cast<const char*>(end);
    release(std::string_view(from, static_cast<std::size_t>(until - from)));
    return until;
  }

  std::string_view read(std::string_view sql, std::string& buffer) const override {
    buffer.resize(sql.size());
    const auto offset = static_cast<off_t>(sql.data() - content_.data());
    if (::pread(fd_, buffer.data(), sql.size(), offset) != static_cast<ssize_t>(sql.size()))
      return sql;
    return buffer;
  }

  std::string paths;  // NUL-separated; reserved up front, as scripts view it
  std::string_view sql_;  // where the sections' SQL is in content()

 private:
  static std::uintptr_t address(const char* p) { return reinterpret_cast<std::uintptr_t>(p); }

  int fd_;
  std::string_view content_;
};

}  // namespace

std::optional<std::vector<FileStamp>> file_stamps(int folder, const std::vector<std::string>& names) {
  std::vector<FileStamp> files;
  files.reserve(names.size());
  struct stat info {};
  for (const auto& name : names) {
    if (::fstatat(folder, name.c_str(), &info, 0) != 0) return std::nullopt;
    files.push_back({name, info.st_size, nanoseconds(info.st_mtim), nanoseconds(info.st_ctim), info.st_ino});
  }
  return files;
}

std::optional<ScriptCache> ScriptCache::for_user() {
  auto variable = [](const char* name) -> std::string {
    const char* value = std::getenv(name);
    return value ? value : "";
  };
  if (auto own = variable("RETORT_CACHE_DIR"); !own.empty()) {
    if (own == "off") return std::nullopt;
    return ScriptCache(own);
  }
  if (auto xdg = variable("XDG_CACHE_HOME"); !xdg.empty()) return ScriptCache(fs::path(xdg) / "retort");
  if (auto home = variable("HOME"); !home.empty())
    return ScriptCache(fs::path(home) / ".cache" / "retort");
  return std::nullopt;
}

fs::path ScriptCache::file_for(const std::string& absolute) const {
  return folder_ / (sha256_hex(absolute).substr(0, 32) + ".scripts");
}

std::optional<std::vector<Script>> ScriptCache::read(const std::string& directory,
                                                     const std::vector<FileStamp>& files,
                                                     const std::string& path_prefix) const {
  const auto absolute = absolute_directory(directory);
  const int fd = ::open(file_for(absolute).c_str(), O_RDONLY | O_CLOEXEC);
  struct stat info {};
  if (fd < 0) return std::nullopt;
  if (::fstat(fd, &info) != 0 || info.st_size == 0) return ::close(fd), std::nullopt;
  // Mapped whole rather than read: copying the fields into a buffer, faulting
  // the buffer in and unmapping it were 12 % of a cached `retort check`'s
  // samples (perf).
  auto mapped = std::make_shared<MappedCache>(fd, static_cast<std::size_t>(info.st_size));
  std::string_view content = mapped->content();
  const auto expected_header = header(absolute);
  std::array<std::int64_t, 2> sizes{-1, -1};  // of the fields and of the names
  if (!content.starts_with(expected_header) ||
      content.size() < expected_header.size() + sizeof sizes)
    return std::nullopt;
  content.remove_prefix(expected_header.size());
  std::memcpy(sizes.data(), content.data(), sizeof sizes);
  content.remove_prefix(sizeof sizes);
  if (sizes[0] < 0 || sizes[1] < 0 || static_cast<std::uint64_t>(sizes[0]) > content.size() ||
      static_cast<std::uint64_t>(sizes[1]) > content.size() - static_cast<std::uint64_t>(sizes[0]))
    return std::nullopt;
  const auto fields = content.substr(0, static_cast<std::size_t>(sizes[0]));
  const auto names = content.substr(fields.size(), static_cast<std::size_t>(sizes[1]));
  mapped->sql_ = content.substr(fields.size() + names.size());
  // Every SQL text is followed by a NUL byte, which Reader::sql() does not
  // look at; a damaged file that lost one still ends in one, so that no
  // statement reads past the mapping. Read, not touched through the mapping.
  char last = '\0';
  if (!mapped->sql_.empty() && (::pread(fd, &last, 1, info.st_size - 1) != 1 || last != '\0'))
    return std::nullopt;
  Reader in(fields, names, mapped->sql_);

  if (in.integer() != static_cast<std::int64_t>(files.size())) return std::nullopt;
  std::size_t paths_size = 0;
  for (const auto& file : files) {
    if (!read_stamp_equal(in, file)) return std::nullopt;
    paths_size += path_prefix.size() + file.name.size() + 1;
  }
  std::vector<Script> scripts;
  auto count = in.integer();
  if (count < 0 || count > static_cast<std::int64_t>(files.size())) return std::nullopt;
  scripts.reserve(static_cast<std::size_t>(count));
  auto& paths = mapped->paths;
  paths.reserve(paths_size);
  const std::shared_ptr<const char[]> text(mapped, mapped->content().data());
  const char* released = fields.data();
  for (std::int64_t i = 0; i < count && !in.failed(); ++i) {
    const auto name = in.text();
    if (paths.size() + path_prefix.size() + name.size() + 1 > paths_size) return std::nullopt;
    const auto start = paths.size();
    (paths += path_prefix) += name;
    scripts.push_back(read_script(in, std::string_view(paths).substr(start)));
    paths += '\0';
    scripts.back().text = text;
    scripts.back().mapped_sql = mapped.get();
    // The fields go as they are read, rather than all at the end, when the
    // whole of them was resident with everything else.
    released = mapped->release_blocks(released, in.position());
  }
  if (in.failed() || !in.at_end()) return std::nullopt;
  mapped->release(fields);
  // What the kernel mapped of the SQL around the last names' pages, unread.
  mapped->release(mapped->sql_);
  return scripts;
}

void ScriptCache::write(const std::string& directory, const std::vector<FileStamp>& files,
                        const std::vector<Script>& scripts) const {
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  std::int64_t total = 0;
  for (const auto& file : files) {
    if (std::max(file.mtime_ns, file.ctime_ns) > nanoseconds(now) - racy_window_.count()) return;
    total += file.size;
  }
  if (total > largest_cached_folder) return;

  Writer out;
  out.integer(files.size());
  for (const auto& file : files) write_stamp(out, file);
  out.integer(scripts.size());
  for (const auto& script : scripts) {
    // Hashing now, once, is what saves every later no-op its checksums.
    for (auto dialect : {Dialect::sqlite, Dialect::postgres}) script.checksum(Direction::up, dialect);
    out.text(fs::path(script.path).filename().string());
    write_script(out, script);
  }

  const auto absolute = absolute_directory(directory);
  if (replace_cache_file(file_for(absolute),
                         {header(absolute), out.sizes(), out.fields(), out.names(), out.sql()}))
    keep_newest_cache_files(folder_, ".scripts", kept_files);
}

}  // namespace retort
