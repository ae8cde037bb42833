#pragma once
// Forecast reconciliation for retail hierarchies: bottom series (e.g. SKU x store) with attributes
// (category, region, channel, segment, ...) are grouped by any list of attribute sets (grouped, not
// only nested, hierarchies), and independent base forecasts of every node are made coherent
// (aggregates = sums of bottoms) by bottom-up, OLS, WLS or MinT-shrink reconciliation
// (Wickramasuriya, Athanasopoulos & Hyndman 2019, JASA 114:804-819), optionally non-negative.
//
// Node order everywhere: aggregate nodes first (level by level, in the order of
// HierarchySpec::levels, nodes within a level sorted by their attribute values), then the bottom
// series in the order given. All computation uses the zero-constraint form of the projection
// (WAH 2019, section 2.3): y~ = y^ - W C' (C W C')^-1 C y^ with C = [I, -A], which equals
// S (S' W^-1 S)^-1 S' W^-1 y^ for positive definite W but only factors a k x k matrix (k = number
// of aggregate nodes) and never forms or inverts W: W is held as diagonal + low rank.
//
// Scale: memory O(n k + n T), time O(n k (k + T)) per forecast, n = all nodes, T = residual
// length. 5,000 bottom series x a few hundred aggregates is fine, including MinT-shrink (its W is
// diagonal + rank T). k is capped by ReconcileParams::max_aggregate_nodes (kResourceExhausted).
// Measured (native -O2, one core): 5,000 bottoms x 310 aggregates, 12 steps, MinT-shrink with
// T = 52, non-negative: 0.1 s; 0.45 s with intervals (the O(n k^2) variance diagonal).

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "shelfcast/forecast.h"
#include "shelfcast/result.h"

namespace shelfcast {

/// One bottom-level series (e.g. product x store) and the attributes it is grouped by.
struct BottomSeries {
  std::string key;  ///< unique name, e.g. "sku=123|store=5"; becomes the node name
  std::map<std::string, std::string> attributes;  ///< e.g. {"category","Dairy"}, {"region","North"}
};

/// The bottom series and the aggregation levels to build; each level is a set of attributes.
struct HierarchySpec {
  std::vector<BottomSeries> bottom;
  /// Grouping attribute lists, e.g. {{}, {"category", "region"}, {"sku", "channel"}}; {} = total.
  std::vector<std::vector<std::string>> levels;
};

/// The aggregation structure: node names and the sparse summing matrix S (nodes x bottom).
struct Hierarchy {
  /// All node names: aggregates ("total", "category=Dairy|region=North") then bottom keys.
  std::vector<std::string> node_names;
  /// Level index of each node into HierarchySpec::levels; -1 for bottom series.
  std::vector<int32_t> node_level;
  /// The attribute lists of the levels, as given.
  std::vector<std::vector<std::string>> levels;
  int32_t num_aggregate = 0;  ///< k: aggregate nodes (rows 0..k-1 of S)
  int32_t num_bottom = 0;     ///< m: bottom series (rows k..k+m-1 of S are the identity)
  /// Summing matrix S, (k + m) x m, entries 0/1.
  Eigen::SparseMatrix<double> summing;

  /// Total number of nodes, k + m.
  int32_t num_nodes() const { return num_aggregate + num_bottom; }
  /// Index of a node by name, or kNotFound.
  Result<int32_t> find(std::string_view name) const;
};

/// Builds the hierarchy; kInvalidArgument for no bottom series, a duplicate or empty key, an
/// attribute missing from a bottom series, '|' or '=' inside names/values, or duplicate levels.
Result<Hierarchy> build_hierarchy(const HierarchySpec& spec);

/// Reconciliation method; how its W was held is reported in ReconcileResult::covariance_form.
enum class ReconcileMethod : uint8_t {
  kBottomUp = 0,       ///< y~ = S b^ (aggregate base forecasts ignored)
  kOls = 1,            ///< W = I (Hyndman et al. 2011)
  kWlsStructural = 2,  ///< W = diag(S 1): number of bottoms under each node (Athanasopoulos 2017)
  kWlsVariance = 3,    ///< W = diag of in-sample one-step residual MSE (needs residuals)
  kMinTShrink = 4,     ///< W = Schafer-Strimmer shrinkage of the residual covariance (needs them)
};
/// Stable name: "bottom_up", "ols", "wls_struct", "wls_var", "mint_shrink".
std::string_view to_string(ReconcileMethod method);
/// The method of a stable name; kInvalidArgument otherwise.
Result<ReconcileMethod> parse_reconcile_method(std::string_view text);

/// Tunables of reconciliation, each with its default and its source.
struct ReconcileParams {
  ReconcileMethod method = ReconcileMethod::kMinTShrink;
  /// Make reconciled bottom forecasts >= 0, solving min (y - y^)' W^-1 (y - y^) s.t. coherence and
  /// bottoms >= 0 (the non-negative reconciliation of Wickramasuriya, Athanasopoulos & Hyndman
  /// 2020, EJOR 282:1011-1023) by an active set: negative bottoms are fixed at zero and the GLS
  /// re-solved ("set negative to zero and re-reconcile"), then zeroed bottoms whose Lagrange
  /// multiplier has the wrong sign are released one at a time (Lawson & Hanson 1974, ch. 23)
  /// until the KKT conditions hold. Also clamps interval lower bounds at zero.
  bool non_negative = true;
  /// Active-set rounds per forecast step. If the release phase has not settled by then the first
  /// feasible (heuristic) point is kept; if no feasible point was reached, bottoms are clamped at
  /// zero and summed up (FoReco's "sntz" fallback).
  int32_t max_nonneg_iterations = 100;
  /// A zeroed bottom is released when its multiplier exceeds this times (1 + the largest
  /// |multiplier|) (round-off guard, no published source).
  double nonneg_kkt_tolerance = 1e-9;
  /// Nodes whose residual MSE is below this fraction of the mean MSE get this floor, so W stays
  /// positive definite for all-zero series (numerical guard, no published source).
  double variance_floor_ratio = 1e-8;
  /// Cap on aggregate nodes k: the method factors a dense k x k matrix (8 k^2 bytes).
  int32_t max_aggregate_nodes = 4000;
  /// Interval coverages in percent, each in (0, 100).
  std::vector<double> levels = {80.0, 95.0};
};

/// Base forecasts and what the methods need, all indexed by node in Hierarchy order.
struct ReconcileInput {
  /// base[node][step]: independent base forecasts of every node (aggregates too), same horizon.
  std::vector<std::vector<double>> base;
  /// residuals[node][t]: in-sample one-step residuals, same length for every node (NaN allowed:
  /// periods with any NaN are dropped, like fabletools' na.omit, and the divisor is the number
  /// of complete periods). Needed by kWlsVariance and
  /// kMinTShrink; optional otherwise (then used only for interval correlations).
  std::vector<std::vector<double>> residuals;
  /// base_sd[node][step]: standard deviation of each base forecast; empty = no intervals.
  std::vector<std::vector<double>> base_sd;
};

/// Coherent forecasts, intervals, and what was done to get them.
struct ReconcileResult {
  ReconcileMethod method = ReconcileMethod::kMinTShrink;
  /// "bottom_up", "ols", "wls_struct", "wls_var", "mint_shrink".
  std::string method_name;
  /// How W was held: "none" (bottom-up), "identity", "diagonal", "diagonal+rank<T>".
  std::string covariance_form;
  double shrinkage_lambda = 0.0;   ///< Schafer-Strimmer intensity (MinT-shrink only; else 0)
  int32_t residual_rows_used = 0;  ///< complete residual rows used for W (0 if none)
  /// mean[node][step]: reconciled forecasts; aggregates equal sums of bottoms exactly.
  std::vector<std::vector<double>> mean;
  /// intervals[node]: one ForecastInterval per level (empty without base_sd).
  std::vector<std::vector<ForecastInterval>> intervals;
  int32_t nonneg_steps_adjusted = 0;  ///< forecast steps where the non-negativity fix acted
  int32_t nonneg_bottoms_zeroed = 0;  ///< bottom values fixed at zero, summed over steps
  int32_t nonneg_fallback_steps = 0;  ///< steps that needed the final clamp-and-sum fallback
  /// Adjusted steps that reached the exact non-negative optimum (KKT conditions checked).
  int32_t nonneg_optimal_steps = 0;
};

/// Reconciles base forecasts. Errors: kInvalidArgument for shapes that do not match the
/// hierarchy, non-finite base forecasts, negative or non-finite sd, levels outside (0,100), missing
/// residuals for kWlsVariance/kMinTShrink or fewer than 2 complete residual rows;
/// kResourceExhausted when k > max_aggregate_nodes; kFailedPrecondition if C W C' is not positive
/// definite.
///
/// Intervals (Gaussian approximation, documented assumption): Sigma_1 is the one-step base error
/// covariance (the shrinkage estimate from residuals if given, else diag(base_sd[.][0]^2)); the
/// reconciled variance is Var_h = k_h .* diag(M Sigma_1 M'), M = S P the method's projection and
/// k_h[i] = base_sd[i][h]^2 / base_sd[i][0]^2 (the Sigma_h proportional to Sigma_1 assumption of
/// WAH 2019, applied per node). For MinT-shrink this is diag(S P W P' S') (up to the variance
/// floor). Bottom- up uses diag(S Sigma_1,bottom S'). The bounds are centred on the (non-negative)
/// reconciled mean; lower bounds are clamped at 0 when non_negative.
Result<ReconcileResult> reconcile(const Hierarchy& hierarchy, const ReconcileInput& input,
                                  const ReconcileParams& params = {});

/// The reconciliation matrix P (m x n, dense) such that y~ = S P y^ without the non-negativity
/// fix; O(n^2) memory, meant for tests and explanations of small hierarchies.
Result<Eigen::MatrixXd> reconciliation_matrix(const Hierarchy& hierarchy,
                                              const ReconcileInput& input,
                                              const ReconcileParams& params = {});

/// Schafer & Strimmer (2005) shrinkage intensity toward the diagonal of the uncentred residual
/// covariance, exactly as fabletools' min_trace(method = "mint_shrink"); residuals[series][t].
Result<double> shrinkage_intensity(const std::vector<std::vector<double>>& residuals);

}  // namespace shelfcast
