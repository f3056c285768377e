#include "thread_placement.hpp"

#include <pthread.h>
#include <sched.h>

namespace retort {

bool start_apart(std::thread& thread) {
  cpu_set_t allowed;
  if (::pthread_getaffinity_np(thread.native_handle(), sizeof allowed, &allowed) != 0) return false;
  const int here = ::sched_getcpu();
  if (here < 0 || here >= CPU_SETSIZE || !CPU_ISSET(here, &allowed)) return false;
  CPU_CLR(here, &allowed);
  if (CPU_COUNT(&allowed) == 0) return false;
  return ::pthread_setaffinity_np(thread.native_handle(), sizeof allowed, &allowed) == 0;
}

}  // namespace retort
