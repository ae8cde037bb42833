// Promotion-aware replenishment proposals: transfers before launch, purchases timed by the lead
// time, orderpoint min/max for the promotion weeks. Every proposal carries the numbers behind it.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "detail/format.h"
#include "shelfcast/replenish.h"

namespace shelfcast {
namespace {

constexpr int32_t kDaysPerWeek = 7;

// A number for a reason string: whole units grouped, or `decimals` places.
std::string fmt(double v, int decimals = 0) {
  if (decimals <= 0) return detail::format_count(v);
  if (!std::isfinite(v)) return "n/a";
  int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  const int64_t scaled =
      static_cast<int64_t>(std::llround(std::fabs(v) * static_cast<double>(scale)));
  std::string frac = std::to_string(scaled % scale);
  while (static_cast<int>(frac.size()) < decimals) frac = "0" + frac;
  return (v < 0.0 && scaled != 0 ? "-" : "") +
         detail::format_count(static_cast<double>(scaled / scale)) + "." + frac;
}

std::string field_at(size_t store, const char* name) {
  return "stores[" + std::to_string(store) + "]." + name;
}

Status validate(const PromotionReplenishmentInput& in, const PromotionReplenishmentParams& params) {
  if (in.product.empty()) return invalid_argument("expected a product", "product");
  if (!(std::isfinite(in.lead_time_weeks) && in.lead_time_weeks > 0.0)) {
    return invalid_argument(
        "expected a lead time > 0, got " + detail::format_number(in.lead_time_weeks),
        "lead_time_weeks");
  }
  if (!(std::isfinite(in.lead_time_sd_weeks) && in.lead_time_sd_weeks >= 0.0)) {
    return invalid_argument("expected a lead-time sd >= 0", "lead_time_sd_weeks");
  }
  if (!(in.service_level > 0.0 && in.service_level < 1.0)) {
    return invalid_argument(
        "expected a service level in (0, 1), got " + detail::format_number(in.service_level),
        "service_level");
  }
  if (!(std::isfinite(in.pack_size_units) && in.pack_size_units > 0.0)) {
    return invalid_argument("expected a pack size > 0", "pack_size_units");
  }
  if (!(std::isfinite(in.min_order_qty_units) && in.min_order_qty_units >= 0.0)) {
    return invalid_argument("expected a minimum order quantity >= 0", "min_order_qty_units");
  }
  if (in.promotion_start_week < 0 || in.promotion_end_week < in.promotion_start_week) {
    return invalid_argument("expected 0 <= promotion_start_week <= promotion_end_week",
                            "promotion_start_week");
  }
  if (!(params.orderpoint_cover_weeks >= 0.0) || !(params.min_transfer_units >= 0.0)) {
    return invalid_argument("expected orderpoint_cover_weeks >= 0 and min_transfer_units >= 0",
                            "params");
  }
  if (in.stores.empty()) return invalid_argument("expected at least one store", "stores");
  const auto weeks = static_cast<size_t>(in.promotion_end_week) + 1;
  for (size_t s = 0; s < in.stores.size(); ++s) {
    const StorePromotionInput& st = in.stores[s];
    if (st.location.empty())
      return invalid_argument("expected a location", field_at(s, "location"));
    if (!(std::isfinite(st.on_hand_units) && st.on_hand_units >= 0.0)) {
      return invalid_argument("expected on hand >= 0", field_at(s, "on_hand_units"));
    }
    if (st.baseline_units_per_week.size() < weeks) {
      return invalid_argument(
          "expected a baseline for weeks 0 to " + std::to_string(in.promotion_end_week),
          field_at(s, "baseline_units_per_week"));
    }
    if (!st.lift_units_per_week.empty() && st.lift_units_per_week.size() < weeks) {
      return invalid_argument(
          "expected a lift for weeks 0 to " + std::to_string(in.promotion_end_week),
          field_at(s, "lift_units_per_week"));
    }
    for (double v : st.baseline_units_per_week) {
      if (!(std::isfinite(v) && v >= 0.0)) {
        return invalid_argument("expected demand >= 0, got " + detail::format_number(v),
                                field_at(s, "baseline_units_per_week"));
      }
    }
    for (double v : st.lift_units_per_week) {
      if (!(std::isfinite(v) && v >= 0.0)) {
        return invalid_argument("expected a lift >= 0, got " + detail::format_number(v),
                                field_at(s, "lift_units_per_week"));
      }
    }
    if (!(std::isfinite(st.forecast_sd_units_per_week) && st.forecast_sd_units_per_week >= 0.0)) {
      return invalid_argument("expected a forecast sd >= 0",
                              field_at(s, "forecast_sd_units_per_week"));
    }
    for (const OpenOrder& o : st.on_order) {
      if (!(std::isfinite(o.quantity_units) && o.quantity_units > 0.0) || o.due_week < 0) {
        return invalid_argument("expected open orders with quantity > 0 and due_week >= 0",
                                field_at(s, "on_order"));
      }
    }
  }
  return Status::ok();
}

struct StoreWork {
  StorePromotionSummary summary;
  double need = 0.0;  // demand to end + safety stock
  double on_order_to_end = 0.0;
  double promo_weekly = 0.0;
  double giveable = 0.0;
  double short_by = 0.0;
};

}  // namespace

Result<PromotionReplenishmentPlan> plan_promotion_replenishment(
    const PromotionReplenishmentInput& in, const PromotionReplenishmentParams& params) {
  SHELFCAST_RETURN_IF_ERROR(validate(in, params));
  const auto start = static_cast<size_t>(in.promotion_start_week);
  const auto end = static_cast<size_t>(in.promotion_end_week);
  const double promo_weeks = static_cast<double>(end - start + 1);
  const Date launch{in.week0_start.days + in.promotion_start_week * kDaysPerWeek};
  const auto lead_days = static_cast<int32_t>(std::lround(in.lead_time_weeks * kDaysPerWeek));
  const std::string promo_text =
      "promotion weeks " + std::to_string(start) + "-" + std::to_string(end);

  std::vector<StoreWork> work(in.stores.size());
  for (size_t s = 0; s < in.stores.size(); ++s) {
    const StorePromotionInput& st = in.stores[s];
    StoreWork& w = work[s];
    w.summary.location = st.location;
    for (size_t t = 0; t <= end; ++t) {
      const double lift = st.lift_units_per_week.empty() ? 0.0 : st.lift_units_per_week[t];
      const double d = st.baseline_units_per_week[t] + lift;
      w.summary.demand_to_end_units += d;
      if (t >= start) w.summary.promotion_demand_units += d;
    }
    w.promo_weekly = w.summary.promotion_demand_units / promo_weeks;
    // Exposure: the promotion's own demand uncertainty plus the uncertainty of the arrival date.
    SafetyStockInput ss_in;
    ss_in.mean_demand_per_period = w.promo_weekly;
    ss_in.sd_demand_per_period = st.forecast_sd_units_per_week;
    ss_in.lead_time_periods = promo_weeks;
    ss_in.lead_time_sd_periods = in.lead_time_sd_weeks;
    ss_in.service_level = in.service_level;
    SHELFCAST_ASSIGN_OR_RETURN(const SafetyStockResult ss, safety_stock(ss_in));
    w.summary.safety_stock_units = ss.safety_stock;
    w.summary.reorder_point_units = w.promo_weekly * in.lead_time_weeks + ss.safety_stock;
    for (const OpenOrder& o : st.on_order) {
      if (static_cast<size_t>(o.due_week) <= end) w.on_order_to_end += o.quantity_units;
    }
    w.summary.available_units = st.on_hand_units + w.on_order_to_end;
    w.need = w.summary.demand_to_end_units + ss.safety_stock;
    w.short_by = std::max(0.0, w.need - w.summary.available_units);
    w.summary.shortage_before_units = w.short_by;
    // A donor keeps its own need and never drops below its reorder point; only stock on hand
    // moves (open orders have not arrived yet).
    const double keep = std::max(w.need - w.on_order_to_end, w.summary.reorder_point_units);
    w.giveable = std::floor(std::max(0.0, std::min(st.on_hand_units, st.on_hand_units - keep)));
    w.summary.surplus_units = w.giveable;
  }

  PromotionReplenishmentPlan plan;
  // Greedy: the largest shortage first from the largest surplus. Total shortage after transfers
  // is max(0, total short - total surplus) whatever the pairing, so greedy is optimal for it and
  // keeps the number of pickings small.
  std::vector<size_t> order(work.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return work[a].short_by > work[b].short_by; });
  const Date transfer_date{std::max(in.week0_start.days, launch.days - 1)};
  for (size_t r : order) {
    StoreWork& to = work[r];
    while (to.short_by >= params.min_transfer_units && to.short_by > 0.0) {
      size_t best = work.size();
      for (size_t d = 0; d < work.size(); ++d) {
        if (d == r || work[d].giveable < params.min_transfer_units || work[d].giveable <= 0.0) {
          continue;
        }
        if (best == work.size() || work[d].giveable > work[best].giveable) best = d;
      }
      if (best == work.size()) break;
      StoreWork& from = work[best];
      const double qty = std::min(std::ceil(to.short_by), from.giveable);
      from.giveable -= qty;
      from.summary.transfer_out_units += qty;
      to.summary.transfer_in_units += qty;
      to.short_by = std::max(0.0, to.short_by - qty);
      TransferProposal t;
      t.from_location = from.summary.location;
      t.to_location = to.summary.location;
      t.product = in.product;
      t.quantity = qty;
      t.scheduled_date = transfer_date;
      t.reason = promo_text + ": " + to.summary.location + " needs " + fmt(to.need) +
                 " (forecast " + fmt(to.summary.demand_to_end_units) + " + safety stock " +
                 fmt(to.summary.safety_stock_units) + ") against " +
                 fmt(to.summary.available_units) + " available, short " +
                 fmt(to.summary.shortage_before_units) + "; " + from.summary.location + " holds " +
                 fmt(from.summary.surplus_units) + " above its own need and reorder point " +
                 fmt(from.summary.reorder_point_units);
      plan.transfers.push_back(std::move(t));
    }
  }

  // Purchases for what transfers could not cover, at pack multiples and at least the MOQ.
  const double pack = in.pack_size_units;
  const double moq = std::ceil(in.min_order_qty_units / pack - 1e-9) * pack;
  Date order_date{launch.days - lead_days};
  const bool late = order_date < in.week0_start;
  if (late) order_date = in.week0_start;
  const Date arrival{order_date.days + lead_days};
  for (StoreWork& w : work) {
    if (w.short_by <= 0.0) continue;
    const double packs = std::ceil(w.short_by / pack - 1e-9) * pack;
    const double qty = std::max(packs, moq);
    w.summary.purchase_units = qty;
    PurchaseOrderProposal po;
    po.vendor = in.vendor;
    po.product = in.product;
    po.location = w.summary.location;
    po.quantity = qty;
    po.date_order = order_date;
    po.date_planned = arrival;
    std::string why = promo_text + ": forecast " + fmt(w.summary.demand_to_end_units) +
                      " to promotion end (" + fmt(w.summary.promotion_demand_units) +
                      " in the promotion) + safety stock " + fmt(w.summary.safety_stock_units) +
                      " at " + detail::format_percent(in.service_level, false) +
                      " service - available " + fmt(w.summary.available_units);
    if (w.summary.transfer_in_units > 0.0) {
      why += " - transfers in " + fmt(w.summary.transfer_in_units);
    }
    why += " = " + fmt(w.short_by) + " short; ordered " + fmt(qty) + " (pack " + fmt(pack, 2) +
           (moq > 0.0 ? ", MOQ " + fmt(moq) : std::string()) + ") on " + format_date(order_date) +
           " = launch " + format_date(launch) + " - lead time " + fmt(in.lead_time_weeks, 1) +
           " weeks";
    if (late) why += "; LATE: the lead time no longer allows arrival before launch";
    po.reason = std::move(why);
    plan.purchase_lines.push_back(std::move(po));
  }

  for (const StoreWork& w : work) {
    OrderpointUpdate op;
    op.location = w.summary.location;
    op.product = in.product;
    op.product_min_qty = std::ceil(w.summary.reorder_point_units);
    op.product_max_qty =
        op.product_min_qty + std::ceil(w.promo_weekly * params.orderpoint_cover_weeks);
    op.reason = promo_text + ": min = promotion demand " + fmt(w.promo_weekly, 1) +
                "/week x lead time " + fmt(in.lead_time_weeks, 1) + " weeks + safety stock " +
                fmt(w.summary.safety_stock_units) + "; max = min + " +
                fmt(params.orderpoint_cover_weeks, 1) + " week(s) of promotion demand";
    plan.orderpoints.push_back(std::move(op));
    plan.stores.push_back(w.summary);
  }
  return plan;
}

}  // namespace shelfcast
