#include "detail/gaussian.h"

#include <cstddef>

namespace shelfcast::detail {

Eigen::VectorXd condition_gaussian(const Eigen::VectorXd& mean, const Eigen::MatrixXd& cov,
                                   const std::vector<int>& given, const Eigen::VectorXd& values) {
  const auto ng = static_cast<Eigen::Index>(given.size());
  if (ng == 0) return mean;
  Eigen::MatrixXd s_gg(ng, ng), s_ag(mean.size(), ng);
  Eigen::VectorXd shift(ng);
  for (Eigen::Index a = 0; a < ng; ++a) {
    const int ga = given[static_cast<size_t>(a)];
    shift(a) = values(a) - mean(ga);
    for (Eigen::Index b = 0; b < ng; ++b) s_gg(a, b) = cov(ga, given[static_cast<size_t>(b)]);
    s_ag.col(a) = cov.col(ga);
  }
  Eigen::VectorXd out = mean + s_ag * s_gg.ldlt().solve(shift);
  for (Eigen::Index a = 0; a < ng; ++a) out(given[static_cast<size_t>(a)]) = values(a);
  return out;
}

}  // namespace shelfcast::detail
