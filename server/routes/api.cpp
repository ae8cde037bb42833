#include "routes/api.h"

#include <httplib.h>
#include <sys/stat.h>

#include <charconv>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "auth/access.h"
#include "auth/tokens.h"
#include "governance/audit.h"
#include "governance/overrides.h"
#include "jobs/analytics.h"
#include "jobs/job_runner.h"
#include "jobs/monitor.h"
#include "jobs/replenish_plan.h"
#include "routes/approval_routes.h"
#include "routes/governance_routes.h"
#include "routes/http_status.h"
#include "routes/promo_routes.h"
#include "routes/rate_limit.h"
#include "routes/static_files.h"
#include "shelfcast/json.h"
#include "store/store.h"

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

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The CSP sources of the page's inline import maps ('sha256-<base64>' each): the standalone page
// resolves its ES modules (OWL, the addon's components, the @web shims) with an inline
// <script type="importmap">, which script-src must name by hash.
std::string import_map_hashes(const std::string& index_path) {
  std::ifstream in(index_path, std::ios::binary);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string sources;
  const std::string open_tag = "<script type=\"importmap\">";
  for (size_t at = page.find(open_tag); at != std::string::npos; at = page.find(open_tag, at + 1)) {
    const size_t begin = at + open_tag.size();
    const size_t end = page.find("</script>", begin);
    if (end == std::string::npos) break;
    const std::string hex = sha256_hex(std::string_view(page).substr(begin, end - begin));
    std::string bytes;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
      bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    std::string b64;
    for (size_t i = 0; i < bytes.size(); i += 3) {
      uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
      if (i + 1 < bytes.size())
        v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
      if (i + 2 < bytes.size())
        v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
      b64.push_back(kB64[(v >> 18) & 63]);
      b64.push_back(kB64[(v >> 12) & 63]);
      b64.push_back(i + 1 < bytes.size() ? kB64[(v >> 6) & 63] : '=');
      b64.push_back(i + 2 < bytes.size() ? kB64[v & 63] : '=');
    }
    sources += " 'sha256-" + b64 + "'";
  }
  return sources;
}

Result<std::unique_ptr<Database>> open_read(const ServeOptions& options) {
  return Database::open(options.db_path, Database::Mode::kReadOnly);
}

json openapi_document() {
  json paths = json::object();
  const std::map<std::string, std::string> summaries = {
      {"/api/v1/health", "Liveness and version; no token needed."},
      {"/api/v1/openapi.json", "This document; no token needed."},
      {"/api/v1/stores", "Stores: code, name, region."},
      {"/api/v1/products",
       "Products with category (name and category_code), cost, list price and units sold, "
       "best sellers first."},
      {"/api/v1/series",
       "Weekly units, average price and promotion flags of one product in one "
       "store. Query: product=CODE&store=CODE."},
      {"/api/v1/whoami", "The caller's token name and role."},
      {"/api/v1/jobs", "The latest 100 background jobs, newest first."},
      {"/api/v1/jobs/forecast",
       "Start a forecast job. Body: {products?:[code], stores?:[code], horizon (1-104, default "
       "13), season_length (default 52), levels (default [80,95]), method (auto|ets|regression|"
       "sba|ses|snaive|naive|...), reconcile (mint_shrink default|bottom_up|ols|wls_struct|"
       "wls_var|none), backtest_origins (0-12, default 0), backtest_step (default 4)}. Answers "
       "202 with the job id."},
      {R"(/api/v1/jobs/(\d+))",
       "A job of any kind (forecast, customers, basket, retention, monitoring): status, "
       "progress, summary, model version."},
      {R"(/api/v1/jobs/(\d+)/forecasts)",
       "A job's stored forecasts (reconciled mean, intervals, the model's own base_mean and the "
       "parts that add up to mean); query product, store, limit (default 1000), offset. An "
       "approved forecast override of a week is served as mean, with model_mean and override "
       "(the approval) beside it."},
      {R"(/api/v1/jobs/(\d+)/levels)",
       "A job's forecasts of the levels above the product-store series (total, region, "
       "category, category x region, SKU x channel); query level, node, limit, offset."},
      {R"(/api/v1/jobs/(\d+)/accuracy)",
       "A job's backtest accuracy per level, base and reconciled (MASE, RMSSE, sMAPE, WAPE, "
       "bias, interval coverage)."},
      {R"(/api/v1/jobs/(\d+)/cancel)", "Ask a queued or running job to stop."},
      {"/api/v1/audit", "The audit log in sequence order. Query: after=SEQ&limit=N (1-1000)."},
      {"/api/v1/promo/models",
       "Fit a category's promotion-response model from the stored weekly sales (own-price "
       "elasticity, lift per depth, feature, display, cannibalization, pull-forward and dip per "
       "product, with standard errors). Body: {category: CODE}. 201 with the stored record."},
      {R"(/api/v1/promo/context/([^/]+))",
       "What the in-browser simulator needs beside the model, in the plan format with the "
       "artifact's ids: products with list price and cost, stock positions of every store (on "
       "hand, on order, lead time in weeks) and basket affinity pairs of the newest product-level "
       "basket job."},
      {R"(/api/v1/promo/models/([^/]+))",
       "The newest promotion model of a category: the artifact (schema shelfcast.promo_model, "
       "ids) with the product and store codes its ids stand for, the model version and the "
       "data version it was fitted on. 404 before the first fit."},
      {"/api/v1/audit/verify",
       "Walks the audit log's hash chain: intact, or the first edited, deleted or reordered "
       "entry."},
      {"/api/v1/models",
       "The model registry, newest first: for every finished forecast job the core's model "
       "version, a hash of the data it saw, its parameters, backtest metrics per level and the "
       "models it chose."},
      {R"(/api/v1/jobs/(\d+)/monitor)",
       "A job's forecasts against the actuals loaded since: WAPE, bias and tracking signal per "
       "model, over all series and for the total, and the series whose tracking signal "
       "exceeds 4 (drifting) with a suggestion."},
      {"/api/v1/analytics/customers",
       "POST: score every loyalty customer (BG/NBD, Gamma-Gamma, CLV, churn and RFM segments) "
       "as of the last sales day and store the scores by pseudonym; body {horizon_weeks?, "
       "annual_discount_rate?, margin?, min_customers? (>= 10)}. GET: the latest run's "
       "k-anonymous segment tables (a segment under min_customers shows no numbers)."},
      {"/api/v1/analytics/affinity",
       "Association rules and pair affinity of the loyalty baskets; query level=product|"
       "category, min_support, min_confidence, max_rules, source=auto|job|live. Rules and pairs "
       "seen in fewer than 10 baskets are left out. source=job (auto: when there is one) serves "
       "the latest finished basket job of the level mined at these thresholds or below, with its "
       "job id and model version; live mines on request."},
      {"/api/v1/jobs/promo_fit",
       "Fit a category's promotion-response model in the background (as POST "
       "/api/v1/promo/models). Body: {category: CODE}. 202 with the job id; the summary names "
       "the stored model."},
      {"/api/v1/jobs/customers",
       "Start a customer analytics job (BG/NBD, Gamma-Gamma, CLV, churn and RFM segments, "
       "scores stored by pseudonym). Body as POST /api/v1/analytics/customers. 202 with the id."},
      {"/api/v1/jobs/basket",
       "Start a basket affinity job; its k-anonymous rules and pairs are stored and served by "
       "GET /api/v1/analytics/affinity. Body: {level? (product|category), min_support? (0.01), "
       "min_confidence? (0.2), max_len? (2-10, default 4), max_rules? (default 10000)}."},
      {"/api/v1/jobs/retention",
       "Start a retention job: purge sales lines older than keep_days before the last sales "
       "day, keeping weekly aggregates; audited. Body: {keep_days (>= 7)}."},
      {"/api/v1/jobs/monitoring",
       "Start a monitoring job: the monitor figures of a finished forecast job against the "
       "actuals loaded since, stored with the job. Body: {job: forecast job id}."},
      {"/api/v1/replenishment/plan",
       "Replenishment proposals for a promotion scenario in Odoo's terms (purchase.order lines, "
       "stock.picking transfers, stock.warehouse.orderpoint min/max), each with its reason. "
       "Body: {product, stores?, promotion:{start, end, depth, feature?, display?}, vendor?, "
       "service_level?, pack_size?, min_order_qty?, lead_time_weeks?}. Nothing is sent to Odoo."},
      {"/api/v1/approvals",
       "POST: submit one {kind: promotion|forecast_override|replenishment, title?, payload} or "
       "{submissions: [...]}; each is evaluated against the routing rules: auto_approved when it "
       "trips none, else pending with its reasons. 201. GET: submissions newest first; query "
       "status=pending|approved|rejected|auto_approved, limit."},
      {"/api/v1/approvals/rules",
       "The routing thresholds in force (defaults or --approval-rules)."},
      {"/api/v1/approvals/stats",
       "Submissions per status and forecast override frequency per product and store."},
      {R"(/api/v1/approvals/(\d+))", "One submission with its rule evaluation and decision."},
      {R"(/api/v1/approvals/(\d+)/approve)",
       "Approve a pending submission; body {comment?}. 403 for its submitter, 409 when not "
       "pending. Approved replenishment proposals go to the Odoo outbox."},
      {R"(/api/v1/approvals/(\d+)/reject)",
       "Reject a pending submission; body {comment} (required). 403 for its submitter, 409 when "
       "not pending."},
      {"/api/v1/odoo/outbox",
       "Approved proposals as records ready for Odoo (draft purchase.order.line, stock.picking, "
       "stock.warehouse.orderpoint values); query status=ready|sent|failed, limit."},
      {"/api/v1/agents/run",
       "Run the exception agents (stockout before the next delivery; sales below forecast or "
       "below a promotion's uplift) over the latest forecast job; new exceptions go to the inbox "
       "(an open one is not posted twice)."},
      {"/api/v1/exceptions",
       "The exception inbox, newest first, with suggested actions; query status=open|acted|"
       "dismissed, limit."},
      {R"(/api/v1/exceptions/(\d+)/act)",
       "Submit an open exception's suggested action for approval; body {comment?}. 201 with the "
       "exception and the submission."},
      {R"(/api/v1/exceptions/(\d+)/dismiss)",
       "Dismiss an open exception; body {comment} (required)."},
  };
  for (const RouteAccess& a : access_matrix()) {
    json op = {{"summary", summaries.count(a.path) ? summaries.at(a.path) : ""},
               {"responses",
                {{"200", {{"description", "OK"}}},
                 {"4XX", {{"description", "{\"error\":{code,message,field}}"}}}}}};
    if (!a.is_public) {
      json roles = json::array();
      for (Role r : a.roles) roles.push_back(to_string(r));
      op["security"] = json::array({{{"bearer", json::array()}}});
      op["x-roles"] = roles;
    }
    if (a.path == "/api/v1/series") {
      op["parameters"] = json::array({{{"name", "product"},
                                       {"in", "query"},
                                       {"required", true},
                                       {"schema", {{"type", "string"}}}},
                                      {{"name", "store"},
                                       {"in", "query"},
                                       {"required", true},
                                       {"schema", {{"type", "string"}}}}});
    }
    std::string openapi_path = a.path;
    const std::string id_pattern = R"((\d+))";
    if (size_t at = openapi_path.find(id_pattern); at != std::string::npos) {
      openapi_path.replace(at, id_pattern.size(), "{id}");
    }
    std::string method = a.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[openapi_path][method] = op;
  }
  return {
      {"openapi", "3.0.3"},
      {"info", {{"title", "Shelfcast API"}, {"version", SHELFCAST_VERSION}}},
      {"components", {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
      {"paths", paths}};
}

// The numeric id captured by a route pattern; a number too large for an id is simply unknown.
// The job named by the path's {id}: 400 for a malformed id, 404 for an unknown one.
Result<JobRow> path_job(const httplib::Request& req, Database& db);

// limit (default 1000, at most 10000) and offset of a paged list.
Result<std::pair<int64_t, int64_t>> paging(const httplib::Request& req) {
  int64_t limit = 1000, offset = 0;
  for (auto [name, target, hi] :
       {std::tuple<const char*, int64_t*, int64_t>{"limit", &limit, 10000},
        {"offset", &offset, INT64_MAX / 2}}) {
    if (!req.has_param(name)) continue;
    const std::string text = req.get_param_value(name);
    int64_t v = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 0 || v > hi) {
      return invalid_argument("expected an integer from 0 to " + std::to_string(hi), name);
    }
    *target = v;
  }
  return std::make_pair(limit, offset);
}

Result<int64_t> path_id(const httplib::Request& req);

Result<JobRow> path_job(const httplib::Request& req, Database& db) {
  SHELFCAST_ASSIGN_OR_RETURN(int64_t id, path_id(req));
  return get_job(db, id);
}

Result<int64_t> path_id(const httplib::Request& req) {
  const std::string text = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Status(ErrorCode::kNotFound, "no job " + text, "id");
  }
  return id;
}

json job_json(const JobRow& j) {
  Result<Json> params = parse_json(j.params_json);
  Result<Json> summary = parse_json(j.summary_json);
  json out = {{"id", j.id},
              {"kind", j.kind},
              {"status", j.status},
              {"progress", j.progress},
              {"items_total", j.items_total},
              {"items_done", j.items_done},
              {"params", params.is_ok() ? *params : Json::object()},
              {"summary", summary.is_ok() ? *summary : Json::object()},
              {"model_version", j.model_version},
              {"created_by", j.created_by},
              {"created_at", j.created_at}};
  if (!j.error.empty()) out["error"] = j.error;
  if (!j.started_at.empty()) out["started_at"] = j.started_at;
  if (!j.finished_at.empty()) out["finished_at"] = j.finished_at;
  return out;
}

}  // namespace

struct ApiServer::Metrics {
  std::mutex mutex;
  std::map<std::pair<std::string, int>, uint64_t> requests;  // (route, status) -> count

  void count(const std::string& route, int status) {
    std::lock_guard<std::mutex> lock(mutex);
    ++requests[{route, status}];
  }
  std::string render() {
    std::lock_guard<std::mutex> lock(mutex);
    std::string out =
        "# HELP shelfcast_http_requests_total HTTP requests by route and status.\n"
        "# TYPE shelfcast_http_requests_total counter\n";
    for (const auto& [key, n] : requests) {
      out += "shelfcast_http_requests_total{route=\"" + key.first + "\",status=\"" +
             std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
    }
    return out;
  }
};

ApiServer::ApiServer(ServeOptions options)
    : options_(std::move(options)),
      http_(std::make_unique<httplib::Server>()),
      metrics_(std::make_unique<Metrics>()) {}

ApiServer::~ApiServer() = default;

Result<std::unique_ptr<ApiServer>> ApiServer::create(const ServeOptions& options) {
  {
    // Migrate once, writable; requests then open read-only connections.
    SHELFCAST_ASSIGN_OR_RETURN(auto db,
                               Database::open(options.db_path, Database::Mode::kReadWrite));
  }
  std::unique_ptr<ApiServer> server(new ApiServer(options));
  SHELFCAST_ASSIGN_OR_RETURN(server->jobs_, JobRunner::start(options.db_path));
  server->limiter_ = std::make_unique<RateLimiter>(options.rate_per_second, options.rate_burst);
  server->register_routes();
  return server;
}

Result<int> ApiServer::bind(const std::string& host, int port) {
  if (port == 0) {
    const int bound = http_->bind_to_any_port(host);
    if (bound <= 0) return Status(ErrorCode::kUnavailable, "cannot bind " + host + ":0");
    return bound;
  }
  if (!http_->bind_to_port(host, port)) {
    return Status(ErrorCode::kUnavailable,
                  "cannot bind " + host + ":" + std::to_string(port) + " (in use?)");
  }
  return port;
}

bool ApiServer::listen() { return http_->listen_after_bind(); }

void ApiServer::stop() { http_->stop(); }

void ApiServer::register_routes() {
  httplib::Server& http = *http_;
  // Responses are compressed with gzip, never Brotli: Debian's httplib encodes Brotli at quality
  // 11, 0.3-0.6 s for a 200 KB script or a model artifact (gzip: 10-40 ms), which costs the page
  // far more than the 15% of bytes it saves. httplib picks the encoding from Accept-Encoding, so
  // "br" is taken out of it before routing. The planner page's files come from memory, compressed
  // once (static_files.h); like httplib's mount points, a file of the web root answers before any
  // route, and never under /api/.
  const bool has_page = file_exists(options_.web_root + "/index.html");
  if (has_page) static_files_ = std::make_unique<StaticFiles>(options_.web_root);
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    drop_accept_encoding(req, "br");
    if (static_files_ && (req.method == "GET" || req.method == "HEAD") &&
        req.path.rfind("/api/", 0) != 0 && static_files_->serve(req, res))
      return httplib::Server::HandlerResponse::Handled;
    return httplib::Server::HandlerResponse::Unhandled;
  });

  // Defence in depth for the page: only our own scripts (and the page's inline import map, by
  // hash), styles and API; WebAssembly compiled from our own files ('wasm-unsafe-eval'); OWL
  // compiles its templates to functions ('unsafe-eval', as in Odoo's web client); no framing, no
  // plug-ins, no referrer.
  const std::string page_scripts =
      has_page ? import_map_hashes(options_.web_root + "/index.html") : std::string();
  http.set_default_headers({
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'" + page_scripts +
           "; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
           "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
  });

  if (!has_page) {
    std::cerr << "shelfcast: warning: no index.html in web root '" << options_.web_root
              << "': serving the API only (build the wasm-release preset, or pass --web-root)\n";
  }

  // A handler that escapes with an exception is a bug: log it and answer 500 (tests fail on it).
  http.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        std::cerr << "shelfcast: 500 on " << req.method << " " << req.path << ": " << what << "\n";
        send_error(res, internal_error("internal error; see the server log"));
      });
  http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    const std::string route =
        req.matches.empty() ? (req.path.rfind("/api/", 0) == 0 ? "api-other" : "static") : req.path;
    metrics_->count(route, res.status);
  });
  http.set_payload_max_length(options_.max_request_bytes);
  // A keep-alive connection holds a worker while it waits for its next request: with httplib's
  // default of 8 workers, 16 browser tabs or dashboard clients starve each other (measured: 287
  // requests/s and p50 1.9 s at a 500/s read mix). 32 workers and a 2-second idle timeout keep
  // slow or idle clients from blocking the rest; the work per request is ~1 ms.
  http.new_task_queue = [] { return new httplib::ThreadPool(32); };
  http.set_keep_alive_timeout(2);
  http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      send_error(res, not_found("no route " + req.method + " " + req.path));
    } else if (res.status == 413) {
      send_error(res, Status(ErrorCode::kResourceExhausted,
                             "request body over " + std::to_string(options_.max_request_bytes) +
                                 " bytes"));
    } else if (res.status >= 400) {
      const int status = res.status;
      send_error(res, invalid_argument("bad request (HTTP " + std::to_string(status) + ")"));
      res.status = status;
    }
  });

  // Wraps a handler with authentication and the access matrix.
  using Handler =
      std::function<void(const httplib::Request&, httplib::Response&, Database&, const TokenInfo&)>;
  auto route = [this](const std::string& method, const std::string& path, Handler handler) {
    const RouteAccess* access = find_route_access(method, path);
    auto wrapped = [this, access, path, handler](const httplib::Request& req,
                                                 httplib::Response& res) {
      // Rate limit per token (its hash: the token itself is never kept), else per address.
      const std::string auth = req.get_header_value("Authorization");
      const std::string caller_key =
          auth.rfind("Bearer ", 0) == 0 ? sha256_hex(auth.substr(7)) : "addr:" + req.remote_addr;
      double retry_after = 0.0;
      if (!limiter_->take(caller_key, &retry_after)) {
        send_error(res, Status(ErrorCode::kResourceExhausted,
                               "rate limit: more than " + std::to_string(options_.rate_per_second) +
                                   " requests per second"));
        res.status = 429;
        res.set_header("Retry-After", std::to_string(static_cast<int>(retry_after) + 1));
        return;
      }
      Result<std::unique_ptr<Database>> db = open_read(options_);
      if (!db.is_ok()) return send_error(res, db.status());
      TokenInfo caller;
      if (access == nullptr) {
        return send_error(res,
                          Status(ErrorCode::kPermissionDenied, "route not in the access matrix"));
      }
      if (!access->is_public) {
        const std::string header = req.get_header_value("Authorization");
        const std::string prefix = "Bearer ";
        if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) {
          res.set_header("WWW-Authenticate", "Bearer");
          return send_error(res, Status(ErrorCode::kUnauthenticated,
                                        "missing bearer token (Authorization: Bearer <token>)"));
        }
        Result<TokenInfo> token = find_token(**db, sha256_hex(header.substr(prefix.size())));
        if (!token.is_ok()) {
          res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
          return send_error(res, token.status());
        }
        if (!role_allowed(*access, token->role)) {
          return send_error(res, Status(ErrorCode::kPermissionDenied,
                                        "role '" + to_string(token->role) + "' may not call " +
                                            access->method + " " + access->path));
        }
        res.set_header("X-Shelfcast-Role", to_string(token->role));
        caller = *token;
      }
      handler(req, res, **db, caller);
    };
    if (method == "GET")
      http_->Get(path, wrapped);
    else
      http_->Post(path, wrapped);
  };

  route("GET", "/api/v1/health",
        [](const httplib::Request&, httplib::Response& res, Database& db, const TokenInfo&) {
          Result<int64_t> lines = count_sales_lines(db);
          if (!lines.is_ok()) return send_error(res, lines.status());
          send_json(res, 200,
                    {{"status", "ok"},
                     {"version", SHELFCAST_VERSION},
                     {"model_version", core_model_version()},
                     {"sales_lines", *lines}});
        });
  route("GET", "/api/v1/openapi.json",
        [](const httplib::Request&, httplib::Response& res, Database&, const TokenInfo&) {
          send_json(res, 200, openapi_document());
        });
  route("GET", "/api/v1/whoami",
        [](const httplib::Request&, httplib::Response& res, Database&, const TokenInfo& caller) {
          // actor: how the audit log and submitted_by name this caller (the UI hides the approve
          // button on the caller's own submissions with it).
          send_json(res, 200,
                    {{"role", res.get_header_value("X-Shelfcast-Role")},
                     {"name", caller.name},
                     {"actor", audit_actor(caller.name, to_string(caller.role))}});
        });
  route("GET", "/api/v1/stores",
        [](const httplib::Request&, httplib::Response& res, Database& db, const TokenInfo&) {
          Result<std::vector<StoreRow>> rows = list_stores(db);
          if (!rows.is_ok()) return send_error(res, rows.status());
          json out = json::array();
          for (const StoreRow& s : *rows) {
            out.push_back({{"code", s.code}, {"name", s.name}, {"region", s.region}});
          }
          send_json(res, 200, {{"stores", out}});
        });
  route("GET", "/api/v1/products",
        [](const httplib::Request&, httplib::Response& res, Database& db, const TokenInfo&) {
          Result<std::vector<ProductRow>> rows = list_products(db);
          if (!rows.is_ok()) return send_error(res, rows.status());
          json out = json::array();
          for (const ProductRow& p : *rows) {
            out.push_back({{"code", p.code},
                           {"name", p.name},
                           {"category", p.category},
                           {"category_code", p.category_code},
                           {"cost", p.cost},
                           {"list_price", p.list_price},
                           {"units", p.units}});
          }
          send_json(res, 200, {{"products", out}});
        });
  route("GET", "/api/v1/series",
        [](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
          for (const char* param : {"product", "store"}) {
            if (!req.has_param(param) || req.get_param_value(param).empty()) {
              return send_error(res, invalid_argument("query parameter is required", param));
            }
          }
          const std::string product = req.get_param_value("product");
          const std::string store = req.get_param_value("store");
          Result<std::vector<WeeklyPoint>> points = weekly_series(db, product, store);
          if (!points.is_ok()) return send_error(res, points.status());
          send_json(res, 200, {{"product", product}, {"store", store}, {"points", *points}});
        });

  route("GET", "/api/v1/jobs",
        [](const httplib::Request&, httplib::Response& res, Database& db, const TokenInfo&) {
          Result<std::vector<JobRow>> jobs = list_jobs(db, 100);
          if (!jobs.is_ok()) return send_error(res, jobs.status());
          json out = json::array();
          for (const JobRow& j : *jobs) out.push_back(job_json(j));
          send_json(res, 200, {{"jobs", out}});
        });
  route("POST", "/api/v1/jobs/forecast",
        [this](const httplib::Request& req, httplib::Response& res, Database&,
               const TokenInfo& caller) {
          Result<ForecastJobSpec> spec = decode_forecast_job(req.body);
          if (!spec.is_ok()) return send_error(res, spec.status());
          Result<int64_t> id =
              jobs_->submit_forecast(*spec, caller.name + " (" + to_string(caller.role) + ")");
          if (!id.is_ok()) return send_error(res, id.status());
          Status audited =
              record_audit_at(options_.db_path, audit_actor(caller.name, to_string(caller.role)),
                              "job.submit", "job:" + std::to_string(*id));
          if (!audited.is_ok()) return send_error(res, audited);
          res.set_header("Location", "/api/v1/jobs/" + std::to_string(*id));
          send_json(res, 202, {{"id", *id}, {"status", "queued"}});
        });
  // The batch kinds beside forecasts share the queue; a submission is audited as a forecast's is.
  for (const char* kind : {"customers", "basket", "retention", "monitoring", "promo_fit"}) {
    route("POST", std::string("/api/v1/jobs/") + kind,
          [this, kind](const httplib::Request& req, httplib::Response& res, Database&,
                       const TokenInfo& caller) {
            const std::string actor = audit_actor(caller.name, to_string(caller.role));
            Result<int64_t> id = jobs_->submit_batch(kind, req.body, actor);
            if (!id.is_ok()) return send_error(res, id.status());
            Status audited =
                record_audit_at(options_.db_path, actor, "job.submit", "job:" + std::to_string(*id),
                                dump_json(Json{{"kind", kind}}));
            if (!audited.is_ok()) return send_error(res, audited);
            res.set_header("Location", "/api/v1/jobs/" + std::to_string(*id));
            send_json(res, 202, {{"id", *id}, {"kind", kind}, {"status", "queued"}});
          });
  }
  route("GET", R"(/api/v1/jobs/(\d+))",
        [](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
          Result<int64_t> id = path_id(req);
          if (!id.is_ok()) return send_error(res, id.status());
          Result<JobRow> job = get_job(db, *id);
          if (!job.is_ok()) return send_error(res, job.status());
          send_json(res, 200, job_json(*job));
        });
  route(
      "GET", R"(/api/v1/jobs/(\d+)/forecasts)",
      [this](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
        Result<JobRow> job = path_job(req, db);
        if (!job.is_ok()) return send_error(res, job.status());
        const int64_t id = job->id;
        Result<std::pair<int64_t, int64_t>> page = paging(req);
        if (!page.is_ok()) return send_error(res, page.status());
        const auto [limit, offset] = *page;
        Result<std::vector<StoredForecast>> rows = job_forecasts(
            db, id, req.get_param_value("product"), req.get_param_value("store"), limit, offset);
        if (!rows.is_ok()) return send_error(res, rows.status());
        json out = json::array();
        // A drifting series is served from its robust baseline (jobs/monitor.h).
        std::map<std::pair<std::string, std::string>, SeriesFallback> fallbacks;
        // Approved forecast overrides are served in place of the model (governance/overrides.h).
        std::map<std::pair<std::string, std::string>, std::map<int32_t, EffectiveOverride>>
            overrides;
        for (const StoredForecast& f : *rows) {
          auto fb = fallbacks.find({f.product, f.store});
          if (fb == fallbacks.end()) {
            Result<SeriesFallback> computed = series_fallback(
                db, id, f.product, f.store, options_.approval_rules.tracking_signal_limit);
            if (!computed.is_ok()) return send_error(res, computed.status());
            fb = fallbacks.emplace(std::make_pair(f.product, f.store), *computed).first;
          }
          Result<Json> intervals = parse_json(f.intervals_json);
          Result<Json> parts = parse_json(f.components_json);
          out.push_back({{"product", f.product},
                         {"store", f.store},
                         {"step", f.step},
                         {"week", f.week},
                         {"mean", f.mean},
                         {"base_mean", std::isfinite(f.base_mean) ? json(f.base_mean) : json()},
                         {"intervals", intervals.is_ok() ? *intervals : Json::array()},
                         {"components", parts.is_ok() ? *parts : Json::object()},
                         {"model", f.model},
                         {"model_version", f.model_version}});
          apply_fallback(fb->second, f.week.days, &out.back());
          auto ov = overrides.find({f.product, f.store});
          if (ov == overrides.end()) {
            Result<std::map<int32_t, EffectiveOverride>> in_force =
                effective_overrides(db, f.product, f.store);
            if (!in_force.is_ok()) return send_error(res, in_force.status());
            ov = overrides.emplace(std::make_pair(f.product, f.store), *in_force).first;
          }
          if (auto o = ov->second.find(f.week.days); o != ov->second.end()) {
            apply_override(o->second, &out.back());
          }
        }
        send_json(res, 200, {{"job", id}, {"status", job->status}, {"forecasts", out}});
      });
  route("GET", R"(/api/v1/jobs/(\d+)/levels)",
        [](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
          Result<JobRow> job = path_job(req, db);
          if (!job.is_ok()) return send_error(res, job.status());
          const int64_t id = job->id;
          Result<std::pair<int64_t, int64_t>> page = paging(req);
          if (!page.is_ok()) return send_error(res, page.status());
          Result<std::vector<LevelForecastRow>> rows =
              job_level_forecasts(db, id, req.get_param_value("level"), req.get_param_value("node"),
                                  page->first, page->second);
          if (!rows.is_ok()) return send_error(res, rows.status());
          json out = json::array();
          for (const LevelForecastRow& f : *rows) {
            Result<Json> intervals = parse_json(f.intervals_json);
            out.push_back({{"level", f.level},
                           {"node", f.node},
                           {"step", f.step},
                           {"week", f.week},
                           {"mean", f.mean},
                           {"base_mean", f.base_mean},
                           {"intervals", intervals.is_ok() ? *intervals : Json::array()},
                           {"model", f.model},
                           {"model_version", f.model_version}});
          }
          send_json(res, 200, {{"job", id}, {"status", job->status}, {"levels", out}});
        });
  route("GET", R"(/api/v1/jobs/(\d+)/accuracy)",
        [](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
          Result<JobRow> job = path_job(req, db);
          if (!job.is_ok()) return send_error(res, job.status());
          const int64_t id = job->id;
          Result<std::vector<LevelAccuracyRow>> rows = job_accuracy(db, id);
          if (!rows.is_ok()) return send_error(res, rows.status());
          json out = json::array();
          for (const LevelAccuracyRow& r : *rows) {
            Result<Json> metrics = parse_json(r.metrics_json);
            out.push_back({{"level", r.level},
                           {"kind", r.kind},
                           {"nodes", r.nodes},
                           {"metrics", metrics.is_ok() ? *metrics : Json::object()}});
          }
          send_json(res, 200, {{"job", id}, {"status", job->status}, {"accuracy", out}});
        });
  route("GET", "/api/v1/models",
        [](const httplib::Request&, httplib::Response& res, Database& db, const TokenInfo&) {
          Result<std::vector<RegistryEntry>> entries = list_models(db, 100);
          if (!entries.is_ok()) return send_error(res, entries.status());
          const auto parsed = [](const std::string& text) {
            Result<Json> j = parse_json(text);
            return j.is_ok() ? *j : Json();
          };
          json out = json::array();
          for (const RegistryEntry& e : *entries) {
            out.push_back({{"id", e.id},
                           {"job", e.job_id},
                           {"kind", e.kind},
                           {"model_version", e.model_version},
                           {"data_hash", e.data_hash},
                           {"params", parsed(e.params_json)},
                           {"backtest", parsed(e.metrics_json)},
                           {"models", parsed(e.models_json)},
                           {"created_at", e.created_at}});
          }
          send_json(res, 200, {{"models", out}});
        });
  route(
      "GET", R"(/api/v1/jobs/(\d+)/monitor)",
      [this](const httplib::Request& req, httplib::Response& res, Database& db, const TokenInfo&) {
        Result<JobRow> job = path_job(req, db);
        if (!job.is_ok()) return send_error(res, job.status());
        Result<Json> report =
            monitor_job(db, job->id, options_.approval_rules.tracking_signal_limit);
        if (!report.is_ok()) return send_error(res, report.status());
        send_json(res, 200, *report);
      });
  route("POST", "/api/v1/analytics/customers",
        [this](const httplib::Request& req, httplib::Response& res, Database&,
               const TokenInfo& caller) {
          // Handlers read through a read-only connection; this one stores the scores.
          Result<std::unique_ptr<Database>> rw =
              Database::open(options_.db_path, Database::Mode::kReadWrite);
          if (!rw.is_ok()) return send_error(res, rw.status());
          const std::string actor = audit_actor(caller.name, to_string(caller.role));
          Result<Json> run = run_customer_analytics(**rw, req.body, actor);
          if (!run.is_ok()) return send_error(res, run.status());
          Status audited = record_audit_now(**rw, actor, "export.customer_segments",
                                            "analytics_run:" + dump_json((*run)["run"]));
          if (!audited.is_ok()) return send_error(res, audited);
          send_json(res, 200, *run);
        });
  route("GET", "/api/v1/analytics/customers",
        [this](const httplib::Request&, httplib::Response& res, Database& db,
               const TokenInfo& caller) {
          Result<Json> run = latest_customer_analytics(db);
          if (!run.is_ok()) return send_error(res, run.status());
          // Aggregates leaving the server are exports: logged.
          Status audited = record_audit_at(
              options_.db_path, audit_actor(caller.name, to_string(caller.role)),
              "export.customer_segments", "analytics_run:" + dump_json((*run)["run"]));
          if (!audited.is_ok()) return send_error(res, audited);
          send_json(res, 200, *run);
        });
  route("GET", "/api/v1/analytics/affinity",
        [this](const httplib::Request& req, httplib::Response& res, Database& db,
               const TokenInfo& caller) {
          double support = 0.01, confidence = 0.2;
          int32_t max_rules = 100;
          for (auto [name, target, lo, hi] :
               {std::tuple<const char*, double*, double, double>{"min_support", &support, 1e-6, 1},
                {"min_confidence", &confidence, 0, 1}}) {
            if (!req.has_param(name)) continue;
            const std::string text = req.get_param_value(name);
            double v = -1;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec != std::errc() || end != text.data() + text.size() || !(v >= lo && v <= hi)) {
              return send_error(res, invalid_argument("expected a number from " + Json(lo).dump() +
                                                          " to " + Json(hi).dump(),
                                                      name));
            }
            *target = v;
          }
          if (req.has_param("max_rules")) {
            const std::string text = req.get_param_value("max_rules");
            int64_t v = -1;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > 10000) {
              return send_error(
                  res, invalid_argument("expected an integer from 1 to 10000", "max_rules"));
            }
            max_rules = static_cast<int32_t>(v);
          }
          const std::string level =
              req.has_param("level") ? req.get_param_value("level") : std::string("product");
          const std::string source =
              req.has_param("source") ? req.get_param_value("source") : std::string("auto");
          Result<Json> out = basket_affinity(db, level, support, confidence, max_rules, source);
          if (!out.is_ok()) return send_error(res, out.status());
          Status audited = record_audit_at(
              options_.db_path, audit_actor(caller.name, to_string(caller.role)), "export.affinity",
              "level:" + level,
              dump_json(Json{{"min_support", support}, {"min_confidence", confidence}}));
          if (!audited.is_ok()) return send_error(res, audited);
          send_json(res, 200, *out);
        });
  route("POST", "/api/v1/replenishment/plan",
        [this](const httplib::Request& req, httplib::Response& res, Database& db,
               const TokenInfo& caller) {
          Result<Json> plan = replenishment_plan(db, req.body);
          if (!plan.is_ok()) return send_error(res, plan.status());
          Status audited = record_audit_at(
              options_.db_path, audit_actor(caller.name, to_string(caller.role)),
              "export.replenishment_plan", "product:" + (*plan)["product"].get<std::string>());
          if (!audited.is_ok()) return send_error(res, audited);
          send_json(res, 200, *plan);
        });
  route("POST", R"(/api/v1/jobs/(\d+)/cancel)",
        [this](const httplib::Request& req, httplib::Response& res, Database&,
               const TokenInfo& caller) {
          Result<int64_t> parsed_id = path_id(req);
          if (!parsed_id.is_ok()) return send_error(res, parsed_id.status());
          const int64_t id = *parsed_id;
          Status s = jobs_->cancel(id);
          if (!s.is_ok()) return send_error(res, s);
          s = record_audit_at(options_.db_path, audit_actor(caller.name, to_string(caller.role)),
                              "job.cancel", "job:" + std::to_string(id));
          if (!s.is_ok()) return send_error(res, s);
          send_json(res, 202, {{"id", id}, {"status", "cancelling"}});
        });
  register_governance_routes(route);
  register_promo_routes(route, options_.db_path);
  register_approval_routes(route, options_.db_path, options_.approval_rules);

  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_->render(), "text/plain; version=0.0.4");
  });
  if (!has_page) {
    http.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      send_error(
          res, Status(ErrorCode::kUnavailable, "the planner page is not built: no index.html in '" +
                                                   options_.web_root + "'"));
    });
  }
}

}  // namespace shelfcast::server
