// Retort computes SHA-256 itself (tool/src/checksum.cpp); these are the
// FIPS 180-4 examples and every padding boundary, against known digests.
#include "checksum.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace retort {
namespace {

TEST(Sha256, StandardVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PaddingBoundaries) {
  EXPECT_EQ(sha256_hex(std::string(55, 'a')), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(56, 'a')), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256_hex(std::string(63, 'b')), "94e419fabac7f930810f9636354042f8c1426d2f834d4ab65c93dc1e69326b13");
  EXPECT_EQ(sha256_hex(std::string(64, 'c')), "52b6419d27bd7f547cee3b92f8c17a908b8a49601ecbec161e5030de1dfe9e0a");
  EXPECT_EQ(sha256_hex(std::string(65, 'd')), "899987f295364060c6abd752a7e895124b467fd7cf56b52ce22f4a684a5723f4");
}

TEST(Sha256, BytesNotText) {
  EXPECT_EQ(sha256_hex(std::string("h\xc3\xa9llo\0w\xc3\xb6rld", 13)),
            "2e48126c91d5cb3d9beef9804b2086c1ed02a9ce78f489705515c3d6c303d83f");
}

// Digests are kept in binary (Script keeps one per dialect) and shown in hex.
TEST(Sha256, HexRoundTrips) {
  const auto digest = sha256("abc");
  EXPECT_EQ(hex(digest), sha256_hex("abc"));
  EXPECT_EQ(parse_sha256_hex(hex(digest)), digest);
  EXPECT_EQ(digest[0], 0xba);
  EXPECT_EQ(digest[31], 0xad);
}

TEST(Sha256, ComparedWithHexInPlace) {
  const auto digest = sha256("abc");
  const auto text = hex(digest);
  EXPECT_TRUE(is_hex_of(text, digest));
  for (std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{62}, std::size_t{63}}) {
    auto changed = text;
    changed[i] = changed[i] == '0' ? '1' : '0';
    EXPECT_FALSE(is_hex_of(changed, digest)) << i;
  }
  EXPECT_FALSE(is_hex_of(text.substr(1), digest));
  EXPECT_FALSE(is_hex_of(text + "0", digest));
  EXPECT_FALSE(is_hex_of("", digest));
  auto upper = text;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(is_hex_of(upper, digest));  // hex() writes lowercase, and so does every version row
}

TEST(Sha256, ParsesOnlySixtyFourLowercaseHexDigits) {
  const auto good = sha256_hex("abc");
  EXPECT_FALSE(parse_sha256_hex(""));
  EXPECT_FALSE(parse_sha256_hex(good.substr(1)));
  EXPECT_FALSE(parse_sha256_hex(good + "0"));
  EXPECT_FALSE(parse_sha256_hex(std::string(64, 'g')));
  EXPECT_FALSE(parse_sha256_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  EXPECT_FALSE(parse_sha256_hex(std::string(63, '0') + ':'));  // the character after '9'
  EXPECT_FALSE(parse_sha256_hex(std::string(63, '0') + '`'));  // the one before 'a'
  EXPECT_TRUE(parse_sha256_hex(std::string(64, 'f')));
  // A bad byte in the middle, high-bit or NUL, is as wrong as one at the end.
  for (char bad : {'\xe9', '\0', '/', 'G'})
    EXPECT_FALSE(parse_sha256_hex(std::string(31, '0') + bad + std::string(32, '0'))) << int(bad);
}

}  // namespace
}  // namespace retort
