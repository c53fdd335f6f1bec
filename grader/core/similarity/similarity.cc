#include "grader/core/similarity/similarity.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "nlohmann/json.hpp"

namespace gograder::core {
namespace {

using json = nlohmann::json;

// Spreads a polynomial hash over all 64 bits (splitmix64's finaliser), so
// that the minimum of a window is a fair pick.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Hash of tokens[start, start + length).
uint64_t HashRun(const std::vector<int>& tokens, int start, int length) {
  uint64_t hash = 0;
  for (int i = start; i < start + length; ++i) {
    hash = hash * 1000003ULL + static_cast<uint64_t>(tokens[i] + 7);
  }
  return Mix(hash);
}

// For each position, the length of the run of usable tokens (not a file
// separator, not excluded) that starts there.
std::vector<int> UsableRunLengths(const std::vector<int>& tokens,
                                  const std::vector<bool>& excluded) {
  std::vector<int> run(tokens.size() + 1, 0);
  for (int i = static_cast<int>(tokens.size()) - 1; i >= 0; --i) {
    bool usable = tokens[i] >= 0 && (excluded.empty() || !excluded[i]);
    run[i] = usable ? run[i + 1] + 1 : 0;
  }
  return run;
}

// A submission's files as one stream, with a negative separator after each
// file, and where each position came from.
struct Stream {
  std::vector<int> tokens;
  std::vector<int> file;  // index into the submission's files; -1 for separators
  std::vector<int> line;
  std::vector<bool> boilerplate;
  int countable = 0;  // tokens that are neither separators nor boilerplate
};

Stream MakeStream(const TokenizedSubmission& submission) {
  Stream stream;
  for (size_t f = 0; f < submission.files.size(); ++f) {
    const TokenFile& file = submission.files[f];
    for (size_t i = 0; i < file.kinds.size(); ++i) {
      stream.tokens.push_back(file.kinds[i]);
      stream.file.push_back(static_cast<int>(f));
      stream.line.push_back(i < file.lines.size() ? file.lines[i] : 0);
    }
    stream.tokens.push_back(-1 - static_cast<int>(f));
    stream.file.push_back(-1);
    stream.line.push_back(0);
  }
  stream.boilerplate.assign(stream.tokens.size(), false);
  return stream;
}

void CountTokens(Stream& stream) {
  stream.countable = 0;
  for (size_t i = 0; i < stream.tokens.size(); ++i) {
    if (stream.tokens[i] >= 0 && !stream.boilerplate[i]) ++stream.countable;
  }
}

int TiledTokens(const std::vector<Tile>& tiles) {
  int total = 0;
  for (const Tile& tile : tiles) total += tile.length;
  return total;
}

}  // namespace

absl::StatusOr<TokenizedSubmission> ParseInspectorTokens(absl::string_view text, std::string id,
                                                         bool include_tests) {
  TokenizedSubmission submission;
  submission.id = std::move(id);
  try {
    json document = json::parse(text.begin(), text.end());
    for (const json& item : document.at("files")) {
      if (!include_tests && item.value("test", false)) continue;
      TokenFile file;
      file.path = item.at("file").get<std::string>();
      file.kinds = item.at("kinds").get<std::vector<int>>();
      file.lines = item.at("lines").get<std::vector<int>>();
      if (file.kinds.size() != file.lines.size()) {
        return absl::InvalidArgumentError(absl::StrCat("inspector tokens of ", file.path, ": ",
                                                       file.kinds.size(), " kinds but ",
                                                       file.lines.size(), " lines"));
      }
      if (std::any_of(file.kinds.begin(), file.kinds.end(), [](int kind) { return kind < 0; })) {
        return absl::InvalidArgumentError(
            absl::StrCat("inspector tokens of ", file.path, ": a negative token kind"));
      }
      submission.files.push_back(std::move(file));
    }
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("inspector tokens: ", e.what()));
  }
  std::sort(submission.files.begin(), submission.files.end(),
            [](const TokenFile& x, const TokenFile& y) { return x.path < y.path; });
  return submission;
}

absl::StatusOr<std::vector<TokenizedSubmission>> ParseInspectorTokensOfEach(
    absl::string_view text, const std::vector<std::pair<std::string, std::string>>& ids,
    bool include_tests) {
  json document;
  try {
    document = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("inspector tokens: ", e.what()));
  }
  std::vector<TokenizedSubmission> submissions;
  for (const auto& [name, id] : ids) {
    if (!document.is_object() || !document.contains(name)) {
      return absl::InvalidArgumentError(absl::StrCat("inspector tokens: no module ", name));
    }
    ASSIGN_OR_RETURN(TokenizedSubmission submission,
                     ParseInspectorTokens(document[name].dump(), id, include_tests));
    submissions.push_back(std::move(submission));
  }
  return submissions;
}

std::vector<Fingerprint> Winnow(const std::vector<int>& tokens, const std::vector<bool>& excluded,
                                int k, int w) {
  std::vector<int> run = UsableRunLengths(tokens, excluded);
  // The k-grams that lie in usable runs, in order; a gap ends a sequence.
  std::vector<std::vector<Fingerprint>> sequences(1);
  for (int i = 0; i + k <= static_cast<int>(tokens.size()); ++i) {
    if (run[i] >= k) {
      sequences.back().push_back({HashRun(tokens, i, k), i});
    } else if (!sequences.back().empty()) {
      sequences.emplace_back();
    }
  }
  std::vector<Fingerprint> kept;
  for (const std::vector<Fingerprint>& grams : sequences) {
    if (grams.empty()) continue;
    int last = -1;
    int windows = std::max<int>(1, static_cast<int>(grams.size()) - w + 1);
    for (int start = 0; start < windows; ++start) {
      int end = std::min<int>(start + w, static_cast<int>(grams.size()));
      int best = start;
      for (int i = start; i < end; ++i) {
        if (grams[i].hash <= grams[best].hash) best = i;  // rightmost minimum
      }
      if (best != last) {
        kept.push_back(grams[best]);
        last = best;
      }
    }
  }
  return kept;
}

std::vector<Tile> GreedyStringTiling(const std::vector<int>& a, const std::vector<int>& b,
                                     int min_match, const std::vector<bool>& a_excluded,
                                     const std::vector<bool>& b_excluded) {
  std::vector<bool> a_marked = a_excluded.empty() ? std::vector<bool>(a.size()) : a_excluded;
  std::vector<bool> b_marked = b_excluded.empty() ? std::vector<bool>(b.size()) : b_excluded;
  std::vector<Tile> tiles;
  if (min_match < 1) min_match = 1;
  // Candidate starts in b, by the hash of their first min_match tokens (the
  // Karp-Rabin step of RKR-GST): only equal hashes are extended. Tokens never
  // change, so the index is built once; marks are checked through the runs.
  std::vector<int> b_run = UsableRunLengths(b, b_marked);
  std::unordered_map<uint64_t, std::vector<int>> b_starts;
  for (int p = 0; p < static_cast<int>(b.size()); ++p) {
    if (b_run[p] >= min_match) b_starts[HashRun(b, p, min_match)].push_back(p);
  }
  std::vector<int> a_run = UsableRunLengths(a, a_marked);
  std::vector<const std::vector<int>*> a_candidates(a.size(), nullptr);
  for (int q = 0; q < static_cast<int>(a.size()); ++q) {
    if (a_run[q] < min_match) continue;
    auto found = b_starts.find(HashRun(a, q, min_match));
    if (found != b_starts.end()) a_candidates[q] = &found->second;
  }
  for (bool first = true;; first = false) {
    if (!first) {
      a_run = UsableRunLengths(a, a_marked);
      b_run = UsableRunLengths(b, b_marked);
    }
    int longest = min_match;
    std::vector<Tile> matches;
    for (int q = 0; q < static_cast<int>(a.size()); ++q) {
      if (a_run[q] < longest || a_candidates[q] == nullptr) continue;
      for (int p : *a_candidates[q]) {
        if (b_run[p] < longest) continue;
        // A match that extends to the left is part of the one at (q-1, p-1),
        // which was longer: only left-maximal matches are measured, so each
        // round costs the length of the matches, not their square.
        if (q > 0 && p > 0 && a_run[q - 1] > 0 && b_run[p - 1] > 0 && a[q - 1] == b[p - 1]) {
          continue;
        }
        int length = 0;
        int limit = std::min(a_run[q], b_run[p]);
        while (length < limit && a[q + length] == b[p + length]) ++length;
        if (length < longest) continue;
        if (length > longest) {
          matches.clear();
          longest = length;
        }
        matches.push_back({q, p, length});
      }
    }
    if (matches.empty()) break;
    for (const Tile& match : matches) {
      bool free = true;
      for (int i = 0; i < match.length && free; ++i) {
        free = !a_marked[match.a_start + i] && !b_marked[match.b_start + i];
      }
      if (!free) continue;  // occluded by a tile of this round
      for (int i = 0; i < match.length; ++i) {
        a_marked[match.a_start + i] = true;
        b_marked[match.b_start + i] = true;
      }
      tiles.push_back(match);
    }
  }
  return tiles;
}

std::vector<PairSimilarity> CompareBatch(const std::vector<TokenizedSubmission>& submissions,
                                         const std::vector<TokenizedSubmission>& excluded,
                                         const std::vector<TokenizedSubmission>& boilerplate,
                                         const SimilarityOptions& options) {
  std::vector<Stream> boilerplate_streams;
  for (const TokenizedSubmission& code : boilerplate)
    boilerplate_streams.push_back(MakeStream(code));
  std::vector<Stream> streams;
  streams.reserve(submissions.size());
  for (const TokenizedSubmission& submission : submissions) {
    Stream stream = MakeStream(submission);
    for (const Stream& code : boilerplate_streams) {
      for (const Tile& tile :
           GreedyStringTiling(stream.tokens, code.tokens, options.min_match, stream.boilerplate)) {
        std::fill_n(stream.boilerplate.begin() + tile.a_start, tile.length, true);
      }
    }
    CountTokens(stream);
    streams.push_back(std::move(stream));
  }

  // The inverted index: fingerprint -> the submissions that have it.
  std::set<uint64_t> dropped;
  for (const TokenizedSubmission& code : excluded) {
    for (const Fingerprint& print :
         Winnow(MakeStream(code).tokens, {}, options.k, options.window)) {
      dropped.insert(print.hash);
    }
  }
  std::unordered_map<uint64_t, std::vector<int>> index;
  for (size_t s = 0; s < streams.size(); ++s) {
    std::set<uint64_t> seen;
    for (const Fingerprint& print :
         Winnow(streams[s].tokens, streams[s].boilerplate, options.k, options.window)) {
      if (!dropped.contains(print.hash) && seen.insert(print.hash).second) {
        index[print.hash].push_back(static_cast<int>(s));
      }
    }
  }
  const bool drop_common = streams.size() >= 10;
  std::map<std::pair<int, int>, int> shared;
  for (const auto& [hash, holders] : index) {
    if (drop_common && holders.size() > options.common_fraction * streams.size()) continue;
    for (size_t i = 0; i < holders.size(); ++i) {
      for (size_t j = i + 1; j < holders.size(); ++j) ++shared[{holders[i], holders[j]}];
    }
  }

  std::vector<PairSimilarity> pairs;
  for (const auto& [pair, count] : shared) {
    if (count < options.min_shared_fingerprints) continue;
    const Stream& a = streams[pair.first];
    const Stream& b = streams[pair.second];
    std::vector<Tile> tiles =
        GreedyStringTiling(a.tokens, b.tokens, options.min_match, a.boilerplate, b.boilerplate);
    PairSimilarity result;
    result.a = submissions[pair.first].id;
    result.b = submissions[pair.second].id;
    int tiled = TiledTokens(tiles);
    result.a_in_b = a.countable ? static_cast<double>(tiled) / a.countable : 0;
    result.b_in_a = b.countable ? static_cast<double>(tiled) / b.countable : 0;
    for (const Tile& tile : tiles) {
      result.longest_match = std::max(result.longest_match, tile.length);
      int a_last = tile.a_start + tile.length - 1, b_last = tile.b_start + tile.length - 1;
      result.regions.push_back({submissions[pair.first].files[a.file[tile.a_start]].path,
                                a.line[tile.a_start], a.line[a_last],
                                submissions[pair.second].files[b.file[tile.b_start]].path,
                                b.line[tile.b_start], b.line[b_last], tile.length});
    }
    pairs.push_back(std::move(result));
  }
  std::sort(pairs.begin(), pairs.end(), [](const PairSimilarity& x, const PairSimilarity& y) {
    if (x.Max() != y.Max()) return x.Max() > y.Max();
    return std::tie(x.a, x.b) < std::tie(y.a, y.b);
  });
  return pairs;
}

constexpr char kIndexFormat[] = "gograder-similarity-index-v1";

std::string SaveSimilarityIndex(const SimilarityIndex& index) {
  json submissions = json::array();
  for (size_t i = 0; i < index.submissions.size(); ++i) {
    json files = json::array();
    for (const TokenFile& file : index.submissions[i].files) {
      files.push_back({{"file", file.path}, {"kinds", file.kinds}, {"lines", file.lines}});
    }
    json sources = i < index.sources.size() ? json(index.sources[i]) : json::object();
    submissions.push_back(
        {{"id", index.submissions[i].id}, {"files", files}, {"sources", sources}});
  }
  return json{{"format", kIndexFormat}, {"exercise", index.exercise}, {"submissions", submissions}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

absl::StatusOr<SimilarityIndex> LoadSimilarityIndex(absl::string_view text) {
  SimilarityIndex index;
  try {
    json document = json::parse(text.begin(), text.end());
    if (document.value("format", "") != kIndexFormat) {
      return absl::InvalidArgumentError(
          absl::StrCat("not a similarity index (no \"format\": \"", kIndexFormat, "\")"));
    }
    index.exercise = document.at("exercise").get<std::string>();
    for (const json& item : document.at("submissions")) {
      ASSIGN_OR_RETURN(TokenizedSubmission submission,
                       ParseInspectorTokens(json{{"files", item.at("files")}}.dump(),
                                            item.at("id").get<std::string>(), true));
      index.submissions.push_back(std::move(submission));
      index.sources.push_back(
          item.value("sources", json::object()).get<std::map<std::string, std::string>>());
    }
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("similarity index: ", e.what()));
  }
  return index;
}

std::vector<std::vector<std::string>> Clusters(const std::vector<PairSimilarity>& pairs,
                                               double threshold) {
  std::map<std::string, std::string> parent;
  auto find = [&parent](std::string id) {
    while (parent[id] != id) id = parent[id] = parent[parent[id]];
    return id;
  };
  for (const PairSimilarity& pair : pairs) {
    if (pair.Max() < threshold) continue;
    for (const std::string& id : {pair.a, pair.b}) parent.try_emplace(id, id);
    std::string x = find(pair.a), y = find(pair.b);
    if (x != y) parent[std::max(x, y)] = std::min(x, y);
  }
  std::map<std::string, std::vector<std::string>> groups;
  for (const auto& [id, unused] : parent) groups[find(id)].push_back(id);
  std::vector<std::vector<std::string>> clusters;
  for (auto& [root, members] : groups) clusters.push_back(std::move(members));
  std::stable_sort(clusters.begin(), clusters.end(),
                   [](const auto& x, const auto& y) { return x.size() > y.size(); });
  return clusters;
}

}  // namespace gograder::core
