#include "background_record.hpp"

#include <atomic>
#include <chrono>

#include "thread_placement.hpp"

namespace retort::cli {

namespace {

std::atomic<bool> abandoned_read{false};

}  // namespace

Record read_record(const Config& config, OpenMode mode, const RecordCache* cache,
                   RowFields fields) {
  Record record{open_engine(config, mode), {}};
  record.rows = read_applied(*record.engine, config.version_table, cache, fields);
  return record;
}

BackgroundRecord::BackgroundRecord(Config config, OpenMode mode, const RecordCache* cache,
                                   RowFields fields) {
  // libpq and its twenty libraries are loaded before the thread starts, not
  // on it: mapped side by side with the script loading, the two slowed each
  // other down (no-op upgrade of 1000 scripts, interleaved: 27.6 -> 25.3 ms);
  // this way the scripts load while the server starts a backend and answers.
  load_client_library(config);
  // The thread owns its copy of the configuration: it may outlive this object
  // (the cache is a static's).
  std::packaged_task<Record()> read([config = std::move(config), mode, cache, fields] {
    return read_record(config, mode, cache, fields);
  });
  result_ = read.get_future();
  // On the other core now, not when the scheduler next balances the load.
  thread_ = start_apart(std::move(read));
}

BackgroundRecord::~BackgroundRecord() {
  if (!thread_.joinable()) return;
  if (!result_.valid() || result_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    thread_.join();
    return;
  }
  abandoned_read = true;
  thread_.detach();
}

Record BackgroundRecord::take() {
  // The record is ready before its thread has ended; the destructor joins
  // the thread, by then long gone, rather than making the command wait.
  return result_.get();
}

bool BackgroundRecord::abandoned() { return abandoned_read; }

}  // namespace retort::cli
