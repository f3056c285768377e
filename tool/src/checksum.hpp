#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace retort {

using Sha256 = std::array<unsigned char, 32>;

// SHA-256 of `data`.
Sha256 sha256(std::string_view data);

// `digest` as 64 lowercase hex digits.
std::string hex(const Sha256& digest);

// Whether `text` is hex(digest), without making that string: a no-op upgrade
// compares a thousand.
bool is_hex_of(std::string_view text, const Sha256& digest);

// The digest that `hex` spells, or nothing when it is not 64 hex digits.
std::optional<Sha256> parse_sha256_hex(std::string_view hex);

// SHA-256 of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

}  // namespace retort
