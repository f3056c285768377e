// The C math functions of SQLite's SQL math functions (sin(), pow(), ...),
// forwarding to libm.so.6, which dlopen() loads on the first call.
//
// SQLite's archive is linked into the executables (retort_link_lean in
// tool/CMakeLists.txt) and is the only part of them that calls libm. Linked,
// libm was loaded and relocated at every start, its IFUNC resolvers run: 0.3
// MiB resident and 0.06 ms in every command, for functions that a migration
// seldom calls. With these definitions the linker finds no use for libm, and
// --as-needed drops it; should something else in the link need a function not
// here, libm is linked as before.
//
// The list is every C function behind SQLite's math functions
// (sqlite.org/lang_mathfunc.html), more than this SQLite calls, so that a
// SQLite built otherwise needs no other; were one missing, libm would be
// linked again, and tests/cmake/lean_executable.cmake says so.
#include <math.h>

#include "engine/shared_library.hpp"

namespace {

retort::SharedLibrary& libm() {
  // Part of glibc, so never missing: a failure here could not be reported
  // anyway, from inside a SQLite function.
  static retort::SharedLibrary library("libm.so.6", "the C math library", "reinstall libc6");
  return library;
}

}  // namespace

// Each definition keeps the signature of <math.h>'s double declaration (the
// compiler checks it against the declaration included above).
#define RETORT_MATH_1(name)                                               \
  double name(double x) noexcept {                                       \
    static const auto f = libm().function<double (*)(double)>(#name);    \
    return f(x);                                                          \
  }
#define RETORT_MATH_2(name)                                                       \
  double name(double x, double y) noexcept {                                     \
    static const auto f = libm().function<double (*)(double, double)>(#name);    \
    return f(x, y);                                                               \
  }

extern "C" {
RETORT_MATH_1(acos)
RETORT_MATH_1(acosh)
RETORT_MATH_1(asin)
RETORT_MATH_1(asinh)
RETORT_MATH_1(atan)
RETORT_MATH_1(atanh)
RETORT_MATH_1(ceil)
RETORT_MATH_1(cos)
RETORT_MATH_1(cosh)
RETORT_MATH_1(exp)
RETORT_MATH_1(floor)
RETORT_MATH_1(log)
RETORT_MATH_1(log10)
RETORT_MATH_1(log2)
RETORT_MATH_1(sin)
RETORT_MATH_1(sinh)
RETORT_MATH_1(sqrt)
RETORT_MATH_1(tan)
RETORT_MATH_1(tanh)
RETORT_MATH_1(trunc)
RETORT_MATH_2(atan2)
RETORT_MATH_2(fmod)
RETORT_MATH_2(pow)
}
