#pragma once

#include <string>

namespace retort {

// A shared library opened with dlopen() rather than linked, so that a program
// pays for mapping and relocating it only when it is used (libpq_loader.cpp,
// pg_query_loader.cpp). Keep one per library in a function-local static: the
// library is opened when that static is first reached.
class SharedLibrary {
 public:
  // Opens `soname`; fails (ExitCode::connection) with dlerror()'s reason and
  // `install_hint` when it cannot. `description` names the library in
  // messages ("the PostgreSQL client library").
  SharedLibrary(std::string soname, std::string description, std::string install_hint);
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  // The library's function `name`, typed like its declaration in the
  // library's header; fails (ExitCode::connection) when it has none.
  template <class Function>
  Function function(const char* name) const {
    return reinterpret_cast<Function>(symbol(name));
  }

 private:
  void* symbol(const char* name) const;

  std::string soname_;
  std::string description_;
  void* handle_ = nullptr;
};

}  // namespace retort
