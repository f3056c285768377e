// SharedLibrary: a library opened with dlopen() on first use (libpq and
// libpg_query), and the errors when it or one of its functions is missing.
#include <gtest/gtest.h>

#include <cstring>

#include "engine/shared_library.hpp"
#include "retort/diagnostic.hpp"

using retort::DiagnosticError;
using retort::ExitCode;
using retort::SharedLibrary;

namespace {

TEST(SharedLibrary, CallsTheFunctionOfTheLoadedLibrary) {
  const SharedLibrary libc("libc.so.6", "the C library", "reinstall libc6");
  auto length = libc.function<decltype(&std::strlen)>("strlen");
  EXPECT_EQ(length("retort"), 6u);
}

TEST(SharedLibrary, MissingLibraryIsAConnectionErrorNamingItAndTheFix) {
  try {
    SharedLibrary("libretort-no-such-library.so.9", "the test library", "install the test package");
    FAIL() << "a missing library was opened";
  } catch (const DiagnosticError& e) {
    EXPECT_EQ(e.code(), ExitCode::connection);
    ASSERT_EQ(e.diagnostics().size(), 1u);
    const auto& d = e.diagnostics().front();
    EXPECT_EQ(d.message.rfind("cannot load the test library libretort-no-such-library.so.9: ", 0), 0u)
        << d.message;
    EXPECT_NE(d.message.find("No such file"), std::string::npos) << d.message;
    EXPECT_EQ(d.notes, std::vector<std::string>{"install the test package"});
  }
}

TEST(SharedLibrary, MissingFunctionIsAConnectionErrorNamingIt) {
  const SharedLibrary libc("libc.so.6", "the C library", "reinstall libc6");
  try {
    libc.function<void (*)()>("retort_no_such_function");
    FAIL() << "a missing function was found";
  } catch (const DiagnosticError& e) {
    EXPECT_EQ(e.code(), ExitCode::connection);
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics().front().message,
              "the C library libc.so.6 has no function retort_no_such_function");
  }
}

}  // namespace
