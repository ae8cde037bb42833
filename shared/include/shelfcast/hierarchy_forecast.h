#pragma once
// Forecasts that add up: every node of a retail hierarchy (SKU x store at the bottom; SKU x
// channel, category x region, ... above) gets an independent base forecast from forecast(), and
// reconciliation (hierarchy.h) makes them coherent and non-negative. Bottom series keep their
// drivers (prices, promotions); an aggregate gets the volume-weighted means of its bottoms'
// drivers (for a category: the share of its volume on promotion, mean depth and price ratio). Backtests score base and reconciled forecasts
// per level at rolling origins, so a planner can see what reconciliation buys at each level.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "shelfcast/backtest.h"
#include "shelfcast/forecast.h"
#include "shelfcast/hierarchy.h"
#include "shelfcast/result.h"

namespace shelfcast {

/// Bottom series with their forecast inputs, and the levels to build above them.
struct HierarchyForecastInput {
  HierarchySpec spec;  ///< bottom keys with attributes, and the grouping levels
  /// One per spec.bottom, same order: equally long values (the same periods), the same horizon,
  /// season length and levels. Drivers are optional per series.
  std::vector<ForecastInput> bottom;
};

/// How to forecast and reconcile, each with its default and why.
struct HierarchyForecastOptions {
  /// MinT with shrinkage: the most accurate of the published methods on retail hierarchies
  /// (Wickramasuriya, Athanasopoulos & Hyndman 2019), with non-negativity (hierarchy.h).
  ReconcileMethod method = ReconcileMethod::kMinTShrink;
  ReconcileParams reconcile;
  /// What a bottom level is called in results ("sku,store" for the server's jobs).
  std::string bottom_level_name = "bottom";
  /// Called after each node's base forecast with (nodes forecast so far, nodes in all; a backtest
  /// counts every origin); returning false stops with kFailedPrecondition "cancelled". Optional.
  std::function<bool(int64_t done, int64_t total)> progress;
};

/// Base and reconciled forecasts of every node, in Hierarchy node order.
struct HierarchyForecast {
  Hierarchy hierarchy;
  std::vector<std::string> level_names;  ///< per node: "total", "category,region", ..., bottom
  std::vector<ForecastResult> base;      ///< independent forecasts (model named per node)
  ReconcileResult reconciled;            ///< coherent means and intervals per node
  /// Why a simpler reconciliation than asked was used (e.g. too few residual periods for MinT:
  /// bottom-up); empty if none.
  std::string fallback_reason;
};

/// The name of a level from its attribute list: "total" for {}, else the attributes joined by ",".
std::string level_name(const std::vector<std::string>& attributes);

/// Forecasts and reconciles. kInvalidArgument for a bottom count that differs from the spec's,
/// values of different lengths, or different horizons/levels/season lengths; errors of
/// build_hierarchy and forecast() pass through with the node named.
Result<HierarchyForecast> forecast_hierarchy(const HierarchyForecastInput& input,
                                             const HierarchyForecastOptions& options = {});

/// Rolling-origin accuracy of one level, base and reconciled, pooled over its nodes and origins.
struct LevelAccuracy {
  std::string level;
  int32_t nodes = 0;
  AccuracyAccumulator base;
  AccuracyAccumulator reconciled;
};

/// Backtests the whole hierarchy: at each origin (BacktestOptions, as backtest()) every bottom
/// input is cut with window_at, the hierarchy is forecast and reconciled, and every node is scored
/// on its next `horizon` actual values. Levels in Hierarchy order, bottom last.
Result<std::vector<LevelAccuracy>> backtest_hierarchy(const HierarchyForecastInput& input,
                                                      const BacktestOptions& backtest_options,
                                                      const HierarchyForecastOptions& options = {});

}  // namespace shelfcast
