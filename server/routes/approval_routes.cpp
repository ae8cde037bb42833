#include "routes/approval_routes.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "governance/audit.h"
#include "jobs/agents.h"
#include "routes/http_status.h"
#include "shelfcast/json.h"
#include "store/approval_store.h"

namespace shelfcast::server {
namespace {

void send_json(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(dump_json(body), "application/json");
}

void send_error(httplib::Response& res, const Status& status) {
  res.status = http_status(status.code());
  res.set_content(error_body(status), "application/json");
}

// The id captured by the route pattern; an id too large to be one is unknown (404).
Result<int64_t> path_id(const httplib::Request& req, const char* what) {
  const std::string text = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status(ErrorCode::kNotFound, std::string("no ") + what + " " + text, "id");
  }
  return id;
}

// ?status= among `allowed` ("" = any) and ?limit= (1..1000, default 100).
Result<std::pair<std::string, int64_t>> list_query(const httplib::Request& req,
                                                   const std::vector<std::string>& allowed) {
  std::string status = req.get_param_value("status");
  if (!status.empty() && std::find(allowed.begin(), allowed.end(), status) == allowed.end()) {
    std::string list;
    for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return invalid_argument("expected one of " + list, "status");
  }
  int64_t limit = 100;
  if (req.has_param("limit")) {
    const std::string text = req.get_param_value("limit");
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (ec != std::errc() || end != text.data() + text.size() || limit < 1 || limit > 1000) {
      return invalid_argument("expected an integer from 1 to 1000", "limit");
    }
  }
  return std::make_pair(status, limit);
}

Decider decider_of(const TokenInfo& caller) {
  return {audit_actor(caller.name, to_string(caller.role)), caller.id};
}

}  // namespace

void register_approval_routes(const RouteRegistrar& route, const std::string& db_path,
                              const ApprovalRules& rules) {
  // Handlers read through a read-only connection; writes open their own.
  const auto writable = [db_path]() { return Database::open(db_path, Database::Mode::kReadWrite); };

  route("POST", "/api/v1/approvals",
        [writable, rules](const httplib::Request& req, httplib::Response& res, Database&,
                          const TokenInfo& caller) {
          auto rw = writable();
          if (!rw.is_ok()) return send_error(res, rw.status());
          Result<Json> out = submit_approvals(**rw, rules, req.body, decider_of(caller));
          if (!out.is_ok()) return send_error(res, out.status());
          send_json(res, 201, {{"approvals", *out}});
        });
  route("GET", "/api/v1/approvals",
        [](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
          auto q = list_query(req, {"pending", "approved", "rejected", "auto_approved"});
          if (!q.is_ok()) return send_error(res, q.status());
          Result<std::vector<ApprovalRow>> rows = list_approvals(db, q->first, q->second);
          if (!rows.is_ok()) return send_error(res, rows.status());
          Json out = Json::array();
          for (const ApprovalRow& r : *rows) out.push_back(approval_json(r));
          send_json(res, 200, {{"approvals", out}});
        });
  route("GET", "/api/v1/approvals/rules",
        [rules](const httplib::Request&, httplib::Response& res, Database&, const TokenInfo&) {
          send_json(res, 200, {{"rules", approval_rules_json(rules)}});
        });
  route("GET", "/api/v1/approvals/stats",
        [](const httplib::Request&, httplib::Response& res, Database& db, const TokenInfo&) {
          auto counts = approval_counts(db);
          if (!counts.is_ok()) return send_error(res, counts.status());
          auto overrides = override_frequency(db, 100);
          if (!overrides.is_ok()) return send_error(res, overrides.status());
          Json by_status = Json::object();
          for (const auto& [status, n] : *counts) by_status[status] = n;
          Json series = Json::array();
          for (const OverrideFrequency& f : *overrides) {
            series.push_back({{"product", f.product},
                              {"store", f.store},
                              {"overrides", f.overrides},
                              {"pending", f.pending},
                              {"approved", f.approved},
                              {"rejected", f.rejected},
                              {"mean_abs_change", f.mean_abs_change},
                              {"last_at", f.last_at}});
          }
          send_json(res, 200, {{"by_status", by_status}, {"override_frequency", series}});
        });
  route("GET", R"(/api/v1/approvals/(\d+))",
        [](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
          Result<int64_t> id = path_id(req, "approval");
          if (!id.is_ok()) return send_error(res, id.status());
          Result<ApprovalRow> row = get_approval(db, *id);
          if (!row.is_ok()) return send_error(res, row.status());
          send_json(res, 200, approval_json(*row));
        });
  for (const bool approve : {true, false}) {
    route("POST",
          approve ? R"(/api/v1/approvals/(\d+)/approve)" : R"(/api/v1/approvals/(\d+)/reject)",
          [writable, approve](const httplib::Request& req, httplib::Response& res, Database&,
                              const TokenInfo& caller) {
            Result<int64_t> id = path_id(req, "approval");
            if (!id.is_ok()) return send_error(res, id.status());
            auto rw = writable();
            if (!rw.is_ok()) return send_error(res, rw.status());
            Result<Json> out = decide_submission(**rw, *id, approve, req.body, decider_of(caller));
            if (!out.is_ok()) return send_error(res, out.status());
            send_json(res, 200, *out);
          });
  }
  route("GET", "/api/v1/odoo/outbox",
        [](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
          auto q = list_query(req, {"ready", "sent", "failed"});
          if (!q.is_ok()) return send_error(res, q.status());
          Result<std::vector<OutboxRow>> rows = list_outbox(db, q->first, q->second);
          if (!rows.is_ok()) return send_error(res, rows.status());
          Json out = Json::array();
          for (const OutboxRow& r : *rows) out.push_back(outbox_json(r));
          send_json(res, 200, {{"records", out}});
        });
  route("POST", "/api/v1/agents/run",
        [writable, rules](const httplib::Request&, httplib::Response& res, Database&,
                          const TokenInfo& caller) {
          auto rw = writable();
          if (!rw.is_ok()) return send_error(res, rw.status());
          Result<Json> out = run_agents(**rw, rules, decider_of(caller).actor);
          if (!out.is_ok()) return send_error(res, out.status());
          send_json(res, 200, *out);
        });
  route("GET", "/api/v1/exceptions",
        [](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
          auto q = list_query(req, {"open", "acted", "dismissed"});
          if (!q.is_ok()) return send_error(res, q.status());
          Result<std::vector<ExceptionRow>> rows = list_exceptions(db, q->first, q->second);
          if (!rows.is_ok()) return send_error(res, rows.status());
          Json out = Json::array();
          for (const ExceptionRow& r : *rows) out.push_back(exception_json(r));
          send_json(res, 200, {{"exceptions", out}});
        });
  route("POST", R"(/api/v1/exceptions/(\d+)/act)",
        [writable, rules](const httplib::Request& req, httplib::Response& res, Database&,
                          const TokenInfo& caller) {
          Result<int64_t> id = path_id(req, "exception");
          if (!id.is_ok()) return send_error(res, id.status());
          auto rw = writable();
          if (!rw.is_ok()) return send_error(res, rw.status());
          Result<Json> out = act_on_exception(**rw, rules, *id, req.body, decider_of(caller));
          if (!out.is_ok()) return send_error(res, out.status());
          send_json(res, 201, *out);
        });
  route("POST", R"(/api/v1/exceptions/(\d+)/dismiss)",
        [writable](const httplib::Request& req, httplib::Response& res, Database&,
                   const TokenInfo& caller) {
          Result<int64_t> id = path_id(req, "exception");
          if (!id.is_ok()) return send_error(res, id.status());
          auto rw = writable();
          if (!rw.is_ok()) return send_error(res, rw.status());
          Result<Json> out = dismiss_exception(**rw, *id, req.body, decider_of(caller));
          if (!out.is_ok()) return send_error(res, out.status());
          send_json(res, 200, *out);
        });
}

}  // namespace shelfcast::server
