#pragma once

#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "retort/config.hpp"
#include "retort/engine.hpp"
#include "retort/record_cache.hpp"

namespace retort::cli {

// A database and its version table as read at the start of a command.
struct Record {
  std::unique_ptr<Engine> engine;
  std::vector<AppliedRevision> rows;
};

// Opens the database of `config` and reads `fields` of its version table,
// through `cache` when there is one.
Record read_record(const Config& config, OpenMode mode, const RecordCache* cache, RowFields fields);

// Does read_record() on a thread of its own, so that a command reads the
// database while it loads the scripts: neither needs the other, and with two
// cores a no-op `upgrade` takes about as long as the longer of the two. The
// thread is the engine's only user until take() hands it over.
class BackgroundRecord {
 public:
  BackgroundRecord(Config config, OpenMode mode, const RecordCache* cache, RowFields fields);
  // A read that is not taken (the scripts failed) is not waited for: a server
  // that does not answer, or another process's lock, must not delay the
  // scripts' error. If it is still running, it is abandoned (abandoned()).
  ~BackgroundRecord();
  BackgroundRecord(const BackgroundRecord&) = delete;
  BackgroundRecord& operator=(const BackgroundRecord&) = delete;

  // Waits for the read: the engine and its rows, or the read's error rethrown.
  Record take();

  // Whether a read was abandoned while still running: its thread may still
  // use what static destructors would destroy, so the process must end
  // without running them.
  static bool abandoned();

 private:
  std::future<Record> result_;
  std::thread thread_;
};

}  // namespace retort::cli
