#include "retort/new_revision.hpp"

#include <gtest/gtest.h>

namespace retort {
namespace {

// 2026-11-25 14:30:00 UTC.
const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1795617000));

TEST(NextRevisionId, EmptyFolderUsesTheUtcTimestamp) {
  EXPECT_EQ(next_revision_id({}, now), "20261125143000");
}

TEST(NextRevisionId, ContinuesASequenceWithItsWidth) {
  EXPECT_EQ(next_revision_id({"0001", "0007", "0003"}, now), "0008");
  EXPECT_EQ(next_revision_id({"0009"}, now), "0010");
  EXPECT_EQ(next_revision_id({"9999"}, now), "10000");
  EXPECT_EQ(next_revision_id({"1", "2"}, now), "3");
}

TEST(NextRevisionId, TimestampsStayTimestampsAndNeverGoBackwards) {
  EXPECT_EQ(next_revision_id({"20250101000000"}, now), "20261125143000");
  EXPECT_EQ(next_revision_id({"20261125143000"}, now), "20261125143001");
  EXPECT_EQ(next_revision_id({"29991231235959"}, now), "29991231235960");
}

TEST(Slugify, KeepsLowercaseWordsJoinedByUnderscores) {
  EXPECT_EQ(slugify("Add users table"), "add_users_table");
  EXPECT_EQ(slugify("  add: users.email -- index!! "), "add_users_email_index");
  EXPECT_EQ(slugify("Ünïcode"), "n_code");
  EXPECT_EQ(slugify("!!!"), "revision");
  EXPECT_LE(slugify(std::string(100, 'a')).size(), 40u);
}

TEST(RenderScript, HeaderThenSections) {
  NewRevision r{"0003", "add_x", {"0002"}, "Add x"};
  EXPECT_EQ(render_script(r, true),
            "-- retort:parent 0002\n-- retort:message Add x\n\n-- retort:up\n\n-- retort:down\n");
  NewRevision root{"0001", "init", {}, "Init"};
  EXPECT_EQ(render_script(root, false).rfind("-- retort:message Init\n\n-- retort:up\n", 0), 0u);
}

}  // namespace
}  // namespace retort
