#include "engine/shared_library.hpp"

#include <dlfcn.h>

#include <fmt/format.h>

#include <utility>

#include "retort/diagnostic.hpp"

namespace retort {

SharedLibrary::SharedLibrary(std::string soname, std::string description, std::string install_hint)
    : soname_(std::move(soname)), description_(std::move(description)) {
  // Never closed: the functions taken from it are kept in statics until exit.
  // RTLD_LAZY as for a linked library: resolving every function of libpq's
  // twenty dependencies up front cost 1.8 M instructions per run; the
  // functions Retort calls are checked by symbol() anyway.
  handle_ = ::dlopen(soname_.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (handle_ == nullptr)
    fail(ExitCode::connection,
         fmt::format("cannot load {} {}: {}", description_, soname_, ::dlerror()),
         {std::move(install_hint)});
}

void* SharedLibrary::symbol(const char* name) const {
  void* address = ::dlsym(handle_, name);
  if (address == nullptr)
    fail(ExitCode::connection, fmt::format("{} {} has no function {}", description_, soname_, name));
  return address;
}

}  // namespace retort
