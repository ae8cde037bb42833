// Wire format of the promotion model artifact (promo.h): JSON text in and out.
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shelfcast/promo.h"

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
            {"low_confidence", p.low_confidence}};
    visit_effects(p, [&](const char* name, const PromoEffect& e) { jp[name] = effect_to_json(e); });
    products.push_back(jp);
  }
  json levels = json::array();
  for (const PromoLevel& l : m.levels)
    levels.push_back(json{{"product", l.product}, {"store", l.store}, {"log_level", l.log_level}});
  json j{{"schema", kSchema},
         {"schema_version", kSchemaVersion},
         {"model_version", m.model_version},
         {"category", m.category},
         {"n_observations", m.n_observations},
         {"n_stores", m.n_stores},
         {"n_weeks", m.n_weeks},
         {"log_offset", m.log_offset},
         {"products", products},
         {"levels", levels},
         {"notes", m.notes}};
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
  SHELFCAST_RETURN_IF_ERROR(read_string(j, "category", "model", &m.category));
  SHELFCAST_RETURN_IF_ERROR(read_int(j, "n_observations", "model", &m.n_observations));
  SHELFCAST_RETURN_IF_ERROR(read_int(j, "n_stores", "model", &m.n_stores));
  SHELFCAST_RETURN_IF_ERROR(read_int(j, "n_weeks", "model", &m.n_weeks));
  SHELFCAST_RETURN_IF_ERROR(read_number(j, "log_offset", "model", &m.log_offset));
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
    Status status = Status::ok();
    visit_effects(p, [&](const char* name, PromoEffect& e) {
      if (!status.is_ok()) return;
      const std::string w = where + "." + name;
      if (!jp.contains(name)) {
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
    m.levels.push_back(l);
  }
  for (const json& n : j.at("notes")) {
    if (!n.is_string()) return invalid_argument("model.notes must hold strings", "model.notes");
    m.notes.push_back(n.get<std::string>());
  }
  return m;
}

}  // namespace shelfcast
