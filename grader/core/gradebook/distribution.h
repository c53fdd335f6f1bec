// The shape of a sample of numbers (scores, times, ratios) as the class
// report shows it: count, mean and the five numbers of a box plot.
#ifndef GOGRADER_GRADER_CORE_GRADEBOOK_DISTRIBUTION_H_
#define GOGRADER_GRADER_CORE_GRADEBOOK_DISTRIBUTION_H_

#include <vector>

namespace gograder::core {

struct Distribution {
  int count = 0;
  double mean = 0;
  double min = 0;
  double p25 = 0;
  double median = 0;
  double p75 = 0;
  double max = 0;
};

// The distribution of `values`; every figure 0 when there are none.
// Quartiles interpolate linearly between the closest ranks (as R's and
// NumPy's defaults do): the median of {1, 2, 3, 4} is 2.5.
Distribution Summarize(std::vector<double> values);

}  // namespace gograder::core

#endif  // GOGRADER_GRADER_CORE_GRADEBOOK_DISTRIBUTION_H_
