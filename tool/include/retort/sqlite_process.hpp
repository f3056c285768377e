#pragma once

namespace retort {

// Turns SQLite's memory statistics (sqlite3_memory_used() and friends) off
// for the whole process. With them on, SQLite takes a global mutex around
// every allocation, and a SQLite without lookaside (Debian's) allocates for
// every name and column it parses: 6 % of a round-trip check. Only a
// process that never asks for the statistics should call it, before its
// first use of SQLite; later calls change nothing.
void sqlite_without_memory_statistics();

}  // namespace retort
