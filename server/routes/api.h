#pragma once
// The REST API and the planner page, on cpp-httplib. Every /api/v1/ route but health and
// openapi.json needs a bearer token whose role the access matrix allows (auth/access.h).

#include <memory>
#include <string>

#include "shelfcast/result.h"

namespace httplib {
class Server;
}

namespace shelfcast::server {

class JobRunner;

/// How to serve.
struct ServeOptions {
  std::string db_path;
  std::string web_root;  ///< directory with index.html, lib/ (WASM) and vendor/ (Chart.js)
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
};

}  // namespace shelfcast::server
