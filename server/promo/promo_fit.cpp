#include "promo/promo_fit.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "governance/audit.h"
#include "shelfcast/promo.h"
#include "store/batch_store.h"
#include "store/store.h"

namespace shelfcast::server {
namespace {

using nlohmann::json;

struct ProductInfo {
  int64_t id = 0;
  std::string code, name;
  double cost = -1.0, list_price = 0.0;
};

Result<std::vector<ProductInfo>> category_products(Database& db, const std::string& category) {
  SHELFCAST_ASSIGN_OR_RETURN(Statement cat, db.prepare("SELECT id FROM categories WHERE code = ?"));
  cat.bind(1, category);
  if (!cat.step()) {
    SHELFCAST_RETURN_IF_ERROR(cat.status());
    return Status(ErrorCode::kNotFound, "no category with code \"" + category + "\"", "category");
  }
  const int64_t category_id = cat.int64(0);
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st, db.prepare("SELECT id, code, name, coalesce(cost, -1), coalesce(list_price, 0) "
                               "FROM products WHERE category_id = ? ORDER BY id"));
  st.bind(1, category_id);
  std::vector<ProductInfo> out;
  while (st.step()) out.push_back({st.int64(0), st.text(1), st.text(2), st.real(3), st.real(4)});
  SHELFCAST_RETURN_IF_ERROR(st.status());
  return out;
}

Result<PromoModelRecord> read_record(Statement& st) {
  PromoModelRecord r;
  r.id = st.int64(0);
  r.category = st.text(1);
  r.model_version = st.text(2);
  r.data_hash = st.text(3);
  r.artifact_json = st.text(4);
  r.products_json = st.text(5);
  r.stores_json = st.text(6);
  r.n_observations = st.int64(7);
  r.created_by = st.text(8);
  r.created_at = st.text(9);
  return r;
}

}  // namespace

Result<PromoModelRecord> fit_category_promo_model(const std::string& db_path,
                                                  const std::string& category,
                                                  const std::string& actor) {
  SHELFCAST_ASSIGN_OR_RETURN(auto db, Database::open(db_path, Database::Mode::kReadWrite));
  return fit_category_promo_model(*db, category, actor);
}

Status check_category_exists(Database& db, const std::string& category) {
  return category_products(db, category).status();
}

Result<PromoModelRecord> fit_category_promo_model(Database& conn, const std::string& category,
                                                  const std::string& actor) {
  Database* db = &conn;
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<ProductInfo> products, category_products(*db, category));
  std::map<std::string, const ProductInfo*> by_code;
  for (const ProductInfo& p : products) by_code[p.code] = &p;
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<SeriesKey> keys, list_series_keys(*db, {}, {}));

  // The panel: complete weeks of every product x store of the category with sales. The price
  // ratio is the week's average price paid against the product's list price (the regular
  // price); week numbers are Mondays / 7, so consecutive weeks differ by 1.
  std::vector<PromoObservation> panel;
  std::map<int64_t, std::string> store_codes;
  std::map<int64_t, const ProductInfo*> used;
  for (const SeriesKey& key : keys) {
    if (key.category_code != category) continue;
    const auto product = by_code.find(key.product_code);
    if (product == by_code.end() || !(product->second->list_price > 0.0)) continue;
    SHELFCAST_ASSIGN_OR_RETURN(std::vector<WeeklyPoint> weeks,
                               weekly_series(*db, key.product_code, key.store_code));
    for (const WeeklyPoint& w : weeks) {
      if (!w.complete) continue;
      PromoObservation o;
      o.store = static_cast<int32_t>(key.store_id);
      o.product = static_cast<int32_t>(key.product_id);
      o.week = w.week.days / 7;
      o.units = std::max(0.0, w.units);
      o.price_ratio = std::clamp(w.avg_price / product->second->list_price, 1e-3, 10.0);
      o.promo_depth = std::clamp(w.promo_depth, 0.0, 0.95);
      o.feature = w.feature ? 1.0 : 0.0;
      o.display = w.display ? 1.0 : 0.0;
      o.holiday = w.holiday_days;
      panel.push_back(o);
    }
    store_codes[key.store_id] = key.store_code;
    used[key.product_id] = product->second;
  }
  if (panel.empty())
    return failed_precondition("category \"" + category +
                               "\" has no complete weeks of sales with a list price to fit");
  SHELFCAST_ASSIGN_OR_RETURN(PromoModel model, fit_promo_model(panel, category));
  json product_map = json::array(), store_map = json::array();
  for (const auto& kv : used) {
    const ProductInfo& p = *kv.second;
    model.prices.push_back({static_cast<int32_t>(p.id), p.list_price, p.cost >= 0 ? p.cost : -1.0});
    product_map.push_back({{"id", p.id}, {"code", p.code}, {"name", p.name}});
  }
  for (const auto& kv : store_codes) store_map.push_back({{"id", kv.first}, {"code", kv.second}});

  PromoModelRecord r;
  r.category = category;
  r.model_version = model.model_version;
  SHELFCAST_ASSIGN_OR_RETURN(r.data_hash, data_hash(*db));
  r.artifact_json = promo_model_to_json(model);
  r.products_json = product_map.dump();
  r.stores_json = store_map.dump();
  r.n_observations = model.n_observations;
  r.created_by = actor;
  r.created_at = utc_now();
  Transaction tx(*db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement ins,
      db->prepare("INSERT INTO promo_models (category, model_version, data_hash, artifact_json, "
                  "products_json, stores_json, n_observations, created_by, created_at) VALUES "
                  "(?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  ins.bind(1, r.category)
      .bind(2, r.model_version)
      .bind(3, r.data_hash)
      .bind(4, r.artifact_json)
      .bind(5, r.products_json)
      .bind(6, r.stores_json)
      .bind(7, r.n_observations)
      .bind(8, r.created_by)
      .bind(9, r.created_at);
  ins.step();
  SHELFCAST_RETURN_IF_ERROR(ins.status());
  SHELFCAST_ASSIGN_OR_RETURN(Statement last, db->prepare("SELECT last_insert_rowid()"));
  last.step();
  r.id = last.int64(0);
  const json details = {{"model_version", r.model_version},
                        {"data_hash", r.data_hash},
                        {"products", used.size()},
                        {"stores", store_codes.size()},
                        {"n_observations", r.n_observations}};
  SHELFCAST_RETURN_IF_ERROR(
      record_audit(*db, actor, "promo.fit", "promo_model:" + std::to_string(r.id), details.dump()));
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return r;
}

Result<Json> promo_context(Database& db, const std::string& category) {
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<ProductInfo> products, category_products(db, category));
  Json out = {{"category", category},
              {"products", Json::array()},
              {"stock", Json::array()},
              {"affinity", Json::array()},
              {"affinity_job", nullptr}};
  std::map<std::string, int64_t> id_of;
  for (const ProductInfo& p : products) {
    id_of[p.code] = p.id;
    if (p.list_price > 0.0 && p.cost >= 0.0)
      out["products"].push_back(Json{{"product", p.id},
                                     {"name", p.name},
                                     {"regular_price", p.list_price},
                                     {"unit_cost", p.cost}});
  }
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT i.product_id, i.store_id, i.on_hand, i.on_order, i.lead_time_mean_days "
                 "FROM inventory i JOIN products p ON p.id = i.product_id JOIN categories c ON "
                 "c.id = p.category_id WHERE c.code = ? ORDER BY i.product_id, i.store_id"));
  st.bind(1, category);
  while (st.step()) {
    out["stock"].push_back(Json{
        {"product", st.int64(0)},
        {"store", st.int64(1)},
        {"on_hand", std::max(0.0, st.real(2))},
        {"on_order", std::max(0.0, st.real(3))},
        {"lead_time_weeks", static_cast<int64_t>(std::ceil(std::max(0.0, st.real(4)) / 7.0))}});
  }
  SHELFCAST_RETURN_IF_ERROR(st.status());
  // Affinity: both directions of every stored pair of this category's products.
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<JobRow> jobs, list_jobs_of_kind(db, "basket", "done", 20));
  for (const JobRow& job : jobs) {
    const Json params = Json::parse(job.params_json, nullptr, false);
    if (params.is_discarded() || params.value("level", "") != "product") continue;
    SHELFCAST_ASSIGN_OR_RETURN(BasketReport report, stored_basket_rules(db, job.id));
    for (const NamedAffinity& a : report.affinity) {
      const auto ia = id_of.find(a.item_a);
      const auto ib = id_of.find(a.item_b);
      if (ia == id_of.end() || ib == id_of.end()) continue;
      out["affinity"].push_back(Json{{"from", ia->second},
                                     {"to", ib->second},
                                     {"confidence", a.confidence_ab},
                                     {"lift", a.lift}});
      out["affinity"].push_back(Json{{"from", ib->second},
                                     {"to", ia->second},
                                     {"confidence", a.confidence_ba},
                                     {"lift", a.lift}});
    }
    out["affinity_job"] = job.id;
    break;
  }
  return out;
}

Result<PromoModelRecord> latest_promo_model(Database& db, const std::string& category) {
  SHELFCAST_ASSIGN_OR_RETURN(
      Statement st,
      db.prepare("SELECT id, category, model_version, data_hash, artifact_json, products_json, "
                 "stores_json, n_observations, created_by, created_at FROM promo_models WHERE "
                 "category = ? ORDER BY id DESC LIMIT 1"));
  st.bind(1, category);
  if (!st.step()) {
    SHELFCAST_RETURN_IF_ERROR(st.status());
    return Status(ErrorCode::kNotFound,
                  "no promotion model for category \"" + category +
                      "\" yet: POST /api/v1/promo/models with {\"category\": \"" + category +
                      "\"} fits one",
                  "category");
  }
  SHELFCAST_ASSIGN_OR_RETURN(PromoModelRecord r, read_record(st));
  // An artifact of an earlier panel (before promo-panel-5) cannot be simulated any more.
  if (!promo_model_version_readable(r.model_version))
    return Status(ErrorCode::kNotFound,
                  "the promotion model of category \"" + category + "\" (" + r.model_version +
                      ") predates the current cannibalization model: POST /api/v1/promo/models "
                      "with {\"category\": \"" +
                      category + "\"} fits a new one",
                  "category");
  return r;
}

}  // namespace shelfcast::server
