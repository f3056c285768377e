// The PostgreSQL statement splitter and classifiers on any bytes: statements
// lie inside the script, in order, without overlapping, each starting at a
// token (not at the ';' of an empty statement); the offsets the classifiers
// report lie inside the script too.
#include "engine/pg_statements.hpp"
#include "fuzz/fuzz_target.hpp"

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace retort;
  const auto sql = fuzz::as_text(data, size);
  std::size_t previous_end = 0;
  for (const auto& statement : split_postgres(sql)) {
    fuzz::check(statement.offset >= previous_end && statement.length > 0 &&
                statement.length <= sql.size() - statement.offset);
    fuzz::check(!is_blank(sql[statement.offset]) && sql[statement.offset] != ';' &&
                !is_blank(sql[statement.offset + statement.length - 1]));
    previous_end = statement.offset + statement.length;
  }
  if (auto found = find_non_transactional_statement(sql)) fuzz::check(found->offset < sql.size());
  if (auto found = find_transaction_control_statement(sql)) fuzz::check(found->offset < sql.size());
  fuzz::check(character_position_to_offset(sql, size) <= sql.size());
  return 0;
}
