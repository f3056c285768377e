#include "line_diff.hpp"

#include <gtest/gtest.h>

#include <string>

using retort::testing::line_diff;

TEST(LineDiff, EqualTextsHaveNoDiff) { EXPECT_EQ(line_diff("a\nb\n", "a\nb\n", "x", "y"), ""); }

TEST(LineDiff, ShowsAChangedLineWithContext) {
  std::string before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
  std::string after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  EXPECT_EQ(line_diff(before, after, "before", "after"),
            "--- before\n+++ after\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(LineDiff, SeparatesDistantChangesIntoHunks) {
  std::string before, after;
  for (int i = 1; i <= 20; ++i) {
    before += std::to_string(i) + "\n";
    after += (i == 2 || i == 18 ? "x" : std::to_string(i)) + "\n";
  }
  EXPECT_EQ(line_diff(before, after, "a", "b"),
            "--- a\n+++ b\n"
            "@@ -1,5 +1,5 @@\n 1\n-2\n+x\n 3\n 4\n 5\n"
            "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+x\n 19\n 20\n");
}

TEST(LineDiff, AddedAndRemovedLines) {
  EXPECT_EQ(line_diff("a\nb\n", "a\nb\nc\n", "x", "y"), "--- x\n+++ y\n@@ -1,2 +1,3 @@\n a\n b\n+c\n");
  EXPECT_EQ(line_diff("a\nb\nc\n", "a\nc\n", "x", "y"), "--- x\n+++ y\n@@ -1,3 +1,2 @@\n a\n-b\n c\n");
}

TEST(LineDiff, OnlyTheFinalNewlineDiffers) {
  EXPECT_EQ(line_diff("a\n", "a", "x", "y"),
            "--- x\n+++ y\n@@ the texts differ only in the newline at the end @@\n");
}
