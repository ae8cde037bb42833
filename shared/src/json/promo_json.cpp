// Wire format of the promotion model artifact (promo.h): JSON text in and out.
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "shelfcast/promo.h"
#include "shelfcast/promo_sim.h"

namespace shelfcast {
namespace {

using nlohmann::json;
constexpr int32_t kSchemaVersion = 1;
constexpr const char* kSchema = "shelfcast.promo_model";

json effect_to_json(const PromoEffect& e) { return json{{"estimate", e.estimate}, {"se", e.se}}; }

// Lists the effects of a product once, for the encoder and the decoder alike.
template <typename P, typename Visitor>
void visit_effects(P& p, Visitor&& v) {
  v("elasticity", p.elasticity);
  v("lift_per_depth", p.lift_per_depth);
  v("feature", p.feature);
  v("display", p.display);
  v("cross_depth", p.cross_depth);
  v("pre_week", p.pre_week);
  v("post_week", p.post_week);
  v("depth_hinge", p.depth_hinge);
  v("holiday", p.holiday);
}

Status read_number(const json& j, const char* key, const std::string& where, double* out) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_number())
    return invalid_argument(where + "." + key + " must be a number", where + "." + key);
  *out = j.at(key).get<double>();
  if (!std::isfinite(*out))
    return invalid_argument(where + "." + key + " must be finite", where + "." + key);
  return Status::ok();
}

Status read_int(const json& j, const char* key, const std::string& where, int32_t* out) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_number_integer())
    return invalid_argument(where + "." + key + " must be an integer", where + "." + key);
  *out = j.at(key).get<int32_t>();
  return Status::ok();
}

Status read_bool(const json& j, const char* key, const std::string& where, bool* out) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_boolean())
    return invalid_argument(where + "." + key + " must be true or false", where + "." + key);
  *out = j.at(key).get<bool>();
  return Status::ok();
}

Status read_string(const json& j, const char* key, const std::string& where, std::string* out) {
  if (!j.is_object() || !j.contains(key) || !j.at(key).is_string())
    return invalid_argument(where + "." + key + " must be a string", where + "." + key);
  *out = j.at(key).get<std::string>();
  return Status::ok();
}

}  // namespace

std::string promo_model_to_json(const PromoModel& m) {
  json products = json::array();
  for (const PromoProductModel& p : m.products) {
    json jp{{"product", p.product},
            {"n_observations", p.n_observations},
            {"sigma", p.sigma},
            {"elasticity_at_bound", p.elasticity_at_bound},
            {"low_confidence", p.low_confidence},
            {"heterogeneity_sd", p.heterogeneity_sd}};
    json season = json::array();
    for (const PromoEffect& e : p.season_terms) season.push_back(effect_to_json(e));
    jp["season_terms"] = season;
    visit_effects(p, [&](const char* name, const PromoEffect& e) { jp[name] = effect_to_json(e); });
    products.push_back(jp);
  }
  json levels = json::array();
  for (const PromoLevel& l : m.levels)
    levels.push_back(json{{"product", l.product},
                          {"store", l.store},
                          {"log_level", l.log_level},
                          {"elasticity_shift", effect_to_json(l.elasticity_shift)}});
  json j{{"schema", kSchema},
         {"schema_version", kSchemaVersion},
         {"model_version", m.model_version},
         {"category", m.category},
         {"n_observations", m.n_observations},
         {"n_stores", m.n_stores},
         {"n_weeks", m.n_weeks},
         {"log_offset", m.log_offset},
         {"depth_threshold", m.depth_threshold},
         {"reference_week", m.reference_week},
         {"products", std::move(products)},
         {"levels", levels},
         {"notes", m.notes}};
  if (!m.prices.empty()) {
    json prices = json::array();
    for (const PromoProductPrice& p : m.prices)
      prices.push_back(json{
          {"product", p.product}, {"regular_price", p.regular_price}, {"unit_cost", p.unit_cost}});
    j["prices"] = prices;
  }
  if (!m.reference_prices.empty()) {
    json refs = json::array();
    for (const PromoReferencePrice& r : m.reference_prices)
      refs.push_back(json{{"product", r.product}, {"store", r.store}, {"price", r.price}});
    j["reference_prices"] = refs;
  }
  return j.dump();
}

Result<PromoModel> promo_model_from_json(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return invalid_argument("promo model: not a JSON object", "model");
  std::string schema;
  SHELFCAST_RETURN_IF_ERROR(read_string(j, "schema", "model", &schema));
  if (schema != kSchema)
    return invalid_argument("promo model: schema must be " + std::string(kSchema), "model.schema");
  int32_t version = 0;
  SHELFCAST_RETURN_IF_ERROR(read_int(j, "schema_version", "model", &version));
  if (version != kSchemaVersion)
    return invalid_argument("promo model: unsupported schema_version " + std::to_string(version),
                            "model.schema_version");
  PromoModel m;
  SHELFCAST_RETURN_IF_ERROR(read_string(j, "model_version", "model", &m.model_version));
  if (!promo_model_version_readable(m.model_version))
    return invalid_argument(
        "promo model: " + m.model_version +
            " measured cannibalization in another form; refit the category "
            "(promo-panel-5: units times 1 + g X, X the siblings' extra units over the "
            "product's own units that week)",
        "model.model_version");
  SHELFCAST_RETURN_IF_ERROR(read_string(j, "category", "model", &m.category));
  SHELFCAST_RETURN_IF_ERROR(read_int(j, "n_observations", "model", &m.n_observations));
  SHELFCAST_RETURN_IF_ERROR(read_int(j, "n_stores", "model", &m.n_stores));
  SHELFCAST_RETURN_IF_ERROR(read_int(j, "n_weeks", "model", &m.n_weeks));
  SHELFCAST_RETURN_IF_ERROR(read_number(j, "log_offset", "model", &m.log_offset));
  if (j.contains("reference_week"))
    SHELFCAST_RETURN_IF_ERROR(read_number(j, "reference_week", "model", &m.reference_week));
  if (j.contains("depth_threshold"))
    SHELFCAST_RETURN_IF_ERROR(read_number(j, "depth_threshold", "model", &m.depth_threshold));
  for (const char* key : {"products", "levels", "notes"})
    if (!j.contains(key) || !j.at(key).is_array())
      return invalid_argument(std::string("model.") + key + " must be an array",
                              std::string("model.") + key);
  const json& products = j.at("products");
  for (size_t i = 0; i < products.size(); ++i) {
    const json& jp = products[i];
    const std::string where = "model.products[" + std::to_string(i) + "]";
    PromoProductModel p;
    SHELFCAST_RETURN_IF_ERROR(read_int(jp, "product", where, &p.product));
    SHELFCAST_RETURN_IF_ERROR(read_int(jp, "n_observations", where, &p.n_observations));
    SHELFCAST_RETURN_IF_ERROR(read_number(jp, "sigma", where, &p.sigma));
    SHELFCAST_RETURN_IF_ERROR(read_bool(jp, "elasticity_at_bound", where, &p.elasticity_at_bound));
    SHELFCAST_RETURN_IF_ERROR(read_bool(jp, "low_confidence", where, &p.low_confidence));
    if (jp.contains("season_terms")) {  // absent in artifacts fitted before them
      const json& terms = jp.at("season_terms");
      if (!terms.is_array() || terms.size() > 8)
        return invalid_argument(where + ".season_terms must be an array of effects",
                                where + ".season_terms");
      for (size_t k = 0; k < terms.size(); ++k) {
        PromoEffect e;
        const std::string w = where + ".season_terms[" + std::to_string(k) + "]";
        SHELFCAST_RETURN_IF_ERROR(read_number(terms[k], "estimate", w, &e.estimate));
        SHELFCAST_RETURN_IF_ERROR(read_number(terms[k], "se", w, &e.se));
        p.season_terms.push_back(e);
      }
    }
    if (jp.contains("heterogeneity_sd"))
      SHELFCAST_RETURN_IF_ERROR(read_number(jp, "heterogeneity_sd", where, &p.heterogeneity_sd));
    Status status = Status::ok();
    visit_effects(p, [&](const char* name, PromoEffect& e) {
      if (!status.is_ok()) return;
      const std::string w = where + "." + name;
      if (!jp.contains(name)) {
        // Artifacts fitted before the depth bend or the holiday term have none: a straight
        // response, no holiday effect.
        if (std::string(name) == "depth_hinge" || std::string(name) == "holiday") return;
        status = invalid_argument(w + " is missing", w);
        return;
      }
      status = read_number(jp.at(name), "estimate", w, &e.estimate);
      if (status.is_ok()) status = read_number(jp.at(name), "se", w, &e.se);
    });
    SHELFCAST_RETURN_IF_ERROR(status);
    m.products.push_back(p);
  }
  const json& levels = j.at("levels");
  for (size_t i = 0; i < levels.size(); ++i) {
    const std::string where = "model.levels[" + std::to_string(i) + "]";
    PromoLevel l;
    SHELFCAST_RETURN_IF_ERROR(read_int(levels[i], "product", where, &l.product));
    SHELFCAST_RETURN_IF_ERROR(read_int(levels[i], "store", where, &l.store));
    SHELFCAST_RETURN_IF_ERROR(read_number(levels[i], "log_level", where, &l.log_level));
    if (levels[i].contains("elasticity_shift")) {  // absent in artifacts before store shifts
      const std::string w = where + ".elasticity_shift";
      SHELFCAST_RETURN_IF_ERROR(read_number(levels[i].at("elasticity_shift"), "estimate", w,
                                            &l.elasticity_shift.estimate));
      SHELFCAST_RETURN_IF_ERROR(
          read_number(levels[i].at("elasticity_shift"), "se", w, &l.elasticity_shift.se));
    }
    m.levels.push_back(l);
  }
  for (const json& n : j.at("notes")) {
    if (!n.is_string()) return invalid_argument("model.notes must hold strings", "model.notes");
    m.notes.push_back(n.get<std::string>());
  }
  // Optional price tables (absent in artifacts fitted without prices).
  for (const char* key : {"prices", "reference_prices"})
    if (j.contains(key) && !j.at(key).is_array())
      return invalid_argument(std::string("model.") + key + " must be an array",
                              std::string("model.") + key);
  if (j.contains("prices")) {
    const json& prices = j.at("prices");
    for (size_t i = 0; i < prices.size(); ++i) {
      const std::string where = "model.prices[" + std::to_string(i) + "]";
      PromoProductPrice p;
      SHELFCAST_RETURN_IF_ERROR(read_int(prices[i], "product", where, &p.product));
      SHELFCAST_RETURN_IF_ERROR(read_number(prices[i], "regular_price", where, &p.regular_price));
      SHELFCAST_RETURN_IF_ERROR(read_number(prices[i], "unit_cost", where, &p.unit_cost));
      m.prices.push_back(p);
    }
  }
  if (j.contains("reference_prices")) {
    const json& refs = j.at("reference_prices");
    for (size_t i = 0; i < refs.size(); ++i) {
      const std::string where = "model.reference_prices[" + std::to_string(i) + "]";
      PromoReferencePrice r;
      SHELFCAST_RETURN_IF_ERROR(read_int(refs[i], "product", where, &r.product));
      SHELFCAST_RETURN_IF_ERROR(read_int(refs[i], "store", where, &r.store));
      SHELFCAST_RETURN_IF_ERROR(read_number(refs[i], "price", where, &r.price));
      m.reference_prices.push_back(r);
    }
  }
  return m;
}

// ---- promotion plans and simulations (promo_sim.h) ---------------------------------------------
namespace {

// Optional members: absent keeps the default, present must have the right type.
Status opt_number(const json& j, const char* key, const std::string& where, double* out) {
  if (!j.contains(key)) return Status::ok();
  return read_number(j, key, where, out);
}
Status opt_int(const json& j, const char* key, const std::string& where, int32_t* out) {
  if (!j.contains(key)) return Status::ok();
  return read_int(j, key, where, out);
}
Status opt_string(const json& j, const char* key, const std::string& where, std::string* out) {
  if (!j.contains(key)) return Status::ok();
  return read_string(j, key, where, out);
}
// 0/1 flags may be given as booleans too.
Status opt_flag(const json& j, const char* key, const std::string& where, double* out) {
  if (j.contains(key) && j.at(key).is_boolean()) {
    *out = j.at(key).get<bool>() ? 1.0 : 0.0;
    return Status::ok();
  }
  return opt_number(j, key, where, out);
}
Status int_array(const json& j, const char* key, const std::string& where,
                 std::vector<int32_t>* out) {
  if (!j.contains(key)) return Status::ok();
  const std::string w = where + "." + key;
  if (!j.at(key).is_array()) return invalid_argument(w + " must be an array of integers", w);
  for (size_t i = 0; i < j.at(key).size(); ++i) {
    const json& v = j.at(key)[i];
    if (!v.is_number_integer())
      return invalid_argument(w + "[" + std::to_string(i) + "] must be an integer",
                              w + "[" + std::to_string(i) + "]");
    out->push_back(v.get<int32_t>());
  }
  return Status::ok();
}
Status object_array(const json& j, const char* key, const std::string& where, bool required,
                    const json** out) {
  static const json kEmpty = json::array();
  *out = &kEmpty;
  if (!j.contains(key)) {
    if (required) return invalid_argument(where + "." + key + " is missing", where + "." + key);
    return Status::ok();
  }
  if (!j.at(key).is_array())
    return invalid_argument(where + "." + key + " must be an array", where + "." + key);
  *out = &j.at(key);
  return Status::ok();
}

// The simulation's JSON written straight into one string (a slider event writes one on every
// input event: building an nlohmann tree of a few hundred objects first took three quarters of
// the time). Numbers as nlohmann writes them (shortest round-trip form, non-finite as null).
class JsonWriter {
 public:
  std::string take() { return std::move(out_); }
  void open(char bracket) {
    comma();
    out_ += bracket;
    comma_ = false;
  }
  void close(char bracket) {
    out_ += bracket;
    comma_ = true;
  }
  void key(const char* k) {
    comma();
    out_ += '"';
    out_ += k;
    out_ += "\":";
    comma_ = false;
  }
  void number(double v) {
    comma();
    if (!std::isfinite(v)) {
      out_ += "null";
    } else {
      char buf[64];
      char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, v);
      out_.append(buf, end);
    }
    comma_ = true;
  }
  void integer(int64_t v) {
    comma();
    out_ += std::to_string(v);
    comma_ = true;
  }
  void boolean(bool v) {
    comma();
    out_ += v ? "true" : "false";
    comma_ = true;
  }
  void null() {
    comma();
    out_ += "null";
    comma_ = true;
  }
  void string(const std::string& v) {
    comma();
    out_ += '"';
    for (const char ch : v) {
      const auto u = static_cast<unsigned char>(ch);
      if (ch == '"' || ch == '\\') {
        out_ += '\\';
        out_ += ch;
      } else if (u < 0x20) {
        static const char* const kHex = "0123456789abcdef";
        switch (ch) {
          case '\n':
            out_ += "\\n";
            break;
          case '\r':
            out_ += "\\r";
            break;
          case '\t':
            out_ += "\\t";
            break;
          case '\b':
            out_ += "\\b";
            break;
          case '\f':
            out_ += "\\f";
            break;
          default:
            out_ += "\\u00";
            out_ += kHex[u >> 4];
            out_ += kHex[u & 15];
        }
      } else {
        out_ += ch;
      }
    }
    out_ += '"';
    comma_ = true;
  }
  // key: value
  void field(const char* k, double v) {
    key(k);
    number(v);
  }
  void field_int(const char* k, int64_t v) {
    key(k);
    integer(v);
  }
  void field_bool(const char* k, bool v) {
    key(k);
    boolean(v);
  }
  void field_string(const char* k, const std::string& v) {
    key(k);
    string(v);
  }
  // -1 marks "no stock given"; JSON says null.
  void field_maybe(const char* k, double v) {
    key(k);
    if (v < 0.0)
      null();
    else
      number(v);
  }
  // key: [ {each(item)}, ... ]
  template <typename T, typename Each>
  void objects(const char* k, const std::vector<T>& items, Each each) {
    key(k);
    open('[');
    for (const T& item : items) {
      open('{');
      each(item);
      close('}');
    }
    close(']');
  }
  void strings(const char* k, const std::vector<std::string>& v) {
    key(k);
    open('[');
    for (const std::string& x : v) string(x);
    close(']');
  }

 private:
  void comma() {
    if (comma_) out_ += ',';
  }
  std::string out_;
  bool comma_ = false;
};

// The figures' fields, inside an object the caller opened.
void figure_fields(const PromoFigures& f, JsonWriter* w) {
  w->field("baseline", f.baseline);
  w->field("units", f.units);
  w->field("lift", f.lift);
  w->field("cannibalized", f.cannibalized);
  w->field("halo", f.halo);
  w->field("pull_forward", f.pull_forward);
  w->field("dip", f.dip);
  w->field("incremental", f.incremental);
  w->field("revenue", f.revenue);
  w->field("baseline_revenue", f.baseline_revenue);
  w->field("margin", f.margin);
  w->field("baseline_margin", f.baseline_margin);
  w->field("incremental_margin", f.incremental_margin);
}

void figures_field(const char* k, const PromoFigures& f, JsonWriter* w) {
  w->key(k);
  w->open('{');
  figure_fields(f, w);
  w->close('}');
}

}  // namespace

PromoPlan merge_promo_context(const PromoPlan& context, PromoPlan scenario) {
  if (scenario.products.empty()) scenario.products = context.products;
  if (scenario.stock.empty()) scenario.stock = context.stock;
  if (scenario.clusters.empty()) scenario.clusters = context.clusters;
  if (scenario.affinity.empty()) scenario.affinity = context.affinity;
  return scenario;
}

Result<PromoPlan> promo_plan_from_json(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return invalid_argument("plan: not a JSON object", "plan");
  const std::string root = "plan";
  PromoPlan plan;
  const json* arr = nullptr;
  SHELFCAST_RETURN_IF_ERROR(object_array(j, "promotions", root, false, &arr));
  for (size_t i = 0; i < arr->size(); ++i) {
    const json& e = (*arr)[i];
    const std::string w = root + ".promotions[" + std::to_string(i) + "]";
    if (!e.is_object()) return invalid_argument(w + " must be an object", w);
    PlannedPromotion p;
    p.id = "promotion " + std::to_string(i + 1);
    SHELFCAST_RETURN_IF_ERROR(opt_string(e, "id", w, &p.id));
    if (!e.contains("products"))
      return invalid_argument(w + ".products is missing", w + ".products");
    SHELFCAST_RETURN_IF_ERROR(int_array(e, "products", w, &p.products));
    SHELFCAST_RETURN_IF_ERROR(int_array(e, "stores", w, &p.stores));
    SHELFCAST_RETURN_IF_ERROR(opt_string(e, "cluster", w, &p.cluster));
    SHELFCAST_RETURN_IF_ERROR(read_int(e, "start_week", w, &p.start_week));
    SHELFCAST_RETURN_IF_ERROR(read_int(e, "end_week", w, &p.end_week));
    std::string mechanic = "percent_off";
    SHELFCAST_RETURN_IF_ERROR(opt_string(e, "mechanic", w, &mechanic));
    Result<PromoMechanic> m = parse_promo_mechanic(mechanic);
    if (!m.is_ok())
      return invalid_argument(w + ".mechanic: " + m.status().message(), w + ".mechanic");
    p.mechanic = *m;
    if (p.mechanic == PromoMechanic::kPercentOff)
      SHELFCAST_RETURN_IF_ERROR(read_number(e, "depth", w, &p.depth));
    if (p.mechanic == PromoMechanic::kPricePoint)
      SHELFCAST_RETURN_IF_ERROR(read_number(e, "price_point", w, &p.price_point));
    if (p.mechanic == PromoMechanic::kMultiBuy) {
      SHELFCAST_RETURN_IF_ERROR(read_int(e, "buy", w, &p.buy));
      SHELFCAST_RETURN_IF_ERROR(read_int(e, "pay", w, &p.pay));
    }
    SHELFCAST_RETURN_IF_ERROR(opt_flag(e, "feature", w, &p.feature));
    SHELFCAST_RETURN_IF_ERROR(opt_flag(e, "display", w, &p.display));
    SHELFCAST_RETURN_IF_ERROR(opt_string(e, "segment", w, &p.segment));
    SHELFCAST_RETURN_IF_ERROR(opt_number(e, "segment_share", w, &p.segment_share));
    plan.promotions.push_back(p);
  }
  SHELFCAST_RETURN_IF_ERROR(object_array(j, "products", root, false, &arr));
  for (size_t i = 0; i < arr->size(); ++i) {
    const json& e = (*arr)[i];
    const std::string w = root + ".products[" + std::to_string(i) + "]";
    PlanProduct p;
    SHELFCAST_RETURN_IF_ERROR(read_int(e, "product", w, &p.product));
    SHELFCAST_RETURN_IF_ERROR(opt_string(e, "name", w, &p.name));
    SHELFCAST_RETURN_IF_ERROR(read_number(e, "regular_price", w, &p.regular_price));
    SHELFCAST_RETURN_IF_ERROR(read_number(e, "unit_cost", w, &p.unit_cost));
    plan.products.push_back(p);
  }
  SHELFCAST_RETURN_IF_ERROR(object_array(j, "stock", root, false, &arr));
  for (size_t i = 0; i < arr->size(); ++i) {
    const json& e = (*arr)[i];
    const std::string w = root + ".stock[" + std::to_string(i) + "]";
    PlanStock s;
    SHELFCAST_RETURN_IF_ERROR(read_int(e, "product", w, &s.product));
    SHELFCAST_RETURN_IF_ERROR(read_int(e, "store", w, &s.store));
    SHELFCAST_RETURN_IF_ERROR(read_number(e, "on_hand", w, &s.on_hand));
    SHELFCAST_RETURN_IF_ERROR(opt_number(e, "on_order", w, &s.on_order));
    SHELFCAST_RETURN_IF_ERROR(opt_int(e, "lead_time_weeks", w, &s.lead_time_weeks));
    plan.stock.push_back(s);
  }
  SHELFCAST_RETURN_IF_ERROR(object_array(j, "affinity", root, false, &arr));
  for (size_t i = 0; i < arr->size(); ++i) {
    const json& e = (*arr)[i];
    const std::string w = root + ".affinity[" + std::to_string(i) + "]";
    PlanAffinity a;
    SHELFCAST_RETURN_IF_ERROR(read_int(e, "from", w, &a.from));
    SHELFCAST_RETURN_IF_ERROR(read_int(e, "to", w, &a.to));
    SHELFCAST_RETURN_IF_ERROR(read_number(e, "confidence", w, &a.confidence));
    SHELFCAST_RETURN_IF_ERROR(read_number(e, "lift", w, &a.lift));
    plan.affinity.push_back(a);
  }
  if (j.contains("clusters")) {
    if (!j.at("clusters").is_object())
      return invalid_argument("plan.clusters must be an object of store lists", "plan.clusters");
    for (const auto& kv : j.at("clusters").items()) {
      std::vector<int32_t> stores;
      SHELFCAST_RETURN_IF_ERROR(
          int_array(j.at("clusters"), kv.key().c_str(), "plan.clusters", &stores));
      plan.clusters[kv.key()] = stores;
    }
  }
  if (j.contains("alternative_depths")) {
    const json& a = j.at("alternative_depths");
    if (!a.is_array())
      return invalid_argument("plan.alternative_depths must be an array of numbers",
                              "plan.alternative_depths");
    plan.alternative_depths.clear();
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_number())
        return invalid_argument(
            "plan.alternative_depths[" + std::to_string(i) + "] must be a number",
            "plan.alternative_depths[" + std::to_string(i) + "]");
      plan.alternative_depths.push_back(a[i].get<double>());
    }
  }
  SHELFCAST_RETURN_IF_ERROR(opt_int(j, "draws", root, &plan.draws));
  if (j.contains("seed")) {
    if (!j.at("seed").is_number_unsigned())
      return invalid_argument("plan.seed must be a non-negative integer", "plan.seed");
    plan.seed = j.at("seed").get<uint64_t>();
  }
  if (j.contains("calendar_weeks")) {
    if (!j.at("calendar_weeks").is_boolean())
      return invalid_argument("plan.calendar_weeks must be true or false", "plan.calendar_weeks");
    plan.calendar_weeks = j.at("calendar_weeks").get<bool>();
  }
  std::string detail = "product_weeks";
  SHELFCAST_RETURN_IF_ERROR(opt_string(j, "detail", root, &detail));
  if (detail == "totals")
    plan.detail = PromoDetail::kTotals;
  else if (detail == "product_weeks")
    plan.detail = PromoDetail::kProductWeeks;
  else if (detail == "cells")
    plan.detail = PromoDetail::kCells;
  else
    return invalid_argument("plan.detail must be totals, product_weeks or cells", "plan.detail");
  return plan;
}

std::string promo_simulation_to_json(const PromoSimulation& s) {
  JsonWriter w;
  w.open('{');
  w.field_string("model_version", s.model_version);
  w.field_int("first_week", s.first_week);
  w.field_int("last_week", s.last_week);
  w.field_int("n_products", s.n_products);
  w.field_int("n_stores", s.n_stores);
  figures_field("totals", s.totals, &w);
  const auto quantiles = [&w](const char* k, const PromoQuantiles& v) {
    w.key(k);
    w.open('{');
    w.field("p10", v.p10);
    w.field("p50", v.p50);
    w.field("p90", v.p90);
    w.close('}');
  };
  quantiles("incremental_units", s.incremental_units);
  quantiles("incremental_revenue", s.incremental_revenue);
  quantiles("incremental_margin", s.incremental_margin);
  w.field_maybe("max_stockout_probability", s.max_stockout_probability);
  w.field("expected_stockouts", s.expected_stockouts);
  w.objects("drivers", s.drivers, [&w](const PromoDriver& d) {
    w.field_string("name", d.name);
    w.field_string("label", d.label);
    w.key("product");
    if (d.product < 0)
      w.null();
    else
      w.integer(d.product);
    w.field("units", d.units);
    w.field("margin", d.margin);
  });
  w.strings("sentences", s.sentences);
  w.objects("weeks", s.weeks, [&w](const PromoWeek& row) {
    w.field_int("week", row.week);
    figure_fields(row.figures, &w);
  });
  w.objects("products", s.products, [&w](const PromoProductSummary& p) {
    w.field_int("product", p.product);
    w.field_string("name", p.name);
    w.field_bool("promoted", p.promoted);
    w.field_bool("low_confidence", p.low_confidence);
    figures_field("figures", p.figures, &w);
    w.field_maybe("max_stockout_probability", p.max_stockout_probability);
  });
  w.objects("product_weeks", s.product_weeks, [&w](const PromoProductWeek& row) {
    w.field_int("product", row.product);
    w.field_int("week", row.week);
    w.field_int("promoted_stores", row.promoted_stores);
    figure_fields(row.figures, &w);
    w.field_maybe("stockout_probability", row.stockout_probability);
  });
  w.objects("cells", s.cells, [&w](const PromoCell& c) {
    w.field_int("product", c.product);
    w.field_int("store", c.store);
    w.field_int("week", c.week);
    w.field_bool("promoted", c.promoted);
    w.field("net_price", c.net_price);
    figure_fields(c.figures, &w);
    w.field_maybe("stock_available", c.stock_available);
    w.field_maybe("cover_weeks", c.cover_weeks);
    w.field_maybe("stockout_probability", c.stockout_probability);
  });
  w.objects("depth_options", s.depth_options, [&w](const PromoDepthOption& o) {
    w.field("depth", o.depth);
    w.field("incremental_units", o.incremental_units);
    w.field("incremental_revenue", o.incremental_revenue);
    w.field("incremental_margin", o.incremental_margin);
    w.field("margin_per_incremental_unit", o.margin_per_incremental_unit);
    w.field_int("rank", o.rank);
  });
  w.field_bool("low_confidence", s.low_confidence);
  w.strings("notes", s.notes);
  w.close('}');
  return w.take();
}

}  // namespace shelfcast
