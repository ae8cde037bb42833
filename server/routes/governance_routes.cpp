#include "routes/governance_routes.h"

#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "routes/http_status.h"
#include "shelfcast/json.h"
#include "store/audit_store.h"

namespace shelfcast::server {
namespace {

using nlohmann::json;

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(dump_json(body), "application/json");
}

void send_error(httplib::Response& res, const Status& status) {
  res.status = http_status(status.code());
  res.set_content(error_body(status), "application/json");
}

// A non-negative integer query parameter, or `fallback` when absent.
Result<int64_t> query_int(const httplib::Request& req, const char* name, int64_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return invalid_argument(std::string("expected a non-negative integer, got \"") + text + "\"",
                            name);
  }
  return static_cast<int64_t>(std::stoll(text));
}

}  // namespace

void register_governance_routes(const RouteRegistrar& route) {
  route("GET", "/api/v1/audit",
        [](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
          Result<int64_t> after = query_int(req, "after", 0);
          if (!after.is_ok()) return send_error(res, after.status());
          Result<int64_t> limit = query_int(req, "limit", 100);
          if (!limit.is_ok()) return send_error(res, limit.status());
          if (*limit < 1 || *limit > 1000) {
            return send_error(res, invalid_argument("expected 1 to 1000", "limit"));
          }
          Result<std::vector<AuditEntry>> entries = list_audit(db, *after, *limit);
          if (!entries.is_ok()) return send_error(res, entries.status());
          json out = json::array();
          for (const AuditEntry& e : *entries) {
            json details = json::parse(e.details_json, nullptr, false);
            if (details.is_discarded()) details = e.details_json;
            out.push_back({{"seq", e.seq},
                           {"at", e.at},
                           {"actor", e.actor},
                           {"action", e.action},
                           {"target", e.target},
                           {"details", details},
                           {"prev_hash", e.prev_hash},
                           {"hash", e.hash}});
          }
          send_json(res, 200, {{"entries", out}});
        });
  route("GET", "/api/v1/audit/verify",
        [](const httplib::Request&, httplib::Response& res, Database& db, const TokenInfo&) {
          Result<AuditVerification> v = verify_audit(db);
          if (!v.is_ok()) return send_error(res, v.status());
          send_json(res, 200,
                    {{"intact", v->intact},
                     {"entries", v->entries},
                     {"bad_seq", v->bad_seq},
                     {"problem", v->problem},
                     {"message", v->message},
                     {"head_hash", v->head_hash}});
        });
}

}  // namespace shelfcast::server
