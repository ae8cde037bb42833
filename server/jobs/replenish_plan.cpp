#include "jobs/replenish_plan.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "shelfcast/replenish.h"
#include "shelfcast/series.h"
#include "store/store.h"

namespace shelfcast::server {
namespace {

// z of the 80% interval: the weekly sd is read back from it.
constexpr double kZ80 = 1.2815515655446004;

struct Scenario {
  std::string product, vendor;
  std::vector<std::string> stores;
  Date start, end;
  double depth = 0.0;
  bool feature = false, display = false;
  double service_level = 0.95;
  double pack_size = 1.0;
  double min_order_qty = 0.0;
  double lead_time_weeks = 0.0;  // 0 = from the stores' stock positions
};

Result<Scenario> decode_scenario(const std::string& body) {
  SHELFCAST_ASSIGN_OR_RETURN(Json j, parse_json(body.empty() ? "{}" : body));
  if (!j.is_object()) return invalid_argument("expected a JSON object");
  Scenario s;
  const auto text = [&j](const char* key, std::string* out, bool required) -> Status {
    auto it = j.find(key);
    if (it == j.end()) {
      return required ? invalid_argument("is required", key) : Status::ok();
    }
    if (!it->is_string() || it->get<std::string>().empty()) {
      return invalid_argument("expected a non-empty string", key);
    }
    *out = it->get<std::string>();
    return Status::ok();
  };
  const auto number = [&j](const char* key, double lo, double hi, double* out) -> Status {
    auto it = j.find(key);
    if (it == j.end()) return Status::ok();
    if (!it->is_number() || !(it->get<double>() >= lo && it->get<double>() <= hi)) {
      return invalid_argument("expected a number from " + Json(lo).dump() + " to " +
                                  Json(hi).dump() + ", got " + it->dump(),
                              key);
    }
    *out = it->get<double>();
    return Status::ok();
  };
  SHELFCAST_RETURN_IF_ERROR(text("product", &s.product, true));
  SHELFCAST_RETURN_IF_ERROR(text("vendor", &s.vendor, false));
  SHELFCAST_RETURN_IF_ERROR(number("service_level", 0.5, 0.9999, &s.service_level));
  SHELFCAST_RETURN_IF_ERROR(number("pack_size", 1e-9, 1e6, &s.pack_size));
  SHELFCAST_RETURN_IF_ERROR(number("min_order_qty", 0.0, 1e9, &s.min_order_qty));
  SHELFCAST_RETURN_IF_ERROR(number("lead_time_weeks", 1e-9, 52.0, &s.lead_time_weeks));
  if (auto it = j.find("stores"); it != j.end()) {
    if (!it->is_array()) return invalid_argument("expected an array of store codes", "stores");
    for (const Json& e : *it) {
      if (!e.is_string()) return invalid_argument("expected an array of store codes", "stores");
      s.stores.push_back(e.get<std::string>());
    }
  }
  auto promo = j.find("promotion");
  if (promo == j.end() || !promo->is_object()) {
    return invalid_argument("expected {start, end, depth, feature?, display?}", "promotion");
  }
  for (const char* key : {"start", "end"}) {
    auto it = promo->find(key);
    const std::string field = std::string("promotion.") + key;
    if (it == promo->end() || !it->is_string()) {
      return invalid_argument("expected a date YYYY-MM-DD", field);
    }
    Result<Date> d = parse_date(it->get<std::string>());
    if (!d.is_ok()) return invalid_argument(d.status().message(), field);
    (std::string(key) == "start" ? s.start : s.end) = *d;
  }
  if (s.end < s.start)
    return invalid_argument("expected an end on or after the start", "promotion.end");
  auto depth = promo->find("depth");
  if (depth == promo->end() || !depth->is_number() ||
      !(depth->get<double>() >= 0.0 && depth->get<double>() <= 0.95)) {
    return invalid_argument("expected a fraction off from 0 to 0.95", "promotion.depth");
  }
  s.depth = depth->get<double>();
  for (const char* key : {"feature", "display"}) {
    auto it = promo->find(key);
    if (it == promo->end()) continue;
    if (!it->is_boolean()) {
      return invalid_argument("expected true or false", std::string("promotion.") + key);
    }
    (std::string(key) == "feature" ? s.feature : s.display) = it->get<bool>();
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    static const char* const kKnown[] = {"product",       "vendor",         "stores",
                                         "promotion",     "service_level",  "pack_size",
                                         "min_order_qty", "lead_time_weeks"};
    if (std::none_of(std::begin(kKnown), std::end(kKnown),
                     [&it](const char* k) { return it.key() == k; })) {
      return invalid_argument("unknown field", it.key());
    }
  }
  return s;
}

}  // namespace

Result<Json> replenishment_plan(Database& db, const std::string& body) {
  SHELFCAST_ASSIGN_OR_RETURN(Scenario s, decode_scenario(body));
  if (s.stores.empty()) {
    SHELFCAST_ASSIGN_OR_RETURN(std::vector<SeriesKey> keys, list_series_keys(db, {s.product}, {}));
    for (const SeriesKey& k : keys) s.stores.push_back(k.store_code);
    if (s.stores.empty()) {
      return Status(ErrorCode::kNotFound, "no sales of product " + s.product + " in any store");
    }
  }
  PromotionReplenishmentInput input;
  input.product = s.product;
  input.vendor = s.vendor;
  input.service_level = s.service_level;
  input.pack_size_units = s.pack_size;
  input.min_order_qty_units = s.min_order_qty;
  double lead_days_sum = 0.0, lead_sd_sum = 0.0;
  Json forecasts = Json::array();
  std::vector<InventoryPosition> positions;
  for (const std::string& store : s.stores) {
    SHELFCAST_ASSIGN_OR_RETURN(std::vector<WeeklyPoint> points,
                               weekly_series(db, s.product, store));
    size_t first = 0, last = points.size();
    while (first < last && !points[first].complete) ++first;
    while (last > first && !points[last - 1].complete) --last;
    if (first == last) {
      return Status(ErrorCode::kFailedPrecondition,
                    "no complete week of sales history for " + s.product + " in " + store);
    }
    WeeklyForecastRequest request;
    request.levels = {80.0, 95.0};
    request.history.assign(points.begin() + static_cast<long>(first),
                           points.begin() + static_cast<long>(last));
    const Date week0{request.history.back().week.days + 7};
    const int32_t start_week = (week_start(s.start).days - week0.days) / 7;
    const int32_t end_week = (week_start(s.end).days - week0.days) / 7;
    if (week_start(s.start) < week0) {
      return invalid_argument(
          "expected a start in or after the first forecast week, " + format_date(week0),
          "promotion.start");
    }
    if (end_week >= 104) {
      return invalid_argument("expected an end within 104 weeks of " + format_date(week0),
                              "promotion.end");
    }
    input.week0_start = week0;
    input.promotion_start_week = start_week;
    input.promotion_end_week = end_week;
    request.horizon = end_week + 1;
    // Without the promotion: the baseline; with it planned: baseline + lift.
    SHELFCAST_ASSIGN_OR_RETURN(ForecastInput base_in, weekly_forecast_input(request));
    SHELFCAST_ASSIGN_OR_RETURN(ForecastResult base, forecast(base_in));
    for (int32_t k = 0; k <= end_week; ++k) {
      WeeklyPoint w;
      w.week = Date{week0.days + 7 * k};
      if (k >= start_week) {
        w.promo_depth = s.depth;
        w.feature = s.feature;
        w.display = s.display;
      }
      request.planned.push_back(w);
    }
    SHELFCAST_ASSIGN_OR_RETURN(ForecastInput promo_in, weekly_forecast_input(request));
    SHELFCAST_ASSIGN_OR_RETURN(ForecastResult promo, forecast(promo_in));

    StorePromotionInput store_in;
    store_in.location = store;
    store_in.baseline_units_per_week = base.mean;
    for (size_t k = 0; k < base.mean.size(); ++k) {
      store_in.lift_units_per_week.push_back(std::max(0.0, promo.mean[k] - base.mean[k]));
    }
    if (!base.intervals.empty()) {
      const ForecastInterval& iv = base.intervals.front();  // 80%: the request's first level
      store_in.forecast_sd_units_per_week =
          std::max(0.0, (iv.upper[0] - iv.lower[0]) / (2.0 * kZ80));
    }
    Result<InventoryPosition> pos = inventory_position(db, s.product, store);
    InventoryPosition p = pos.is_ok() ? *pos : InventoryPosition{};
    store_in.on_hand_units = p.on_hand;
    lead_days_sum += p.lead_time_mean_days;
    lead_sd_sum += p.lead_time_sd_days;
    positions.push_back(p);
    input.stores.push_back(std::move(store_in));
    forecasts.push_back({{"store", store},
                         {"baseline", base.mean},
                         {"with_promotion", promo.mean},
                         {"model", promo.model},
                         {"stock_position_found", pos.is_ok()}});
  }
  const auto n = static_cast<double>(s.stores.size());
  input.lead_time_weeks = s.lead_time_weeks > 0.0 ? s.lead_time_weeks : lead_days_sum / n / 7.0;
  input.lead_time_sd_weeks = lead_sd_sum / n / 7.0;
  if (!(input.lead_time_weeks > 0.0)) {
    return invalid_argument("no lead time is stored for this product: give lead_time_weeks",
                            "lead_time_weeks");
  }
  // Stock already ordered arrives within the lead time.
  const auto due = static_cast<int32_t>(std::ceil(input.lead_time_weeks)) - 1;
  for (size_t i = 0; i < positions.size(); ++i) {
    if (positions[i].on_order > 0.0) {
      input.stores[i].on_order.push_back({positions[i].on_order, std::max(0, due)});
    }
  }
  SHELFCAST_ASSIGN_OR_RETURN(PromotionReplenishmentPlan plan, plan_promotion_replenishment(input));

  Json purchases = Json::array(), transfers = Json::array(), orderpoints = Json::array(),
       stores = Json::array();
  for (const PurchaseOrderProposal& p : plan.purchase_lines) {
    purchases.push_back({{"model", "purchase.order.line"},
                         {"partner_id", p.vendor},
                         {"product_id", p.product},
                         {"location", p.location},
                         {"product_qty", p.quantity},
                         {"date_order", format_date(p.date_order)},
                         {"date_planned", format_date(p.date_planned)},
                         {"reason", p.reason}});
  }
  for (const TransferProposal& t : plan.transfers) {
    transfers.push_back({{"model", "stock.picking"},
                         {"location_id", t.from_location},
                         {"location_dest_id", t.to_location},
                         {"product_id", t.product},
                         {"product_uom_qty", t.quantity},
                         {"scheduled_date", format_date(t.scheduled_date)},
                         {"reason", t.reason}});
  }
  for (const OrderpointUpdate& o : plan.orderpoints) {
    orderpoints.push_back({{"model", "stock.warehouse.orderpoint"},
                           {"location", o.location},
                           {"product_id", o.product},
                           {"product_min_qty", o.product_min_qty},
                           {"product_max_qty", o.product_max_qty},
                           {"reason", o.reason}});
  }
  for (const StorePromotionSummary& st : plan.stores) {
    stores.push_back({{"location", st.location},
                      {"demand_to_end_units", st.demand_to_end_units},
                      {"promotion_demand_units", st.promotion_demand_units},
                      {"safety_stock_units", st.safety_stock_units},
                      {"reorder_point_units", st.reorder_point_units},
                      {"available_units", st.available_units},
                      {"shortage_before_units", st.shortage_before_units},
                      {"surplus_units", st.surplus_units},
                      {"transfer_in_units", st.transfer_in_units},
                      {"transfer_out_units", st.transfer_out_units},
                      {"purchase_units", st.purchase_units}});
  }
  return Json{{"product", s.product},
              {"week0", format_date(input.week0_start)},
              {"promotion_weeks", {input.promotion_start_week, input.promotion_end_week}},
              {"lead_time_weeks", input.lead_time_weeks},
              {"purchase_lines", purchases},
              {"transfers", transfers},
              {"orderpoints", orderpoints},
              {"stores", stores},
              {"forecasts", forecasts},
              {"status", "proposal"},
              {"note", "proposals only: nothing is sent to Odoo without approval"},
              {"model_version", core_model_version()}};
}

}  // namespace shelfcast::server
