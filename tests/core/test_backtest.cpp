// Accuracy metrics against hand-computed values, and rolling-origin evaluation.
#include <doctest/doctest.h>

#include <cmath>

#include "shelfcast/backtest.h"

using namespace shelfcast;

namespace {

ForecastResult fixed_forecast(std::vector<double> mean, double half_width) {
  ForecastResult r;
  r.model = "Fixed";
  r.mean = mean;
  ForecastInterval iv;
  iv.level = 80.0;
  for (double m : mean) {
    iv.lower.push_back(m - half_width);
    iv.upper.push_back(m + half_width);
  }
  r.intervals = {iv};
  return r;
}

}  // namespace

TEST_CASE("metrics match hand-computed values") {
  // actuals 10, 0, 5; forecasts 8, 1, 5 -> errors 2, -1, 0.
  AccuracyAccumulator acc;
  acc.add({10, 0, 5}, fixed_forecast({8, 1, 5}, 1.5), /*mae_scale=*/2.0, /*mse_scale=*/4.0);
  const AccuracyMetrics m = acc.metrics();
  CHECK(m.n == 3);
  CHECK(m.mase == doctest::Approx((2.0 / 2 + 1.0 / 2 + 0) / 3));
  CHECK(m.rmsse == doctest::Approx(std::sqrt((4.0 / 4 + 1.0 / 4 + 0) / 3)));
  CHECK(m.smape == doctest::Approx((200.0 * 2 / 18 + 200.0 * 1 / 1 + 0) / 3));
  CHECK(m.wape == doctest::Approx(3.0 / 15));
  CHECK(m.bias == doctest::Approx((-2.0 + 1.0 + 0.0) / 15));
  REQUIRE(m.coverage.size() == 1);
  CHECK(m.coverage[0] == doctest::Approx(2.0 / 3));  // |2| > 1.5 is outside
}

TEST_CASE("scales follow M4 (seasonal MASE) and M5 (lag-1 RMSSE)") {
  const std::vector<double> y = {1, 2, 3, 4, 2, 3, 4, 5, 3, 4};
  CHECK(mase_scale(y, 4) == doctest::Approx(1.0));          // y_t - y_{t-4} = 1 throughout
  CHECK(mase_scale(y, 1) == doctest::Approx(11.0 / 9));     // |diffs| 1,1,1,2,1,1,1,2,1
  CHECK(mase_scale({1, 2, 3}, 4) == doctest::Approx(1.0));  // too short: falls back to m = 1
  CHECK(rmsse_scale(y) == doctest::Approx((7.0 + 8.0) / 9));
  CHECK(mase_scale({5, 5, 5, 5}, 1) == 0.0);
  AccuracyAccumulator acc;
  acc.add({5, 5}, fixed_forecast({4, 6}, 0.1), 0.0, 0.0);
  const AccuracyMetrics m = acc.metrics();
  CHECK_FALSE(m.scaled_defined);
  CHECK(std::isnan(m.mase));
  CHECK(m.wape == doctest::Approx(0.2));
}

TEST_CASE("rolling origins see only the past and are pooled") {
  ForecastInput in;
  for (int t = 0; t < 20; ++t) in.values.push_back(static_cast<double>(t));
  in.levels = {80.0};
  BacktestOptions opt;
  opt.horizon = 3;
  opt.origins = 4;
  opt.step = 2;
  std::vector<size_t> seen;
  Forecaster last_value = [&seen](const ForecastInput& window) -> Result<ForecastResult> {
    seen.push_back(window.values.size());
    const double last = window.values.back();
    return fixed_forecast(std::vector<double>(static_cast<size_t>(window.horizon), last), 0.5);
  };
  Result<BacktestResult> r = backtest(in, opt, last_value);
  REQUIRE(r.is_ok());
  // Last origin leaves exactly the horizon: 20 - 3 = 17; earlier ones step back by 2.
  CHECK(seen == std::vector<size_t>{11, 13, 15, 17});
  CHECK(r->metrics.n == 12);
  // Errors are 1, 2, 3 at every origin: MAE 2 over a naive scale of 1.
  CHECK(r->metrics.mase == doctest::Approx(2.0));
  CHECK(r->metrics.coverage[0] == doctest::Approx(0.0));
  CHECK(r->models.size() == 4);

  opt.origins = 9;
  CHECK(backtest(in, opt, last_value).status().field() == "origins");
  opt.origins = 0;
  CHECK_FALSE(backtest(in, opt, last_value).is_ok());
}

TEST_CASE("the simple forecasters' intervals cover near nominal in a backtest") {
  // A local-level series with known noise: the SES 80% interval should hold ~80% of actuals.
  uint64_t state = 777;
  auto uniform = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (static_cast<double>(state >> 11) + 0.5) / 9007199254740992.0;
  };
  ForecastInput in;
  in.method = ForecastMethod::kSes;
  in.levels = {80.0, 95.0};
  double level = 50.0;
  for (int t = 0; t < 600; ++t) {
    const double e =
        3.0 * std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307 * uniform());
    in.values.push_back(level + e);
    level += 0.2 * e;
  }
  BacktestOptions opt;
  opt.horizon = 1;
  opt.origins = 400;
  Result<BacktestResult> r = backtest(in, opt, [](const ForecastInput& w) { return forecast(w); });
  REQUIRE(r.is_ok());
  CHECK(r->metrics.coverage[0] == doctest::Approx(0.80).epsilon(0.07));
  CHECK(r->metrics.coverage[1] == doctest::Approx(0.95).epsilon(0.04));
}
