// start_apart(): a thread started to work beside its creator is kept off the
// creator's CPU, unless that is the only one it may use.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <future>
#include <thread>

#include "thread_placement.hpp"

namespace {

cpu_set_t affinity_of(pthread_t thread) {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  EXPECT_EQ(::pthread_getaffinity_np(thread, sizeof cpus, &cpus), 0);
  return cpus;
}

// A thread that waits until the test is done with it.
struct IdleThread {
  std::promise<void> done;
  std::thread thread{[wait = done.get_future()] { wait.wait(); }};
  ~IdleThread() {
    done.set_value();
    thread.join();
  }
};

// Runs `test` with the calling thread (and so the threads it starts) allowed
// only `cpus`, then restores its affinity.
template <typename Test>
void with_affinity(const cpu_set_t& cpus, Test test) {
  const cpu_set_t before = affinity_of(::pthread_self());
  ASSERT_EQ(::pthread_setaffinity_np(::pthread_self(), sizeof cpus, &cpus), 0);
  test();
  ASSERT_EQ(::pthread_setaffinity_np(::pthread_self(), sizeof before, &before), 0);
}

TEST(StartApart, KeepsTheThreadOffItsCreatorsCpu) {
  const cpu_set_t all = affinity_of(::pthread_self());
  if (CPU_COUNT(&all) < 2) {  // nowhere else to go
    IdleThread idle;
    EXPECT_FALSE(retort::start_apart(idle.thread));
    return;
  }
  // Two of the CPUs the test may use: the creator runs on one of them.
  cpu_set_t two;
  CPU_ZERO(&two);
  for (int cpu = 0; cpu < CPU_SETSIZE && CPU_COUNT(&two) < 2; ++cpu)
    if (CPU_ISSET(cpu, &all)) CPU_SET(cpu, &two);
  with_affinity(two, [&] {
    IdleThread idle;
    EXPECT_TRUE(retort::start_apart(idle.thread));
    const cpu_set_t placed = affinity_of(idle.thread.native_handle());
    EXPECT_EQ(CPU_COUNT(&placed), 1);
    cpu_set_t outside;
    CPU_AND(&outside, &placed, &two);
    EXPECT_EQ(CPU_COUNT(&outside), 1) << "placed on a CPU the creator may not use";
  });
}

TEST(StartApart, LeavesAThreadWithOneCpuWhereItIs) {
  const cpu_set_t all = affinity_of(::pthread_self());
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE && CPU_COUNT(&one) == 0; ++cpu)
    if (CPU_ISSET(cpu, &all)) CPU_SET(cpu, &one);
  with_affinity(one, [&] {
    IdleThread idle;
    EXPECT_FALSE(retort::start_apart(idle.thread));
    const cpu_set_t kept = affinity_of(idle.thread.native_handle());
    EXPECT_TRUE(CPU_EQUAL(&kept, &one));
  });
}

}  // namespace
