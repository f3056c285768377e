#include "support/permissions.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace retort::testing {

namespace {

[[noreturn]] void failed(const std::string& what) {
  throw std::runtime_error("enforce_file_permissions: " + what + ": " + std::strerror(errno));
}

}  // namespace

void enforce_file_permissions() {
  // glibc has no wrapper for capget/capset, and libcap is not worth a dependency
  // for two bits.
  constexpr int overrides[] = {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH};
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capget, &header, data) != 0) failed("capget");
  for (int cap : overrides) {
    // Root regains its bounding set on execve, so the children keep the
    // capabilities unless they leave the bounding set too. That takes
    // CAP_SETPCAP, which an unprivileged process lacks, and does not need.
    if (::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 && ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
        ::geteuid() == 0)
      failed("prctl(PR_CAPBSET_DROP)");
    const auto bit = CAP_TO_MASK(cap);
    auto& word = data[CAP_TO_INDEX(cap)];
    word.effective &= ~bit;
    word.permitted &= ~bit;
    word.inheritable &= ~bit;
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    failed("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
  if (::syscall(SYS_capset, &header, data) != 0) failed("capset");
}

}  // namespace retort::testing
