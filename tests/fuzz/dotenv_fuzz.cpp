// The .env parser on any bytes: entries and diagnostics, never a crash; and
// the URL masking that every DATABASE_URL value goes through before output.
#include "fuzz/fuzz_target.hpp"
#include "retort/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace retort;
  const auto text = fuzz::as_text(data, size);
  auto env = parse_dotenv(".env", text);
  for (const auto& diagnostic : env.diagnostics) {
    fuzz::check(diagnostic.line >= 1);
    format_diagnostic(diagnostic);
  }
  for (const auto& [key, entry] : env.entries) {
    fuzz::check(!key.empty() && entry.line >= 1);
    if (is_secret_key(key)) mask_url(entry.value);
  }
  mask_url(text);
  return 0;
}
