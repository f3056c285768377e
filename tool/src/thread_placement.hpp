#pragma once

#include <memory>
#include <thread>
#include <utility>

namespace retort {

// Where a thread started to work beside its creator begins: on another CPU
// than the creator's, when its affinity allows one. Once it runs, it may move
// anywhere again.
//
// Linux queues a new thread on its creator's CPU and moves it to an idle one
// only when it next balances the load: on a 2-core machine the two shared one
// core for 0.1-4 ms, about 2 of the 22 ms of a no-op `upgrade` on PostgreSQL
// (bench/notes.md, fix 32).
class Placement {
 public:
  // Away from the CPU that the caller runs on now.
  static Placement away_from_caller();
  // Away from `cpu`; nothing to do when the caller may use no other CPU.
  static Placement away_from(int cpu);

  // In the creator, once the thread exists: queues it on the other CPUs.
  void apply(std::thread& thread) const;
  // First thing in the thread: waits for apply(), then allows the CPUs its
  // creator may use again, without leaving the one it runs on.
  void settle() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // null: the thread stays where Linux puts it
};

// Runs `work` on a new thread that starts away from the caller's CPU.
template <typename Work>
std::thread start_apart(Work work) {
  const Placement placement = Placement::away_from_caller();
  std::thread thread([placement, work = std::move(work)]() mutable {
    placement.settle();
    work();
  });
  placement.apply(thread);
  return thread;
}

}  // namespace retort
