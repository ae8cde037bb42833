#include "jobs/agents.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "governance/audit.h"
#include "jobs/replenish_plan.h"
#include "store/approval_store.h"
#include "store/store.h"

namespace shelfcast::server {
namespace {

// Units below this are noise, not a shortage.
constexpr double kUnitTolerance = 0.5;
// A markdown the below_forecast agent suggests: 20% off, the first step of the usual ladder
// (the markdown optimizer in the core refines it once approved).
constexpr double kSuggestedMarkdownDepth = 0.20;
// How far ahead the agents plan promotions for: a quarter, the usual promotion calendar.
constexpr int32_t kPromotionLookaheadWeeks = 13;

struct Step {
  Date week;
  double mean = 0.0, promotion_units = 0.0;
};

struct SeriesView {
  std::string product, store;
  std::vector<Step> future;  // forecast weeks without actuals yet, in order
  double past_forecast = 0.0, past_actual = 0.0;
  int64_t past_weeks = 0;
  bool promotion_running = false;  // the latest week with actuals was a promotion week
  double promotion_depth = 0.0;
  std::optional<InventoryPosition> stock;
  int32_t lead_weeks = 1;
  double lead_demand = 0.0;  // forecast units over the lead time
};

double promotion_part(const std::string& components_json) {
  Result<Json> parts = parse_json(components_json);
  if (!parts.is_ok() || !parts->is_object()) return 0.0;
  double sum = 0.0;
  for (auto it = parts->begin(); it != parts->end(); ++it) {
    if (it.key().find("promo") != std::string::npos && it->is_number()) sum += it->get<double>();
  }
  return sum;
}

double sum_mean(const std::vector<Step>& steps, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n && i < steps.size(); ++i) s += steps[i].mean;
  return s;
}

Json submission(const std::string& kind, const std::string& title, const Json& payload) {
  return {{"kind", kind}, {"title", title}, {"payload", payload}};
}

}  // namespace

Result<Json> run_agents(Database& db, const ApprovalRules& rules, const std::string& actor) {
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<JobRow> jobs, list_jobs(db, 100));
  const auto job = std::find_if(jobs.begin(), jobs.end(), [](const JobRow& j) {
    return j.kind == "forecast" && j.status == "done";
  });
  if (job == jobs.end()) {
    return Json{{"job", nullptr},
                {"series", 0},
                {"found", 0},
                {"posted", Json::array()},
                {"already_open", 0},
                {"message", "no finished forecast job: the agents read its forecasts"}};
  }
  std::vector<StoredForecast> rows;
  for (int64_t offset = 0;; offset += 10000) {
    SHELFCAST_ASSIGN_OR_RETURN(std::vector<StoredForecast> page,
                               job_forecasts(db, job->id, "", "", 10000, offset));
    rows.insert(rows.end(), page.begin(), page.end());
    if (page.size() < 10000) break;
  }
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<StockRow> stock, list_stock(db));
  std::map<std::pair<std::string, std::string>, InventoryPosition> positions;
  for (const StockRow& s : stock) positions[{s.product, s.store}] = s.position;

  std::map<std::pair<std::string, std::string>, SeriesView> series;
  std::map<std::pair<std::string, std::string>, std::map<int32_t, WeeklyPoint>> actuals;
  for (const StoredForecast& f : rows) {
    const auto key = std::make_pair(f.product, f.store);
    auto a = actuals.find(key);
    if (a == actuals.end()) {
      std::map<int32_t, WeeklyPoint> weeks;
      Result<std::vector<WeeklyPoint>> points = weekly_series(db, f.product, f.store);
      if (points.is_ok()) {
        for (const WeeklyPoint& p : *points) {
          if (p.complete) weeks[p.week.days] = p;
        }
      }
      a = actuals.emplace(key, std::move(weeks)).first;
    }
    SeriesView& v = series[key];
    v.product = f.product;
    v.store = f.store;
    const auto actual = a->second.find(f.week.days);
    if (actual == a->second.end()) {
      v.future.push_back({f.week, f.mean, promotion_part(f.components_json)});
    } else {
      v.past_forecast += f.mean;
      v.past_actual += actual->second.units;
      ++v.past_weeks;
    }
  }
  for (auto& [key, v] : series) {
    std::sort(v.future.begin(), v.future.end(),
              [](const Step& x, const Step& y) { return x.week < y.week; });
    const auto& weeks = actuals[key];
    if (!weeks.empty() && v.past_weeks > 0) {
      const WeeklyPoint& last = weeks.rbegin()->second;
      v.promotion_running = last.promo_depth > 0.0;
      v.promotion_depth = last.promo_depth;
    }
    if (auto p = positions.find(key); p != positions.end()) {
      v.stock = p->second;
      v.lead_weeks = p->second.lead_time_mean_days > 0.0
                         ? static_cast<int32_t>(std::ceil(p->second.lead_time_mean_days / 7.0))
                         : 1;
    }
    v.lead_demand = sum_mean(v.future, static_cast<size_t>(v.lead_weeks));
  }

  std::vector<ExceptionRow> found;
  // ---- stockout_before_delivery ----
  for (auto& [key, v] : series) {
    if (!v.stock || v.future.empty()) continue;
    const double on_hand = v.stock->on_hand;
    if (!(v.lead_demand > on_hand + kUnitTolerance)) continue;
    const double shortfall = v.lead_demand - on_hand;
    const size_t lead = std::min(v.future.size(), static_cast<size_t>(v.lead_weeks));
    double promo_units = 0.0;
    for (size_t i = 0; i < lead; ++i) promo_units += v.future[i].promotion_units;
    // A transfer from the store of the same product with the most stock beyond its own needs.
    std::string donor;
    double surplus = 0.0;
    for (const auto& [other_key, o] : series) {
      if (other_key.first != v.product || other_key.second == v.store || !o.stock) continue;
      const double spare = o.stock->on_hand - o.lead_demand;
      if (spare > surplus + kUnitTolerance) {
        surplus = spare;
        donor = o.store;
      }
    }
    const double transfer = donor.empty() ? 0.0 : std::floor(std::min(shortfall, surplus));
    // A purchase covering what is still short and the next lead time, net of what is on order.
    const double cover = sum_mean(v.future, 2 * lead) - on_hand - v.stock->on_order - transfer;
    const double order = std::ceil(std::max(shortfall - transfer, cover));
    const Date today = v.future.front().week;
    Json payload = {{"purchase_lines", Json::array()},
                    {"transfers", Json::array()},
                    {"stockout_risk", v.lead_demand > 0 ? shortfall / v.lead_demand : 0.0}};
    Json action = Json::array();
    if (transfer >= 1.0) {
      const std::string reason = v.store + " short by " + std::to_string(std::lround(shortfall)) +
                                 " units before the next delivery; " + donor + " has " +
                                 std::to_string(std::lround(surplus)) + " to spare";
      payload["transfers"].push_back({{"model", "stock.picking"},
                                      {"location_id", donor},
                                      {"location_dest_id", v.store},
                                      {"product_id", v.product},
                                      {"product_uom_qty", transfer},
                                      {"scheduled_date", format_date(today)},
                                      {"reason", reason}});
      action.push_back(
          {{"type", "transfer"}, {"from", donor}, {"to", v.store}, {"units", transfer}});
    }
    if (order >= 1.0) {
      const std::string reason = "forecast " + std::to_string(std::lround(v.lead_demand)) +
                                 " units over the " + std::to_string(v.lead_weeks) +
                                 "-week lead time against " + std::to_string(std::lround(on_hand)) +
                                 " on hand";
      payload["purchase_lines"].push_back(
          {{"model", "purchase.order.line"},
           {"product_id", v.product},
           {"location", v.store},
           {"product_qty", order},
           {"date_order", format_date(today)},
           {"date_planned", format_date(Date{today.days + 7 * v.lead_weeks})},
           {"reason", reason}});
      action.push_back({{"type", "reorder"}, {"store", v.store}, {"units", order}});
    }
    if (action.empty()) continue;
    ExceptionRow e;
    e.agent = "stockout_before_delivery";
    e.dedupe_key = e.agent + ":" + v.product + "@" + v.store;
    e.product = v.product;
    e.store = v.store;
    e.message = "Forecast demand of " + std::to_string(std::lround(v.lead_demand)) +
                " units (promotion weeks included) exceeds the " +
                std::to_string(std::lround(on_hand)) + " on hand before the next delivery in " +
                std::to_string(v.lead_weeks) + " week(s): short by " +
                std::to_string(std::lround(shortfall));
    e.evidence_json = dump_json({{"job", job->id},
                                 {"first_week", format_date(today)},
                                 {"lead_time_weeks", v.lead_weeks},
                                 {"forecast_units", v.lead_demand},
                                 {"promotion_units", promo_units},
                                 {"on_hand", on_hand},
                                 {"on_order", v.stock->on_order},
                                 {"shortfall_units", shortfall}});
    e.suggested_action_json = dump_json(
        {{"actions", action},
         {"submission",
          submission("replenishment", "Cover " + v.product + " in " + v.store + " before delivery",
                     payload)}});
    found.push_back(std::move(e));
  }
  // ---- below_forecast ----
  for (auto& [key, v] : series) {
    if (v.past_weeks < 1 || !(v.past_forecast >= 1.0)) continue;
    const double ratio = v.past_actual / v.past_forecast;
    if (!(ratio < rules.min_uplift_ratio)) continue;
    const double remaining = sum_mean(v.future, v.future.size()) * ratio;
    const double left_over = v.stock ? v.stock->on_hand + v.stock->on_order - remaining : 0.0;
    const Date next = v.future.empty() ? Date{} : v.future.front().week;
    Json action, sub;
    if (v.stock && left_over > kUnitTolerance && !v.future.empty()) {
      action = {{"type", "markdown"},
                {"start", format_date(next)},
                {"depth", kSuggestedMarkdownDepth},
                {"units_at_risk", left_over}};
      sub = submission("promotion", "Markdown " + v.product + " in " + v.store,
                       {{"product", v.product},
                        {"stores", Json::array({v.store})},
                        {"action", "markdown"},
                        {"promotion",
                         {{"start", format_date(next)},
                          {"end", format_date(v.future.back().week)},
                          {"depth", kSuggestedMarkdownDepth}}}});
    } else if (v.promotion_running && !v.future.empty()) {
      action = {{"type", "substitute_offer"},
                {"start", format_date(next)},
                {"detail",
                 "keep the depth, add feature and display (or a multi-buy) instead of "
                 "cutting the price further"}};
      sub = submission("promotion", "Substitute offer for " + v.product + " in " + v.store,
                       {{"product", v.product},
                        {"stores", Json::array({v.store})},
                        {"action", "substitute_offer"},
                        {"promotion",
                         {{"start", format_date(next)},
                          {"end", format_date(next)},
                          {"depth", v.promotion_depth},
                          {"feature", true},
                          {"display", true}}}});
    } else if (!v.future.empty()) {
      action = {{"type", "forecast_override"},
                {"week", format_date(next)},
                {"units", v.future.front().mean * ratio}};
      sub = submission("forecast_override", "Run-rate override of " + v.product + " in " + v.store,
                       {{"product", v.product},
                        {"store", v.store},
                        {"week", format_date(next)},
                        {"job", job->id},
                        {"override_units", v.future.front().mean * ratio}});
    } else {
      continue;
    }
    ExceptionRow e;
    e.agent = "below_forecast";
    e.dedupe_key = e.agent + ":" + v.product + "@" + v.store;
    e.product = v.product;
    e.store = v.store;
    e.message = std::string(v.promotion_running ? "Running promotion sells" : "Actuals are") +
                " at " + std::to_string(std::lround(100.0 * ratio)) + "% of the forecast over " +
                std::to_string(v.past_weeks) + " week(s) (" +
                std::to_string(std::lround(v.past_actual)) + " vs " +
                std::to_string(std::lround(v.past_forecast)) + " units)";
    e.evidence_json = dump_json({{"job", job->id},
                                 {"weeks", v.past_weeks},
                                 {"actual_units", v.past_actual},
                                 {"forecast_units", v.past_forecast},
                                 {"ratio", ratio},
                                 {"threshold", rules.min_uplift_ratio},
                                 {"promotion_running", v.promotion_running}});
    e.suggested_action_json = dump_json({{"actions", Json::array({action})}, {"submission", sub}});
    found.push_back(std::move(e));
  }

  // ---- promotion_stockout: promotions planned in the coming weeks, through the planner ----
  Json skipped = Json::array();
  SHELFCAST_ASSIGN_OR_RETURN(std::optional<Date> last_day, last_sales_day(db));
  std::vector<PlannedPromotion> promotions;
  if (last_day) {
    SHELFCAST_ASSIGN_OR_RETURN(
        promotions, list_promotions_starting(db, Date{last_day->days + 1},
                                             Date{last_day->days + 7 * kPromotionLookaheadWeeks}));
  }
  for (const PlannedPromotion& promo : promotions) {
    std::map<std::string, std::vector<std::string>> stores_by_product;  // empty: every store
    std::map<std::string, bool> everywhere;
    for (const auto& [product, store] : promo.items) {
      if (store.empty()) everywhere[product] = true;
      stores_by_product[product].push_back(store);
    }
    for (auto& [product, stores] : stores_by_product) {
      Json body = {{"product", product},
                   {"promotion",
                    {{"start", format_date(promo.start)},
                     {"end", format_date(promo.end)},
                     {"depth", promo.depth},
                     {"feature", promo.feature},
                     {"display", promo.display}}}};
      if (!everywhere[product]) body["stores"] = stores;
      Result<Json> plan = replenishment_plan(db, dump_json(body));
      if (!plan.is_ok()) {
        skipped.push_back({{"agent", "promotion_stockout"},
                           {"promotion", promo.code},
                           {"product", product},
                           {"reason", plan.status().message()}});
        continue;
      }
      for (const Json& st : (*plan)["stores"]) {
        const double shortage = st["shortage_before_units"].get<double>();
        if (!(shortage > kUnitTolerance)) continue;
        const std::string store = st["location"].get<std::string>();
        Json purchases = Json::array(), transfers = Json::array(), orderpoints = Json::array(),
             actions = Json::array();
        for (const Json& l : (*plan)["purchase_lines"]) {
          if (l["location"] != store) continue;
          purchases.push_back(l);
          actions.push_back({{"type", "reorder"},
                             {"store", store},
                             {"units", l["product_qty"]},
                             {"order_by", l["date_order"]}});
        }
        for (const Json& t : (*plan)["transfers"]) {
          if (t["location_dest_id"] != store) continue;
          transfers.push_back(t);
          actions.push_back({{"type", "transfer"},
                             {"from", t["location_id"]},
                             {"to", store},
                             {"units", t["product_uom_qty"]}});
        }
        for (const Json& o : (*plan)["orderpoints"]) {
          if (o["location"] == store) orderpoints.push_back(o);
        }
        if (actions.empty()) continue;
        const double demand = st["demand_to_end_units"].get<double>();
        ExceptionRow e;
        e.agent = "promotion_stockout";
        e.dedupe_key = e.agent + ":" + promo.code + ":" + product + "@" + store;
        e.product = product;
        e.store = store;
        e.message = "Promotion " + promo.code + " (" +
                    std::to_string(std::lround(100.0 * promo.depth)) + "% off from " +
                    format_date(promo.start) + "): demand of " +
                    std::to_string(std::lround(demand)) +
                    " units to its end exceeds the stock available before the next delivery by " +
                    std::to_string(std::lround(shortage));
        e.evidence_json = dump_json({{"promotion", promo.code},
                                     {"start", format_date(promo.start)},
                                     {"end", format_date(promo.end)},
                                     {"depth", promo.depth},
                                     {"lead_time_weeks", (*plan)["lead_time_weeks"]},
                                     {"store", st}});
        e.suggested_action_json = dump_json(
            {{"actions", actions},
             {"submission", submission("replenishment",
                                       "Stock " + product + " in " + store + " for " + promo.code,
                                       {{"purchase_lines", purchases},
                                        {"transfers", transfers},
                                        {"orderpoints", orderpoints},
                                        {"stores", Json::array({st})}})}});
        found.push_back(std::move(e));
      }
    }
  }

  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  Json posted = Json::array();
  int64_t duplicates = 0;
  for (const ExceptionRow& e : found) {
    SHELFCAST_ASSIGN_OR_RETURN(std::optional<int64_t> id, post_exception(db, e));
    if (!id) {
      ++duplicates;
      continue;
    }
    SHELFCAST_ASSIGN_OR_RETURN(ExceptionRow stored, get_exception(db, *id));
    posted.push_back(exception_json(stored));
  }
  SHELFCAST_RETURN_IF_ERROR(record_audit(
      db, actor, "agents.run", "job:" + std::to_string(job->id),
      dump_json(
          {{"found", found.size()}, {"posted", posted.size()}, {"already_open", duplicates}})));
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return Json{{"job", job->id},        {"series", series.size()}, {"promotions", promotions.size()},
              {"found", found.size()}, {"posted", posted},        {"already_open", duplicates},
              {"skipped", skipped}};
}

}  // namespace shelfcast::server
