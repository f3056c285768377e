#include "thread_placement.hpp"

#include <pthread.h>
#include <sched.h>

#include <semaphore>

namespace retort {

struct Placement::State {
  cpu_set_t allowed;  // the creator's CPUs
  cpu_set_t others;   // the same but one
  std::binary_semaphore applied{0};
};

Placement Placement::away_from_caller() { return away_from(::sched_getcpu()); }

Placement Placement::away_from(int cpu) {
  Placement placement;
  auto state = std::make_shared<State>();
  if (::sched_getaffinity(0, sizeof state->allowed, &state->allowed) != 0) return placement;
  if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &state->allowed)) return placement;
  state->others = state->allowed;
  CPU_CLR(cpu, &state->others);
  if (CPU_COUNT(&state->others) == 0) return placement;
  placement.state_ = std::move(state);
  return placement;
}

void Placement::apply(std::thread& thread) const {
  if (!state_) return;
  // Should it fail, the thread starts where Linux queued it: slower, not wrong.
  ::pthread_setaffinity_np(thread.native_handle(), sizeof state_->others, &state_->others);
  state_->applied.release();
}

void Placement::settle() const {
  if (!state_) return;
  // Had the thread run before apply(), apply() would narrow it for good.
  state_->applied.acquire();
  ::sched_setaffinity(0, sizeof state_->allowed, &state_->allowed);
}

}  // namespace retort
