#pragma once
// Replenishment: safety stock with lead-time variability (cycle-service and fill-rate targets),
// reorder points and order-up-to levels, the newsvendor quantity, promotion-aware proposals in
// Odoo's terms (purchase.order lines, stock.picking transfers, stock.warehouse.orderpoint
// updates), and a seeded simulator that compares the safety-stock policy with Odoo-style min/max.
//
// Units: demand is units per period; lead time and review period are in the same periods.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shelfcast/intermittent.h"
#include "shelfcast/result.h"
#include "shelfcast/types.h"

namespace shelfcast {

// ---- safety stock -------------------------------------------------------------------------------

/// What the service level means.
enum class ServiceTarget : uint8_t {
  kCycleServiceLevel = 0,  ///< P(no stockout in a replenishment cycle)
  kFillRate = 1,           ///< share of demand served from stock (beta service)
};
/// "cycle_service_level" or "fill_rate".
std::string_view to_string(ServiceTarget target);
/// Parses "cycle_service_level" / "csl" or "fill_rate" / "fill"; else kInvalidArgument.
Result<ServiceTarget> parse_service_target(std::string_view text);

/// One item's demand and lead time, per period.
struct SafetyStockInput {
  double mean_demand_per_period = 0.0;  ///< mu, >= 0
  double sd_demand_per_period = 0.0;    ///< sigma of one period's demand, >= 0
  double lead_time_periods = 0.0;       ///< L, > 0
  double lead_time_sd_periods = 0.0;    ///< sigma_L, >= 0
  /// Periodic review interval R (0 = continuous review). The protection interval is R + L.
  double review_periods = 0.0;
  ServiceTarget target = ServiceTarget::kCycleServiceLevel;
  double service_level = 0.95;  ///< the target, in (0, 1)
  /// Units per replenishment, for the fill-rate target; 0 = mu * R (periodic review), which then
  /// needs R > 0.
  double order_quantity = 0.0;
};

/// Tunables of the safety-stock calculation.
struct SafetyStockParams {
  /// Floor of the safety factor k. 0 keeps safety stock >= 0 (common practice: a negative safety
  /// stock plans stockouts); Silver, Pyke & Peterson (1998, sec. 7.7) allow k < 0 for fill rates.
  double min_safety_factor = 0.0;
  /// Bracket of the fill-rate root search for k (G(-8) ~ 8, G(8) ~ 1e-16: all useful targets).
  double max_abs_safety_factor = 8.0;
  int32_t bisection_iterations = 100;  ///< halvings of the bracket (16 / 2^100: exact to double)
};

/// Safety stock, reorder point and order-up-to level under the normal approximation:
/// sigma_P = sqrt(P sigma^2 + mu^2 sigma_L^2) over the protection interval P = R + L,
/// SS = k sigma_P, reorder point = mu L + SS, order-up-to = mu (R + L) + SS.
struct SafetyStockResult {
  double safety_factor = 0.0;                ///< k (the z of the cycle service level)
  double protection_periods = 0.0;           ///< P = R + L
  double mean_protection_demand = 0.0;       ///< mu P
  double sd_protection_demand = 0.0;         ///< sigma_P
  double safety_stock = 0.0;                 ///< k sigma_P, units
  double reorder_point = 0.0;                ///< mu L + SS, units
  double order_up_to = 0.0;                  ///< mu (R + L) + SS, units
  double cycle_service_level = 0.0;          ///< Phi(k) achieved
  double expected_shortage_per_cycle = 0.0;  ///< sigma_P G(k), units
  double fill_rate = 0.0;                    ///< 1 - sigma_P G(k) / Q (NaN when Q is undefined)
};

/// Safety stock for a cycle-service-level (k = Phi^-1(level)) or fill-rate target (k solves the
/// standard normal loss G(k) = (1 - fill) Q / sigma_P). Bad input is kInvalidArgument naming the
/// field.
Result<SafetyStockResult> safety_stock(const SafetyStockInput& input,
                                       const SafetyStockParams& params = {});

/// The standard normal loss function G(k) = phi(k) - k (1 - Phi(k)) = E[(Z - k)^+].
double normal_loss(double k);

/// Safety factor k >= min_safety_factor with G(k) = target_loss (bisection); kInvalidArgument for
/// a negative or non-finite target.
Result<double> safety_factor_for_loss(double target_loss, const SafetyStockParams& params = {});

/// Safety stock of an intermittent item at a cycle service level, from the fitted negative-binomial
/// count model (intermittent.h): reorder point = lead_time_quantile over L (+ R) whole periods,
/// safety stock = that quantile - rate * periods. The normal fields are filled from the model's
/// mean and the quantile.
Result<SafetyStockResult> safety_stock_intermittent(const IntermittentFit& fit,
                                                    int32_t lead_time_periods,
                                                    int32_t review_periods, double service_level);

// ---- newsvendor ---------------------------------------------------------------------------------

/// One-period economics of the newsvendor: sell at price, buy at cost, salvage leftovers.
struct NewsvendorEconomics {
  double price_per_unit = 0.0;    ///< p
  double cost_per_unit = 0.0;     ///< c, with s < c < p
  double salvage_per_unit = 0.0;  ///< s
};

/// The optimal quantity and what it is expected to do.
struct NewsvendorResult {
  double critical_ratio = 0.0;       ///< (p - c) / (p - s)
  double quantity = 0.0;             ///< order quantity, units
  double expected_sales = 0.0;       ///< E[min(D, Q)]
  double expected_leftover = 0.0;    ///< E[(Q - D)^+]
  double expected_lost_sales = 0.0;  ///< E[(D - Q)^+]
  double expected_profit = 0.0;      ///< p sales + s leftover - c Q
};

/// (p - c) / (p - s); kInvalidArgument unless s < c < p.
Result<double> critical_ratio(const NewsvendorEconomics& economics);

/// Normal demand: Q = mu + sigma Phi^-1(critical ratio).
Result<NewsvendorResult> newsvendor_normal(double mean_demand, double sd_demand,
                                           const NewsvendorEconomics& economics);
/// Expected outcome of ordering `quantity` against normal demand (the published-table form).
Result<NewsvendorResult> evaluate_newsvendor_normal(double mean_demand, double sd_demand,
                                                    double quantity,
                                                    const NewsvendorEconomics& economics);
/// Empirical demand (e.g. past seasons, or simulated): the smallest observed value whose
/// empirical CDF reaches the critical ratio; expectations over the sample.
Result<NewsvendorResult> newsvendor_empirical(const std::vector<double>& demand_samples,
                                              const NewsvendorEconomics& economics);
/// Negative-binomial demand with the given mean and size k (variance mean + mean^2 / k; k = 0 is
/// Poisson): the smallest whole Q with P(D <= Q) >= critical ratio.
Result<NewsvendorResult> newsvendor_negative_binomial(double mean_demand, double nb_size,
                                                      const NewsvendorEconomics& economics);

// ---- promotion-aware proposals ------------------------------------------------------------------

/// A purchase already placed and not yet received.
struct OpenOrder {
  double quantity_units = 0.0;  ///< > 0
  int32_t due_week = 0;         ///< week index (0 = the current week) in which it arrives
};

/// One store's stock and weekly forecast of one product.
struct StorePromotionInput {
  std::string location;  ///< the Odoo stock location / warehouse name
  double on_hand_units = 0.0;
  std::vector<OpenOrder> on_order;
  std::vector<double> baseline_units_per_week;  ///< from week 0; covers at least promotion end
  std::vector<double> lift_units_per_week;      ///< promotion lift, same length (or empty = 0)
  double forecast_sd_units_per_week = 0.0;      ///< sd of one week's demand
};

/// One product's promotion across stores.
struct PromotionReplenishmentInput {
  std::string product;
  std::string vendor;
  Date week0_start;                  ///< first day of week 0
  int32_t promotion_start_week = 0;  ///< first promotion week
  int32_t promotion_end_week = 0;    ///< last promotion week (inclusive)
  double lead_time_weeks = 1.0;      ///< vendor lead time, > 0
  double lead_time_sd_weeks = 0.0;   ///< its sd, >= 0
  double service_level = 0.95;       ///< cycle service level of the promotion, in (0, 1)
  double pack_size_units = 1.0;      ///< purchase quantities are multiples of this, > 0
  double min_order_qty_units = 0.0;  ///< vendor MOQ per line, >= 0
  std::vector<StorePromotionInput> stores;
};

/// Tunables of the proposals.
struct PromotionReplenishmentParams {
  /// Weeks of promotion demand between orderpoint min and max (Odoo reorders up to max).
  double orderpoint_cover_weeks = 1.0;
  /// Smallest transfer worth a picking, units (below this the move costs more than it saves).
  double min_transfer_units = 1.0;
};

/// purchase.order line.
struct PurchaseOrderProposal {
  std::string vendor;     ///< partner_id
  std::string product;    ///< product_id
  std::string location;   ///< destination (picking type's warehouse)
  double quantity = 0.0;  ///< product_qty
  Date date_order;        ///< when to place it: promotion start - lead time (or today)
  Date date_planned;      ///< expected arrival
  std::string reason;
};

/// stock.picking internal transfer.
struct TransferProposal {
  std::string from_location;  ///< location_id
  std::string to_location;    ///< location_dest_id
  std::string product;
  double quantity = 0.0;
  Date scheduled_date;  ///< before launch
  std::string reason;
};

/// stock.warehouse.orderpoint update for the promotion.
struct OrderpointUpdate {
  std::string location;
  std::string product;
  double product_min_qty = 0.0;
  double product_max_qty = 0.0;
  std::string reason;
};

/// Per store: what the numbers behind the proposals were.
struct StorePromotionSummary {
  std::string location;
  double demand_to_end_units = 0.0;     ///< baseline + lift, week 0 to promotion end
  double promotion_demand_units = 0.0;  ///< baseline + lift over the promotion weeks
  double safety_stock_units = 0.0;
  double reorder_point_units = 0.0;    ///< weekly promotion demand * L + safety stock
  double available_units = 0.0;        ///< on hand + on order due by promotion end
  double shortage_before_units = 0.0;  ///< need - available, when positive
  double surplus_units = 0.0;          ///< what it could give without going below its needs
  double transfer_in_units = 0.0;
  double transfer_out_units = 0.0;
  double purchase_units = 0.0;
};

/// Everything proposed for one promotion.
struct PromotionReplenishmentPlan {
  std::vector<PurchaseOrderProposal> purchase_lines;
  std::vector<TransferProposal> transfers;
  std::vector<OrderpointUpdate> orderpoints;
  std::vector<StorePromotionSummary> stores;
};

/// Proposes transfers (long stores to short stores before launch; a donor keeps its own need and
/// its reorder point), then purchases for what is still short (date = start - lead time, rounded
/// up to packs and the MOQ), and orderpoint min/max for the promotion weeks.
Result<PromotionReplenishmentPlan> plan_promotion_replenishment(
    const PromotionReplenishmentInput& input, const PromotionReplenishmentParams& params = {});

// ---- simulation ---------------------------------------------------------------------------------

/// One item simulated day by day: negative-binomial daily demand, random whole-day lead times,
/// lost sales, daily review, the same demand and lead-time draws for both policies.
struct ReplenishmentSimulationInput {
  uint64_t seed = 1;
  int32_t days = 364;        ///< simulated days after warm-up
  int32_t warmup_days = 56;  ///< not scored (starts from the order-up-to level)
  double mean_demand_per_day = 10.0;
  double nb_size = 0.0;  ///< NB size k of daily demand; 0 = Poisson
  double lead_time_days = 7.0;
  double lead_time_sd_days = 0.0;     ///< each order's lead time: round(N(L, sd)), at least 1
  double order_quantity_units = 0.0;  ///< Q of both policies; 0 = 7 days of mean demand
  double fill_rate_target = 0.95;     ///< policy (a): reorder point from the fill-rate formula
  double minmax_factor = 1.0;         ///< policy (b): min = mean daily demand * lead time * factor
  /// Policy (a): raise the reorder point by the expected undershoot of a daily review,
  /// (sigma_d^2 + mu_d^2) / (2 mu_d) (Hadley & Whitin 1963; Silver, Pyke & Peterson 1998, ch. 7):
  /// the position is below s by that much on average when an order is triggered.
  bool undershoot_correction = true;
  /// Policy (a): floor of the safety factor. Below 0 on purpose: with a large Q the fill-rate
  /// target needs less than the mean lead-time demand, and flooring at 0 overshoots the target.
  double min_safety_factor = -8.0;
};

/// What a policy achieved over the scored days.
struct PolicyOutcome {
  double reorder_point_units = 0.0;    ///< s (policy a) or min (policy b)
  double max_units = 0.0;              ///< s + Q or max
  double fill_rate = 0.0;              ///< served / demanded
  double average_on_hand_units = 0.0;  ///< mean end-of-day on hand
  double demand_units = 0.0;
  double served_units = 0.0;
  int32_t orders = 0;
  int32_t stockout_days = 0;  ///< days with unserved demand
};

/// Both policies on the same draws.
struct ReplenishmentSimulationResult {
  PolicyOutcome safety_stock_policy;  ///< (s, Q): s = mu L + k sigma_L, k from the fill rate
  PolicyOutcome minmax_policy;        ///< Odoo min/max: below min, order up to max
  SafetyStockResult safety_stock;     ///< the formula behind policy (a)
  double undershoot_units = 0.0;      ///< added to its reorder point (0 without the correction)
};

/// Simulates both policies; bad input is kInvalidArgument naming the field.
Result<ReplenishmentSimulationResult> simulate_replenishment(
    const ReplenishmentSimulationInput& input);

}  // namespace shelfcast
