// Dominick's refrigerated orange juice (store x brand x week): does ETS-Regression with the actual
// price, deal and feature of the test weeks beat the same baseline without regressors, on the
// weeks with a promotion? Built as the native target bench_oj; `scripts/bench oj` runs
//   gzip -dc ../shared/data/dominicks_oj_store_week.csv.gz | build/native-release/tests/bench_oj
// Per store x brand: fit on the first 80% of the weeks (40..160 overall), forecast the rest with
// the actual drivers. price_ratio = price / median training price of the series (the price cut
// of a deal is in it); promo_depth is not used by default, as Dominick's has no depth column
// (argument `depth` derives it as 1 - price / highest price of the last 13 weeks); feature =
// feat; display = deal (Dominick's "deal": in-store bonus buy or coupon). Missing weeks are NaN
// units with the previous week's drivers. A promotion week has deal or feat set. Prints
// `BENCH <name> <value> <unit>` lines.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "shelfcast/regression.h"

namespace {

struct Row {
  double move = 0.0, price = 0.0, deal = 0.0, feat = 0.0;
  bool present = false;
};

}  // namespace

int main(int argc, char** argv) {
  // Optional variants: `depth` adds the derived depth; `wide` widens the elasticity prior.
  bool no_depth = true, wide = false;
  for (int i = 1; i < argc; ++i) {
    no_depth = no_depth && std::string(argv[i]) != "depth";
    wide = wide || std::string(argv[i]) == "wide";
  }
  shelfcast::RegressionOptions options;
  if (wide) options.elasticity_prior_sd = 3.0;
  std::map<std::pair<int, int>, std::map<int, Row>> series;
  std::string line;
  std::getline(std::cin, line);  // header
  int week_min = 1 << 30, week_max = -1;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (cells.size() < 21) continue;
    const int store = std::stoi(cells[0]), brand = std::stoi(cells[1]), week = std::stoi(cells[2]);
    Row r;
    r.deal = std::stod(cells[16]);
    r.feat = std::stod(cells[17]);
    r.move = std::stod(cells[19]);
    r.price = std::stod(cells[20]);
    r.present = true;
    series[{store, brand}][week] = r;
    week_min = std::min(week_min, week);
    week_max = std::max(week_max, week);
  }
  const int n_weeks = week_max - week_min + 1;
  const int n_train = static_cast<int>(std::floor(0.8 * n_weeks));
  const int horizon = n_weeks - n_train;
  double err_with = 0.0, err_without = 0.0, actual_promo = 0.0;
  double all_with = 0.0, all_without = 0.0, actual_all = 0.0;
  int fitted = 0, failed = 0, fallback = 0;
  for (const auto& [key, weeks] : series) {
    std::vector<double> units(static_cast<size_t>(n_weeks), std::nan(""));
    std::vector<Row> drivers(static_cast<size_t>(n_weeks));
    Row last;
    bool seen = false;
    for (int w = 0; w < n_weeks; ++w) {
      auto it = weeks.find(week_min + w);
      if (it != weeks.end()) {
        last = it->second;
        seen = true;
        units[static_cast<size_t>(w)] = it->second.move;
      }
      drivers[static_cast<size_t>(w)] = last;
      drivers[static_cast<size_t>(w)].present = it != weeks.end();
    }
    if (!seen) continue;
    // Leading weeks before the first observation take its drivers.
    int first = 0;
    while (!drivers[static_cast<size_t>(first)].present) ++first;
    for (int w = 0; w < first; ++w)
      drivers[static_cast<size_t>(w)] = drivers[static_cast<size_t>(first)];
    std::vector<double> train_prices;
    for (int w = 0; w < n_train; ++w) {
      if (drivers[static_cast<size_t>(w)].present)
        train_prices.push_back(drivers[static_cast<size_t>(w)].price);
    }
    if (train_prices.size() < 10) continue;
    std::sort(train_prices.begin(), train_prices.end());
    const double reference = train_prices[train_prices.size() / 2];
    shelfcast::RegressionInput with;
    with.season_length = 52;
    with.horizon = horizon;
    for (int w = 0; w < n_weeks; ++w) {
      const Row& d = drivers[static_cast<size_t>(w)];
      double regular = d.price;
      for (int k = std::max(0, w - 12); k <= w; ++k) {
        regular = std::max(regular, drivers[static_cast<size_t>(k)].price);
      }
      shelfcast::RetailRegressors& r = w < n_train ? with.history : with.future;
      r.price_ratio.push_back(d.price / reference);
      r.promo_depth.push_back(std::min(0.9, std::max(0.0, 1.0 - d.price / regular)));
      r.feature.push_back(d.feat);
      r.display.push_back(d.deal);
      r.holiday.push_back(0.0);
      if (w < n_train) with.values.push_back(units[static_cast<size_t>(w)]);
    }
    if (no_depth) {
      with.history.promo_depth.clear();
      with.future.promo_depth.clear();
    }
    with.history.holiday.clear();
    with.future.holiday.clear();
    shelfcast::RegressionInput without = with;
    without.history = shelfcast::RetailRegressors{};
    without.future = shelfcast::RetailRegressors{};
    const auto a = shelfcast::forecast_regression(with, options);
    const auto b = shelfcast::forecast_regression(without, options);
    if (!a.is_ok() || !b.is_ok()) {
      ++failed;
      continue;
    }
    ++fitted;
    if (!a->fallback_reason.empty()) ++fallback;
    for (int h = 0; h < horizon; ++h) {
      const size_t w = static_cast<size_t>(n_train + h);
      if (std::isnan(units[w])) continue;
      const double ea = std::fabs(units[w] - a->mean[static_cast<size_t>(h)]);
      const double eb = std::fabs(units[w] - b->mean[static_cast<size_t>(h)]);
      all_with += ea;
      all_without += eb;
      actual_all += units[w];
      if (drivers[w].deal > 0.0 || drivers[w].feat > 0.0) {
        err_with += ea;
        err_without += eb;
        actual_promo += units[w];
      }
    }
  }
  std::printf("BENCH oj_series_fitted %d count\n", fitted);
  std::printf("BENCH oj_series_failed %d count\n", failed);
  std::printf("BENCH oj_series_fallback %d count\n", fallback);
  std::printf("BENCH oj_train_weeks %d weeks\n", n_train);
  std::printf("BENCH oj_test_weeks %d weeks\n", horizon);
  std::printf("BENCH oj_wape_promo_weeks_with_regressors %.4f fraction\n", err_with / actual_promo);
  std::printf("BENCH oj_wape_promo_weeks_without_regressors %.4f fraction\n",
              err_without / actual_promo);
  std::printf("BENCH oj_wape_all_weeks_with_regressors %.4f fraction\n", all_with / actual_all);
  std::printf("BENCH oj_wape_all_weeks_without_regressors %.4f fraction\n",
              all_without / actual_all);
  std::printf("BENCH oj_promo_wape_reduction %.4f fraction\n", 1.0 - err_with / err_without);
  return 0;
}
