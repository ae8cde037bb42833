// Partial pooling of price and promotion response (regression.h): stores of a product add their
// likelihoods, products of a category share a Gaussian distribution estimated by EM.
#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "detail/gaussian.h"
#include "shelfcast/regression.h"

namespace shelfcast {
namespace {

constexpr int kK = kPooledResponses;
using Mat = Eigen::Matrix<double, kK, kK>;
using Vec = Eigen::Matrix<double, kK, 1>;

Mat to_matrix(const std::array<double, kK * kK>& c) {
  Mat m;
  for (int r = 0; r < kK; ++r) {
    for (int k = 0; k < kK; ++k) m(r, k) = c[static_cast<size_t>(r * kK + k)];
  }
  return m;
}

Vec to_vector(const PriceResponse& r) {
  Vec v;
  v << r.elasticity, r.lift_per_depth, r.feature, r.display;
  return v;
}

PriceResponse to_response(const Vec& mean, const Mat& cov) {
  PriceResponse r;
  r.elasticity = mean(0);
  r.lift_per_depth = mean(1);
  r.feature = mean(2);
  r.display = mean(3);
  for (int a = 0; a < kK; ++a) {
    for (int b = 0; b < kK; ++b) r.covariance[static_cast<size_t>(a * kK + b)] = cov(a, b);
  }
  return r;
}

// The posterior N(mean, cov) under the sign constraints: each violated coefficient goes to its
// bound (0) and the free ones take their Gaussian conditional mean given the bound ones, until
// none is violated (as the fit does by refitting without them). At most kK rounds.
PriceResponse constrained(Vec mean, const Mat& cov, const PoolingOptions& o) {
  const std::array<int, kK> sign = {{o.constrain_elasticity ? -1 : 0, o.constrain_lifts ? 1 : 0,
                                     o.constrain_lifts ? 1 : 0, o.constrain_lifts ? 1 : 0}};
  const Vec original = mean;
  std::array<bool, kK> bound{};
  for (int round = 0; round < kK; ++round) {
    bool changed = false;
    for (int k = 0; k < kK; ++k) {
      if (bound[static_cast<size_t>(k)]) continue;
      const int s = sign[static_cast<size_t>(k)];
      if ((s < 0 && mean(k) > 0.0) || (s > 0 && mean(k) < 0.0)) {
        bound[static_cast<size_t>(k)] = true;
        changed = true;
      }
    }
    if (!changed) break;
    std::vector<int> fixed;
    for (int k = 0; k < kK; ++k) {
      if (bound[static_cast<size_t>(k)]) fixed.push_back(k);
    }
    mean = detail::condition_gaussian(
        original, cov, fixed, Eigen::VectorXd::Zero(static_cast<Eigen::Index>(fixed.size())));
  }
  return to_response(mean, cov);
}

bool symmetric_positive_definite(const Mat& m) {
  if (!m.isApprox(m.transpose(), 1e-9)) return false;
  Eigen::LLT<Mat> llt(m);
  return llt.info() == Eigen::Success;
}

// Precision L and information vector h of a group's data alone (prior removed once per series).
struct Likelihood {
  Mat precision = Mat::Zero();
  Vec information = Vec::Zero();
};

}  // namespace

Result<PriceResponse> price_response_of(const std::vector<double>& drivers,
                                        const std::vector<double>& covariance) {
  const size_t n = drivers.size();
  if (n < static_cast<size_t>(kK) || covariance.size() != n * n) {
    return invalid_argument("a price response needs at least 4 drivers and their n x n covariance",
                            "drivers");
  }
  PriceResponse r;
  r.elasticity = drivers[0];
  r.lift_per_depth = drivers[1];
  r.feature = drivers[2];
  r.display = drivers[3];
  for (size_t a = 0; a < static_cast<size_t>(kK); ++a) {
    for (size_t b = 0; b < static_cast<size_t>(kK); ++b) {
      r.covariance[a * kK + b] = 0.5 * (covariance[a * n + b] + covariance[b * n + a]);
    }
  }
  return r;
}

Result<PriceResponsePooling> pool_price_response(const std::vector<PriceResponseGroup>& groups,
                                                 const PoolingOptions& options) {
  const Vec prior_mean(options.elasticity_prior_mean, options.lift_prior_mean,
                       options.feature_prior_mean, options.display_prior_mean);
  const Vec prior_sd(options.elasticity_prior_sd, options.lift_prior_sd, options.feature_prior_sd,
                     options.display_prior_sd);
  for (int k = 0; k < kK; ++k) {
    if (!(prior_sd(k) > 0.0) || !std::isfinite(prior_sd(k))) {
      return invalid_argument("pooling prior sds must be finite and > 0", "options");
    }
  }
  if (!(options.min_spread_sd > 0.0) || !std::isfinite(options.min_spread_sd)) {
    return invalid_argument("pooling min_spread_sd must be finite and > 0", "options");
  }
  if (!(options.spread_prior_weight >= 0.0) || !std::isfinite(options.spread_prior_weight)) {
    return invalid_argument("pooling spread_prior_weight must be finite and >= 0", "options");
  }
  if (!prior_mean.allFinite()) return invalid_argument("prior means must be finite", "options");
  const Mat prior_precision = prior_sd.cwiseProduct(prior_sd).cwiseInverse().asDiagonal();

  std::vector<Likelihood> like(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t s = 0; s < groups[g].series.size(); ++s) {
      const PriceResponse& r = groups[g].series[s];
      const std::string where =
          "groups[" + std::to_string(g) + "].series[" + std::to_string(s) + "]";
      const Mat cov = to_matrix(r.covariance);
      const Vec mean = to_vector(r);
      if (!mean.allFinite() || !cov.allFinite()) {
        return invalid_argument(where + " has a non-finite value", where);
      }
      if (!symmetric_positive_definite(cov)) {
        return invalid_argument(where + ".covariance must be symmetric positive definite",
                                where + ".covariance");
      }
      const Mat inv = cov.inverse();
      // The series' posterior precision is prior + data; its data part is what remains. A
      // series that learnt nothing gives ~0 (clipped below: numerically it can dip under).
      like[g].precision += inv - prior_precision;
      like[g].information += inv * mean - prior_precision * prior_mean;
    }
    // Keep the data precision positive semi-definite: an eigenvalue below 0 is rounding.
    const Mat sym = 0.5 * (like[g].precision + like[g].precision.transpose());
    Eigen::SelfAdjointEigenSolver<Mat> eig(sym);
    const Vec values = eig.eigenvalues().cwiseMax(0.0);
    like[g].precision = eig.eigenvectors() * values.asDiagonal() * eig.eigenvectors().transpose();
  }

  PriceResponsePooling out;
  out.groups.resize(groups.size());
  int32_t informative = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    out.groups[g].name = groups[g].name;
    out.groups[g].information = like[g].precision(0, 0);
    const Mat cov = (like[g].precision + prior_precision).inverse();
    out.groups[g].stores_only =
        constrained(cov * (like[g].information + prior_precision * prior_mean), cov, options);
    if (like[g].precision(0, 0) > prior_precision(0, 0)) informative += 1;
  }
  const auto report = [&](const Vec& mu, const Vec& sd) {
    out.elasticity_mean = mu(0);
    out.lift_mean = mu(1);
    out.feature_mean = mu(2);
    out.display_mean = mu(3);
    out.elasticity_sd = sd(0);
    out.lift_sd = sd(1);
    out.feature_sd = sd(2);
    out.display_sd = sd(3);
  };
  if (informative < options.min_groups) {
    for (PooledPriceResponse& p : out.groups) p.pooled = p.stores_only;
    report(prior_mean, prior_sd);
    return out;
  }

  // EM for the category distribution N(mu, T) with the products' coefficients as latent
  // variables: E-step posterior of each product given (mu, T); M-step mu = mean of the posterior
  // means, T = mean of their scatter plus posterior covariances. Starts at the fitting prior.
  // T is diagonal: products' coefficients vary independently across the category. A free
  // correlation is not identified from a handful of products whose own estimates are strongly
  // correlated (log(1 - depth) and depth move together, and so do depth and feature when most
  // promotions are featured): EM then drives it to -1 and shrinks along the ridge of each
  // product's likelihood instead of toward the category.
  Vec mu = prior_mean;
  Vec spread = prior_sd.cwiseProduct(prior_sd);
  const double floor_var = options.min_spread_sd * options.min_spread_sd;
  const auto n = static_cast<double>(groups.size());
  std::vector<Vec> means(groups.size());
  std::vector<Mat> covs(groups.size());
  for (out.iterations = 1; out.iterations <= options.max_iterations; ++out.iterations) {
    const Mat spread_inv = spread.cwiseInverse().asDiagonal();
    for (size_t g = 0; g < groups.size(); ++g) {
      covs[g] = (like[g].precision + spread_inv).inverse();
      means[g] = covs[g] * (like[g].information + spread_inv * mu);
    }
    Vec new_mu = Vec::Zero();
    for (const Vec& m : means) new_mu += m;
    new_mu /= n;
    Vec new_spread = Vec::Zero();
    for (size_t g = 0; g < groups.size(); ++g) {
      const Vec d = means[g] - new_mu;
      new_spread += d.cwiseProduct(d) + covs[g].diagonal();
    }
    new_spread = ((new_spread + options.spread_prior_weight * prior_sd.cwiseProduct(prior_sd)) /
                  (n + options.spread_prior_weight))
                     .cwiseMax(floor_var);
    const double change =
        (new_mu - mu).cwiseAbs().maxCoeff() + (new_spread - spread).cwiseAbs().maxCoeff();
    mu = new_mu;
    spread = new_spread;
    if (change < options.tolerance) break;
  }
  out.iterations = std::min(out.iterations, options.max_iterations);
  const Mat spread_inv = spread.cwiseInverse().asDiagonal();
  for (size_t g = 0; g < groups.size(); ++g) {
    const Mat cov = (like[g].precision + spread_inv).inverse();
    out.groups[g].pooled = constrained(cov * (like[g].information + spread_inv * mu), cov, options);
  }
  out.category_estimated = true;
  report(mu, spread.cwiseSqrt());
  return out;
}

}  // namespace shelfcast
