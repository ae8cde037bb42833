#include "routes/promo_routes.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "governance/audit.h"
#include "promo/promo_fit.h"
#include "routes/http_status.h"
#include "shelfcast/json.h"

namespace shelfcast::server {
namespace {

using nlohmann::json;

void send_error(httplib::Response& res, const Status& status) {
  res.status = http_status(status.code());
  res.set_content(error_body(status), "application/json");
}

// The record as the API shows it: the artifact itself (not a string) and the code maps.
json record_json(const PromoModelRecord& r) {
  return {{"id", r.id},
          {"category", r.category},
          {"model_version", r.model_version},
          {"data_hash", r.data_hash},
          {"n_observations", r.n_observations},
          {"created_by", r.created_by},
          {"created_at", r.created_at},
          {"products", json::parse(r.products_json)},
          {"stores", json::parse(r.stores_json)},
          {"model", json::parse(r.artifact_json)}};
}

// A category code: 1-64 characters, no control characters.
Status check_category(const std::string& code) {
  if (code.empty() || code.size() > 64)
    return invalid_argument("expected a category code of 1 to 64 characters", "category");
  for (unsigned char ch : code)
    if (ch < 0x20 || ch == 0x7f)
      return invalid_argument("expected a category code without control characters", "category");
  return Status::ok();
}

}  // namespace

void register_promo_routes(const RouteRegistrar& route, const std::string& db_path) {
  route("POST", "/api/v1/promo/models",
        [db_path](const httplib::Request& req, httplib::Response& res, Database&,
                  const TokenInfo& caller) {
          const json body = json::parse(req.body, nullptr, false);
          if (body.is_discarded() || !body.is_object())
            return send_error(res, invalid_argument("expected a JSON object", "body"));
          if (!body.contains("category") || !body.at("category").is_string())
            return send_error(res, invalid_argument("expected a category code string", "category"));
          for (const auto& kv : body.items())
            if (kv.key() != "category")
              return send_error(res, invalid_argument("unknown field", kv.key()));
          const std::string category = body.at("category").get<std::string>();
          const Status ok = check_category(category);
          if (!ok.is_ok()) return send_error(res, ok);
          Result<PromoModelRecord> r = fit_category_promo_model(
              db_path, category, audit_actor(caller.name, to_string(caller.role)));
          if (!r.is_ok()) return send_error(res, r.status());
          res.status = 201;
          res.set_content(dump_json(record_json(*r)), "application/json");
        });
  route("GET", R"(/api/v1/promo/context/([^/]+))",
        [](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
          const std::string category = req.matches[1];
          const Status ok = check_category(category);
          if (!ok.is_ok()) return send_error(res, ok);
          Result<Json> context = promo_context(db, category);
          if (!context.is_ok()) return send_error(res, context.status());
          res.status = 200;
          res.set_content(dump_json(*context), "application/json");
        });
  route("GET", R"(/api/v1/promo/models/([^/]+))",
        [](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
          const std::string category = req.matches[1];
          const Status ok = check_category(category);
          if (!ok.is_ok()) return send_error(res, ok);
          Result<PromoModelRecord> r = latest_promo_model(db, category);
          if (!r.is_ok()) return send_error(res, r.status());
          res.status = 200;
          res.set_content(dump_json(record_json(*r)), "application/json");
        });
}

}  // namespace shelfcast::server
