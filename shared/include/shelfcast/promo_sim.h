#pragma once
// Promotion response (issue 4), step 2: simulate a promotion plan with a fitted PromoModel.
// Pure and fast enough to run on every slider event in the browser (see tests/bench/bench_promo).
//
// WHAT A PLAN DOES TO ONE CELL (product i, store s, week t), with the model of promo.h
//   B_is       = exp(a_is + sigma_i^2 / 2)            (so the baseline is b_is = B_is - c, c the
//                                                      model's log offset, at regular price)
//   promoted   m = 1 + share * (exp(e_i log(1 - d) + l_i d + f_i F + x_i D) - 1)
//   otherwise  m = max(0.2, 1 + g_i X) exp(p_i pre + d_i post)   (promo.h, promo/pressure.h)
//   units      = max(0, B_is m - c)
// d is the effective depth of the mechanic (percent off: d; price point p: 1 - p / regular;
// multi-buy "buy N pay M": 1 - M / N; buy-one-get-one: 0.5); share the target segment's share of
// the item's buyers (1 = everyone); X the cannibalization pressure of (s, t) as in promo.h, over
// the stores of a group of stores the same promotions cover: the promoted products' extra units
// there at the point coefficients, sum B (m - 1), over the category's baseline units there, sum
// max(0, B - c) (0 for a promoted cell; the factors F of promo.h are 1: a plan is simulated on
// the season-average baseline at the regular price); pre / post 1 in the week before a promotion of
// i starts / after it ends while i is not promoted. Halo from basket affinity adds, to each partner
// j of a promoted i, confidence(i -> j) * max(0, 1 - 1 / lift(i -> j)) of i's extra units: the
// share of co-purchases caused by the promotion rather than by j's own base rate.
//
// NAMED DRIVERS (they add up to the incremental units of every cell and of the plan)
//   discount (e_i and l_i terms), feature, display: a promoted cell's lift B (m - 1) split in
//   proportion to each term's share of the log multiplier; cannibalization: units lost to (or,
//   when g_i > 0, gained from) siblings' promotions; halo; pull-forward (week before) and
//   post-promotion dip (week after).
//
// Store elasticity shifts of the fit (PromoLevel::elasticity_shift) are not applied here: a plan
// is simulated with each product's pooled elasticity (predict_promo uses the shifts).
//
// UNCERTAINTY: Monte Carlo over the coefficients (each ~ N(estimate, se), products independent)
// and the demand noise of the total, from an explicit seed; P10/P50/P90 of incremental units,
// revenue and margin. In a draw (and in the depth ranking, every promotion at one depth) the
// pressure X of every week scales with the plan's promoted extra units against the point's. Stock:
// available in week t = on_hand + on_order once lead_time_weeks have passed since the plan's first
// week; P(stockout by t) = P(cumulative demand > available) with weekly demand of mean B m - c and
// variance mean + (B m)^2 (exp(sigma^2) - 1) (Poisson plus the model's lognormal spread, as a
// negative binomial), normal approximation of the cumulative sum; a pair's risk is the largest over
// the weeks (the week before its delivery or the last week).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "shelfcast/promo.h"
#include "shelfcast/result.h"
#include "shelfcast/types.h"

namespace shelfcast {

/// One promotion of a plan: some products, in some stores, for some weeks.
struct PlannedPromotion {
  std::string id;                 ///< the planner's name for it ("Summer juice 25%")
  std::vector<int32_t> products;  ///< at least one; every one must be in the model
  std::vector<int32_t> stores;    ///< stores; empty with cluster empty = every store of the model
  std::string cluster;            ///< or the name of a cluster of PromoPlan::clusters
  int32_t start_week = 0;         ///< first promoted week (the model's week numbering)
  int32_t end_week = 0;           ///< last promoted week, >= start_week
  PromoMechanic mechanic = PromoMechanic::kPercentOff;
  double depth = 0.0;          ///< percent off as a fraction (kPercentOff), 0 < depth <= 0.95
  double price_point = 0.0;    ///< promoted shelf price (kPricePoint), below the regular price
  int32_t buy = 0;             ///< multi-buy: buy `buy` ...
  int32_t pay = 0;             ///< ... pay for `pay` (3 for 2: buy 3, pay 2)
  double feature = 0.0;        ///< 1 = in the leaflet (0..1)
  double display = 0.0;        ///< 1 = secondary display (0..1)
  std::string segment;         ///< target customer segment ("" = everyone)
  double segment_share = 1.0;  ///< share of the items' buyers the offer reaches, (0, 1]
};

/// Price and cost of a product, for revenue and margin.
struct PlanProduct {
  int32_t product = 0;
  std::string name;            ///< for the sentences ("Brand B"); "product 12" when empty
  double regular_price = 0.0;  ///< > 0
  double unit_cost = 0.0;      ///< >= 0
};

/// Stock position of a product in a store at the start of the plan.
struct PlanStock {
  int32_t product = 0;
  int32_t store = 0;
  double on_hand = 0.0;
  double on_order = 0.0;
  int32_t lead_time_weeks = 0;  ///< on_order arrives this many weeks after the first plan week
};

/// A basket-affinity pair (issue 5's rules): buying `from` pulls `to` into the basket.
struct PlanAffinity {
  int32_t from = 0;
  int32_t to = 0;
  double confidence = 0.0;  ///< P(to | from), 0..1
  double lift = 1.0;        ///< > 0
};

enum class PromoDetail { kTotals, kProductWeeks, kCells };

struct PromoPlan {
  std::vector<PlannedPromotion> promotions;
  /// Price and cost; required for every promoted product unless the model carries them
  /// (PromoModel::prices, from `shelfcast promo fit` with price and cost columns).
  std::vector<PlanProduct> products;
  std::vector<PlanStock> stock;  ///< optional; stock cover and risk where given
  std::map<std::string, std::vector<int32_t>> clusters;
  std::vector<PlanAffinity> affinity;
  /// Depths to rank (each replaces every promotion's effective depth, mechanic kept otherwise).
  std::vector<double> alternative_depths = {0.1, 0.2, 0.3, 0.4, 0.5};
  int32_t draws = 100;  ///< Monte Carlo draws, 0 = none (P10/P50/P90 = the point estimate)
  uint64_t seed = 1;
  /// How much of the cell table to return: totals only, per product x week (summed over stores),
  /// or every product x store x week cell. Everything is computed in every case.
  PromoDetail detail = PromoDetail::kProductWeeks;
  /// Week numbers are calendar weeks: a Monday's day number since 1970-01-01, divided by 7 (as
  /// the server's panels and the planner page count them). The sentences then name the plan's
  /// dates; otherwise (a panel numbered its own way) its week numbers.
  bool calendar_weeks = false;
};

/// Units and money of a cell, a product-week, a product or the plan. Units lost are positive
/// numbers in `cannibalized`, `pull_forward` and `dip`; incremental = promoted - baseline =
/// lift - cannibalized + halo - pull_forward - dip.
struct PromoFigures {
  double baseline = 0.0;      ///< units without the plan
  double units = 0.0;         ///< expected units with the plan
  double lift = 0.0;          ///< extra units of promoted cells
  double cannibalized = 0.0;  ///< units lost to promoted siblings (negative: gained)
  double halo = 0.0;          ///< units gained through basket affinity
  double pull_forward = 0.0;  ///< units lost in the week before a promotion
  double dip = 0.0;           ///< units lost in the week after a promotion
  double incremental = 0.0;   ///< units - baseline
  double revenue = 0.0;       ///< units x net price
  double baseline_revenue = 0.0;
  double margin = 0.0;  ///< revenue - units x cost
  double baseline_margin = 0.0;
  double incremental_margin = 0.0;
};

struct PromoCell {
  int32_t product = 0;
  int32_t store = 0;
  int32_t week = 0;
  bool promoted = false;
  double net_price = 0.0;
  PromoFigures figures;
  double stock_available = -1.0;       ///< on hand + arrived orders; -1 = no stock given
  double cover_weeks = -1.0;           ///< stock left at the start of the week / this week's units
  double stockout_probability = -1.0;  ///< P(cumulative demand > available by the week's end)
};

struct PromoProductWeek {
  int32_t product = 0;
  int32_t week = 0;
  int32_t promoted_stores = 0;
  PromoFigures figures;
  /// Mean over the stores with stock of P(stockout by this week), -1 without stock.
  double stockout_probability = -1.0;
};

/// A named part of the incremental units (and margin), see the header comment.
struct PromoDriver {
  std::string name;      ///< "discount", "feature", "display", "cannibalization", "halo", ...
  std::string label;     ///< plain words: "the 25% discount", "taken from Brand B"
  int32_t product = -1;  ///< the product the driver is about (-1 = several)
  double units = 0.0;
  double margin = 0.0;
};

/// One week of the plan, summed over products and stores: the chart of baseline, promotion,
/// cannibalization and dip.
struct PromoWeek {
  int32_t week = 0;
  PromoFigures figures;
};

struct PromoProductSummary {
  int32_t product = 0;
  std::string name;
  bool promoted = false;
  bool low_confidence = false;
  PromoFigures figures;
  double max_stockout_probability = -1.0;  ///< worst store by the plan's last week
};

struct PromoQuantiles {
  double p10 = 0.0;
  double p50 = 0.0;
  double p90 = 0.0;
};

/// One alternative depth, ranked by incremental margin.
struct PromoDepthOption {
  double depth = 0.0;
  double incremental_units = 0.0;
  double incremental_revenue = 0.0;
  double incremental_margin = 0.0;
  double margin_per_incremental_unit = 0.0;  ///< incremental margin / incremental units (0 if 0)
  int32_t rank = 0;                          ///< 1 = highest incremental margin
};

struct PromoSimulation {
  std::string model_version;  ///< the model's version and the simulator's
  int32_t first_week = 0;     ///< the week before the earliest promotion (pull-forward)
  int32_t last_week = 0;      ///< the week after the latest (post-promotion dip)
  int32_t n_products = 0;
  int32_t n_stores = 0;
  PromoFigures totals;
  PromoQuantiles incremental_units;
  PromoQuantiles incremental_revenue;
  PromoQuantiles incremental_margin;
  /// Worst P(stockout by the plan's end) over promoted product x store pairs with stock, and the
  /// expected number of such pairs out of stock; -1 / 0 without stock.
  double max_stockout_probability = -1.0;
  double expected_stockouts = 0.0;
  /// Add up to totals.incremental (units) and its margin. The five promotions that move the most
  /// units are named kind by kind, the others summed per kind ("the discounts of 145 other
  /// promotions"); cannibalization and halo name their three largest products, likewise.
  std::vector<PromoDriver> drivers;
  std::vector<std::string> sentences;
  std::vector<PromoWeek> weeks;  ///< first_week..last_week
  /// Promoted and affected products; with detail = kTotals only the twenty with the largest
  /// incremental units either way (so a slider round trip stays small).
  std::vector<PromoProductSummary> products;
  std::vector<PromoProductWeek> product_weeks;  ///< unless detail = kTotals
  std::vector<PromoCell> cells;                 ///< only with detail = kCells
  std::vector<PromoDepthOption> depth_options;  ///< sorted by rank
  bool low_confidence = false;  ///< a promoted product's model is flagged low-confidence
  std::vector<std::string> notes;
};

/// Simulates the plan. kInvalidArgument names the field for: no promotions, an unknown product or
/// store or cluster, overlapping promotions of one product in one store and week, an effective
/// depth outside (0, 0.95], a price point at or above the regular price, a bad multi-buy, a
/// missing price for a promoted product, end before start, a plan longer than 104 weeks, or
/// more than 5,000 draws.
Result<PromoSimulation> simulate_promo(const PromoModel& model, const PromoPlan& plan);

/// What successive simulations of one session keep for the next (a slider's events): the plan's
/// layout (store groups, the cells each promotion marks) while its promotions keep their
/// products, stores and weeks, and the sums of every week in which no changed promotion runs (a
/// week's cannibalization pressure follows from its promotions). A simulation with a memo returns
/// exactly (to the bit) what one without returns: only the weeks that changed are recomputed, and
/// every sum is taken in the same order either way. One memo per session; not for concurrent use.
class PromoMemo {
 public:
  PromoMemo();
  ~PromoMemo();
  PromoMemo(PromoMemo&&) noexcept;
  PromoMemo& operator=(PromoMemo&&) noexcept;
  /// Of the last simulation's weeks (first_week..last_week), how many it computed; the others
  /// came from the memo. 0 / 0 before any.
  int32_t weeks_computed() const;
  int32_t weeks_total() const;
  struct State;

 private:
  friend class PromoSimulator;
  std::unique_ptr<State> state_;
};

/// A simulator prepared for one model and one context (prices, stock, clusters, affinity: the
/// plan's fields other than its promotions and settings), checked and indexed once, so that each
/// scenario (a slider event) only pays for its promotions. Cheap to copy; immutable.
class PromoSimulator {
 public:
  struct Prepared;
  /// Errors as simulate_promo names them for the context's fields.
  static Result<PromoSimulator> create(const PromoModel& model, const PromoPlan& context);
  /// Simulates the scenario's promotions with its draws, seed, depths and detail; the scenario's
  /// own products, stock, clusters and affinity are not read (the context's are used).
  Result<PromoSimulation> simulate(const PromoPlan& scenario) const;
  /// The same, reusing what `memo` kept from this simulator's previous simulation (see PromoMemo;
  /// a memo filled by another simulator is started afresh). Answers with draws, a depth ranking
  /// or the cell table recompute every week (and refill the memo).
  Result<PromoSimulation> simulate(const PromoPlan& scenario, PromoMemo* memo) const;
  const std::string& model_version() const;

 private:
  explicit PromoSimulator(std::shared_ptr<const Prepared> prepared)
      : prepared_(std::move(prepared)) {}
  std::shared_ptr<const Prepared> prepared_;
};

/// The plan / the simulation as JSON (defined in src/json/promo_json.cpp). The plan decoder
/// names the field of every error ("plan.promotions[2].depth"); a plan without promotions decodes
/// (a context of prices, stock, clusters and affinity that scenarios are merged into, see
/// merge_promo_context) and is refused by simulate_promo.
Result<PromoPlan> promo_plan_from_json(const std::string& text);
std::string promo_simulation_to_json(const PromoSimulation& sim);

/// A scenario completed from a context: the scenario's promotions and settings, with the
/// context's products, stock, clusters and affinity wherever the scenario gives none.
PromoPlan merge_promo_context(const PromoPlan& context, PromoPlan scenario);

}  // namespace shelfcast
