// Intermittent demand (Croston, SBA, TSB, the SBC classifier, the negative-binomial count model)
// and the drift baseline: hand-computed recursions, known-truth simulations, generator data, edges.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "detail/rng.h"
#include "shelfcast/baseline.h"
#include "shelfcast/generate.h"
#include "shelfcast/intermittent.h"

using namespace shelfcast;

namespace {

IntermittentParams fixed_params(IntermittentMethod method, IntermittentInit init, double a,
                                double b) {
  IntermittentParams p;
  p.method = method;
  p.init = init;
  p.optimize = false;
  p.alpha_size = a;
  p.alpha_interval = b;
  p.beta_probability = b;
  return p;
}

// Coverage of a count forecast, two ways. A quantile of a discrete distribution covers at least
// its probability, often much more (P(0) alone may exceed 80%), so the raw hit rate of
// "actual <= quantile" is only checked from below. The randomized PIT (Czado, Gneiting & Held
// 2009, Biometrics 65) u = F(y-1) + V (F(y) - F(y-1)), V ~ U(0,1), is exactly uniform when the
// forecast distribution is right, so P(u <= tau) is the coverage to compare with tau +- 5 points.
struct Coverage {
  double raw_hits = 0.0;
  double pit_hits = 0.0;
  double n = 0.0;
  double raw() const { return 100.0 * raw_hits / n; }
  double pit() const { return 100.0 * pit_hits / n; }
};

// Adds one outcome of an upper quantile at probability tau over `lead` periods.
void score_upper(const IntermittentFit& fit, int32_t lead, double tau, double actual,
                 detail::Rng* rng, Coverage* c) {
  const Result<double> q = lead_time_quantile(fit, lead, tau);
  const Result<double> hi = lead_time_cdf(fit, lead, actual);
  const Result<double> lo = lead_time_cdf(fit, lead, actual - 1.0);
  REQUIRE(q.is_ok());
  REQUIRE(hi.is_ok());
  REQUIRE(lo.is_ok());
  const double u = *lo + rng->uniform() * (*hi - *lo);
  c->raw_hits += actual <= *q ? 1.0 : 0.0;
  c->pit_hits += u <= tau ? 1.0 : 0.0;
  c->n += 1.0;
}

}  // namespace

// ---- hand-computed recursions -------------------------------------------------------------------

// y = 0 0 3 0 5 0 0 0 2 0: demands 3, 5, 2 at positions 3, 5, 9, intervals diff(c(0, 3, 5, 9)) =
// 3, 2, 4. R's forecast::croston (alpha = 0.1) runs ses(initial = "simple") on both, so the level
// starts at the first value: size 3 -> 3.2 -> 3.08, interval 3 -> 2.9 -> 3.01, forecast 3.08/3.01
// = 1.0232558 (what croston(y)$mean gives). SBA multiplies by 1 - 0.1/2. With the sample-mean
// start: size 10/3 -> 3.3 -> 3.47 -> 3.323, interval 9/3 = 3 -> 3 -> 2.9 -> 3.01.
TEST_CASE("Croston and SBA match the published recursions by hand") {
  const std::vector<double> y = {0, 0, 3, 0, 5, 0, 0, 0, 2, 0};
  struct Row {
    IntermittentMethod method;
    IntermittentInit init;
    double size;
    double interval;
    double rate;
  };
  const Row rows[] = {
      {IntermittentMethod::kCroston, IntermittentInit::kFirstDemand, 3.08, 3.01, 3.08 / 3.01},
      {IntermittentMethod::kSba, IntermittentInit::kFirstDemand, 3.08, 3.01, 0.95 * 3.08 / 3.01},
      {IntermittentMethod::kCroston, IntermittentInit::kSampleMean, 3.323, 3.01, 3.323 / 3.01},
      {IntermittentMethod::kSba, IntermittentInit::kSampleMean, 3.323, 3.01, 0.95 * 3.323 / 3.01},
  };
  for (const Row& row : rows) {
    CAPTURE(to_string(row.method));
    CAPTURE(static_cast<int>(row.init));
    Result<IntermittentFit> fit = fit_intermittent(y, fixed_params(row.method, row.init, 0.1, 0.1));
    REQUIRE(fit.is_ok());
    CHECK(fit->size_level == doctest::Approx(row.size).epsilon(1e-12));
    CHECK(fit->interval_level == doctest::Approx(row.interval).epsilon(1e-12));
    CHECK(fit->rate == doctest::Approx(row.rate).epsilon(1e-12));
    CHECK(fit->n_demands == 3);
    CHECK(fit->fitted.size() == y.size());
  }
  // kFirstDemand: no forecast exists before the first demand; the next one is 3 / 3.
  Result<IntermittentFit> first = fit_intermittent(
      y, fixed_params(IntermittentMethod::kCroston, IntermittentInit::kFirstDemand, 0.1, 0.1));
  REQUIRE(first.is_ok());
  CHECK(std::isnan(first->fitted[2]));
  CHECK(first->fitted[3] == doctest::Approx(1.0));
}

// TSB (Teunter, Syntetos & Babai 2011, eqs. 3-5) from the first demand (t = 3): p = 1/3, z = 3.
// Per period: demand -> p += beta (1 - p), z += alpha (y - z); none -> p *= 1 - beta.
// alpha = 0.1, beta = 0.2: t4 p = .266667; t5 p = .413333, z = 3.2; t6..t8 p = .211627;
// t9 p = .369301, z = 3.08; t10 p = .295441; forecast p z = 0.9099585.
TEST_CASE("TSB matches its recursion by hand") {
  const std::vector<double> y = {0, 0, 3, 0, 5, 0, 0, 0, 2, 0};
  Result<IntermittentFit> fit = fit_intermittent(
      y, fixed_params(IntermittentMethod::kTsb, IntermittentInit::kFirstDemand, 0.1, 0.2));
  REQUIRE(fit.is_ok());
  CHECK(fit->probability_level == doctest::Approx(0.2954410666666667).epsilon(1e-12));
  CHECK(fit->size_level == doctest::Approx(3.08).epsilon(1e-12));
  CHECK(fit->rate == doctest::Approx(0.9099584853333335).epsilon(1e-12));
  CHECK(fit->fitted[3] == doctest::Approx(1.0));  // (1/3) * 3
  CHECK(fit->alpha_interval == 0.0);
  CHECK(fit->beta_probability == 0.2);
  // TSB's forecast decays through a run of zeros; Croston's stays put.
  std::vector<double> longer = y;
  for (int i = 0; i < 10; ++i) longer.push_back(0.0);
  Result<IntermittentFit> decayed = fit_intermittent(
      longer, fixed_params(IntermittentMethod::kTsb, IntermittentInit::kFirstDemand, 0.1, 0.2));
  REQUIRE(decayed.is_ok());
  CHECK(decayed->rate == doctest::Approx(0.9099584853333335 * std::pow(0.8, 10)).epsilon(1e-9));
}

TEST_CASE("intermittent optimizer stays in range and does not lose to the fixed constants") {
  detail::Rng rng(7);
  std::vector<double> y;
  for (int t = 0; t < 120; ++t)
    y.push_back(rng.bernoulli(0.3) ? 1.0 + static_cast<double>(rng.poisson(2.0)) : 0.0);
  const IntermittentMethod methods[] = {IntermittentMethod::kCroston, IntermittentMethod::kSba,
                                        IntermittentMethod::kTsb};
  for (IntermittentMethod method : methods) {
    CAPTURE(to_string(method));
    IntermittentParams p = fixed_params(method, IntermittentInit::kSampleMean, 0.1, 0.1);
    Result<IntermittentFit> fixed = fit_intermittent(y, p);
    p.optimize = true;
    Result<IntermittentFit> best = fit_intermittent(y, p);
    REQUIRE(fixed.is_ok());
    REQUIRE(best.is_ok());
    CHECK(best->loss <= fixed->loss + 1e-12);
    CHECK(best->alpha_size >= p.alpha_min);
    CHECK(best->alpha_size <= p.alpha_max);
  }
}

// ---- classifier ---------------------------------------------------------------------------------

TEST_CASE("SBC classifier labels the four quadrants with ADI 1.32 and CV2 0.49") {
  struct Row {
    const char* name;
    std::vector<double> values;
    DemandClass expected;
    IntermittentMethod method;
  };
  const Row rows[] = {
      {"smooth", {5, 6, 5, 7, 6, 5}, DemandClass::kSmooth, IntermittentMethod::kCroston},
      {"erratic", {1, 20, 2, 30, 1, 25}, DemandClass::kErratic, IntermittentMethod::kSba},
      {"intermittent",
       {0, 0, 5, 0, 0, 5, 0, 0, 6},
       DemandClass::kIntermittent,
       IntermittentMethod::kSba},
      {"lumpy", {0, 0, 1, 0, 0, 30, 0, 0, 2, 0}, DemandClass::kLumpy, IntermittentMethod::kSba},
      {"all zeros", {0, 0, 0, 0}, DemandClass::kIntermittent, IntermittentMethod::kSba},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    Result<DemandClassification> c = classify_demand(row.values);
    REQUIRE(c.is_ok());
    CHECK(c->demand_class == row.expected);
    CHECK(recommended_method(c->demand_class) == row.method);
    CHECK(std::isfinite(c->adi));
    CHECK(std::isfinite(c->cv2));
  }
  // Hand values for "intermittent": 9 periods / 3 demands; sizes 5, 5, 6: var 1/3, mean 16/3.
  Result<DemandClassification> c = classify_demand({0, 0, 5, 0, 0, 5, 0, 0, 6});
  REQUIRE(c.is_ok());
  CHECK(c->adi == doctest::Approx(3.0));
  CHECK(c->cv2 == doctest::Approx((1.0 / 3.0) / (256.0 / 9.0)));
  CHECK(to_string(DemandClass::kLumpy) == "lumpy");
}

// ---- count model --------------------------------------------------------------------------------

TEST_CASE("lead-time distribution of the count model is the NB convolution") {
  // Without rate uncertainty the total over L periods is NB(mean L m, size L k) exactly.
  IntermittentFit fit;
  fit.rate = 0.5;
  fit.nb_size = 0.8;
  // NB(mean 0.5, size 0.8): P(0) = (0.8 / 1.3)^0.8.
  const double p0 = std::pow(0.8 / 1.3, 0.8);
  CHECK(*lead_time_cdf(fit, 1, 0.0) == doctest::Approx(p0).epsilon(1e-12));
  // P(1) = P(0) * size * r with r = m / (size + m).
  const double p1 = p0 * 0.8 * (0.5 / 1.3);
  CHECK(*lead_time_cdf(fit, 1, 1.0) == doctest::Approx(p0 + p1).epsilon(1e-12));
  CHECK(*lead_time_cdf(fit, 1, 1.7) == doctest::Approx(p0 + p1).epsilon(1e-12));
  // L = 4: NB(mean 2, size 3.2): P(0) = (3.2 / 5.2)^3.2.
  CHECK(*lead_time_cdf(fit, 4, 0.0) == doctest::Approx(std::pow(3.2 / 5.2, 3.2)).epsilon(1e-12));
  CHECK(*lead_time_cdf(fit, 4, -1.0) == 0.0);
  for (int32_t lead : {1, 4, 8, 52}) {
    for (double tau : {0.5, 0.8, 0.95, 0.999}) {
      CAPTURE(lead);
      CAPTURE(tau);
      const Result<double> q = lead_time_quantile(fit, lead, tau);
      REQUIRE(q.is_ok());
      CHECK(*q == std::floor(*q));
      CHECK(*q >= 0.0);
      CHECK(*lead_time_cdf(fit, lead, *q) >= tau);
      if (*q > 0.0) CHECK(*lead_time_cdf(fit, lead, *q - 1.0) < tau);
    }
  }
  // Poisson (nb_size 0) with rate uncertainty 0: P(total over 2 <= 0) = exp(-2 m).
  fit.nb_size = 0.0;
  CHECK(*lead_time_cdf(fit, 2, 0.0) == doctest::Approx(std::exp(-1.0)).epsilon(1e-12));
  // A large mean stays exact and fast (the summation starts 40 sd below the mean).
  fit.rate = 5000.0;
  const Result<double> median = lead_time_quantile(fit, 8, 0.5);
  REQUIRE(median.is_ok());
  CHECK(*median == doctest::Approx(40000.0).epsilon(1e-3));
  // A huge, very dispersed total (sd ~ 2e7 units) takes the normal shortcut and stays finite.
  fit.rate = 1e6;
  fit.nb_size = 0.02;
  const Result<double> huge = lead_time_quantile(fit, 8, 0.95);
  REQUIRE(huge.is_ok());
  CHECK(std::isfinite(*huge));
  CHECK(*huge > 8e6);
  CHECK(*lead_time_cdf(fit, 8, *huge) >= 0.95);
  CHECK_FALSE(lead_time_quantile(fit, 0, 0.5).is_ok());
  CHECK_FALSE(lead_time_quantile(fit, 1, 1.0).is_ok());
  CHECK_FALSE(lead_time_cdf(fit, 1, std::nan("")).is_ok());
}

// Known truth: simulated Bernoulli x size and negative-binomial series.
struct TruthRow {
  const char* name;
  bool bernoulli;    // Bernoulli(p) x (1 + Poisson(size)), else NB(mean, size)
  double p_or_mean;  // demand probability, or NB mean
  double size;       // Poisson mean of size - 1, or NB size
  double true_rate;  // demand per period
};

const TruthRow kTruthRows[] = {
    {"Bernoulli 0.3 x (1 + Poisson 2)", true, 0.3, 2.0, 0.9},
    {"NB mean 0.5 size 0.5", false, 0.5, 0.5, 0.5},
};
const int32_t kLeads[] = {1, 4, 8};
const double kTaus[] = {0.8, 0.95};

double draw_truth(const TruthRow& row, detail::Rng* rng) {
  if (row.bernoulli) {
    return rng->bernoulli(row.p_or_mean) ? 1.0 + static_cast<double>(rng->poisson(row.size)) : 0.0;
  }
  return static_cast<double>(rng->negative_binomial(row.p_or_mean, row.size));
}

// Fits `reps` independent histories and scores the upper quantiles of the next 1, 4, 8 periods.
void simulate_coverage(const TruthRow& row, const IntermittentParams& params, int reps, int history,
                       uint64_t seed, Coverage cov[3][2], double* mean_rate) {
  detail::Rng rng(seed);
  double rate_sum = 0.0;
  for (int rep = 0; rep < reps; ++rep) {
    std::vector<double> y;
    for (int t = 0; t < history; ++t) y.push_back(draw_truth(row, &rng));
    double future[8];
    for (double& f : future) f = draw_truth(row, &rng);
    Result<IntermittentFit> fit = fit_intermittent(y, params);
    REQUIRE(fit.is_ok());
    rate_sum += fit->rate;
    for (int li = 0; li < 3; ++li) {
      double total = 0.0;
      for (int k = 0; k < kLeads[li]; ++k) total += future[k];
      for (int ti = 0; ti < 2; ++ti)
        score_upper(*fit, kLeads[li], kTaus[ti], total, &rng, &cov[li][ti]);
    }
  }
  *mean_rate = rate_sum / reps;
}

TEST_CASE("intermittent known truth: the rate is recovered on a long series") {
  const IntermittentMethod methods[] = {IntermittentMethod::kCroston, IntermittentMethod::kSba,
                                        IntermittentMethod::kTsb};
  for (const TruthRow& row : kTruthRows) {
    for (IntermittentMethod method : methods) {
      CAPTURE(std::string(row.name));
      CAPTURE(to_string(method));
      detail::Rng rng(2024);
      std::vector<double> y;
      for (int t = 0; t < 3000; ++t) y.push_back(draw_truth(row, &rng));
      IntermittentParams params;
      params.method = method;
      Result<IntermittentFit> fit = fit_intermittent(y, params);
      REQUIRE(fit.is_ok());
      // Croston is biased up by about alpha_interval / 2 (Syntetos & Boylan 2005): 10% covers it.
      CHECK(fit->rate == doctest::Approx(row.true_rate).epsilon(0.1));
    }
  }
}

TEST_CASE("intermittent known truth: the NB size is recovered by moments and by ML") {
  const DispersionMethod methods[] = {DispersionMethod::kMoments,
                                      DispersionMethod::kMaximumLikelihood};
  detail::Rng rng(77);
  std::vector<double> y;
  for (int t = 0; t < 4000; ++t) y.push_back(static_cast<double>(rng.negative_binomial(0.5, 0.5)));
  for (DispersionMethod method : methods) {
    CAPTURE(static_cast<int>(method));
    IntermittentParams params;
    params.method = IntermittentMethod::kTsb;
    params.dispersion = method;
    params.loss = SmoothingLoss::kMae;  // exercise the other loss too
    const Result<IntermittentFit> fit = fit_intermittent(y, params);
    REQUIRE(fit.is_ok());
    CHECK(fit->nb_size == doctest::Approx(0.5).epsilon(0.25));
  }
}

// Fixed constants (alpha = beta = 0.1, Croston's default) isolate the count model from the
// optimizer (the generator test below runs the optimizer). 1000 replications of 156 periods give
// a coverage standard error of 1.3 points at 80% and 0.7 at 95%. Tolerance: +-5 points, except
// below nominal at 80%, where 7 points are allowed. Measured and understood: a plug-in forecast
// uses the estimated dispersion as if it were true, and with heavy-tailed NB(0.5, 0.5) data the
// 156-period variance estimate has a relative sd of ~30%; averaging Phi(z s / sigma) over that
// noise (Jensen) costs 3-6 points at 80% and 1-3 at 95%. Bernoulli x size at L = 1 adds model
// error: no NB has the hurdle's P(0) = 0.7 and its tail at once (the fit puts ~0.6 at zero).
TEST_CASE("intermittent known truth: lead-time quantiles cover with fixed constants") {
  const IntermittentMethod methods[] = {IntermittentMethod::kSba, IntermittentMethod::kTsb};
  for (const TruthRow& row : kTruthRows) {
    for (IntermittentMethod method : methods) {
      CAPTURE(std::string(row.name));
      CAPTURE(to_string(method));
      IntermittentParams params;
      params.method = method;
      params.optimize = false;
      Coverage cov[3][2];
      double mean_rate = 0.0;
      simulate_coverage(row, params, 1000, 156, row.bernoulli ? 11 : 12, cov, &mean_rate);
      CHECK(mean_rate == doctest::Approx(row.true_rate).epsilon(0.1));
      for (int li = 0; li < 3; ++li) {
        for (int ti = 0; ti < 2; ++ti) {
          CAPTURE(kLeads[li]);
          CAPTURE(kTaus[ti]);
          const double nominal = 100.0 * kTaus[ti];
          MESSAGE("fixed " << std::string(row.name) << " " << to_string(method)
                           << " L=" << kLeads[li] << " tau=" << kTaus[ti]
                           << " raw=" << cov[li][ti].raw() << " pit=" << cov[li][ti].pit());
          const double below = kTaus[ti] < 0.9 ? 7.0 : 5.0;
          CHECK(cov[li][ti].raw() >= nominal - below);
          CHECK(cov[li][ti].pit() >= nominal - below);
          CHECK(cov[li][ti].pit() <= nominal + 5.0);
        }
      }
    }
  }
}

// Generator data: slow movers (NB daily demand, size 0.3..1) summed to weekly walk-in units
// (loyalty lines are left out: they are a different process). The truth is a sum of 7 daily NB
// draws with weekday, season, trend and holiday effects, so the weekly NB is an approximation.
// Default parameters (optimized constants); one-step-ahead forecasts from rolling origins 26..56:
// 30 series x 31 origins = 930 forecasts. Standard error at 80% is 1.3 points if independent; the
// origins of one series share data, so the effective count is smaller and +-5 points is the
// brief's tolerance, not a 4-sigma bound. Central intervals are scored by the randomized PIT
// (see Coverage); raw coverage of a whole-unit interval exceeds nominal (lower bound is 0 most
// weeks), so it is only checked from below. The 4-week totals (origins 26..53, 840 forecasts)
// are scored the same way: measured 76.4% at 80% and 91.5% at 95%.
TEST_CASE("intermittent weekly intervals cover on generator slow movers") {
  GeneratorConfig config;
  config.seed = 11;
  config.n_stores = 2;
  config.n_products = 30;
  config.n_categories = 3;
  config.n_days = 400;
  config.n_customers = 1;
  config.n_affinity_pairs = 0;
  config.intermittent_share = 0.5;
  const Result<GeneratedData> data = generate(config);
  REQUIRE(data.is_ok());
  const int32_t n_weeks = config.n_days / 7;
  const Date start = config.start;
  std::vector<std::vector<double>> weekly;  // [store * n_products + product][week]
  weekly.assign(static_cast<size_t>(config.n_stores * config.n_products),
                std::vector<double>(static_cast<size_t>(n_weeks), 0.0));
  for (const SalesLine& line : data->data.lines) {
    if (line.customer != -1) continue;  // walk-in draws only: the NB part of the truth
    const int32_t week = (line.date.days - start.days) / 7;
    if (week >= n_weeks) continue;
    weekly[static_cast<size_t>(line.store * config.n_products + line.product)]
          [static_cast<size_t>(week)] += line.qty;
  }
  const double levels[] = {80.0, 95.0};
  constexpr int32_t kLeadWeeks = 4;
  Coverage central[2];
  Coverage lead_total[2];
  detail::Rng rng(99);
  int32_t n_series = 0;
  for (int32_t s = 0; s < config.n_stores; ++s) {
    for (int32_t i = 0; i < config.n_products; ++i) {
      if (!data->truth.products[static_cast<size_t>(i)].intermittent) continue;
      ++n_series;
      const std::vector<double>& y = weekly[static_cast<size_t>(s * config.n_products + i)];
      for (int32_t origin = 26; origin < n_weeks; ++origin) {
        const std::vector<double> history(y.begin(), y.begin() + origin);
        const Result<IntermittentForecast> f = forecast_intermittent(history, 1, {80.0, 95.0});
        REQUIRE(f.is_ok());
        if (origin + kLeadWeeks <= n_weeks) {
          // The 4-week total, as safety stock over a lead time uses it.
          double total = 0.0;
          for (int32_t k = 0; k < kLeadWeeks; ++k) total += y[static_cast<size_t>(origin + k)];
          const double thi = *lead_time_cdf(f->fit, kLeadWeeks, total);
          const double tlo = *lead_time_cdf(f->fit, kLeadWeeks, total - 1.0);
          const double tu = tlo + rng.uniform() * (thi - tlo);
          for (int k = 0; k < 2; ++k) {
            const double tail = (1.0 - levels[k] / 100.0) / 2.0;
            lead_total[k].pit_hits += tu >= tail && tu <= 1.0 - tail ? 1.0 : 0.0;
            lead_total[k].n += 1.0;
          }
        }
        const double actual = y[static_cast<size_t>(origin)];
        const double hi = *lead_time_cdf(f->fit, 1, actual);
        const double lo = *lead_time_cdf(f->fit, 1, actual - 1.0);
        const double u = lo + rng.uniform() * (hi - lo);
        for (int k = 0; k < 2; ++k) {
          const double tail = (1.0 - levels[k] / 100.0) / 2.0;
          const ForecastInterval& iv = f->intervals[static_cast<size_t>(k)];
          CHECK(iv.lower[0] >= 0.0);
          CHECK(iv.lower[0] == std::floor(iv.lower[0]));
          central[k].raw_hits += actual >= iv.lower[0] && actual <= iv.upper[0] ? 1.0 : 0.0;
          central[k].pit_hits += u >= tail && u <= 1.0 - tail ? 1.0 : 0.0;
          central[k].n += 1.0;
        }
      }
    }
  }
  CHECK(n_series == 30);
  for (int k = 0; k < 2; ++k) {
    CAPTURE(levels[k]);
    MESSAGE("generator weekly level=" << levels[k] << " raw=" << central[k].raw()
                                      << " pit=" << central[k].pit() << " n=" << central[k].n);
    CHECK(central[k].raw() >= levels[k] - 5.0);
    CHECK(std::fabs(central[k].pit() - levels[k]) <= 5.0);
    MESSAGE("generator 4-week total level=" << levels[k] << " pit=" << lead_total[k].pit()
                                            << " n=" << lead_total[k].n);
    CHECK(std::fabs(lead_total[k].pit() - levels[k]) <= 5.0);
  }
}

// ---- edge cases ---------------------------------------------------------------------------------

TEST_CASE("intermittent edge cases have defined behaviour and never produce NaN") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> very_long(20000, 0.0);
  for (size_t t = 0; t < very_long.size(); t += 7) very_long[t] = static_cast<double>(1 + t % 3);
  struct Row {
    const char* name;
    std::vector<double> values;
    bool clamp;
    bool ok;
    double rate;  // expected rate when >= 0
  };
  const Row rows[] = {
      {"empty", {}, false, false, -1},
      {"all NaN", {nan, nan}, false, false, -1},
      {"infinity", {0, inf, 1}, false, false, -1},
      {"negative is an error", {0, 2, -1, 0}, false, false, -1},
      {"negative clamped to zero", {0, 2, -1, 0}, true, true, -1},
      {"all zeros", {0, 0, 0, 0, 0}, false, true, 0.0},
      {"one point", {4}, false, true, -1},
      {"one nonzero", {0, 0, 0, 6, 0, 0}, false, true, -1},
      {"NaN dropped", {0, nan, 3, 0, nan, 0, 2}, false, true, -1},
      {"constant", {2, 2, 2, 2, 2, 2}, false, true, 2.0},
      {"very long", very_long, false, true, -1},
  };
  const IntermittentMethod methods[] = {IntermittentMethod::kCroston, IntermittentMethod::kSba,
                                        IntermittentMethod::kTsb};
  for (const Row& row : rows) {
    for (IntermittentMethod method : methods) {
      CAPTURE(row.name);
      CAPTURE(to_string(method));
      IntermittentParams params;
      params.method = method;
      params.clamp_negative = row.clamp;
      const Result<IntermittentForecast> f = forecast_intermittent(row.values, 3, {80.0}, params);
      CHECK(f.is_ok() == row.ok);
      if (!f.is_ok()) {
        CHECK(f.status().code() == ErrorCode::kInvalidArgument);
        continue;
      }
      if (row.rate >= 0.0 && method != IntermittentMethod::kSba) {
        CHECK(f->fit.rate == doctest::Approx(row.rate));
      }
      CHECK(std::isfinite(f->fit.rate));
      CHECK(std::isfinite(f->fit.nb_size));
      CHECK(std::isfinite(f->fit.rate_variance));
      CHECK(f->mean.size() == 3);
      for (double m : f->mean) CHECK(std::isfinite(m));
      for (double v : f->intervals[0].lower) CHECK(std::isfinite(v));
      for (double v : f->intervals[0].upper) CHECK(std::isfinite(v));
      CHECK(f->intervals[0].lower[0] <= f->intervals[0].upper[0]);
      for (int32_t lead : {1, 8}) {
        const Result<double> q = lead_time_quantile(f->fit, lead, 0.95);
        REQUIRE(q.is_ok());
        CHECK(std::isfinite(*q));
        CHECK(*q >= 0.0);
      }
    }
  }
  // All zeros: every quantile is 0 and zero demand is certain.
  const Result<IntermittentFit> zeros = fit_intermittent({0, 0, 0});
  REQUIRE(zeros.is_ok());
  CHECK(*lead_time_quantile(*zeros, 8, 0.99) == 0.0);
  CHECK(*lead_time_cdf(*zeros, 8, 0.0) == 1.0);
  // Bad arguments.
  CHECK_FALSE(forecast_intermittent({1, 0, 1}, 0).is_ok());
  CHECK_FALSE(forecast_intermittent({1, 0, 1}, 3, {100.0}).is_ok());
  IntermittentParams bad;
  bad.alpha_min = 0.0;
  CHECK_FALSE(fit_intermittent({1, 0, 1}, bad).is_ok());
  CHECK_FALSE(classify_demand({1, -2}).is_ok());
}

// ---- drift baseline -----------------------------------------------------------------------------

// y = 1 3 4 8: differences 2 1 4, drift b = 7/3; residuals -1/3 -4/3 5/3, sigma^2 = (42/9) / 2 =
// 7/3 (lm(diff ~ 1) in R's rwf); se(b)^2 = sigma^2 / 3. Forecast 8 + h b; sd_h^2 = sigma^2 h (1 +
// h/3): sd_1 = sqrt(28/9) = 1.763834, sd_2 = sqrt(70/9) = 2.788867.
TEST_CASE("drift forecasts and interval widths match rwf(drift = TRUE) by hand") {
  const Result<DriftForecast> f = forecast_drift({1, 3, 4, 8}, 2, {95.0});
  REQUIRE(f.is_ok());
  CHECK(f->drift == doctest::Approx(7.0 / 3.0));
  CHECK(f->sigma == doctest::Approx(std::sqrt(7.0 / 3.0)));
  CHECK(f->drift_se == doctest::Approx(std::sqrt(7.0 / 9.0)));
  CHECK(f->mean[0] == doctest::Approx(8.0 + 7.0 / 3.0));
  CHECK(f->mean[1] == doctest::Approx(8.0 + 14.0 / 3.0));
  CHECK(f->sd[0] == doctest::Approx(std::sqrt(28.0 / 9.0)));
  CHECK(f->sd[1] == doctest::Approx(std::sqrt(70.0 / 9.0)));
  const double z = 1.959963984540054;
  CHECK(f->intervals[0].upper[1] - f->mean[1] == doctest::Approx(z * std::sqrt(70.0 / 9.0)));
  CHECK(f->mean[1] - f->intervals[0].lower[1] == doctest::Approx(z * std::sqrt(70.0 / 9.0)));
  CHECK(std::isnan(f->fitted[0]));
  CHECK(f->fitted[3] == doctest::Approx(4.0 + 7.0 / 3.0));
}

TEST_CASE("drift edge cases") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Row {
    const char* name;
    std::vector<double> values;
    ErrorCode code;
    double mean1;  // expected first forecast when ok
  };
  const Row rows[] = {
      {"empty", {}, ErrorCode::kFailedPrecondition, 0},
      {"one point", {5}, ErrorCode::kFailedPrecondition, 0},
      {"two points", {5, 6}, ErrorCode::kFailedPrecondition, 0},
      {"infinity", {1, 2, std::numeric_limits<double>::infinity()}, ErrorCode::kInvalidArgument, 0},
      {"constant", {3, 3, 3, 3}, ErrorCode::kOk, 3.0},
      {"all zeros", {0, 0, 0}, ErrorCode::kOk, 0.0},
      {"negative values kept", {-1, -3, -5}, ErrorCode::kOk, -7.0},
      // Differences 1 (1->2) and 1 (4->5) only; origin 5 at the end, b = 1.
      {"interior NaN", {1, 2, nan, 4, 5}, ErrorCode::kOk, 6.0},
      // Origin is the last observed value, two periods before the first forecast.
      {"trailing NaN", {1, 2, 3, nan}, ErrorCode::kOk, 5.0},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const Result<DriftForecast> f = forecast_drift(row.values, 3);
    CHECK(f.status().code() == row.code);
    if (!f.is_ok()) continue;
    CHECK(f->mean[0] == doctest::Approx(row.mean1));
    for (const ForecastInterval& iv : f->intervals) {
      for (size_t h = 0; h < 3; ++h) {
        CHECK(std::isfinite(iv.lower[h]));
        CHECK(std::isfinite(iv.upper[h]));
      }
    }
  }
  // A long trending series: b recovers the slope; width grows like sqrt(h (1 + h / T)).
  std::vector<double> trend;
  detail::Rng rng(3);
  double level = 0.0;
  for (int t = 0; t < 5000; ++t) {
    level += 0.5 + rng.normal();
    trend.push_back(level);
  }
  const Result<DriftForecast> f = forecast_drift(trend, 10, {80.0});
  REQUIRE(f.is_ok());
  CHECK(f->drift == doctest::Approx(0.5).epsilon(0.1));
  CHECK(f->sigma == doctest::Approx(1.0).epsilon(0.05));
  CHECK(f->sd[9] / f->sd[0] ==
        doctest::Approx(std::sqrt(10.0 * (1.0 + 10.0 / 4999.0) / (1.0 + 1.0 / 4999.0))));
  CHECK_FALSE(forecast_drift({1, 2, 3}, 0).is_ok());
  CHECK_FALSE(forecast_drift({1, 2, 3}, 1, {0.0}).is_ok());
}
