#pragma once
// Standard normal distribution functions used by interval and safety-stock code.

namespace shelfcast::detail {

/// Inverse of the standard normal CDF, Wichura (1988) AS 241 PPND16, relative error ~1e-16.
/// p must lie in (0, 1); returns NaN otherwise.
double normal_quantile(double p);

/// Standard normal CDF via erfc.
double normal_cdf(double x);

}  // namespace shelfcast::detail
