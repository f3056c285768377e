// start_apart() and Placement: a thread started to work beside its creator
// begins on another CPU than the creator's, unless there is none, and may go
// anywhere once it runs.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <functional>

#include "thread_placement.hpp"

namespace {

cpu_set_t own_affinity() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  EXPECT_EQ(::sched_getaffinity(0, sizeof cpus, &cpus), 0);
  return cpus;
}

// The first `count` CPUs of the caller's affinity.
cpu_set_t first_cpus(int count) {
  const cpu_set_t all = own_affinity();
  cpu_set_t some;
  CPU_ZERO(&some);
  for (int cpu = 0; cpu < CPU_SETSIZE && CPU_COUNT(&some) < count; ++cpu)
    if (CPU_ISSET(cpu, &all)) CPU_SET(cpu, &some);
  return some;
}

int lowest(const cpu_set_t& cpus) {
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &cpus)) return cpu;
  return -1;
}

// Runs `test` with the calling thread (and so the threads it starts) allowed
// only `cpus`, then restores its affinity.
void with_affinity(const cpu_set_t& cpus, const std::function<void()>& test) {
  const cpu_set_t before = own_affinity();
  ASSERT_EQ(::sched_setaffinity(0, sizeof cpus, &cpus), 0);
  test();
  ASSERT_EQ(::sched_setaffinity(0, sizeof before, &before), 0);
}

// Where a thread placed by `placement` runs first, and what it may use then.
struct Seen {
  int cpu = -1;
  cpu_set_t affinity;
};

// The thread is created while its creator may use `creator_cpu` only, so that
// without apply() it would inherit that CPU and run there.
Seen run_placed(const retort::Placement& placement, int creator_cpu) {
  const cpu_set_t before = own_affinity();
  cpu_set_t creator;
  CPU_ZERO(&creator);
  CPU_SET(creator_cpu, &creator);
  EXPECT_EQ(::sched_setaffinity(0, sizeof creator, &creator), 0);
  Seen seen;
  std::thread thread([&] {
    placement.settle();
    seen.cpu = ::sched_getcpu();
    seen.affinity = own_affinity();
  });
  placement.apply(thread);
  EXPECT_EQ(::sched_setaffinity(0, sizeof before, &before), 0);
  thread.join();
  return seen;
}

TEST(Placement, StartsTheThreadOffTheCreatorsCpu) {
  const cpu_set_t two = first_cpus(2);
  if (CPU_COUNT(&two) < 2) GTEST_SKIP() << "needs two CPUs; this machine lets the test use one";
  with_affinity(two, [&] {
    const int creator = lowest(two);
    const Seen seen = run_placed(retort::Placement::away_from(creator), creator);
    EXPECT_NE(seen.cpu, creator);
    EXPECT_TRUE(CPU_ISSET(seen.cpu, &two));
  });
}

TEST(Placement, LetsTheThreadUseEveryCpuOnceItRuns) {
  const cpu_set_t two = first_cpus(2);
  if (CPU_COUNT(&two) < 2) GTEST_SKIP() << "needs two CPUs; this machine lets the test use one";
  with_affinity(two, [&] {
    const Seen seen = run_placed(retort::Placement::away_from(lowest(two)), lowest(two));
    EXPECT_TRUE(CPU_EQUAL(&seen.affinity, &two));
  });
}

TEST(Placement, LeavesAThreadWithOneCpuWhereItIs) {
  const cpu_set_t one = first_cpus(1);
  with_affinity(one, [&] {
    const Seen seen = run_placed(retort::Placement::away_from(lowest(one)), lowest(one));
    EXPECT_EQ(seen.cpu, lowest(one));
    EXPECT_TRUE(CPU_EQUAL(&seen.affinity, &one));
  });
}

TEST(StartApart, RunsTheWorkAndHandsBackTheThread) {
  int calls = 0;
  std::thread thread = retort::start_apart([&] { ++calls; });
  thread.join();
  EXPECT_EQ(calls, 1);
}

}  // namespace
