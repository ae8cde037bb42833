#pragma once
// A deterministic Nelder-Mead minimizer for the customer models' small likelihoods (3-4 log
// parameters). Uses only +, -, * and / on the points, so it walks the same path on every platform
// when the objective is portable.

#include <cstdint>
#include <functional>
#include <vector>

namespace shelfcast::detail {

/// Settings of one minimization.
struct NelderMeadOptions {
  double initial_step = 0.5;        ///< simplex edge around the start (in the parameters' units)
  int32_t max_evaluations = 20000;  ///< per run
  int32_t restarts = 3;             ///< fresh simplexes around the best point after convergence
  double tolerance = 1e-10;         ///< stop when f_max - f_min <= tolerance * (1 + |f_min|)
  double bound = 15.0;              ///< |x_i| > bound evaluates to +infinity
};

/// Where the search ended.
struct NelderMeadResult {
  std::vector<double> x;
  double f = 0.0;
  int32_t evaluations = 0;
  bool converged = false;  ///< the last run met the tolerance before max_evaluations
};

/// Minimizes f from x0 (non-finite values count as +infinity).
NelderMeadResult nelder_mead(const std::function<double(const std::vector<double>&)>& f,
                             const std::vector<double>& x0, const NelderMeadOptions& options);

}  // namespace shelfcast::detail
