#include "grader/core/gradebook/distribution.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace gograder::core {
namespace {

// The q-quantile (0 <= q <= 1) of sorted, non-empty `values`.
double Quantile(const std::vector<double>& sorted, double q) {
  const double rank = q * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(rank));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (rank - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

}  // namespace

Distribution Summarize(std::vector<double> values) {
  Distribution out;
  if (values.empty()) return out;
  std::sort(values.begin(), values.end());
  out.count = static_cast<int>(values.size());
  out.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(out.count);
  out.min = values.front();
  out.p25 = Quantile(values, 0.25);
  out.median = Quantile(values, 0.5);
  out.p75 = Quantile(values, 0.75);
  out.max = values.back();
  return out;
}

}  // namespace gograder::core
