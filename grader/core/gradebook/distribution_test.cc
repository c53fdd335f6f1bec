#include "grader/core/gradebook/distribution.h"

#include "gtest/gtest.h"

namespace gograder::core {
namespace {

TEST(SummarizeTest, NoValuesGiveZeros) {
  const Distribution d = Summarize({});
  EXPECT_EQ(d.count, 0);
  EXPECT_EQ(d.mean, 0);
  EXPECT_EQ(d.median, 0);
  EXPECT_EQ(d.max, 0);
}

TEST(SummarizeTest, OneValueIsEveryFigure) {
  const Distribution d = Summarize({7});
  EXPECT_EQ(d.count, 1);
  EXPECT_EQ(d.min, 7);
  EXPECT_EQ(d.p25, 7);
  EXPECT_EQ(d.median, 7);
  EXPECT_EQ(d.p75, 7);
  EXPECT_EQ(d.max, 7);
  EXPECT_EQ(d.mean, 7);
}

TEST(SummarizeTest, QuartilesInterpolateBetweenRanks) {
  const Distribution d = Summarize({4, 1, 3, 2});
  EXPECT_EQ(d.count, 4);
  EXPECT_DOUBLE_EQ(d.mean, 2.5);
  EXPECT_DOUBLE_EQ(d.min, 1);
  EXPECT_DOUBLE_EQ(d.p25, 1.75);
  EXPECT_DOUBLE_EQ(d.median, 2.5);
  EXPECT_DOUBLE_EQ(d.p75, 3.25);
  EXPECT_DOUBLE_EQ(d.max, 4);
}

TEST(SummarizeTest, OddCountMedianIsTheMiddleValue) {
  const Distribution d = Summarize({10, 0, 100, 50, 20});
  EXPECT_DOUBLE_EQ(d.median, 20);
  EXPECT_DOUBLE_EQ(d.p25, 10);
  EXPECT_DOUBLE_EQ(d.p75, 50);
  EXPECT_DOUBLE_EQ(d.mean, 36);
}

}  // namespace
}  // namespace gograder::core
