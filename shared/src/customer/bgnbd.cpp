// BG/NBD (Fader, Hardie & Lee 2005, Marketing Science 24(2), 275-284): likelihood, maximum-
// likelihood fit on log parameters, P(alive) and expected purchases. All transcendental functions
// are the core's portable ones (detail/rng.h), so native and WASM agree bit for bit.

#include <algorithm>
#include <cmath>
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

// Largest number of 2F1 series terms: z = t / (alpha + T + t) close to 1 converges slowly.
constexpr int32_t kMax2F1Terms = 1000000;
// a = 1 makes (a + b + x - 1) / (a - 1) singular while E[Y(t)] stays continuous; a within this of 1
// is evaluated at 1 +- this.
constexpr double kUnitAGap = 1e-9;

Status check_params(const BgNbdParams& p) {
  const double values[4] = {p.r, p.alpha, p.a, p.b};
  const char* names[4] = {"r", "alpha", "a", "b"};
  for (int i = 0; i < 4; ++i) {
    if (!(values[i] > 0.0) || !std::isfinite(values[i])) {
      return invalid_argument(std::string("expected ") + names[i] + " > 0 and finite", names[i]);
    }
  }
  return Status::ok();
}

// log(e^u + e^v) without overflow.
double log_add(double u, double v) {
  const double hi = u > v ? u : v, lo = u > v ? v : u;
  if (hi == -HUGE_VAL) return hi;
  return hi + log_portable(1.0 + exp_portable(lo - hi));
}

// The likelihood's parameter-only pieces, and per-x sums of logs: lnG(r + x) - lnG(r) =
// sum_{k<x} ln(r + k) (exact recursion of the gamma function, cheaper than lnG twice).
struct LlCache {
  double r_log_alpha = 0.0, log_a = 0.0;
  std::vector<double> rising_r, rising_b, rising_ab;  // ln of rising factorials, index x

  LlCache(const BgNbdParams& p, int32_t max_x) {
    r_log_alpha = p.r * log_portable(p.alpha);
    log_a = log_portable(p.a);
    const size_t n = static_cast<size_t>(max_x) + 1;
    rising_r.assign(n, 0.0);
    rising_b.assign(n, 0.0);
    rising_ab.assign(n, 0.0);
    for (size_t x = 1; x < n; ++x) {
      const double k = static_cast<double>(x - 1);
      rising_r[x] = rising_r[x - 1] + log_portable(p.r + k);
      rising_b[x] = rising_b[x - 1] + log_portable(p.b + k);
      rising_ab[x] = rising_ab[x - 1] + log_portable(p.a + p.b + k);
    }
  }
};

double ll_one(const BgNbdParams& p, const LlCache& c, const RfmInput& in) {
  const auto x = static_cast<size_t>(in.frequency);
  const double rx = p.r + in.frequency;
  // ln[G(r+x) alpha^r / G(r)] + ln[B(a, b+x) / B(a, b)]
  const double a1 = c.rising_r[x] + c.r_log_alpha;
  const double a2 = c.rising_b[x] - c.rising_ab[x];
  const double a3 = -rx * log_portable(p.alpha + in.age);
  if (x == 0) return a1 + a2 + a3;
  const double a4 =
      c.log_a - log_portable(p.b + in.frequency - 1.0) - rx * log_portable(p.alpha + in.recency);
  return a1 + a2 + log_add(a3, a4);
}

int32_t max_frequency(const std::vector<RfmInput>& customers) {
  double m = 0.0;
  for (const RfmInput& c : customers) m = c.frequency > m ? c.frequency : m;
  return static_cast<int32_t>(m);
}

// (alpha + T) / (alpha + t_x) term of P(alive), in logs: ln a - ln(b+x-1) + (r+x) ln(...).
double log_dropout_odds(const BgNbdParams& p, const RfmInput& in) {
  return log_portable(p.a) - log_portable(p.b + in.frequency - 1.0) +
         (p.r + in.frequency) *
             (log_portable(p.alpha + in.age) - log_portable(p.alpha + in.recency));
}

double nudge_a(double a) {
  if (std::fabs(a - 1.0) < kUnitAGap) return a < 1.0 ? 1.0 - kUnitAGap : 1.0 + kUnitAGap;
  return a;
}

}  // namespace

Status check_rfm_input(const RfmInput& c) {
  if (!(c.frequency >= 0.0) || !std::isfinite(c.frequency) ||
      c.frequency != std::floor(c.frequency) || c.frequency > 1e7) {
    return invalid_argument("expected a whole number of repeat purchases >= 0", "frequency");
  }
  if (!(c.age >= 0.0) || !std::isfinite(c.age)) {
    return invalid_argument("expected age T >= 0 and finite", "age");
  }
  if (!(c.recency >= 0.0) || !(c.recency <= c.age)) {
    return invalid_argument("expected 0 <= recency <= age", "recency");
  }
  if (c.frequency == 0.0 && c.recency != 0.0) {
    return invalid_argument("expected recency 0 when frequency is 0", "recency");
  }
  return Status::ok();
}

Result<double> hypergeometric_2f1(double a, double b, double c, double z) {
  if (!(c > 0.0) || !(z >= 0.0 && z < 1.0) || !std::isfinite(a) || !std::isfinite(b)) {
    return invalid_argument("hypergeometric_2f1 needs c > 0 and 0 <= z < 1", "z");
  }
  double term = 1.0, sum = 1.0;
  for (int32_t j = 0; j < kMax2F1Terms; ++j) {
    const double dj = j;
    term *= (a + dj) * (b + dj) / ((c + dj) * (dj + 1.0)) * z;
    sum += term;
    if (std::fabs(term) <= 1e-17 * std::fabs(sum)) return sum;
    if (!std::isfinite(sum)) break;
  }
  return failed_precondition("the 2F1 series did not converge (z too close to 1)");
}

Result<double> bgnbd_log_likelihood(const BgNbdParams& params, const RfmInput& customer) {
  SHELFCAST_RETURN_IF_ERROR(check_params(params));
  SHELFCAST_RETURN_IF_ERROR(check_rfm_input(customer));
  const LlCache cache(params, static_cast<int32_t>(customer.frequency));
  return ll_one(params, cache, customer);
}

Result<double> bgnbd_log_likelihood(const BgNbdParams& params,
                                    const std::vector<RfmInput>& customers) {
  SHELFCAST_RETURN_IF_ERROR(check_params(params));
  for (const RfmInput& c : customers) SHELFCAST_RETURN_IF_ERROR(check_rfm_input(c));
  const LlCache cache(params, max_frequency(customers));
  double sum = 0.0;
  for (const RfmInput& c : customers) sum += ll_one(params, cache, c);
  return sum;
}

Result<BgNbdParams> fit_bgnbd(const std::vector<RfmInput>& customers,
                              const BgNbdFitOptions& options) {
  if (customers.empty()) return invalid_argument("expected at least one customer", "customers");
  bool any_repeat = false;
  for (const RfmInput& c : customers) {
    SHELFCAST_RETURN_IF_ERROR(check_rfm_input(c));
    any_repeat = any_repeat || c.frequency > 0.0;
  }
  if (!any_repeat) {
    return invalid_argument("expected at least one customer with a repeat purchase (frequency > 0)",
                            "frequency");
  }
  BgNbdParams start{options.r0, options.alpha0, options.a0, options.b0, 0.0};
  SHELFCAST_RETURN_IF_ERROR(check_params(start));
  const int32_t max_x = max_frequency(customers);
  auto to_params = [](const std::vector<double>& v) {
    return BgNbdParams{exp_portable(v[0]), exp_portable(v[1]), exp_portable(v[2]),
                       exp_portable(v[3]), 0.0};
  };
  // Customers with the same (x, t_x, T) have the same likelihood term: fit over the distinct
  // ones with their counts (on CDNOW 2,357 customers are ~1,000 distinct triples, as the 1,411
  // without a repeat differ only by their first week).
  std::vector<RfmInput> distinct = customers;
  std::sort(distinct.begin(), distinct.end(), [](const RfmInput& l, const RfmInput& r) {
    if (l.frequency != r.frequency) return l.frequency < r.frequency;
    if (l.recency != r.recency) return l.recency < r.recency;
    return l.age < r.age;
  });
  std::vector<double> count;
  size_t kept = 0;
  for (size_t i = 0; i < distinct.size(); ++i) {
    if (kept > 0 && distinct[kept - 1].frequency == distinct[i].frequency &&
        distinct[kept - 1].recency == distinct[i].recency &&
        distinct[kept - 1].age == distinct[i].age) {
      count.back() += 1.0;
      continue;
    }
    distinct[kept++] = distinct[i];
    count.push_back(1.0);
  }
  distinct.resize(kept);
  // Each evaluation needs ln(alpha + T) and ln(alpha + t_x) of every group and ln(b + x - 1) of
  // every x: the distinct T and t_x values are far fewer than the groups (weekly data), so the
  // logs are taken once per distinct value and looked up.
  std::vector<double> ages, recencies;
  for (const RfmInput& c : distinct) {
    ages.push_back(c.age);
    recencies.push_back(c.recency);
  }
  const auto unique_sorted = [](std::vector<double>* v) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  };
  unique_sorted(&ages);
  unique_sorted(&recencies);
  std::vector<size_t> age_of(distinct.size()), recency_of(distinct.size());
  for (size_t i = 0; i < distinct.size(); ++i) {
    age_of[i] = static_cast<size_t>(std::lower_bound(ages.begin(), ages.end(), distinct[i].age) -
                                    ages.begin());
    recency_of[i] = static_cast<size_t>(
        std::lower_bound(recencies.begin(), recencies.end(), distinct[i].recency) -
        recencies.begin());
  }
  std::vector<double> log_age(ages.size()), log_recency(recencies.size()),
      log_b_x(static_cast<size_t>(max_x) + 1);
  auto objective = [&](const std::vector<double>& v) {
    const BgNbdParams p = to_params(v);
    const LlCache cache(p, max_x);
    for (size_t k = 0; k < ages.size(); ++k) log_age[k] = log_portable(p.alpha + ages[k]);
    for (size_t k = 0; k < recencies.size(); ++k) {
      log_recency[k] = log_portable(p.alpha + recencies[k]);
    }
    for (size_t x = 1; x < log_b_x.size(); ++x) {
      log_b_x[x] = log_portable(p.b + static_cast<double>(x) - 1.0);
    }
    double sum = 0.0;
    for (size_t i = 0; i < distinct.size(); ++i) {
      // ll_one with the logs looked up (the same arithmetic, so the same bits).
      const auto x = static_cast<size_t>(distinct[i].frequency);
      const double rx = p.r + distinct[i].frequency;
      const double a1 = cache.rising_r[x] + cache.r_log_alpha;
      const double a2 = cache.rising_b[x] - cache.rising_ab[x];
      const double a3 = -rx * log_age[age_of[i]];
      double term = a1 + a2 + a3;
      if (x > 0) {
        const double a4 = cache.log_a - log_b_x[x] - rx * log_recency[recency_of[i]];
        term = a1 + a2 + log_add(a3, a4);
      }
      sum += count[i] * term;
    }
    const double penalty =
        options.penalty * (p.r * p.r + p.alpha * p.alpha + p.a * p.a + p.b * p.b);
    return -sum + penalty;
  };
  detail::NelderMeadOptions nm;
  nm.max_evaluations = options.max_evaluations;
  nm.restarts = options.restarts;
  nm.tolerance = options.tolerance;
  nm.bound = options.log_bound;
  const std::vector<double> x0 = {log_portable(start.r), log_portable(start.alpha),
                                  log_portable(start.a), log_portable(start.b)};
  const detail::NelderMeadResult found = detail::nelder_mead(objective, x0, nm);
  if (!std::isfinite(found.f)) {
    return failed_precondition("the BG/NBD likelihood is not finite anywhere the search went");
  }
  BgNbdParams out = to_params(found.x);
  const LlCache cache(out, max_x);
  double sum = 0.0;
  for (const RfmInput& c : customers) sum += ll_one(out, cache, c);
  out.log_likelihood = sum;
  return out;
}

Result<double> bgnbd_p_alive(const BgNbdParams& params, const RfmInput& customer) {
  SHELFCAST_RETURN_IF_ERROR(check_params(params));
  SHELFCAST_RETURN_IF_ERROR(check_rfm_input(customer));
  if (customer.frequency == 0.0) return 1.0;
  const double odds = log_dropout_odds(params, customer);
  if (odds > 700.0) return 0.0;  // exp would overflow; 1 / (1 + e^700) is 0 in double
  return 1.0 / (1.0 + exp_portable(odds));
}

Result<double> bgnbd_expected_purchases_new(const BgNbdParams& params, double t) {
  SHELFCAST_RETURN_IF_ERROR(check_params(params));
  if (!(t >= 0.0) || !std::isfinite(t)) return invalid_argument("expected t >= 0", "t");
  if (t == 0.0) return 0.0;
  const double a = nudge_a(params.a);
  if (!(a + params.b > 1.0)) {
    return failed_precondition("E[X(t)] needs a + b > 1 (the 2F1 series is undefined)");
  }
  const double z = t / (params.alpha + t);
  SHELFCAST_ASSIGN_OR_RETURN(const double f,
                             hypergeometric_2f1(params.r, params.b, a + params.b - 1.0, z));
  const double ratio =
      exp_portable(params.r * (log_portable(params.alpha) - log_portable(params.alpha + t)));
  return (a + params.b - 1.0) / (a - 1.0) * (1.0 - ratio * f);
}

Result<double> bgnbd_conditional_expected_purchases(const BgNbdParams& params,
                                                    const RfmInput& customer, double t) {
  SHELFCAST_RETURN_IF_ERROR(check_params(params));
  SHELFCAST_RETURN_IF_ERROR(check_rfm_input(customer));
  if (!(t >= 0.0) || !std::isfinite(t)) return invalid_argument("expected t >= 0", "t");
  if (t == 0.0) return 0.0;
  const double a = nudge_a(params.a);
  const double x = customer.frequency;
  if (!(a + params.b + x - 1.0 > 0.0)) {
    return failed_precondition("E[Y(t)] needs a + b + x > 1 (the 2F1 series is undefined)");
  }
  const double horizon_end = params.alpha + customer.age + t;
  const double z = t / horizon_end;
  SHELFCAST_ASSIGN_OR_RETURN(
      const double f, hypergeometric_2f1(params.r + x, params.b + x, a + params.b + x - 1.0, z));
  const double ratio = exp_portable(
      (params.r + x) * (log_portable(params.alpha + customer.age) - log_portable(horizon_end)));
  const double numerator = (a + params.b + x - 1.0) / (a - 1.0) * (1.0 - ratio * f);
  double denominator = 1.0;
  if (x > 0.0) {
    const double odds = log_dropout_odds(params, customer);
    if (odds > 700.0) return 0.0;
    denominator += exp_portable(odds);
  }
  return numerator / denominator;
}

}  // namespace shelfcast
