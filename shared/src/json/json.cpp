#include "shelfcast/json.h"

#include <cmath>
#include <cstdint>
#include <limits>

namespace shelfcast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json numbers(const std::vector<double>& values) {
  Json out = Json::array();
  for (double v : values) out.push_back(number_or_null(v));
  return out;
}

// Reads the fields of one JSON object, remembering the first problem with its field path.
class Fields {
 public:
  Fields(const Json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) fail("", "expected an object");
  }

  const Status& status() const { return status_; }
  bool ok() const { return status_.is_ok(); }
  std::string path_of(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  // Returns the member or nullptr; a missing required member is an error.
  const Json* member(const char* key, bool required) {
    if (!ok()) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end() || (it->is_null() && required)) {
      if (required) fail(key, "is required");
      return nullptr;
    }
    return &*it;
  }

  void number(const char* key, double* out, bool required = true) {
    const Json* m = member(key, required);
    if (!m) return;
    if (m->is_null()) {
      *out = kNaN;
      return;
    }
    if (!m->is_number()) return fail(key, "expected a number, got " + m->dump());
    *out = m->get<double>();
  }

  template <typename Int>
  void integer(const char* key, Int* out, bool required = true) {
    const Json* m = member(key, required);
    if (!m) return;
    if (!m->is_number_integer()) return fail(key, "expected an integer, got " + m->dump());
    const auto v = m->get<int64_t>();
    if (v < static_cast<int64_t>(std::numeric_limits<Int>::min()) ||
        (v > 0 &&
         static_cast<uint64_t>(v) > static_cast<uint64_t>(std::numeric_limits<Int>::max()))) {
      return fail(key, "integer out of range: " + m->dump());
    }
    *out = static_cast<Int>(v);
  }

  void boolean(const char* key, bool* out, bool required = true) {
    const Json* m = member(key, required);
    if (!m) return;
    if (!m->is_boolean()) return fail(key, "expected true or false, got " + m->dump());
    *out = m->get<bool>();
  }

  void string(const char* key, std::string* out, bool required = true) {
    const Json* m = member(key, required);
    if (!m) return;
    if (!m->is_string()) return fail(key, "expected a string, got " + m->dump());
    *out = m->get<std::string>();
  }

  void date(const char* key, Date* out, bool required = true) {
    std::string text;
    string(key, &text, required);
    if (!ok() || text.empty()) return;
    Result<Date> d = parse_date(text);
    if (!d.is_ok()) return fail(key, d.status().message());
    *out = *d;
  }

  void numbers(const char* key, std::vector<double>* out, bool required = true) {
    const Json* m = member(key, required);
    if (!m) return;
    if (!m->is_array()) return fail(key, "expected an array of numbers");
    out->clear();
    out->reserve(m->size());
    for (size_t i = 0; i < m->size(); ++i) {
      const Json& e = (*m)[i];
      if (e.is_null())
        out->push_back(kNaN);
      else if (e.is_number())
        out->push_back(e.get<double>());
      else
        return fail(key, "element " + std::to_string(i) + ": expected a number or null");
    }
  }

  void indexes(const char* key, std::vector<int32_t>* out, bool required = true) {
    const Json* m = member(key, required);
    if (!m) return;
    if (!m->is_array()) return fail(key, "expected an array of integers");
    out->clear();
    for (size_t i = 0; i < m->size(); ++i) {
      const Json& e = (*m)[i];
      if (!e.is_number_integer() || e.get<int64_t>() < -1 ||
          e.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
        return fail(key, "element " + std::to_string(i) + ": expected an index");
      }
      out->push_back(static_cast<int32_t>(e.get<int64_t>()));
    }
  }

  // Refuses members other than `known` (a typo is an error, not a silently ignored field).
  void only(std::initializer_list<const char*> known) {
    if (!ok() || !j_.is_object()) return;
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      bool found = false;
      for (const char* k : known) found = found || it.key() == k;
      if (!found) return fail(it.key(), "unknown field");
    }
  }

  // Decodes an optional object member with decode<T>, prefixing inner field paths.
  template <typename T>
  void object(const char* key, T* out) {
    const Json* m = member(key, false);
    if (!m || m->is_null()) return;
    Result<T> item = decode<T>(*m);
    if (!item.is_ok()) {
      const std::string inner = item.status().field();
      status_ = invalid_argument(item.status().message(),
                                 path_of(key) + (inner.empty() ? "" : "." + inner));
      return;
    }
    *out = std::move(item).value();
  }

  // Decodes an array member element by element with decode<T>.
  template <typename T>
  void list(const char* key, std::vector<T>* out, bool required = true) {
    const Json* m = member(key, required);
    if (!m) return;
    if (!m->is_array()) return fail(key, "expected an array");
    out->clear();
    out->reserve(m->size());
    for (size_t i = 0; i < m->size(); ++i) {
      Result<T> item = decode<T>((*m)[i]);
      if (!item.is_ok()) {
        const std::string inner = item.status().field();
        status_ =
            invalid_argument(item.status().message(), path_of(key) + "[" + std::to_string(i) + "]" +
                                                          (inner.empty() ? "" : "." + inner));
        return;
      }
      out->push_back(std::move(item).value());
    }
  }

  void fail(const std::string& key, const std::string& message) {
    if (ok()) status_ = invalid_argument(message, key.empty() ? path_ : path_of(key.c_str()));
  }

 private:
  const Json& j_;
  std::string path_;
  Status status_;
};

template <typename T>
Result<T> finish(const Fields& f, T value) {
  if (!f.ok()) return f.status();
  return value;
}

}  // namespace

Result<Json> parse_json(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return invalid_argument("expected a JSON document, got malformed text");
  return j;
}

std::string dump_json(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// ---- encoders ---------------------------------------------------------------------------------

void to_json(Json& j, const Date& v) { j = format_date(v); }
void to_json(Json& j, const Holiday& v) { j = Json{{"date", v.date}, {"name", v.name}}; }
void to_json(Json& j, const Store& v) {
  j = Json{{"code", v.code}, {"name", v.name}, {"region", v.region}};
}
void to_json(Json& j, const Category& v) {
  j = Json{{"code", v.code}, {"name", v.name}, {"parent", v.parent}};
}
void to_json(Json& j, const Product& v) {
  j = Json{{"code", v.code},
           {"name", v.name},
           {"category", v.category},
           {"cost_per_unit", number_or_null(v.cost_per_unit)},
           {"list_price_per_unit", number_or_null(v.list_price_per_unit)}};
}
void to_json(Json& j, const Customer& v) { j = Json{{"pseudonym", v.pseudonym}}; }
void to_json(Json& j, const Promotion& v) {
  j = Json{{"code", v.code},
           {"mechanic", std::string(to_string(v.mechanic))},
           {"depth", number_or_null(v.depth)},
           {"start", v.start},
           {"end", v.end},
           {"feature", v.feature},
           {"display", v.display},
           {"target_segment", v.target_segment},
           {"products", v.products},
           {"stores", v.stores}};
}
void to_json(Json& j, const SalesLine& v) {
  j = Json{{"date", v.date},
           {"store", v.store},
           {"product", v.product},
           {"customer", v.customer},
           {"promotion", v.promotion},
           {"channel", std::string(to_string(v.channel))},
           {"qty", number_or_null(v.qty)},
           {"unit_price", number_or_null(v.unit_price)},
           {"discount", number_or_null(v.discount)},
           {"order_ref", v.order_ref}};
}
void to_json(Json& j, const InventoryPosition& v) {
  j = Json{{"store", v.store},
           {"product", v.product},
           {"on_hand", number_or_null(v.on_hand)},
           {"on_order", number_or_null(v.on_order)},
           {"lead_time_mean_days", number_or_null(v.lead_time_mean_days)},
           {"lead_time_sd_days", number_or_null(v.lead_time_sd_days)}};
}
void to_json(Json& j, const Dataset& v) {
  j = Json{{"stores", v.stores},       {"categories", v.categories}, {"products", v.products},
           {"customers", v.customers}, {"promotions", v.promotions}, {"holidays", v.holidays},
           {"lines", v.lines},         {"inventory", v.inventory}};
}
void to_json(Json& j, const WeeklyPoint& v) {
  j = Json{{"week", v.week},
           {"units", number_or_null(v.units)},
           {"avg_price", number_or_null(v.avg_price)},
           {"promo_depth", number_or_null(v.promo_depth)},
           {"feature", v.feature},
           {"display", v.display},
           {"holiday", v.holiday},
           {"holiday_days", number_or_null(v.holiday_days)},
           {"complete", v.complete}};
}
void to_json(Json& j, const RetailRegressors& v) {
  // Only the fields in use: an absent field means "driver not used".
  j = Json::object();
  const std::pair<const char*, const std::vector<double>*> fields[] = {
      {"price_ratio", &v.price_ratio},
      {"promo_depth", &v.promo_depth},
      {"feature", &v.feature},
      {"display", &v.display},
      {"holiday", &v.holiday}};
  for (const auto& [name, values] : fields) {
    if (!values->empty()) j[name] = numbers(*values);
  }
}
void to_json(Json& j, const RegressionCoefficient& v) {
  j = Json{{"name", v.name},
           {"value", number_or_null(v.value)},
           {"std_error", number_or_null(v.std_error)},
           {"prior_mean", number_or_null(v.prior_mean)},
           {"estimated", v.estimated},
           {"at_bound", v.at_bound}};
}
void to_json(Json& j, const ForecastInput& v) {
  j = Json{{"values", numbers(v.values)},
           {"season_length", v.season_length},
           {"horizon", v.horizon},
           {"levels", numbers(v.levels)},
           {"method", std::string(to_string(v.method))},
           {"non_negative", v.non_negative},
           {"total_horizon", v.total_horizon},
           {"period_name", v.period_name}};
  const Json history = v.history_drivers, future = v.future_drivers;
  if (!history.empty()) j["history_drivers"] = history;
  if (!future.empty()) j["future_drivers"] = future;
}
void to_json(Json& j, const WeeklyForecastRequest& v) {
  j = Json{{"history", v.history},
           {"planned", v.planned},
           {"horizon", v.horizon},
           {"levels", numbers(v.levels)},
           {"method", std::string(to_string(v.method))},
           {"total_horizon", v.total_horizon},
           {"season_length", v.season_length}};
}
void to_json(Json& j, const ForecastInterval& v) {
  j = Json{{"level", v.level}, {"lower", numbers(v.lower)}, {"upper", numbers(v.upper)}};
}
void to_json(Json& j, const ForecastResult& v) {
  // Only the parameters the model has: alpha belongs to smoothing, sigma to every model.
  Json params = {{"sigma", number_or_null(v.sigma)}};
  if (v.model == "SES") params["alpha"] = number_or_null(v.alpha);
  j = Json{{"model", v.model},
           {"model_version", v.model_version},
           {"params", params},
           {"mean", numbers(v.mean)},
           {"intervals", v.intervals},
           {"fitted", numbers(v.fitted)},
           {"fallback_reason", v.fallback_reason},
           {"summary", v.summary},
           {"total_horizon", v.total_horizon},
           {"total_mean", number_or_null(v.total_mean)},
           {"total_intervals", v.total_intervals},
           {"demand_class", v.demand_class},
           {"components", v.components},
           {"drivers", v.drivers}};
}
void to_json(Json& j, const ForecastComponent& v) {
  j = Json{{"name", v.name}, {"values", numbers(v.values)}};
}
void to_json(Json& j, const MarkdownInput& v) {
  j = Json{{"stock_units", v.stock_units},
           {"weeks_left", v.weeks_left},
           {"price_ladder", numbers(v.price_ladder)},
           {"current_price_index", v.current_price_index},
           {"base_weekly_demand_units", v.base_weekly_demand_units},
           {"elasticity", v.elasticity},
           {"distribution", std::string(to_string(v.distribution))},
           {"nb_size", v.nb_size},
           {"unit_cost", v.unit_cost},
           {"salvage_per_unit", v.salvage_per_unit},
           {"min_margin_per_unit", v.min_margin_per_unit},
           {"max_markdowns", v.max_markdowns}};
  if (!v.demand_by_price.empty()) j["demand_by_price"] = numbers(v.demand_by_price);
  if (!v.seasonality.empty()) j["seasonality"] = numbers(v.seasonality);
}
void to_json(Json& j, const MarkdownPlan& v) {
  Json weeks = Json::array();
  for (const MarkdownWeek& w : v.weeks) {
    weeks.push_back({{"week", w.week},
                     {"price", number_or_null(w.price)},
                     {"mean_price", number_or_null(w.mean_price)},
                     {"markdown_probability", number_or_null(w.markdown_probability)},
                     {"expected_units", number_or_null(w.expected_units)},
                     {"expected_leftover", number_or_null(w.expected_leftover)},
                     {"expected_margin", number_or_null(w.expected_margin)}});
  }
  j = Json{{"weeks", weeks},
           {"expected_units", number_or_null(v.expected_units)},
           {"expected_margin", number_or_null(v.expected_margin)},
           {"expected_leftover", number_or_null(v.expected_leftover)},
           {"expected_salvage_value", number_or_null(v.expected_salvage_value)},
           {"expected_total", number_or_null(v.expected_total)}};
}
void to_json(Json& j, const MarkdownResult& v) {
  j = Json{{"allowed_prices", numbers(v.allowed_prices)},
           {"policy", v.optimal},
           {"baselines",
            {{"no_markdown", v.no_markdown}, {"mid_season_markdown", v.mid_season_markdown}}},
           {"gain_vs_no_markdown", v.optimal.expected_total - v.no_markdown.expected_total},
           {"gain_vs_mid_season_markdown",
            v.optimal.expected_total - v.mid_season_markdown.expected_total},
           {"model_version", core_model_version()}};
}
void to_json(Json& j, const BasketReport& v) {
  // Conviction is +infinity at confidence 1: JSON has no infinity, so it travels as null.
  Json rules = Json::array();
  for (const NamedRule& r : v.rules) {
    rules.push_back({{"antecedent", r.antecedent},
                     {"consequent", r.consequent},
                     {"support", r.support},
                     {"confidence", r.confidence},
                     {"lift", r.lift},
                     {"leverage", r.leverage},
                     {"conviction", number_or_null(r.conviction)},
                     {"count", r.count}});
  }
  Json affinity = Json::array();
  for (const NamedAffinity& a : v.affinity) {
    affinity.push_back({{"item_a", a.item_a},
                        {"item_b", a.item_b},
                        {"count", a.count},
                        {"support", a.support},
                        {"confidence_ab", a.confidence_ab},
                        {"confidence_ba", a.confidence_ba},
                        {"lift", a.lift}});
  }
  j = Json{{"transactions", v.n_transactions},
           {"items", v.n_items},
           {"itemsets", v.n_itemsets},
           {"rules_total", v.n_rules},
           {"rules", rules},
           {"affinity", affinity},
           {"model_version", core_model_version()}};
}
void to_json(Json& j, const Status& v) {
  j = Json{{"code", std::string(to_string(v.code()))}, {"message", v.message()}};
  if (!v.field().empty()) j["field"] = v.field();
}

// ---- decoders ---------------------------------------------------------------------------------

template <>
Result<Date> decode<Date>(const Json& j) {
  if (!j.is_string()) return invalid_argument("expected a date string, got " + j.dump());
  return parse_date(j.get<std::string>());
}

template <>
Result<Holiday> decode<Holiday>(const Json& j) {
  Fields f(j, "");
  Holiday v;
  f.date("date", &v.date);
  f.string("name", &v.name);
  return finish(f, v);
}

template <>
Result<Store> decode<Store>(const Json& j) {
  Fields f(j, "");
  Store v;
  f.string("code", &v.code);
  f.string("name", &v.name, false);
  f.string("region", &v.region, false);
  return finish(f, v);
}

template <>
Result<Category> decode<Category>(const Json& j) {
  Fields f(j, "");
  Category v;
  f.string("code", &v.code);
  f.string("name", &v.name, false);
  f.integer("parent", &v.parent, false);
  return finish(f, v);
}

template <>
Result<Product> decode<Product>(const Json& j) {
  Fields f(j, "");
  Product v;
  f.string("code", &v.code);
  f.string("name", &v.name, false);
  f.integer("category", &v.category, false);
  f.number("cost_per_unit", &v.cost_per_unit, false);
  f.number("list_price_per_unit", &v.list_price_per_unit, false);
  return finish(f, v);
}

template <>
Result<Customer> decode<Customer>(const Json& j) {
  Fields f(j, "");
  Customer v;
  f.string("pseudonym", &v.pseudonym);
  return finish(f, v);
}

template <>
Result<Promotion> decode<Promotion>(const Json& j) {
  Fields f(j, "");
  Promotion v;
  std::string mechanic = "percent_off";
  f.string("code", &v.code);
  f.string("mechanic", &mechanic, false);
  f.number("depth", &v.depth);
  f.date("start", &v.start);
  f.date("end", &v.end);
  f.boolean("feature", &v.feature, false);
  f.boolean("display", &v.display, false);
  f.string("target_segment", &v.target_segment, false);
  f.indexes("products", &v.products, false);
  f.indexes("stores", &v.stores, false);
  if (f.ok()) {
    Result<PromoMechanic> m = parse_promo_mechanic(mechanic);
    if (!m.is_ok())
      f.fail("mechanic", m.status().message());
    else
      v.mechanic = *m;
  }
  if (f.ok() && !(v.depth >= 0.0 && v.depth <= 0.95)) {
    f.fail("depth", "expected a fraction from 0 to 0.95, got " + Json(v.depth).dump());
  }
  if (f.ok() && v.end < v.start) f.fail("end", "expected end on or after start");
  return finish(f, v);
}

template <>
Result<SalesLine> decode<SalesLine>(const Json& j) {
  Fields f(j, "");
  SalesLine v;
  std::string channel = "pos";
  f.date("date", &v.date);
  f.integer("store", &v.store);
  f.integer("product", &v.product);
  f.integer("customer", &v.customer, false);
  f.integer("promotion", &v.promotion, false);
  f.string("channel", &channel, false);
  f.number("qty", &v.qty);
  f.number("unit_price", &v.unit_price);
  f.number("discount", &v.discount, false);
  f.string("order_ref", &v.order_ref, false);
  if (f.ok()) {
    Result<Channel> c = parse_channel(channel);
    if (!c.is_ok())
      f.fail("channel", c.status().message());
    else
      v.channel = *c;
  }
  return finish(f, v);
}

template <>
Result<InventoryPosition> decode<InventoryPosition>(const Json& j) {
  Fields f(j, "");
  InventoryPosition v;
  f.integer("store", &v.store);
  f.integer("product", &v.product);
  f.number("on_hand", &v.on_hand);
  f.number("on_order", &v.on_order, false);
  f.number("lead_time_mean_days", &v.lead_time_mean_days, false);
  f.number("lead_time_sd_days", &v.lead_time_sd_days, false);
  return finish(f, v);
}

template <>
Result<Dataset> decode<Dataset>(const Json& j) {
  Fields f(j, "");
  Dataset v;
  f.list("stores", &v.stores, false);
  f.list("categories", &v.categories, false);
  f.list("products", &v.products, false);
  f.list("customers", &v.customers, false);
  f.list("promotions", &v.promotions, false);
  f.list("holidays", &v.holidays, false);
  f.list("lines", &v.lines, false);
  f.list("inventory", &v.inventory, false);
  return finish(f, v);
}

template <>
Result<WeeklyPoint> decode<WeeklyPoint>(const Json& j) {
  Fields f(j, "");
  WeeklyPoint v;
  f.date("week", &v.week);
  f.number("units", &v.units);
  f.number("avg_price", &v.avg_price, false);
  f.number("promo_depth", &v.promo_depth, false);
  f.boolean("feature", &v.feature, false);
  f.boolean("display", &v.display, false);
  f.boolean("holiday", &v.holiday, false);
  // Absent: a flagged week counts one average holiday day.
  v.holiday_days = v.holiday ? 1.0 : 0.0;
  f.number("holiday_days", &v.holiday_days, false);
  f.boolean("complete", &v.complete, false);
  return finish(f, v);
}

template <>
Result<RetailRegressors> decode<RetailRegressors>(const Json& j) {
  Fields f(j, "");
  RetailRegressors v;
  f.numbers("price_ratio", &v.price_ratio, false);
  f.numbers("promo_depth", &v.promo_depth, false);
  f.numbers("feature", &v.feature, false);
  f.numbers("display", &v.display, false);
  f.numbers("holiday", &v.holiday, false);
  return finish(f, v);
}

template <>
Result<RegressionCoefficient> decode<RegressionCoefficient>(const Json& j) {
  Fields f(j, "");
  RegressionCoefficient v;
  f.string("name", &v.name);
  f.number("value", &v.value);
  f.number("std_error", &v.std_error, false);
  f.number("prior_mean", &v.prior_mean, false);
  f.boolean("estimated", &v.estimated, false);
  f.boolean("at_bound", &v.at_bound, false);
  return finish(f, v);
}

template <>
Result<ForecastInput> decode<ForecastInput>(const Json& j) {
  Fields f(j, "");
  ForecastInput v;
  std::string method = "auto";
  f.numbers("values", &v.values);
  f.integer("season_length", &v.season_length, false);
  f.integer("horizon", &v.horizon);
  f.numbers("levels", &v.levels, false);
  f.string("method", &method, false);
  f.boolean("non_negative", &v.non_negative, false);
  f.integer("total_horizon", &v.total_horizon, false);
  f.string("period_name", &v.period_name, false);
  f.object("history_drivers", &v.history_drivers);
  f.object("future_drivers", &v.future_drivers);
  if (f.ok()) {
    Result<ForecastMethod> m = parse_forecast_method(method);
    if (!m.is_ok())
      f.fail("method", m.status().message());
    else
      v.method = *m;
  }
  return finish(f, v);
}

template <>
Result<WeeklyForecastRequest> decode<WeeklyForecastRequest>(const Json& j) {
  Fields f(j, "");
  WeeklyForecastRequest v;
  std::string method = "auto";
  f.list("history", &v.history);
  f.list("planned", &v.planned, false);
  f.integer("horizon", &v.horizon);
  f.numbers("levels", &v.levels, false);
  f.string("method", &method, false);
  f.integer("total_horizon", &v.total_horizon, false);
  f.integer("season_length", &v.season_length, false);
  if (f.ok()) {
    Result<ForecastMethod> m = parse_forecast_method(method);
    if (!m.is_ok())
      f.fail("method", m.status().message());
    else
      v.method = *m;
  }
  return finish(f, v);
}

template <>
Result<MarkdownInput> decode<MarkdownInput>(const Json& j) {
  Fields f(j, "");
  MarkdownInput v;
  f.only({"stock_units", "weeks_left", "price_ladder", "current_price_index",
          "base_weekly_demand_units", "elasticity", "demand_by_price", "seasonality",
          "distribution", "nb_size", "unit_cost", "salvage_per_unit", "min_margin_per_unit",
          "max_markdowns"});
  std::string distribution = "poisson";
  f.number("stock_units", &v.stock_units);
  f.integer("weeks_left", &v.weeks_left);
  f.numbers("price_ladder", &v.price_ladder);
  f.integer("current_price_index", &v.current_price_index, false);
  f.number("base_weekly_demand_units", &v.base_weekly_demand_units, false);
  f.number("elasticity", &v.elasticity, false);
  f.numbers("demand_by_price", &v.demand_by_price, false);
  f.numbers("seasonality", &v.seasonality, false);
  f.string("distribution", &distribution, false);
  f.number("nb_size", &v.nb_size, false);
  f.number("unit_cost", &v.unit_cost, false);
  f.number("salvage_per_unit", &v.salvage_per_unit, false);
  f.number("min_margin_per_unit", &v.min_margin_per_unit, false);
  f.integer("max_markdowns", &v.max_markdowns, false);
  if (f.ok()) {
    Result<WeeklyDemandDistribution> d = parse_weekly_demand_distribution(distribution);
    if (!d.is_ok())
      f.fail("distribution",
             "expected \"poisson\" or \"negative_binomial\", got \"" + distribution + "\"");
    else
      v.distribution = *d;
  }
  if (f.ok() && !j.contains("base_weekly_demand_units") && !j.contains("demand_by_price")) {
    f.fail("base_weekly_demand_units", "expected base_weekly_demand_units or demand_by_price");
  }
  return finish(f, v);
}

template <>
Result<BasketRequest> decode<BasketRequest>(const Json& j) {
  Fields f(j, "");
  BasketRequest v;
  f.only({"baskets", "min_support", "min_confidence", "max_len", "categories",
          "affinity_min_support", "max_rules"});
  if (const Json* b = f.member("baskets", true)) {
    bool ok = b->is_array();
    for (size_t i = 0; ok && i < b->size(); ++i) {
      const Json& basket = (*b)[i];
      ok = basket.is_array();
      std::vector<std::string> items;
      for (size_t k = 0; ok && k < basket.size(); ++k) {
        ok = basket[k].is_string();
        if (ok) items.push_back(basket[k].get<std::string>());
      }
      if (ok) v.baskets.push_back(std::move(items));
    }
    if (!ok) f.fail("baskets", "expected an array of baskets, each an array of item names");
  }
  f.number("min_support", &v.options.min_support, false);
  f.number("min_confidence", &v.options.min_confidence, false);
  f.integer("max_len", &v.options.max_len, false);
  f.number("affinity_min_support", &v.affinity_min_support, false);
  f.integer("max_rules", &v.max_rules, false);
  if (const Json* c = f.member("categories", false)) {
    bool ok = c->is_object();
    for (auto it = ok ? c->begin() : c->end(); ok && it != c->end(); ++it) {
      ok = it->is_string();
      if (ok) v.item_to_category[it.key()] = it->get<std::string>();
    }
    if (!ok) f.fail("categories", "expected an object mapping item names to category names");
  }
  return finish(f, v);
}

template <>
Result<ForecastInterval> decode<ForecastInterval>(const Json& j) {
  Fields f(j, "");
  ForecastInterval v;
  f.number("level", &v.level);
  f.numbers("lower", &v.lower);
  f.numbers("upper", &v.upper);
  return finish(f, v);
}

template <>
Result<ForecastComponent> decode<ForecastComponent>(const Json& j) {
  Fields f(j, "");
  ForecastComponent v;
  f.string("name", &v.name);
  f.numbers("values", &v.values);
  return finish(f, v);
}

template <>
Result<ForecastResult> decode<ForecastResult>(const Json& j) {
  Fields f(j, "");
  ForecastResult v;
  f.string("model", &v.model);
  f.string("model_version", &v.model_version);
  if (const Json* params = f.member("params", false)) {
    Fields p(*params, "params");
    p.number("alpha", &v.alpha, false);
    p.number("sigma", &v.sigma, false);
    if (!p.ok()) return p.status();
  }
  f.numbers("mean", &v.mean);
  f.list("intervals", &v.intervals);
  f.numbers("fitted", &v.fitted, false);
  f.string("fallback_reason", &v.fallback_reason, false);
  f.string("summary", &v.summary, false);
  f.integer("total_horizon", &v.total_horizon, false);
  f.number("total_mean", &v.total_mean, false);
  f.list("total_intervals", &v.total_intervals, false);
  f.string("demand_class", &v.demand_class, false);
  f.list("components", &v.components, false);
  f.list("drivers", &v.drivers, false);
  return finish(f, v);
}

std::string envelope_ok(const Json& value) {
  return dump_json(Json{{"ok", true}, {"value", value}});
}

std::string envelope_error(const Status& status) {
  return dump_json(Json{{"ok", false}, {"error", status}});
}

}  // namespace shelfcast
