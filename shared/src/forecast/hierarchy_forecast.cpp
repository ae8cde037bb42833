// Base forecasts of every node of a hierarchy, reconciled; and their backtest per level.

#include "shelfcast/hierarchy_forecast.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "detail/normal.h"

namespace shelfcast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Status validate(const HierarchyForecastInput& input) {
  if (input.bottom.size() != input.spec.bottom.size()) {
    return invalid_argument("expected one forecast input per bottom series (" +
                                std::to_string(input.spec.bottom.size()) + "), got " +
                                std::to_string(input.bottom.size()),
                            "bottom");
  }
  if (input.bottom.empty()) return invalid_argument("expected bottom series", "bottom");
  const ForecastInput& first = input.bottom.front();
  for (size_t i = 1; i < input.bottom.size(); ++i) {
    const ForecastInput& b = input.bottom[i];
    const std::string field = "bottom[" + std::to_string(i) + "]";
    if (b.values.size() != first.values.size()) {
      return invalid_argument("expected " + std::to_string(first.values.size()) +
                                  " periods like the first series, got " +
                                  std::to_string(b.values.size()),
                              field + ".values");
    }
    if (b.horizon != first.horizon || b.season_length != first.season_length ||
        b.levels != first.levels) {
      return invalid_argument("expected the horizon, season length and levels of the first series",
                              field);
    }
  }
  return Status::ok();
}

// The input of an aggregate node: its bottoms' summed values, automatic model, and drivers that
// are the volume-weighted means of its bottoms' drivers (weights: mean units of each bottom's
// history). For one SKU over stores that is its promotion as the stores saw it; for a category it
// is a promotion-intensity index (the share of volume on promotion, its mean depth, the mean
// price ratio). A field is used when some bottom has it; bottoms without it leave the average.
ForecastInput aggregate_input(const std::vector<int32_t>& bottoms,
                              const HierarchyForecastInput& in) {
  const ForecastInput& first = in.bottom.front();
  ForecastInput agg;
  agg.season_length = first.season_length;
  agg.horizon = first.horizon;
  agg.levels = first.levels;
  agg.period_name = first.period_name;
  agg.method = ForecastMethod::kAuto;
  const size_t n = first.values.size();
  agg.values.assign(n, 0.0);
  std::vector<bool> seen(n, false);
  std::vector<double> weight;
  double weight_sum = 0.0;
  for (int32_t b : bottoms) {
    const std::vector<double>& v = in.bottom[static_cast<size_t>(b)].values;
    double sum = 0.0, count = 0.0;
    for (size_t t = 0; t < v.size(); ++t) {
      if (std::isnan(v[t])) continue;  // a missing bottom value counts as no sale
      agg.values[t] += v[t];
      seen[t] = true;
      sum += v[t];
      count += 1.0;
    }
    weight.push_back(count > 0.0 ? sum / count : 0.0);
    weight_sum += weight.back();
  }
  for (size_t t = 0; t < n; ++t) {
    if (!seen[t]) agg.values[t] = kNaN;
  }
  if (!(weight_sum > 0.0)) std::fill(weight.begin(), weight.end(), 1.0);  // no sales at all

  using Field = std::vector<double> RetailRegressors::*;
  const Field fields[] = {&RetailRegressors::price_ratio, &RetailRegressors::promo_depth,
                          &RetailRegressors::feature, &RetailRegressors::display,
                          &RetailRegressors::holiday};
  const size_t h = static_cast<size_t>(first.horizon);
  for (const Field field : fields) {
    std::vector<double> past(n, 0.0), planned(h, 0.0);
    double w_used = 0.0;
    for (size_t i = 0; i < bottoms.size(); ++i) {
      const ForecastInput& b = in.bottom[static_cast<size_t>(bottoms[i])];
      const std::vector<double>& hist = b.history_drivers.*field;
      const std::vector<double>& fut = b.future_drivers.*field;
      if (hist.size() != n || fut.size() != h || weight[i] == 0.0) continue;
      for (size_t t = 0; t < n; ++t) past[t] += weight[i] * hist[t];
      for (size_t t = 0; t < h; ++t) planned[t] += weight[i] * fut[t];
      w_used += weight[i];
    }
    if (w_used == 0.0) continue;
    for (double& x : past) x /= w_used;
    for (double& x : planned) x /= w_used;
    agg.history_drivers.*field = std::move(past);
    agg.future_drivers.*field = std::move(planned);
  }
  return agg;
}

// sd of each step from the first interval (Gaussian approximation, as reconcile() assumes).
std::vector<double> step_sd(const ForecastResult& r) {
  std::vector<double> sd(r.mean.size(), 0.0);
  if (r.intervals.empty()) return sd;
  const ForecastInterval& iv = r.intervals.front();
  const double z = detail::normal_quantile(0.5 + iv.level / 200.0);
  for (size_t h = 0; h < sd.size(); ++h)
    sd[h] = std::max(0.0, (iv.upper[h] - iv.lower[h]) / (2.0 * z));
  return sd;
}

// The inputs of every node: aggregates from the rows of S, then the bottoms as given.
std::vector<ForecastInput> node_inputs(const Hierarchy& h, const HierarchyForecastInput& in) {
  std::vector<std::vector<int32_t>> bottoms_of(static_cast<size_t>(h.num_aggregate));
  for (int32_t b = 0; b < h.summing.outerSize(); ++b) {
    for (Eigen::SparseMatrix<double>::InnerIterator it(h.summing, b); it; ++it) {
      if (it.row() < h.num_aggregate && it.value() != 0.0) {
        bottoms_of[static_cast<size_t>(it.row())].push_back(b);
      }
    }
  }
  std::vector<ForecastInput> nodes;
  nodes.reserve(static_cast<size_t>(h.num_nodes()));
  for (const std::vector<int32_t>& bottoms : bottoms_of)
    nodes.push_back(aggregate_input(bottoms, in));
  for (const ForecastInput& b : in.bottom) nodes.push_back(b);
  return nodes;
}

// `done_before` and `grand_total` place this pass in the caller's progress (backtest origins).
Result<HierarchyForecast> forecast_nodes(const Hierarchy& hierarchy,
                                         const std::vector<ForecastInput>& nodes,
                                         const HierarchyForecastOptions& options,
                                         int64_t done_before, int64_t grand_total) {
  HierarchyForecast out;
  out.hierarchy = hierarchy;
  const auto n = static_cast<size_t>(hierarchy.num_nodes());
  ReconcileInput rin;
  rin.base.resize(n);
  rin.residuals.resize(n);
  rin.base_sd.resize(n);
  out.base.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Result<ForecastResult> r = forecast(nodes[i]);
    if (!r.is_ok()) {
      return Status(r.status().code(), hierarchy.node_names[i] + ": " + r.status().message(),
                    r.status().field());
    }
    rin.base[i] = r->mean;
    rin.base_sd[i] = step_sd(*r);
    // One-step in-sample residuals on the node's full period grid (fitted has one entry per
    // observation the model saw; a model that dropped leading missing values is aligned right).
    const std::vector<double>& y = nodes[i].values;
    std::vector<double>& e = rin.residuals[i];
    e.assign(y.size(), kNaN);
    const size_t offset = y.size() >= r->fitted.size() ? y.size() - r->fitted.size() : 0;
    for (size_t t = 0; t < r->fitted.size() && offset + t < y.size(); ++t) {
      e[offset + t] = y[offset + t] - r->fitted[t];
    }
    out.base.push_back(std::move(r).value());
    if (options.progress &&
        !options.progress(done_before + static_cast<int64_t>(i) + 1, grand_total)) {
      return failed_precondition("cancelled");
    }
  }
  ReconcileParams params = options.reconcile;
  params.levels = nodes.front().levels;
  Result<ReconcileResult> rec = reconcile(hierarchy, rin, params);
  if (!rec.is_ok() && options.method != ReconcileMethod::kBottomUp) {
    out.fallback_reason = std::string(to_string(options.method)) + ": " + rec.status().message() +
                          "; reconciled bottom-up";
    params.method = ReconcileMethod::kBottomUp;
    rec = reconcile(hierarchy, rin, params);
  }
  if (!rec.is_ok()) return rec.status();
  out.reconciled = std::move(rec).value();
  out.level_names.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const int32_t level = hierarchy.node_level[i];
    out.level_names.push_back(level < 0 ? options.bottom_level_name
                                        : level_name(hierarchy.levels[static_cast<size_t>(level)]));
  }
  return out;
}

}  // namespace

std::string level_name(const std::vector<std::string>& attributes) {
  if (attributes.empty()) return "total";
  std::string name;
  for (const std::string& a : attributes) name += (name.empty() ? "" : ",") + a;
  return name;
}

Result<HierarchyForecast> forecast_hierarchy(const HierarchyForecastInput& input,
                                             const HierarchyForecastOptions& options) {
  SHELFCAST_RETURN_IF_ERROR(validate(input));
  SHELFCAST_ASSIGN_OR_RETURN(Hierarchy hierarchy, build_hierarchy(input.spec));
  HierarchyForecastOptions opts = options;
  opts.reconcile.method = options.method;
  return forecast_nodes(hierarchy, node_inputs(hierarchy, input), opts, 0, hierarchy.num_nodes());
}

Result<std::vector<LevelAccuracy>> backtest_hierarchy(const HierarchyForecastInput& input,
                                                      const BacktestOptions& backtest_options,
                                                      const HierarchyForecastOptions& options) {
  SHELFCAST_RETURN_IF_ERROR(validate(input));
  if (backtest_options.horizon < 1) return invalid_argument("expected a horizon >= 1", "horizon");
  if (backtest_options.origins < 1) return invalid_argument("expected an origin", "origins");
  if (backtest_options.step < 1) return invalid_argument("expected a step >= 1", "step");
  SHELFCAST_ASSIGN_OR_RETURN(Hierarchy hierarchy, build_hierarchy(input.spec));
  HierarchyForecastOptions opts = options;
  opts.reconcile.method = options.method;
  const std::vector<ForecastInput> full = node_inputs(hierarchy, input);
  const auto n_nodes = static_cast<int64_t>(full.size());
  const auto n_periods = static_cast<int64_t>(full.front().values.size());
  const int64_t first_end =
      n_periods - backtest_options.horizon -
      static_cast<int64_t>(backtest_options.origins - 1) * backtest_options.step;
  if (first_end < std::max(1, backtest_options.min_train)) {
    return invalid_argument("series of " + std::to_string(n_periods) +
                                " periods are too short for " +
                                std::to_string(backtest_options.origins) + " origins of horizon " +
                                std::to_string(backtest_options.horizon),
                            "origins");
  }
  // Levels in node order: aggregates level by level, the bottom last.
  std::vector<LevelAccuracy> levels;
  std::vector<size_t> level_of_node(full.size());
  for (size_t i = 0; i < full.size(); ++i) {
    const int32_t l = hierarchy.node_level[i];
    const std::string name =
        l < 0 ? opts.bottom_level_name : level_name(hierarchy.levels[static_cast<size_t>(l)]);
    auto it = std::find_if(levels.begin(), levels.end(),
                           [&name](const LevelAccuracy& a) { return a.level == name; });
    if (it == levels.end()) {
      levels.push_back(LevelAccuracy{name, 0, {}, {}});
      it = levels.end() - 1;
    }
    ++it->nodes;
    level_of_node[i] = static_cast<size_t>(it - levels.begin());
  }
  for (int32_t k = 0; k < backtest_options.origins; ++k) {
    const auto end =
        static_cast<size_t>(first_end + static_cast<int64_t>(k) * backtest_options.step);
    std::vector<ForecastInput> windows;
    windows.reserve(full.size());
    for (const ForecastInput& node : full) {
      windows.push_back(window_at(node, end, backtest_options.horizon));
    }
    SHELFCAST_ASSIGN_OR_RETURN(
        HierarchyForecast f,
        forecast_nodes(hierarchy, windows, opts, static_cast<int64_t>(k) * n_nodes,
                       n_nodes * backtest_options.origins));
    for (size_t i = 0; i < full.size(); ++i) {
      const std::vector<double>& y = full[i].values;
      const std::vector<double> actuals(
          y.begin() + static_cast<long>(end),
          y.begin() + static_cast<long>(end) + backtest_options.horizon);
      const double mae = mase_scale(windows[i].values, full[i].season_length);
      const double mse = rmsse_scale(windows[i].values);
      LevelAccuracy& acc = levels[level_of_node[i]];
      acc.base.add(actuals, f.base[i], mae, mse);
      ForecastResult coherent;
      coherent.mean = f.reconciled.mean[i];
      if (i < f.reconciled.intervals.size()) coherent.intervals = f.reconciled.intervals[i];
      acc.reconciled.add(actuals, coherent, mae, mse);
    }
  }
  return levels;
}

}  // namespace shelfcast
