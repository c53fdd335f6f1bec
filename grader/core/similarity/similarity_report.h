// What a similarity comparison writes for teachers: pairs.csv and
// self-contained HTML pages (inline CSS, no script, no network), an index of
// clusters and pairs, and one page per suspicious pair with the two
// submissions' files side by side and the matched regions highlighted and
// linked to each other.
#ifndef GOGRADER_GRADER_CORE_SIMILARITY_SIMILARITY_REPORT_H_
#define GOGRADER_GRADER_CORE_SIMILARITY_SIMILARITY_REPORT_H_

#include <string>
#include <vector>

#include "grader/core/similarity/similarity.h"

namespace gograder::core {

// pairs.csv: a header, then one row per compared pair (a, b, a_in_b, b_in_a,
// similarity = the larger, longest_match, suspicious = 1 at or above
// `threshold`), fields quoted as RFC 4180 wants and safe to open in a spreadsheet.
std::string PairsCsv(const std::vector<PairSimilarity>& pairs, double threshold);

// The file name of the page of pairs[index] ("pair-0003.html").
std::string PairPageName(int index);

// index.html: how many submissions and pairs were compared, the clusters at
// `threshold`, and every compared pair; the first `pages` pairs (the most
// similar suspicious ones) are linked to their page.
std::string SimilarityIndexHtml(const std::string& exercise, int submissions,
                                const std::vector<PairSimilarity>& pairs,
                                const std::vector<std::vector<std::string>>& clusters,
                                double threshold, int pages);

// The page of one pair: its figures, the list of matched regions, and the
// files of both submissions that hold a match, side by side, each region's
// lines highlighted and linked to the same region on the other side.
std::string PairHtml(const std::string& exercise, const PairSimilarity& pair,
                     const SourceFiles& a_files, const SourceFiles& b_files);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_SIMILARITY_SIMILARITY_REPORT_H_
