// Partial pooling of price response (regression.h): stores of a product add their likelihoods,
// products of a category share a Gaussian distribution estimated by EM.
#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "shelfcast/regression.h"

namespace shelfcast {
namespace {

using Mat2 = Eigen::Matrix2d;
using Vec2 = Eigen::Vector2d;

Mat2 to_matrix(const std::array<double, 4>& c) {
  Mat2 m;
  m << c[0], c[1], c[2], c[3];
  return m;
}

PriceResponse to_response(const Vec2& mean, const Mat2& cov) {
  PriceResponse r;
  r.elasticity = mean(0);
  r.lift_per_depth = mean(1);
  r.covariance = {cov(0, 0), cov(0, 1), cov(1, 0), cov(1, 1)};
  return r;
}

// The posterior N(mean, cov) with the elasticity constrained <= 0: a positive mean is put at 0
// and the lift conditioned on it (the Gaussian's conditional mean), as the fit does by refitting.
PriceResponse constrained(Vec2 mean, const Mat2& cov) {
  if (mean(0) > 0.0) {
    mean(1) -= cov(1, 0) / cov(0, 0) * mean(0);
    mean(0) = 0.0;
  }
  return to_response(mean, cov);
}

bool positive_definite(const Mat2& m) {
  return m(0, 0) > 0.0 && m(1, 1) > 0.0 && m(0, 0) * m(1, 1) - m(0, 1) * m(1, 0) > 0.0;
}

// Precision L and information vector h of a group's data alone (prior removed once per series).
struct Likelihood {
  Mat2 precision = Mat2::Zero();
  Vec2 information = Vec2::Zero();
};

}  // namespace

Result<PriceResponsePooling> pool_price_response(const std::vector<PriceResponseGroup>& groups,
                                                 const PoolingOptions& options) {
  for (double sd : {options.elasticity_prior_sd, options.lift_prior_sd, options.min_spread_sd}) {
    if (!(sd > 0.0) || !std::isfinite(sd)) {
      return invalid_argument("pooling prior and spread sds must be finite and > 0", "options");
    }
  }
  const Vec2 prior_mean(options.elasticity_prior_mean, options.lift_prior_mean);
  if (!prior_mean.allFinite()) return invalid_argument("prior means must be finite", "options");
  Mat2 prior_precision = Mat2::Zero();
  prior_precision(0, 0) = 1.0 / (options.elasticity_prior_sd * options.elasticity_prior_sd);
  prior_precision(1, 1) = 1.0 / (options.lift_prior_sd * options.lift_prior_sd);

  std::vector<Likelihood> like(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t s = 0; s < groups[g].series.size(); ++s) {
      const PriceResponse& r = groups[g].series[s];
      const std::string where =
          "groups[" + std::to_string(g) + "].series[" + std::to_string(s) + "]";
      const Mat2 cov = to_matrix(r.covariance);
      if (!std::isfinite(r.elasticity) || !std::isfinite(r.lift_per_depth) || !cov.allFinite()) {
        return invalid_argument(where + " has a non-finite value", where);
      }
      if (std::fabs(cov(0, 1) - cov(1, 0)) > 1e-9 * (std::fabs(cov(0, 1)) + 1e-12) ||
          !positive_definite(cov)) {
        return invalid_argument(where + ".covariance must be symmetric positive definite",
                                where + ".covariance");
      }
      const Mat2 inv = cov.inverse();
      // The series' posterior precision is prior + data; its data part is what remains. A
      // series that learnt nothing gives ~0 (clipped below: numerically it can dip under).
      like[g].precision += inv - prior_precision;
      like[g].information +=
          inv * Vec2(r.elasticity, r.lift_per_depth) - prior_precision * prior_mean;
    }
    // Keep the data precision positive semi-definite: an eigenvalue below 0 is rounding.
    Eigen::SelfAdjointEigenSolver<Mat2> eig(like[g].precision);
    Vec2 values = eig.eigenvalues().cwiseMax(0.0);
    like[g].precision = eig.eigenvectors() * values.asDiagonal() * eig.eigenvectors().transpose();
  }

  PriceResponsePooling out;
  out.groups.resize(groups.size());
  int32_t informative = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    out.groups[g].name = groups[g].name;
    out.groups[g].information = like[g].precision(0, 0);
    const Mat2 post_precision = like[g].precision + prior_precision;
    const Mat2 cov = post_precision.inverse();
    out.groups[g].stores_only =
        constrained(cov * (like[g].information + prior_precision * prior_mean), cov);
    if (like[g].precision(0, 0) > prior_precision(0, 0)) informative += 1;
  }
  if (informative < options.min_groups) {
    for (PooledPriceResponse& p : out.groups) p.pooled = p.stores_only;
    out.elasticity_mean = prior_mean(0);
    out.lift_mean = prior_mean(1);
    out.elasticity_sd = options.elasticity_prior_sd;
    out.lift_sd = options.lift_prior_sd;
    return out;
  }

  // EM for the category distribution N(mu, T) with the products' coefficients as latent
  // variables: E-step posterior of each product given (mu, T); M-step mu = mean of the posterior
  // means, T = mean of their scatter plus posterior covariances. Starts at the fitting prior.
  Vec2 mu = prior_mean;
  Mat2 spread = prior_precision.inverse();
  const double floor_var = options.min_spread_sd * options.min_spread_sd;
  const auto n = static_cast<double>(groups.size());
  std::vector<Vec2> means(groups.size());
  std::vector<Mat2> covs(groups.size());
  for (out.iterations = 1; out.iterations <= options.max_iterations; ++out.iterations) {
    const Mat2 spread_inv = spread.inverse();
    for (size_t g = 0; g < groups.size(); ++g) {
      covs[g] = (like[g].precision + spread_inv).inverse();
      means[g] = covs[g] * (like[g].information + spread_inv * mu);
    }
    Vec2 new_mu = Vec2::Zero();
    for (const Vec2& m : means) new_mu += m;
    new_mu /= n;
    Mat2 new_spread = Mat2::Zero();
    for (size_t g = 0; g < groups.size(); ++g) {
      const Vec2 d = means[g] - new_mu;
      new_spread += d * d.transpose() + covs[g];
    }
    new_spread /= n;
    // T is diagonal: products' elasticities and lifts vary independently across the category.
    // A free correlation is not identified from a handful of products whose own estimates are
    // strongly correlated (log(1 - depth) and depth move together): EM then drives it to -1 and
    // shrinks along the ridge of each product's likelihood instead of toward the category.
    new_spread(0, 0) = std::max(new_spread(0, 0), floor_var);
    new_spread(1, 1) = std::max(new_spread(1, 1), floor_var);
    new_spread(0, 1) = new_spread(1, 0) = 0.0;
    const double change =
        (new_mu - mu).cwiseAbs().maxCoeff() + (new_spread - spread).cwiseAbs().maxCoeff();
    mu = new_mu;
    spread = new_spread;
    if (change < options.tolerance) break;
  }
  out.iterations = std::min(out.iterations, options.max_iterations);
  const Mat2 spread_inv = spread.inverse();
  for (size_t g = 0; g < groups.size(); ++g) {
    const Mat2 cov = (like[g].precision + spread_inv).inverse();
    out.groups[g].pooled = constrained(cov * (like[g].information + spread_inv * mu), cov);
  }
  out.category_estimated = true;
  out.elasticity_mean = mu(0);
  out.lift_mean = mu(1);
  out.elasticity_sd = std::sqrt(spread(0, 0));
  out.lift_sd = std::sqrt(spread(1, 1));
  out.correlation = spread(0, 1) / (out.elasticity_sd * out.lift_sd);
  return out;
}

}  // namespace shelfcast
