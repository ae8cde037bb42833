#pragma once
// The REST API and the planner page, on cpp-httplib. Every /api/v1/ route but health and
// openapi.json needs a bearer token whose role the access matrix allows (auth/access.h).

#include <cstddef>
#include <memory>
#include <string>

#include "governance/approvals.h"
#include "shelfcast/result.h"

namespace httplib {
class Server;
}

namespace shelfcast::server {

class JobRunner;
class RateLimiter;
class StaticFiles;

/// How to serve.
struct ServeOptions {
  std::string db_path;
  std::string web_root;  ///< directory with index.html, lib/ (WASM) and vendor/ (Chart.js)
  /// Largest request body accepted (413 above): the API's bodies are small JSON documents; data
  /// arrives through `ingest` and `odoo pull`, not through the API.
  size_t max_request_bytes = 1 << 20;
  /// Requests per second per token (per address before authentication), bursts up to
  /// rate_burst; 429 with Retry-After above. 0 = no limit.
  double rate_per_second = 100.0;
  double rate_burst = 200.0;
  /// Approval routing thresholds, drift fallback and agent limits (`--approval-rules FILE`).
  ApprovalRules approval_rules = {};
};

/// The HTTP server; bind, then run listen() on the thread that should serve.
class ApiServer {
 public:
  /// Migrates the database and registers the routes.
  static Result<std::unique_ptr<ApiServer>> create(const ServeOptions& options);
  ~ApiServer();

  /// Binds host:port (port 0 = any free port) and returns the bound port.
  Result<int> bind(const std::string& host, int port);
  /// Serves until stop(); returns false when the listener failed.
  bool listen();
  /// Stops a running listen() from any thread.
  void stop();

 private:
  explicit ApiServer(ServeOptions options);
  void register_routes();

  ServeOptions options_;
  std::unique_ptr<httplib::Server> http_;
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<JobRunner> jobs_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<StaticFiles> static_files_;  ///< the planner page; null without one
};

}  // namespace shelfcast::server
