#pragma once

#include <memory>

#include "retort/config.hpp"
#include "retort/engine.hpp"

namespace retort {

// The PostgreSQL engine (libpq) for the connection `config` describes.
std::unique_ptr<Engine> open_postgres_engine(const Config& config, OpenMode mode);

// Loads libpq if it is loaded on first use (libpq_loader.cpp) and not loaded
// yet.
void load_libpq();

}  // namespace retort
