#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "retort/sqlite_schema.hpp"

namespace retort::testing {

// What a check proved of a kept SQLite database, in a file beside it, so that
// the check that takes the database next need not read it again (reading a
// thousand tables' sqlite_schema rows costs as much as a step, its version
// table half as much). The file names the database file it describes by its
// device, inode, size and modification time, which a rename keeps and a
// write changes: it is read back only for that very file, unchanged since.
struct KeptRows {
  std::uint64_t versions = 0;  // a digest of its version table (roundtrip.cpp says which)
  std::vector<SqliteSchemaRow> rows;  // its sqlite_schema rows
};

// Writes what `versions` and `rows` say of `database` to `file` (through a
// temporary file beside it, renamed). Returns false when that fails; `file`
// is then absent.
bool write_kept_rows(const std::filesystem::path& file, const std::filesystem::path& database,
                     std::uint64_t versions, const std::vector<SqliteSchemaRow>& rows);

// What write_kept_rows() wrote to `file` for `database` (the rows left empty
// unless `with_rows`); nullopt when there is nothing, or it was written for
// another file or another state of it, or the file is not one of
// write_kept_rows().
std::optional<KeptRows> read_kept_rows(const std::filesystem::path& file,
                                       const std::filesystem::path& database, bool with_rows);

}  // namespace retort::testing
