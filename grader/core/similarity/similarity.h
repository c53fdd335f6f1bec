// Similarity of Go submissions: normalised token streams (from the
// inspector's -tokens mode), k-gram fingerprints winnowed into an inverted
// index over a whole batch, and Greedy String Tiling of the candidate pairs,
// which is blind to reordered functions. Code of the exercise's starter is
// marked as boilerplate before anything is compared.
#ifndef GOGRADER_GRADER_CORE_SIMILARITY_SIMILARITY_H_
#define GOGRADER_GRADER_CORE_SIMILARITY_SIMILARITY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gograder::core {

// One file's normalised tokens: kinds (go/token values; all identifiers one
// kind, literals one kind per type) and the 1-based line of each.
struct TokenFile {
  std::string path;  // relative to the module root
  std::vector<int> kinds;
  std::vector<int> lines;
};

// A submission as tokens: its files in path order.
struct TokenizedSubmission {
  std::string id;  // e.g. the student id
  std::vector<TokenFile> files;
};

// Parses the inspector's -tokens JSON ({"files": [{"file", "test", "kinds",
// "lines"}]}) into a submission called `id`; with `include_tests` false the
// _test.go files are left out. InvalidArgument on malformed input.
absl::StatusOr<TokenizedSubmission> ParseInspectorTokens(absl::string_view json, std::string id,
                                                         bool include_tests);

// Parses the inspector's -tokens-each JSON ({"name": {"files": ...}}): the
// module called `name` becomes a submission with id `ids.at(name)`, in the
// order of `ids` (name, id); a module missing from the JSON is an error.
absl::StatusOr<std::vector<TokenizedSubmission>> ParseInspectorTokensOfEach(
    absl::string_view json, const std::vector<std::pair<std::string, std::string>>& ids,
    bool include_tests);

// A winnowed fingerprint: the hash of the k tokens starting at `position`
// (an index into the submission's concatenated token stream).
struct Fingerprint {
  uint64_t hash = 0;
  int position = 0;
};

// Hashes every run of `k` tokens of `tokens` that lies within one file (the
// stream's file separators are negative) and none of whose tokens is marked
// in `excluded` (may be empty), then keeps the minimum of each window of `w`
// consecutive hashes (winnowing; the rightmost on ties, each kept once).
// Any shared run of at least w + k - 1 tokens shares a fingerprint.
std::vector<Fingerprint> Winnow(const std::vector<int>& tokens, const std::vector<bool>& excluded,
                                int k, int w);

// A match found by Greedy String Tiling: `length` tokens equal in a and b.
struct Tile {
  int a_start = 0, b_start = 0, length = 0;
};

// Greedy String Tiling (Wise, 1993) of token streams a and b: repeatedly
// takes the longest runs of equal tokens that overlap no tile taken so far,
// down to `min_match` tokens. Positions marked in a_excluded / b_excluded
// (may be empty) are never tiled. Negative tokens (file separators) never
// match. Returns the tiles, longest first.
std::vector<Tile> GreedyStringTiling(const std::vector<int>& a, const std::vector<int>& b,
                                     int min_match, const std::vector<bool>& a_excluded = {},
                                     const std::vector<bool>& b_excluded = {});

// The id under which an exercise's reference is compared with a class.
inline constexpr char kReferenceId[] = "(reference)";

// Knobs of a batch comparison.
struct SimilarityOptions {
  int k = 16;          // tokens per fingerprint
  int window = 10;     // winnowing window
  int min_match = 14;  // shortest GST tile
  // Fingerprints found in more than this fraction of submissions are common
  // idioms and are dropped from the index (only when there are at least 10).
  double common_fraction = 0.9;
  // A pair is compared with GST when it shares at least this many fingerprints.
  int min_shared_fingerprints = 2;
  // A pair is suspicious when either direction reaches this similarity.
  double threshold = 0.7;
};

// A region of one file matched in the other submission (lines inclusive).
struct MatchedRegion {
  std::string a_file;
  int a_first_line = 0, a_last_line = 0;
  std::string b_file;
  int b_first_line = 0, b_last_line = 0;
  int tokens = 0;
};

// The comparison of submissions a and b.
struct PairSimilarity {
  std::string a, b;                    // submission ids
  double a_in_b = 0;                   // share of a's (non-boilerplate) tokens matched in b
  double b_in_a = 0;                   // share of b's tokens matched in a
  int longest_match = 0;               // tokens
  std::vector<MatchedRegion> regions;  // longest first
  double Max() const { return a_in_b > b_in_a ? a_in_b : b_in_a; }
};

// Compares every candidate pair of `submissions` (pairs sharing enough
// fingerprints, after the fingerprints of `excluded` code, e.g. the
// exercise's starter, and common idioms are removed). Code of
// `boilerplate` (the starter) is marked in each submission first and counts
// neither as matched nor in the totals. Returns the compared pairs, most
// similar first.
std::vector<PairSimilarity> CompareBatch(const std::vector<TokenizedSubmission>& submissions,
                                         const std::vector<TokenizedSubmission>& excluded,
                                         const std::vector<TokenizedSubmission>& boilerplate,
                                         const SimilarityOptions& options = {});

// A submission's source files: relative path -> content.
using SourceFiles = std::map<std::string, std::string>;

// A saved batch, to compare a later batch against (this year against last
// year): the exercise, each submission's tokens and its sources.
struct SimilarityIndex {
  std::string exercise;
  std::vector<TokenizedSubmission> submissions;
  std::vector<SourceFiles> sources;  // per submission
};

// The index as JSON ({"format": "gograder-similarity-index-v1", ...}).
std::string SaveSimilarityIndex(const SimilarityIndex& index);

// Reads SaveSimilarityIndex's JSON; InvalidArgument when it is not one.
absl::StatusOr<SimilarityIndex> LoadSimilarityIndex(absl::string_view json);

// Groups of submissions linked by pairs at or above `threshold` (connected
// components with at least two members), largest first; each sorted by id.
std::vector<std::vector<std::string>> Clusters(const std::vector<PairSimilarity>& pairs,
                                               double threshold);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_SIMILARITY_SIMILARITY_H_
