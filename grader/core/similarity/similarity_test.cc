#include "grader/core/similarity/similarity.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gograder::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// `n` pseudo-random token kinds (0..79, like go/token's) from `seed`.
std::vector<int> RandomTokens(int n, unsigned seed) {
  std::mt19937 random(seed);
  std::vector<int> tokens(n);
  for (int& token : tokens) token = static_cast<int>(random() % 80);
  return tokens;
}

std::vector<int> Concat(std::initializer_list<std::vector<int>> parts) {
  std::vector<int> all;
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

TokenFile File(const std::string& path, const std::vector<int>& kinds) {
  TokenFile file{path, kinds, {}};
  for (size_t i = 0; i < kinds.size(); ++i) file.lines.push_back(static_cast<int>(i / 10) + 1);
  return file;
}

// --- Winnowing -----------------------------------------------------------------

TEST(WinnowTest, ASharedRunOfWindowPlusKMinusOneTokensSharesAFingerprint) {
  const int k = 5, w = 4;
  std::vector<int> shared = RandomTokens(w + k - 1, 1);
  for (unsigned seed = 2; seed < 40; ++seed) {
    std::vector<int> a = Concat({RandomTokens(30, seed), shared, RandomTokens(30, seed + 100)});
    std::vector<int> b = Concat({RandomTokens(7, seed + 200), shared});
    std::set<uint64_t> a_hashes;
    for (const Fingerprint& print : Winnow(a, {}, k, w)) a_hashes.insert(print.hash);
    bool common = false;
    for (const Fingerprint& print : Winnow(b, {}, k, w)) common |= a_hashes.contains(print.hash);
    EXPECT_TRUE(common) << "seed " << seed;
  }
}

TEST(WinnowTest, KeepsFewerFingerprintsThanKGramsAndSkipsSeparatorsAndExcludedTokens) {
  std::vector<int> tokens = RandomTokens(400, 7);
  std::vector<Fingerprint> prints = Winnow(tokens, {}, 12, 8);
  EXPECT_LT(prints.size(), 400u / 3);
  EXPECT_GT(prints.size(), 400u / 8);
  // Every position is covered by a k-gram of the whole run: none may start
  // within k - 1 tokens of a separator or in an excluded stretch.
  std::vector<int> split = Concat({RandomTokens(20, 8), {-1}, RandomTokens(20, 9)});
  std::vector<bool> excluded(split.size(), false);
  std::fill_n(excluded.begin() + 21, 10, true);
  for (const Fingerprint& print : Winnow(split, excluded, 12, 4)) {
    EXPECT_TRUE(print.position + 12 <= 20 || print.position >= 31) << print.position;
  }
  EXPECT_THAT(Winnow(RandomTokens(11, 3), {}, 12, 4), IsEmpty());
}

// --- Greedy String Tiling -----------------------------------------------------------

TEST(GreedyStringTilingTest, TilesReorderedBlocksCompletely) {
  std::vector<int> x = RandomTokens(40, 11), y = RandomTokens(30, 12), z = RandomTokens(20, 13);
  std::vector<Tile> tiles = GreedyStringTiling(Concat({x, y, z}), Concat({z, x, y}), 8);
  int tiled = 0;
  for (const Tile& tile : tiles) tiled += tile.length;
  EXPECT_EQ(tiled, 90);
  ASSERT_FALSE(tiles.empty());
  EXPECT_GE(tiles[0].length, 70);  // x and y stayed together
  EXPECT_EQ(tiles[0].a_start, 0);
  EXPECT_EQ(tiles[0].b_start, 20);
}

TEST(GreedyStringTilingTest, RespectsTheMinimumMatchExclusionsAndSeparators) {
  std::vector<int> seven = RandomTokens(7, 21);
  EXPECT_THAT(GreedyStringTiling(Concat({RandomTokens(10, 22), seven}),
                                 Concat({seven, RandomTokens(10, 23)}), 8),
              IsEmpty());
  std::vector<int> run = RandomTokens(20, 24);
  std::vector<bool> excluded(20, false);
  std::fill_n(excluded.begin(), 20, true);
  EXPECT_THAT(GreedyStringTiling(run, run, 8, excluded), IsEmpty());
  // A separator splits a run: two tiles, never one across it.
  std::vector<int> a = Concat({RandomTokens(10, 25), {-1}, RandomTokens(10, 26)});
  std::vector<int> b = a;
  b[10] = -2;
  std::vector<Tile> tiles = GreedyStringTiling(a, b, 8);
  ASSERT_THAT(tiles, SizeIs(2));
  EXPECT_EQ(tiles[0].length + tiles[1].length, 20);
}

TEST(GreedyStringTilingTest, EachTokenIsTiledAtMostOnce) {
  std::vector<int> block = RandomTokens(12, 31);
  std::vector<Tile> tiles = GreedyStringTiling(Concat({block, block}), block, 8);
  ASSERT_THAT(tiles, SizeIs(1));
  EXPECT_EQ(tiles[0].length, 12);
}

// --- Batches ---------------------------------------------------------------------------

TEST(CompareBatchTest, FindsTheCopyAcrossFilesAndIgnoresTheStarter) {
  std::vector<int> starter = RandomTokens(60, 41);
  std::vector<int> f = RandomTokens(50, 42), g = RandomTokens(40, 43);
  TokenizedSubmission original{"alice", {File("a.go", Concat({starter, f, g}))}};
  // The copy moves g into a file of its own, ahead of f.
  TokenizedSubmission copy{"bob", {File("a.go", Concat({starter, f})), File("b.go", g)}};
  TokenizedSubmission own{"carol", {File("a.go", Concat({starter, RandomTokens(90, 44)}))}};
  TokenizedSubmission skeleton{"starter", {File("starter.go", starter)}};
  std::vector<PairSimilarity> pairs = CompareBatch({original, copy, own}, {skeleton}, {skeleton});
  ASSERT_THAT(pairs, SizeIs(1)) << "carol shares only the starter";
  EXPECT_EQ(pairs[0].a, "alice");
  EXPECT_EQ(pairs[0].b, "bob");
  EXPECT_DOUBLE_EQ(pairs[0].a_in_b, 1.0);
  EXPECT_DOUBLE_EQ(pairs[0].b_in_a, 1.0);
  EXPECT_EQ(pairs[0].longest_match, 50);
  ASSERT_THAT(pairs[0].regions, SizeIs(2));
  EXPECT_EQ(pairs[0].regions[1].b_file, "b.go");
  EXPECT_EQ(pairs[0].regions[1].b_first_line, 1);
  EXPECT_EQ(pairs[0].regions[1].a_first_line, 12);  // token 110 of a.go, 10 a line
}

TEST(CompareBatchTest, CommonIdiomsDoNotMakeCandidates) {
  std::vector<int> idiom = RandomTokens(40, 51);
  std::vector<TokenizedSubmission> batch;
  for (int i = 0; i < 12; ++i) {
    batch.push_back(
        {absl::StrCat("s", i), {File("a.go", Concat({idiom, RandomTokens(80, 60 + i)}))}});
  }
  EXPECT_THAT(CompareBatch(batch, {}, {}), IsEmpty());
}

TEST(ClustersTest, ConnectsPairsAtTheThreshold) {
  std::vector<PairSimilarity> pairs = {
      {"a", "b", 0.9, 0.9}, {"b", "c", 0.6, 0.4}, {"d", "e", 0.7, 0.7}, {"f", "g", 0.2, 0.1}};
  EXPECT_THAT(Clusters(pairs, 0.5), ElementsAre(ElementsAre("a", "b", "c"), ElementsAre("d", "e")));
}

TEST(ParseInspectorTokensTest, ReadsFilesAndRefusesMalformedInput) {
  auto parsed = ParseInspectorTokens(
      R"({"files": [{"file": "b.go", "test": false, "kinds": [78, 4], "lines": [1, 1]},
                    {"file": "a_test.go", "test": true, "kinds": [78], "lines": [1]}]})",
      "s1", false);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_THAT(parsed->files, SizeIs(1));
  EXPECT_EQ(parsed->files[0].path, "b.go");
  EXPECT_THAT(parsed->files[0].kinds, ElementsAre(78, 4));
  for (const char* bad : {"{", R"({"files": [{"file": "a.go"}]})",
                          R"({"files": [{"file": "a.go", "kinds": [1, 2], "lines": [1]}]})",
                          R"({"files": [{"file": "a.go", "kinds": [-1], "lines": [1]}]})"}) {
    auto result = ParseInspectorTokens(bad, "s", true);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(result.status().message(), HasSubstr("inspector tokens")) << bad;
  }
}

}  // namespace
}  // namespace gograder::core
