#pragma once
// A real ApiServer for route tests: a SQLite file in a temporary directory loaded with a dataset,
// one token per role, a stub planner page, listening on a loopback port in its own thread.

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "auth/tokens.h"
#include "routes/api.h"
#include "shelfcast/generate.h"
#include "store/db.h"
#include "store/store.h"
#include "support.h"

namespace shelfcast::test {

/// The monitoring tests' data: 2 stores x 4 products over 68 weeks from Monday 2024-01-01
/// (generator seed 8), split into the sales of the first 60 weeks (loaded before a forecast) and
/// those of the last 8 (arriving after it).
inline std::pair<Dataset, Dataset> sales_before_and_after_week_60() {
  GeneratorConfig config;
  config.seed = 8;
  config.n_stores = 2;
  config.n_categories = 1;
  config.n_products = 4;
  config.n_days = 476;
  config.n_customers = 5;
  Result<GeneratedData> generated = generate(config);
  REQUIRE(generated.is_ok());
  const Date cut{config.start.days + 7 * 60};
  Dataset early = generated->data, late = generated->data;
  early.lines.clear();
  late.lines.clear();
  for (const SalesLine& l : generated->data.lines) (l.date < cut ? early : late).lines.push_back(l);
  return {std::move(early), std::move(late)};
}

class RunningServer {
 public:
  /// `configure` adjusts the serve options (rate limits, approval rules, ...); tokens are named
  /// "test" (each shows as "test (role)"), or "t0".."t4" in Role order with `distinct_names`.
  explicit RunningServer(const Dataset& data,
                         const std::function<void(server::ServeOptions&)>& configure = nullptr,
                         bool distinct_names = false) {
    using server::Role;
    {
      auto db = server::Database::open(db_path(), server::Database::Mode::kReadWrite);
      REQUIRE(db.is_ok());
      REQUIRE(server::load_dataset(**db, data, {"test", "canonical", "x", 0}).is_ok());
      const Role roles[] = {Role::kPlanner, Role::kExecutive, Role::kApprover, Role::kAdmin,
                            Role::kBatch};
      for (int i = 0; i < 5; ++i) {
        tokens[i] = *server::generate_token();
        const std::string name = distinct_names ? "t" + std::to_string(i) : "test";
        REQUIRE(server::save_token(**db, server::sha256_hex(tokens[i]), roles[i], name).is_ok());
      }
    }
    write_file(dir.file("index.html"), "<!doctype html><title>planner</title>");
    server::ServeOptions options{db_path(), dir.path()};
    if (configure) configure(options);
    auto created = server::ApiServer::create(options);
    REQUIRE(created.is_ok());
    server = std::move(created).value();
    auto bound = server->bind("127.0.0.1", 0);
    REQUIRE(bound.is_ok());
    port = *bound;
    thread = std::thread([this] { server->listen(); });
  }
  ~RunningServer() {
    server->stop();
    thread.join();
  }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  std::string db_path() const { return dir.file("t.db"); }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(5);
    c.set_read_timeout(30);
    return c;
  }
  /// The Authorization header of a role's token (0 planner, 1 executive, 2 approver, 3 admin,
  /// 4 batch).
  httplib::Headers auth(int role = 0) const {
    return {{"Authorization", "Bearer " + tokens[role]}};
  }

  TempDir dir;
  std::unique_ptr<server::ApiServer> server;
  std::thread thread;
  int port = 0;
  std::string tokens[5];
};

}  // namespace shelfcast::test
