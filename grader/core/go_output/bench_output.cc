#include "grader/core/go_output/bench_output.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grader/core/go_output/output_text.h"
#include "nlohmann/json.hpp"

namespace gograder::core {
namespace {

std::optional<BenchmarkSample> ParseResultLine(absl::string_view line) {
  const std::vector<absl::string_view> fields =
      absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  // Name, iterations, then "value unit" pairs.
  if (fields.size() < 4 || fields.size() % 2 != 0 || !IsBenchmarkName(fields[0])) {
    return std::nullopt;
  }
  BenchmarkSample sample;
  sample.name = std::string(fields[0]);
  const size_t dash = sample.name.rfind('-');
  if (dash != std::string::npos && dash + 1 < sample.name.size()) {
    int procs = 0;
    const absl::string_view suffix = absl::string_view(sample.name).substr(dash + 1);
    if (std::all_of(suffix.begin(), suffix.end(),
                    [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) &&
        absl::SimpleAtoi(suffix, &procs) && procs > 0) {
      sample.procs = procs;
      sample.name.resize(dash);
    }
  }
  if (!absl::SimpleAtoi(fields[1], &sample.iterations) || sample.iterations <= 0) {
    return std::nullopt;
  }
  bool has_ns_per_op = false;
  for (size_t i = 2; i + 1 < fields.size(); i += 2) {
    double value = 0;
    if (!absl::SimpleAtod(fields[i], &value) || !std::isfinite(value) || value < 0) {
      return std::nullopt;
    }
    const absl::string_view unit = fields[i + 1];
    if (unit == "ns/op") {
      sample.ns_per_op = value;
      has_ns_per_op = true;
    } else if (unit == "B/op") {
      sample.bytes_per_op = value;
    } else if (unit == "allocs/op") {
      sample.allocs_per_op = value;
    }
  }
  if (!has_ns_per_op) return std::nullopt;
  return sample;
}

}  // namespace

bool IsBenchmarkName(absl::string_view name) {
  if (!absl::StartsWith(name, "Benchmark")) return false;
  return name.size() == 9 || !absl::ascii_islower(static_cast<unsigned char>(name[9]));
}

std::vector<BenchmarkSample> ParseBenchmarkOutput(absl::string_view text) {
  std::vector<BenchmarkSample> samples;
  const auto read_line = [&](absl::string_view line) {
    std::optional<BenchmarkSample> sample = ParseResultLine(line);
    if (sample.has_value()) samples.push_back(std::move(*sample));
  };
  // Output of -json events not yet ended by '\n', per package.
  std::map<std::string, std::string> partial;
  for (absl::string_view line : SplitLines(text)) {
    if (!absl::StartsWith(line, "{")) {
      read_line(line);
      continue;
    }
    const nlohmann::json event = nlohmann::json::parse(line.begin(), line.end(), /*cb=*/nullptr,
                                                       /*allow_exceptions=*/false);
    if (!event.is_object() || !event.contains("Action")) {
      read_line(line);
      continue;
    }
    const auto output = event.find("Output");
    if (output == event.end() || !output->is_string()) continue;
    const auto package = event.find("Package");
    std::string& buffer =
        partial[package != event.end() && package->is_string() ? package->get<std::string>() : ""];
    const size_t searched = buffer.size();  // holds no '\n'
    buffer += output->get<std::string>();
    size_t start = 0;
    for (size_t newline = buffer.find('\n', searched); newline != std::string::npos;
         newline = buffer.find('\n', start)) {
      read_line(absl::string_view(buffer).substr(start, newline - start));
      start = newline + 1;
    }
    buffer.erase(0, start);
  }
  for (const auto& [package, rest] : partial) {
    if (!rest.empty()) read_line(rest);
  }
  return samples;
}

absl::StatusOr<double> MedianNsPerOp(const std::vector<BenchmarkSample>& samples,
                                     absl::string_view name) {
  std::vector<double> values;
  for (const BenchmarkSample& sample : samples) {
    if (sample.name == name) values.push_back(sample.ns_per_op);
  }
  if (values.empty()) return absl::NotFoundError(absl::StrCat("no result for benchmark ", name));
  std::sort(values.begin(), values.end());
  const size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2;
}

}  // namespace gograder::core
