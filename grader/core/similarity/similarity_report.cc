#include "grader/core/similarity/similarity_report.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "grader/core/gradebook/csv.h"
#include "grader/core/gradebook/html.h"

namespace gograder::core {
namespace {

std::string Percent(double share) { return absl::StrFormat("%.0f%%", 100 * share); }

constexpr char kStyle[] = R"css(
body{font:15px/1.45 system-ui,sans-serif;margin:0;padding:12px;color:#1b1b1b;background:#fff}
h1{font-size:1.3em;margin:.2em 0 .6em}h2{font-size:1.1em;margin:1.2em 0 .4em}
table{border-collapse:collapse;width:100%;font-size:.95em}
th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{overflow-x:auto}
tr.suspicious td{background:#fff1f0}
.bar{display:inline-block;height:.7em;background:#c0392b;vertical-align:middle;margin-right:4px}
.cluster{margin:.3em 0;padding:.4em .6em;border-left:4px solid #c0392b;background:#fafafa}
.sides{display:flex;flex-wrap:wrap;gap:12px}
.side{flex:1 1 420px;min-width:0}
.file{margin:0 0 12px}.file h3{font-size:.95em;margin:.3em 0;word-break:break-all}
pre{margin:0;overflow-x:auto;font:12.5px/1.4 ui-monospace,monospace;background:#f7f7f7;padding:6px}
.l{display:block;white-space:pre}.ln{color:#888;display:inline-block;width:3.5em;user-select:none}
.m0{background:#ffe0b2}.m1{background:#c8e6c9}.m2{background:#bbdefb}.m3{background:#f8bbd0}
.m4{background:#d1c4e9}.m5{background:#fff59d}.m6{background:#b2dfdb}.m7{background:#ffccbc}
a.jump{text-decoration:none;font-weight:bold;margin-left:.4em}
@media (max-width:600px){body{padding:6px}th,td{padding:3px}}
)css";

std::string Page(const std::string& title, const std::string& body) {
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">"
      "<title>",
      HtmlEscape(title), "</title><style>", kStyle, "</style></head><body>\n", body,
      "</body></html>\n");
}

// The index of the region that covers `line` of `file` on one side, or -1
// (the first region listed wins where two overlap).
int RegionAt(const PairSimilarity& pair, bool a_side, const std::string& file, int line) {
  for (size_t i = 0; i < pair.regions.size(); ++i) {
    const MatchedRegion& region = pair.regions[i];
    const std::string& region_file = a_side ? region.a_file : region.b_file;
    int first = a_side ? region.a_first_line : region.b_first_line;
    int last = a_side ? region.a_last_line : region.b_last_line;
    if (region_file == file && line >= first && line <= last) return static_cast<int>(i);
  }
  return -1;
}

// One side of a pair page: each file holding a match, its lines numbered and
// each region's lines marked; a region's first line links to the other side.
std::string Side(const PairSimilarity& pair, bool a_side, const SourceFiles& files) {
  const std::string& id = a_side ? pair.a : pair.b;
  const char* self = a_side ? "a" : "b";
  const char* other = a_side ? "b" : "a";
  std::set<std::string> matched;
  for (const MatchedRegion& region : pair.regions)
    matched.insert(a_side ? region.a_file : region.b_file);
  std::string out = absl::StrCat("<div class=\"side\"><h2>", HtmlEscape(id), "</h2>\n");
  for (const auto& [path, content] : files) {
    if (!matched.contains(path)) continue;
    absl::StrAppend(&out, "<div class=\"file\"><h3>", HtmlEscape(path), "</h3><pre>");
    std::set<int> anchored;
    int number = 0;
    for (absl::string_view line : absl::StrSplit(content, '\n')) {
      ++number;
      int region = RegionAt(pair, a_side, path, number);
      std::string attributes = region < 0 ? "" : absl::StrCat(" class=\"m", region % 8, "\"");
      std::string jump;
      if (region >= 0 && anchored.insert(region).second) {
        absl::StrAppend(&attributes, " id=\"", self, region, "\"");
        jump = absl::StrCat("<a class=\"jump\" href=\"#", other, region, "\" title=\"region ",
                            region + 1, " in ", HtmlEscape(a_side ? pair.b : pair.a), "\">&#8646;",
                            region + 1, "</a>");
      }
      absl::StrAppend(&out, "<span class=\"l\"", attributes, "><span class=\"ln\">", number,
                      "</span>", HtmlEscape(line), jump, "</span>");
    }
    absl::StrAppend(&out, "</pre></div>\n");
  }
  absl::StrAppend(&out, "</div>\n");
  return out;
}

}  // namespace

std::string PairsCsv(const std::vector<PairSimilarity>& pairs, double threshold) {
  std::string out = "a,b,a_in_b,b_in_a,similarity,longest_match,suspicious\n";
  for (const PairSimilarity& pair : pairs) {
    absl::StrAppend(&out, SpreadsheetSafeCsvField(pair.a), ",", SpreadsheetSafeCsvField(pair.b),
                    absl::StrFormat(",%.4f,%.4f,%.4f,%d,%d\n", pair.a_in_b, pair.b_in_a, pair.Max(),
                                    pair.longest_match, pair.Max() >= threshold));
  }
  return out;
}

std::string PairPageName(int index) { return absl::StrFormat("pair-%04d.html", index + 1); }

std::string SimilarityIndexHtml(const std::string& exercise, int submissions,
                                const std::vector<PairSimilarity>& pairs,
                                const std::vector<std::vector<std::string>>& clusters,
                                double threshold, int pages) {
  int suspicious = 0;
  for (const PairSimilarity& pair : pairs) suspicious += pair.Max() >= threshold;
  std::string body = absl::StrCat(
      "<h1>Similarity: ", HtmlEscape(exercise), "</h1>\n<p id=\"summary\">", submissions,
      " submissions, ", pairs.size(), " pairs compared, <strong>", suspicious,
      "</strong> at or above ", Percent(threshold), " (starter code excluded).",
      pages < suspicious ? absl::StrCat(" Pages for the ", pages, " most similar.") : "", "</p>\n");
  absl::StrAppend(&body, "<h2>Clusters</h2>\n");
  if (clusters.empty()) absl::StrAppend(&body, "<p>None.</p>\n");
  for (size_t i = 0; i < clusters.size(); ++i) {
    std::vector<std::string> names;
    for (const std::string& id : clusters[i]) names.push_back(HtmlEscape(id));
    absl::StrAppend(&body, "<div class=\"cluster\"><strong>Cluster ", i + 1, "</strong> (",
                    clusters[i].size(), "): ", absl::StrJoin(names, ", "), "</div>\n");
  }
  absl::StrAppend(&body,
                  "<h2>Pairs</h2>\n<div class=\"scroll\"><table id=\"pairs\"><thead><tr>"
                  "<th>A</th><th>B</th><th>Similarity</th><th>A in B</th><th>B in A</th>"
                  "<th>Longest (tokens)</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < pairs.size(); ++i) {
    const PairSimilarity& pair = pairs[i];
    bool flagged = pair.Max() >= threshold;
    std::string a = HtmlEscape(pair.a), b = HtmlEscape(pair.b);
    if (flagged && static_cast<int>(i) < pages) {
      a = absl::StrCat("<a href=\"", PairPageName(static_cast<int>(i)), "\">", a, "</a>");
    }
    absl::StrAppend(&body, "<tr", flagged ? " class=\"suspicious\"" : "", "><td>", a, "</td><td>",
                    b, "</td><td class=\"n\"><span class=\"bar\" style=\"width:",
                    static_cast<int>(40 * pair.Max()), "px\"></span>", Percent(pair.Max()),
                    "</td><td class=\"n\">", Percent(pair.a_in_b), "</td><td class=\"n\">",
                    Percent(pair.b_in_a), "</td><td class=\"n\">", pair.longest_match,
                    "</td></tr>\n");
  }
  absl::StrAppend(&body, "</tbody></table></div>\n");
  return Page(absl::StrCat("Similarity: ", exercise), body);
}

std::string PairHtml(const std::string& exercise, const PairSimilarity& pair,
                     const SourceFiles& a_files, const SourceFiles& b_files) {
  std::string a = HtmlEscape(pair.a), b = HtmlEscape(pair.b);
  std::string body = absl::StrCat(
      "<p><a href=\"index.html\">&larr; all pairs</a></p><h1>", a, " &harr; ", b, "</h1>\n",
      "<p id=\"figures\">", Percent(pair.a_in_b), " of ", a, " matches ", b, "; ",
      Percent(pair.b_in_a), " of ", b, " matches ", a, "; longest match ", pair.longest_match,
      " tokens (", HtmlEscape(exercise), ", starter code excluded).</p>\n",
      "<h2>Matched regions</h2>\n<table id=\"regions\"><thead><tr><th>#</th><th>", a, "</th><th>",
      b, "</th><th>Tokens</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < pair.regions.size(); ++i) {
    const MatchedRegion& region = pair.regions[i];
    absl::StrAppend(&body, "<tr><td class=\"m", i % 8, "\">", i + 1, "</td><td><a href=\"#a", i,
                    "\">", HtmlEscape(region.a_file), ":", region.a_first_line, "-",
                    region.a_last_line, "</a></td><td><a href=\"#b", i, "\">",
                    HtmlEscape(region.b_file), ":", region.b_first_line, "-", region.b_last_line,
                    "</a></td><td class=\"n\">", region.tokens, "</td></tr>\n");
  }
  absl::StrAppend(&body, "</tbody></table>\n<div class=\"sides\">\n", Side(pair, true, a_files),
                  Side(pair, false, b_files), "</div>\n");
  return Page(absl::StrCat(pair.a, " and ", pair.b, ": ", exercise), body);
}

}  // namespace gograder::core
