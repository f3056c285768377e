#pragma once

#include <thread>

namespace retort {

// Keeps `thread` off the CPU that the caller runs on, when its affinity
// allows another: a thread started to run beside its creator then does, from
// its first instruction. Returns whether the thread's affinity changed.
//
// Linux queues a new thread on its creator's CPU and moves it to an idle one
// only when it next balances the load: on a 2-core machine the two shared one
// core for 0.5-4 ms, a quarter of a no-op `upgrade` on PostgreSQL (see
// bench/notes.md, fix 32). The restriction lasts as long as the thread, so it
// suits threads that do one piece of work and end.
bool start_apart(std::thread& thread);

}  // namespace retort
