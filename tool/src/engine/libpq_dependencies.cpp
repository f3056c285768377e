// The shared libraries that libpq.a calls (OpenSSL, GSSAPI, LDAP), each loaded
// the first time libpq calls one of its functions (tool/libpq_archive.cmake
// says why). Every such function is a trampoline generated from
// libpq_dependency_functions.inc: it jumps through its slot once the slot is
// bound, and otherwise through retort_on_demand_resolve, which keeps the
// caller's argument registers while retort_on_demand_bind loads the library
// and binds the slots of all its functions. x86-64 only.
//
// No exception may leave here: the callers are libpq's C frames. A library
// that cannot be loaded ends the process with ExitCode::connection, as the
// PostgreSQL client library itself would if it could not be loaded.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <mutex>

namespace {

struct OnDemandLibrary {
  const char* soname;
  int first;  // index of its first function in on_demand_names
  int count;
};

#include "libpq_dependency_functions.inc"

std::once_flag loaded[std::size(on_demand_libraries)];

[[noreturn]] void cannot_load(const char* soname, const char* reason) {
  std::fprintf(stderr,
               "retort: error: cannot load %s for the PostgreSQL client library: %s\n"
               "note: it comes with libpq (Debian: apt-get install libpq5)\n",
               soname, reason);
  std::_Exit(5);  // ExitCode::connection
}

}  // namespace

extern "C" {

// Zero until bound.
__attribute__((visibility("hidden"))) void* retort_on_demand_slots[on_demand_count];

__attribute__((visibility("hidden"))) void* retort_on_demand_bind(unsigned index) noexcept {
  for (std::size_t which = 0; which < std::size(on_demand_libraries); ++which) {
    const OnDemandLibrary& library = on_demand_libraries[which];
    if (index < static_cast<unsigned>(library.first) ||
        index >= static_cast<unsigned>(library.first + library.count))
      continue;
    std::call_once(loaded[which], [&library] {
      void* handle = ::dlopen(library.soname, RTLD_LAZY | RTLD_LOCAL);
      if (handle == nullptr) cannot_load(library.soname, ::dlerror());
      for (int i = library.first; i < library.first + library.count; ++i) {
        void* function = ::dlsym(handle, on_demand_names[i]);
        if (function == nullptr) cannot_load(library.soname, ::dlerror());
        __atomic_store_n(&retort_on_demand_slots[i], function, __ATOMIC_RELEASE);
      }
    });
    return __atomic_load_n(&retort_on_demand_slots[index], __ATOMIC_ACQUIRE);
  }
  std::abort();  // a trampoline's index is always in a library's range
}

// GSSAPI's name type for "service@host" (RFC 2744, 1.2.840.113554.1.2.1.4):
// libpq reads this constant of libgssapi_krb5 before its first GSSAPI call, so
// it is defined here rather than loaded. GSSAPI compares name types by value.
struct GssOid {
  unsigned length;
  const void* elements;
};
const GssOid retort_gss_hostbased_service{
    10, "\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"};
__attribute__((visibility("hidden"))) const GssOid* GSS_C_NT_HOSTBASED_SERVICE =
    &retort_gss_hostbased_service;

}  // extern "C"

// The argument registers (and %al, the vector-register count of a variadic
// call) are saved around the bind and restored before the jump to the bound
// function, whose arguments on the stack stay where the caller put them.
asm(R"(
  .text
  .p2align 4
  .hidden retort_on_demand_resolve
  .type retort_on_demand_resolve, @function
retort_on_demand_resolve:
  push %rbp
  mov %rsp, %rbp
  push %rdi
  push %rsi
  push %rdx
  push %rcx
  push %r8
  push %r9
  push %rax
  push %r11
  sub $128, %rsp
  movdqu %xmm0, 0(%rsp)
  movdqu %xmm1, 16(%rsp)
  movdqu %xmm2, 32(%rsp)
  movdqu %xmm3, 48(%rsp)
  movdqu %xmm4, 64(%rsp)
  movdqu %xmm5, 80(%rsp)
  movdqu %xmm6, 96(%rsp)
  movdqu %xmm7, 112(%rsp)
  mov %r11d, %edi
  call retort_on_demand_bind
  mov %rax, 128(%rsp)
  movdqu 0(%rsp), %xmm0
  movdqu 16(%rsp), %xmm1
  movdqu 32(%rsp), %xmm2
  movdqu 48(%rsp), %xmm3
  movdqu 64(%rsp), %xmm4
  movdqu 80(%rsp), %xmm5
  movdqu 96(%rsp), %xmm6
  movdqu 112(%rsp), %xmm7
  add $128, %rsp
  pop %r11
  pop %rax
  pop %r9
  pop %r8
  pop %rcx
  pop %rdx
  pop %rsi
  pop %rdi
  pop %rbp
  jmp *%r11
  .size retort_on_demand_resolve, .-retort_on_demand_resolve
)");

// Each function: jump through its slot when bound, else bind with its index
// in %r11 (a scratch register that no call passes an argument in).
#define RETORT_TRAMPOLINE(name, index)                           \
  asm(".section .text." #name ",\"ax\",@progbits\n"              \
      ".globl " #name "\n"                                       \
      ".hidden " #name "\n"                                      \
      ".type " #name ", @function\n" #name ":\n"                 \
      "  mov retort_on_demand_slots+8*" #index "(%rip), %r11\n"  \
      "  test %r11, %r11\n"                                      \
      "  jz 1f\n"                                                \
      "  jmp *%r11\n"                                            \
      "1:\n"                                                     \
      "  mov $" #index ", %r11d\n"                               \
      "  jmp retort_on_demand_resolve\n"                         \
      "  .size " #name ", .-" #name "\n"                         \
      "  .previous\n");
#include "libpq_dependency_functions.inc"
