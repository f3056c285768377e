#include "checksum.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <tuple>

// SHA-256 (FIPS 180-4), written out here rather than taken from libcrypto:
// the checksum is its only use in Retort, and mapping libcrypto cost every
// command a third of its start-up time (docs/benchmarks.md).

namespace retort {

namespace {

constexpr std::array<std::uint32_t, 64> round_constants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

// Folds one 64-byte block into `h`.
void compress(std::array<std::uint32_t, 8>& h, const unsigned char* block) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = std::uint32_t(block[4 * i]) << 24 | std::uint32_t(block[4 * i + 1]) << 16 |
           std::uint32_t(block[4 * i + 2]) << 8 | std::uint32_t(block[4 * i + 3]);
  for (int i = 16; i < 64; ++i) {
    auto s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    auto s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  auto [a, b, c, d, e, f, g, k] = h;
  for (int i = 0; i < 64; ++i) {
    auto t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
              round_constants[i] + w[i];
    auto t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += k;
}

}  // namespace

Sha256 sha256(std::string_view data) {
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t full = data.size() / 64 * 64;
  for (std::size_t i = 0; i < full; i += 64) compress(h, bytes + i);
  // The tail, a 1 bit, zeros, and the length in bits (big-endian): one or two blocks.
  unsigned char last[128] = {};
  std::size_t rest = data.size() - full;
  for (std::size_t i = 0; i < rest; ++i) last[i] = bytes[full + i];
  last[rest] = 0x80;
  std::size_t blocks = rest < 56 ? 1 : 2;
  std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) last[blocks * 64 - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  for (std::size_t i = 0; i < blocks; ++i) compress(h, last + 64 * i);

  Sha256 digest;
  for (std::size_t i = 0; i < digest.size(); ++i)
    digest[i] = static_cast<unsigned char>(h[i / 4] >> (24 - 8 * (i % 4)));
  return digest;
}

namespace {

constexpr std::size_t hex_size = 2 * std::tuple_size_v<Sha256>;

// Both digits of each byte value: one lookup per byte, as a no-op upgrade
// spells out a thousand digests.
constexpr auto hex_pairs = [] {
  constexpr char digits[] = "0123456789abcdef";
  std::array<std::array<char, 2>, 256> pairs{};
  for (std::size_t byte = 0; byte < pairs.size(); ++byte)
    pairs[byte] = {digits[byte >> 4], digits[byte & 0xf]};
  return pairs;
}();

// The value of each lowercase hex digit, 0x10 for any other byte: a program
// with its scripts compiled in reads two digests a script at each start
// (1000 scripts: 1.6 M instructions when each digit was range-checked).
constexpr auto hex_values = [] {
  std::array<unsigned char, 256> values{};
  values.fill(0x10);
  for (unsigned char digit = 0; digit < 10; ++digit) values['0' + digit] = digit;
  for (unsigned char digit = 0; digit < 6; ++digit) values['a' + digit] = 10 + digit;
  return values;
}();

void write_hex(const Sha256& digest, char* out) {
  for (auto byte : digest) out = std::copy_n(hex_pairs[byte].data(), 2, out);
}

}  // namespace

std::string hex(const Sha256& digest) {
  std::string out(hex_size, '\0');
  write_hex(digest, out.data());
  return out;
}

bool is_hex_of(std::string_view text, const Sha256& digest) {
  if (text.size() != hex_size) return false;
  char expected[hex_size];
  write_hex(digest, expected);
  return std::memcmp(expected, text.data(), hex_size) == 0;
}

std::optional<Sha256> parse_sha256_hex(std::string_view hex) {
  Sha256 digest;
  if (hex.size() != hex_size) return std::nullopt;
  unsigned char invalid = 0;
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const auto high = hex_values[static_cast<unsigned char>(hex[2 * i])];
    const auto low = hex_values[static_cast<unsigned char>(hex[2 * i + 1])];
    invalid |= high | low;
    digest[i] = static_cast<unsigned char>(high << 4 | low);
  }
  if (invalid & 0x10) return std::nullopt;
  return digest;
}

std::string sha256_hex(std::string_view data) { return hex(sha256(data)); }

}  // namespace retort
