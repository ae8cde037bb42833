// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, JMR 42(4); Fader & Hardie 2013, "The
// Gamma-Gamma Model of Monetary Value") and discounted customer lifetime value.

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "customer/nelder_mead.h"
#include "detail/rng.h"
#include "shelfcast/customer.h"

namespace shelfcast {
namespace {

using detail::exp_portable;
using detail::log_gamma;
using detail::log_portable;

Status check_params(const GammaGammaParams& p) {
  const double values[3] = {p.p, p.q, p.gamma};
  const char* names[3] = {"p", "q", "gamma"};
  for (int i = 0; i < 3; ++i) {
    if (!(values[i] > 0.0) || !std::isfinite(values[i])) {
      return invalid_argument(std::string("expected ") + names[i] + " > 0 and finite", names[i]);
    }
  }
  return Status::ok();
}

Status check_spend(const SpendInput& s) {
  if (!(s.transactions >= 0.0) || !std::isfinite(s.transactions)) {
    return invalid_argument("expected transactions >= 0", "transactions");
  }
  if (!std::isfinite(s.mean_amount) || (s.transactions > 0.0 && !(s.mean_amount > 0.0))) {
    return invalid_argument("expected a positive mean amount when transactions > 0", "mean_amount");
  }
  return Status::ok();
}

// Requires p, q, gamma > 0, x > 0, m > 0.
double ll_one(const GammaGammaParams& g, double x, double m) {
  const double px = g.p * x;
  return log_gamma(px + g.q) - log_gamma(px) - log_gamma(g.q) + g.q * log_portable(g.gamma) +
         (px - 1.0) * log_portable(m) + px * log_portable(x) -
         (px + g.q) * log_portable(g.gamma + x * m);
}

}  // namespace

Result<double> gamma_gamma_log_likelihood(const GammaGammaParams& params, const SpendInput& s) {
  SHELFCAST_RETURN_IF_ERROR(check_params(params));
  SHELFCAST_RETURN_IF_ERROR(check_spend(s));
  if (!(s.transactions > 0.0)) {
    return invalid_argument("expected transactions > 0 for a spend likelihood", "transactions");
  }
  return ll_one(params, s.transactions, s.mean_amount);
}

Result<GammaGammaParams> fit_gamma_gamma(const std::vector<SpendInput>& customers,
                                         const GammaGammaFitOptions& options) {
  std::vector<SpendInput> used;
  for (const SpendInput& s : customers) {
    SHELFCAST_RETURN_IF_ERROR(check_spend(s));
    if (s.transactions > 0.0 && s.mean_amount > 0.0) used.push_back(s);
  }
  if (used.empty()) {
    return invalid_argument("expected at least one customer with transactions and positive spend",
                            "customers");
  }
  GammaGammaParams start{options.p0, options.q0, options.gamma0, 0.0};
  SHELFCAST_RETURN_IF_ERROR(check_params(start));
  auto to_params = [](const std::vector<double>& v) {
    return GammaGammaParams{exp_portable(v[0]), exp_portable(v[1]), exp_portable(v[2]), 0.0};
  };
  // The likelihood summed with what does not change between evaluations taken out once: the
  // log-gammas depend on x only (few distinct counts), sum (p x - 1) log m + p x log x is
  // p * A - B; only log(gamma + x m) is per customer. A million customers fit in seconds.
  std::map<double, double> customers_with_x;
  double sum_x_log_m = 0.0, sum_log_m = 0.0, sum_x_log_x = 0.0;
  for (const SpendInput& s : used) {
    customers_with_x[s.transactions] += 1.0;
    sum_x_log_m += s.transactions * log_portable(s.mean_amount);
    sum_log_m += log_portable(s.mean_amount);
    sum_x_log_x += s.transactions * log_portable(s.transactions);
  }
  const double n_used = static_cast<double>(used.size());
  auto objective = [&](const std::vector<double>& v) {
    const GammaGammaParams g = to_params(v);
    double sum = -n_used * log_gamma(g.q) + n_used * g.q * log_portable(g.gamma) +
                 g.p * (sum_x_log_m + sum_x_log_x) - sum_log_m;
    for (const auto& kv : customers_with_x) {
      const double px = g.p * kv.first;
      sum += kv.second * (log_gamma(px + g.q) - log_gamma(px));
    }
    for (const SpendInput& s : used)
      sum -= (g.p * s.transactions + g.q) * log_portable(g.gamma + s.transactions * s.mean_amount);
    return -sum + options.penalty * (g.p * g.p + g.q * g.q + g.gamma * g.gamma);
  };
  detail::NelderMeadOptions nm;
  nm.max_evaluations = options.max_evaluations;
  nm.restarts = options.restarts;
  nm.tolerance = options.tolerance;
  nm.bound = options.log_bound;
  const detail::NelderMeadResult found = detail::nelder_mead(
      objective, {log_portable(start.p), log_portable(start.q), log_portable(start.gamma)}, nm);
  if (!std::isfinite(found.f)) {
    return failed_precondition("the Gamma-Gamma likelihood is not finite anywhere the search went");
  }
  GammaGammaParams out = to_params(found.x);
  double sum = 0.0;
  for (const SpendInput& s : used) sum += ll_one(out, s.transactions, s.mean_amount);
  out.log_likelihood = sum;
  return out;
}

Result<double> gamma_gamma_expected_spend(const GammaGammaParams& params, const SpendInput& s) {
  SHELFCAST_RETURN_IF_ERROR(check_params(params));
  SHELFCAST_RETURN_IF_ERROR(check_spend(s));
  if (!(params.q > 1.0)) {
    return failed_precondition("the Gamma-Gamma mean spend needs q > 1 (infinite mean otherwise)");
  }
  const double x = s.transactions > 0.0 && s.mean_amount > 0.0 ? s.transactions : 0.0;
  const double m = x > 0.0 ? s.mean_amount : 0.0;
  return (params.gamma + x * m) * params.p / (params.p * x + params.q - 1.0);
}

Result<double> customer_lifetime_value(const BgNbdParams& bgnbd, const GammaGammaParams& spend,
                                       const RfmInput& customer, const SpendInput& spend_input,
                                       const ClvOptions& options) {
  if (options.horizon_periods < 0 || options.horizon_periods > 100000) {
    return invalid_argument("expected horizon_periods in [0, 100000]", "horizon_periods");
  }
  if (!(options.discount_rate > -1.0) || !std::isfinite(options.discount_rate)) {
    return invalid_argument("expected discount_rate > -1", "discount_rate");
  }
  if (!std::isfinite(options.margin)) return invalid_argument("expected a finite margin", "margin");
  SHELFCAST_ASSIGN_OR_RETURN(const double mean_spend,
                             gamma_gamma_expected_spend(spend, spend_input));
  double clv = 0.0;
  double previous = 0.0;
  double discount = 1.0;
  for (int32_t k = 1; k <= options.horizon_periods; ++k) {
    SHELFCAST_ASSIGN_OR_RETURN(
        const double cumulative,
        bgnbd_conditional_expected_purchases(bgnbd, customer, static_cast<double>(k)));
    discount /= 1.0 + options.discount_rate;
    clv += (cumulative - previous) * discount;
    previous = cumulative;
  }
  return clv * mean_spend * options.margin;
}

}  // namespace shelfcast
