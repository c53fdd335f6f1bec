#include "grader/core/gradebook/class_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "grader/core/gradebook/distribution.h"
#include "grader/core/gradebook/html.h"
#include "grader/core/render/render_internal.h"
#include "proto/gograder/v1/report.pb.h"

namespace gograder::core {
namespace {

using gograder::v1::Annotation;
using gograder::v1::CriterionResult;
using gograder::v1::Exercise;
using gograder::v1::GradeReport;
using gograder::v1::StepRun;
using gograder::v1::TestResult;
using render_internal::FormatPoints;

constexpr int kHistogramBins = 10;
constexpr int kTopAnalyzers = 10;
constexpr size_t kCommitShown = 10;

constexpr char kStyle[] = R"css(
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;padding:12px;max-width:960px;color:#1b1b1b;background:#fff}
h1{font-size:1.3em;margin:.2em 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}h3{font-size:1em}
.meta,.note{color:#555;font-size:.9em;margin:.2em 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95em}
th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:middle}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.plot{min-width:140px;width:35%}
svg{display:block;width:100%;height:auto}#histogram svg{max-width:640px}
.figures{display:flex;flex-wrap:wrap;gap:8px;margin:0;padding:0}
.figures div{flex:1 1 120px;border:1px solid #ddd;border-radius:4px;padding:6px 8px}
.figures dt{font-size:.85em;color:#555}.figures dd{margin:0;font-size:1.25em;font-variant-numeric:tabular-nums}
tr.none-pass td{background:#fff1f0}tr.all-pass td{background:#f0faf2}
.mark{font-size:.85em;color:#555;margin-left:.4em}
.status-graded{color:#1e7b34}.status-build_failed{color:#b03a2e}
.status-grading_failed{color:#8a6d00}.status-missing{color:#777}
ul.flags{margin:.2em 0;padding-left:1.2em}
@media (max-width:600px){body{padding:6px}th,td{padding:3px}}
)css";

// The students with a score, and their reports.
std::vector<const GradeReport*> ScoredReports(const std::vector<GradebookRow>& rows) {
  std::vector<const GradeReport*> reports;
  for (const GradebookRow& row : rows) {
    if (HasScore(row)) reports.push_back(&*row.report);
  }
  return reports;
}

// "67%" of part/whole; "-" when whole is 0.
std::string Share(int part, int whole) {
  if (whole == 0) return "-";
  return absl::StrFormat("%.0f%%", 100.0 * part / whole);
}

// A number for the tables: FormatPoints, or "-" when there was nothing to measure.
std::string Figure(double value, int count) { return count == 0 ? "-" : FormatPoints(value); }

std::string Cell(absl::string_view text) { return absl::StrCat("<td>", text, "</td>"); }
std::string NumberCell(absl::string_view text) {
  return absl::StrCat("<td class=\"n\">", text, "</td>");
}

std::string Section(absl::string_view id, absl::string_view heading, absl::string_view body) {
  return absl::StrCat("<section id=\"", id, "\"><h2>", heading, "</h2>\n", body, "</section>\n");
}

// A table in a sideways-scrolling wrapper; `numeric` marks right-aligned columns.
std::string Table(const std::vector<std::string>& headings, const std::vector<bool>& numeric,
                  absl::string_view body_rows) {
  std::string out = "<div class=\"scroll\"><table><thead><tr>";
  for (size_t i = 0; i < headings.size(); ++i) {
    absl::StrAppend(&out, i < numeric.size() && numeric[i] ? "<th class=\"n\">" : "<th>",
                    headings[i], "</th>");
  }
  absl::StrAppend(&out, "</tr></thead><tbody>\n", body_rows, "</tbody></table></div>\n");
  return out;
}

// Where `value` falls on a scale of [0, scale_max] drawn `width` units wide.
double ScaleX(double value, double scale_max, double width) {
  if (scale_max <= 0) return 0;
  return std::clamp(value / scale_max, 0.0, 1.0) * width;
}

// An SVG line from (x1, y1) to (x2, y2) drawn with `attributes`.
std::string SvgLine(double x1, double x2, double y1, double y2, absl::string_view attributes) {
  return absl::StrFormat("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" %s/>", x1, x2, y1,
                         y2, attributes);
}

// A box plot of `d` on [0, scale_max]: whiskers from min to max, a box from
// the first to the third quartile, the median as a bar; `mark` > 0 draws a
// dashed reference line there. `label` is HTML already.
std::string BoxPlotSvg(const Distribution& d, double scale_max, absl::string_view label,
                       double mark = 0) {
  constexpr double kWidth = 200, kHeight = 24;
  const auto x = [&](double value) { return ScaleX(value, scale_max, kWidth); };
  std::string out = absl::StrFormat(
      "<svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" aria-label=\"%s\">"
      "<title>%s</title><rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#f4f4f4\"/>",
      kWidth, kHeight, label, label, kWidth, kHeight);
  if (mark > 0 && mark <= scale_max) {
    absl::StrAppend(
        &out, SvgLine(x(mark), x(mark), 0, kHeight, "stroke=\"#888\" stroke-dasharray=\"2 2\""));
  }
  if (d.count > 0) {
    constexpr absl::string_view kWhisker = "stroke=\"#555\"";
    absl::StrAppend(&out, SvgLine(x(d.min), x(d.max), 12, 12, kWhisker),
                    SvgLine(x(d.min), x(d.min), 6, 18, kWhisker),
                    SvgLine(x(d.max), x(d.max), 6, 18, kWhisker));
    absl::StrAppendFormat(&out,
                          "<rect x=\"%.1f\" y=\"4\" width=\"%.1f\" height=\"16\" fill=\"#9ecae1\" "
                          "stroke=\"#3182bd\"/>",
                          x(d.p25), std::max(1.0, x(d.p75) - x(d.p25)));
    absl::StrAppend(
        &out, SvgLine(x(d.median), x(d.median), 4, 20, "stroke=\"#08306b\" stroke-width=\"2\""));
  }
  return out + "</svg>";
}

// --- Sections ------------------------------------------------------------------

std::string SummarySection(const Exercise& exercise, const std::vector<GradebookRow>& rows) {
  std::map<GradebookStatus, int> counts;
  for (const GradebookRow& row : rows) ++counts[StatusOf(row)];
  std::vector<double> scores;
  for (const GradeReport* report : ScoredReports(rows)) scores.push_back(report->score());
  const Distribution d = Summarize(scores);
  const auto figure = [](absl::string_view name, absl::string_view value) {
    return absl::StrCat("<div><dt>", name, "</dt><dd>", value, "</dd></div>");
  };
  std::string body =
      absl::StrCat("<dl class=\"figures\">", figure("Students", absl::StrCat(rows.size())),
                   figure("Graded", absl::StrCat(counts[GradebookStatus::kGraded])),
                   figure("Build failed", absl::StrCat(counts[GradebookStatus::kBuildFailed])),
                   figure("Grading failed", absl::StrCat(counts[GradebookStatus::kGradingFailed])),
                   figure("Missing", absl::StrCat(counts[GradebookStatus::kMissing])),
                   figure("Mean score", Figure(d.mean, d.count)),
                   figure("Median score", Figure(d.median, d.count)),
                   figure("Max score", FormatPoints(ExerciseMaxScore(exercise))), "</dl>\n");
  absl::StrAppend(&body, "<p class=\"note\">Mean and median over the ", d.count,
                  " students with a score (a failed build scores too; a grading that failed on "
                  "our side does not).</p>\n");
  return Section("summary", "Summary", body);
}

std::string HistogramSection(const Exercise& exercise, const std::vector<GradebookRow>& rows) {
  double max_score = ExerciseMaxScore(exercise);
  std::vector<const GradeReport*> reports = ScoredReports(rows);
  if (max_score <= 0) {
    for (const GradeReport* report : reports) max_score = std::max(max_score, report->score());
  }
  if (max_score <= 0) max_score = 1;
  const double bin_width = max_score / kHistogramBins;
  std::vector<int> bins(kHistogramBins, 0);
  for (const GradeReport* report : reports) {
    // The epsilon keeps a score on a bin's edge (20 of 100) in the bin it starts.
    const int bin = static_cast<int>(std::floor(report->score() / bin_width + 1e-9));
    ++bins[std::clamp(bin, 0, kHistogramBins - 1)];
  }
  const int tallest = std::max(1, *std::max_element(bins.begin(), bins.end()));
  constexpr double kBarWidth = 36, kGap = 4, kLeft = 10, kTop = 18, kPlotHeight = 120;
  const double width = kLeft * 2 + kHistogramBins * (kBarWidth + kGap);
  std::string svg = absl::StrFormat(
      "<svg viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" aria-label=\"Scores of %d "
      "students in %d bins of %s points\">",
      width, kTop + kPlotHeight + 22, reports.size(), kHistogramBins, FormatPoints(bin_width));
  for (int i = 0; i < kHistogramBins; ++i) {
    const double x = kLeft + i * (kBarWidth + kGap);
    const double height = kPlotHeight * bins[i] / tallest;
    const std::string range =
        absl::StrCat(FormatPoints(i * bin_width), "-", FormatPoints((i + 1) * bin_width));
    absl::StrAppendFormat(
        &svg,
        "<g class=\"bin\"><title>%s: %d student%s</title>"
        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" fill=\"#3182bd\"/>"
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\">%d</text>"
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\" "
        "fill=\"#555\">%s</text></g>",
        range, bins[i], bins[i] == 1 ? "" : "s", x, kTop + kPlotHeight - height, kBarWidth, height,
        x + kBarWidth / 2, kTop + kPlotHeight - height - 4, bins[i], x + kBarWidth / 2,
        kTop + kPlotHeight + 14, range);
  }
  absl::StrAppend(&svg, "</svg>\n");
  return Section("histogram", "Scores", svg);
}

std::string CriteriaSection(const Exercise& exercise, const std::vector<GradebookRow>& rows) {
  const std::vector<const GradeReport*> reports = ScoredReports(rows);
  std::string body_rows;
  for (const gograder::v1::Criterion& criterion : exercise.criteria()) {
    std::vector<double> earned;
    int full = 0;
    for (const GradeReport* report : reports) {
      for (const CriterionResult& result : report->criteria()) {
        if (result.id() != criterion.id()) continue;
        earned.push_back(result.points());
        full += result.points() >= criterion.points();
      }
    }
    const Distribution d = Summarize(earned);
    const double scale = criterion.points();
    std::string plot = absl::StrFormat(
        "<svg viewBox=\"0 0 200 16\" width=\"100%%\" role=\"img\" aria-label=\"mean %s of %s\">"
        "<title>mean %s, min %s, max %s of %s</title>"
        "<rect x=\"0\" y=\"2\" width=\"200\" height=\"12\" fill=\"#eee\"/>",
        Figure(d.mean, d.count), FormatPoints(scale), Figure(d.mean, d.count),
        Figure(d.min, d.count), Figure(d.max, d.count), FormatPoints(scale));
    if (d.count > 0) {
      const auto x = [scale](double value) { return ScaleX(value, scale, 200); };
      constexpr absl::string_view kSpread = "stroke=\"#08306b\"";
      absl::StrAppend(
          &plot,
          absl::StrFormat("<rect x=\"0\" y=\"4\" width=\"%.1f\" height=\"8\" fill=\"#3182bd\"/>",
                          x(d.mean)),
          SvgLine(x(d.min), x(d.max), 8, 8, kSpread), SvgLine(x(d.min), x(d.min), 2, 14, kSpread),
          SvgLine(x(d.max), x(d.max), 2, 14, kSpread));
    }
    absl::StrAppend(&plot, "</svg>");
    absl::StrAppend(&body_rows, "<tr>", Cell(HtmlEscape(criterion.id())),
                    Cell(HtmlEscape(criterion.title())),
                    NumberCell(FormatPoints(criterion.points())),
                    NumberCell(Figure(d.mean, d.count)), NumberCell(Figure(d.min, d.count)),
                    NumberCell(Figure(d.median, d.count)), NumberCell(Figure(d.max, d.count)),
                    NumberCell(Share(full, d.count)), "<td class=\"plot\">", plot, "</td></tr>\n");
  }
  return Section("criteria", "Criteria",
                 Table({"Criterion", "Title", "Max", "Mean", "Min", "Median", "Max earned",
                        "Full marks", "Mean and spread"},
                       {false, false, true, true, true, true, true, true, false}, body_rows));
}

std::string TestsSection(const std::vector<GradebookRow>& rows) {
  struct Tally {
    int passed = 0;
    int reported = 0;
  };
  std::map<std::string, Tally> tallies;
  for (const GradeReport* report : ScoredReports(rows)) {
    std::set<std::string> seen;  // a test counts once per student
    for (const TestResult& test : report->tests()) {
      if (!seen.insert(test.name()).second) continue;
      Tally& tally = tallies[test.name()];
      ++tally.reported;
      tally.passed += test.status() == TestResult::PASSED;
    }
  }
  std::vector<std::pair<std::string, Tally>> sorted(tallies.begin(), tallies.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return static_cast<double>(a.second.passed) / a.second.reported <
           static_cast<double>(b.second.passed) / b.second.reported;
  });
  std::string body_rows;
  for (const auto& [name, tally] : sorted) {
    std::string row_class, mark;
    if (tally.passed == 0) {
      row_class = " class=\"none-pass\"";
      mark = "<span class=\"mark\">nobody passes</span>";
    } else if (tally.passed == tally.reported) {
      row_class = " class=\"all-pass\"";
      mark = "<span class=\"mark\">everyone passes</span>";
    }
    absl::StrAppend(&body_rows, "<tr", row_class, ">", Cell(absl::StrCat(HtmlEscape(name), mark)),
                    NumberCell(absl::StrCat(tally.passed)),
                    NumberCell(absl::StrCat(tally.reported)),
                    NumberCell(Share(tally.passed, tally.reported)), "</tr>\n");
  }
  std::string body = sorted.empty() ? "<p>No hidden test results.</p>\n"
                                    : Table({"Hidden test", "Passed", "Reported", "Pass rate"},
                                            {false, true, true, true}, body_rows);
  return Section("tests", "Hidden tests (hardest first)", body);
}

// A table of distributions with a box plot per row, each on its own scale
// [0, max(max, reference)]; values are shown by `format`.
template <typename Format>
std::string DistributionTable(absl::string_view first_heading,
                              const std::vector<std::pair<std::string, Distribution>>& rows,
                              Format format, double reference) {
  std::string body_rows;
  for (const auto& [name, d] : rows) {
    const std::string label = absl::StrCat(name, ": min ", format(d.min), ", median ",
                                           format(d.median), ", max ", format(d.max));
    absl::StrAppend(&body_rows, "<tr>", Cell(name), NumberCell(absl::StrCat(d.count)),
                    NumberCell(format(d.min)), NumberCell(format(d.p25)),
                    NumberCell(format(d.median)), NumberCell(format(d.p75)),
                    NumberCell(format(d.max)), "<td class=\"plot\">",
                    BoxPlotSvg(d, std::max(d.max, reference), label, reference), "</td></tr>\n");
  }
  return Table({std::string(first_heading), "Students", "Min", "P25", "Median", "P75", "Max",
                "Distribution"},
               {false, true, true, true, true, true, true, false}, body_rows);
}

std::string StepsSection(const std::vector<GradebookRow>& rows) {
  std::map<int, std::vector<double>> seconds_by_step;  // Step -> per student
  for (const GradeReport* report : ScoredReports(rows)) {
    std::map<int, double> sums;
    for (const StepRun& run : report->steps()) sums[run.step()] += run.wall_time_us() / 1e6;
    for (const auto& [step, seconds] : sums) seconds_by_step[step].push_back(seconds);
  }
  std::vector<std::pair<std::string, Distribution>> table;
  for (const auto& [step, seconds] : seconds_by_step) {
    table.emplace_back(HtmlEscape(render_internal::StepName(step)), Summarize(seconds));
  }
  const std::string body =
      table.empty()
          ? "<p>No steps recorded.</p>\n"
          : absl::StrCat(
                "<p class=\"note\">Wall time per student: the sum of the "
                "step's runs.</p>\n",
                DistributionTable(
                    "Step", table,
                    [](double seconds) { return render_internal::FormatSeconds(seconds); }, 0));
  return Section("steps", "Sandbox steps", body);
}

std::string BenchmarksSection(const Exercise& exercise, const std::vector<GradebookRow>& rows) {
  std::map<std::string, std::vector<double>> ratios;  // criterion id -> per student
  for (const GradeReport* report : ScoredReports(rows)) {
    for (const CriterionResult& criterion : report->criteria()) {
      if (criterion.ratio() > 0) ratios[criterion.id()].push_back(criterion.ratio());
    }
  }
  // Rubric order first, then any the rubric does not name.
  std::vector<std::string> order;
  for (const gograder::v1::Criterion& criterion : exercise.criteria()) {
    if (ratios.contains(criterion.id())) order.push_back(criterion.id());
  }
  for (const auto& [id, values] : ratios) {
    if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
  }
  std::vector<std::pair<std::string, Distribution>> table;
  for (const std::string& id : order) table.emplace_back(HtmlEscape(id), Summarize(ratios[id]));
  const std::string body =
      table.empty() ? "<p>No benchmark results.</p>\n"
                    : absl::StrCat(
                          "<p class=\"note\">Student time per operation over the reference's "
                          "(1 = as fast; the dashed line).</p>\n",
                          DistributionTable(
                              "Benchmark", table,
                              [](double ratio) { return absl::StrFormat("%.2fx", ratio); }, 1));
  return Section("benchmarks", "Benchmarks", body);
}

std::string FindingsSection(const std::vector<GradebookRow>& rows) {
  struct Count {
    int findings = 0;
    int students = 0;
  };
  Count vet, gofmt;
  std::map<std::string, Count> analyzers;
  for (const GradeReport* report : ScoredReports(rows)) {
    int vet_here = 0, gofmt_here = 0;
    std::set<std::string> analyzers_here;
    for (const Annotation& annotation : report->annotations()) {
      const std::string& source = annotation.source();
      if (absl::StartsWith(source, "vet")) {
        ++vet_here;
        // "vet:copylocks" -> "copylocks".
        const size_t colon = source.find(':');
        const std::string name = colon == std::string::npos || colon + 1 == source.size()
                                     ? "(unnamed)"
                                     : source.substr(colon + 1);
        ++analyzers[name].findings;
        analyzers_here.insert(name);
      } else if (source == "gofmt") {
        ++gofmt_here;
      }
    }
    vet.findings += vet_here;
    vet.students += vet_here > 0;
    gofmt.findings += gofmt_here;
    gofmt.students += gofmt_here > 0;
    for (const std::string& name : analyzers_here) ++analyzers[name].students;
  }
  std::string body =
      Table({"Tool", "Findings", "Students with any"}, {false, true, true},
            absl::StrCat("<tr>", Cell("go vet"), NumberCell(absl::StrCat(vet.findings)),
                         NumberCell(absl::StrCat(vet.students)), "</tr>\n<tr>", Cell("gofmt"),
                         NumberCell(absl::StrCat(gofmt.findings)),
                         NumberCell(absl::StrCat(gofmt.students)), "</tr>\n"));
  std::vector<std::pair<std::string, Count>> frequent(analyzers.begin(), analyzers.end());
  std::stable_sort(frequent.begin(), frequent.end(), [](const auto& a, const auto& b) {
    return a.second.findings > b.second.findings;
  });
  if (frequent.size() > kTopAnalyzers) frequent.resize(kTopAnalyzers);
  if (!frequent.empty()) {
    std::string analyzer_rows;
    for (const auto& [name, count] : frequent) {
      absl::StrAppend(&analyzer_rows, "<tr>", Cell(HtmlEscape(name)),
                      NumberCell(absl::StrCat(count.findings)),
                      NumberCell(absl::StrCat(count.students)), "</tr>\n");
    }
    absl::StrAppend(
        &body, "<h3>Most frequent vet analyzers</h3>\n",
        Table({"Analyzer", "Findings", "Students"}, {false, true, true}, analyzer_rows));
  }
  return Section("findings", "Findings", body);
}

std::string FlaggedSection(const std::vector<const GradebookRow*>& by_id) {
  std::string items;
  for (const GradebookRow* row : by_id) {
    if (!row->report || row->report->flags_size() == 0) continue;
    absl::StrAppend(&items, "<li><a href=\"#student-", HtmlEscape(row->student_id), "\">",
                    HtmlEscape(row->student_id), "</a><ul class=\"flags\">");
    for (const std::string& flag : row->report->flags()) {
      absl::StrAppend(&items, "<li>", HtmlEscape(flag), "</li>");
    }
    absl::StrAppend(&items, "</ul></li>\n");
  }
  return Section("flagged", "Flagged submissions",
                 items.empty() ? "<p>None.</p>\n" : absl::StrCat("<ul>\n", items, "</ul>\n"));
}

// True for a link we may put in href: a relative URL, no scheme.
bool IsRelativeLink(absl::string_view link) {
  const size_t colon = link.find(':');
  return colon == absl::string_view::npos || link.find_first_of("/?#") < colon;
}

std::string StudentsSection(const std::vector<const GradebookRow*>& by_id) {
  std::string body_rows;
  for (const GradebookRow* row : by_id) {
    const std::string status(StatusName(StatusOf(*row)));
    const std::string id = HtmlEscape(row->student_id);
    std::string name = id;
    if (!row->report_link.empty() && IsRelativeLink(row->report_link)) {
      name = absl::StrCat("<a href=\"", HtmlEscape(row->report_link), "\">", id, "</a>");
    }
    std::string score = "-", penalty;
    if (HasScore(*row)) {
      score = absl::StrCat(FormatPoints(row->report->score()), " / ",
                           FormatPoints(row->report->max_score()));
      if (row->report->has_late() && row->report->late().points() > 0) {
        penalty = absl::StrCat("-", FormatPoints(row->report->late().points()));
      }
    }
    absl::StrAppend(&body_rows, "<tr id=\"student-", id, "\">", Cell(name),
                    absl::StrCat("<td class=\"status-", status, "\">", status, "</td>"),
                    NumberCell(score), NumberCell(penalty), Cell(HtmlEscape(row->submitted_at)),
                    absl::StrCat("<td title=\"", HtmlEscape(row->commit), "\"><code>",
                                 HtmlEscape(row->commit.substr(0, kCommitShown)), "</code></td>"),
                    "</tr>\n");
  }
  return Section("students", "Students",
                 Table({"Student", "Status", "Score", "Late penalty", "Submitted at", "Commit"},
                       {false, false, true, true, false, false}, body_rows));
}

}  // namespace

std::string ClassReportHtml(const Exercise& exercise, const std::vector<GradebookRow>& rows,
                            const ClassReportOptions& options) {
  const std::string title =
      options.title.empty() ? absl::StrCat("Class report: ", exercise.id()) : options.title;
  std::vector<const GradebookRow*> by_id;
  for (const GradebookRow& row : rows) by_id.push_back(&row);
  std::stable_sort(by_id.begin(), by_id.end(), [](const GradebookRow* a, const GradebookRow* b) {
    return a->student_id < b->student_id;
  });
  std::string meta = HtmlEscape(exercise.id());
  if (!exercise.title().empty()) absl::StrAppend(&meta, ": ", HtmlEscape(exercise.title()));
  if (!options.generated_at.empty()) {
    absl::StrAppend(&meta, " &middot; generated ", HtmlEscape(options.generated_at));
  }
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">\n<title>",
      HtmlEscape(title), "</title>\n<style>", kStyle, "</style></head>\n<body>\n<h1>",
      HtmlEscape(title), "</h1>\n<p class=\"meta\">", meta, "</p>\n",
      SummarySection(exercise, rows), HistogramSection(exercise, rows),
      CriteriaSection(exercise, rows), TestsSection(rows), StepsSection(rows),
      BenchmarksSection(exercise, rows), FindingsSection(rows), FlaggedSection(by_id),
      StudentsSection(by_id), "</body></html>\n");
}

}  // namespace gograder::core
