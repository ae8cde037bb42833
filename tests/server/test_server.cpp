// The real server on a loopback port against a temporary SQLite file, talked to with a real
// HTTP client: routes, tokens, errors, and that nothing ever answers 500.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "auth/access.h"
#include "auth/tokens.h"
#include "routes/api.h"
#include "running_server.h"
#include "shelfcast/forecast.h"
#include "shelfcast/generate.h"
#include "shelfcast/promo.h"
#include "shelfcast/promo_sim.h"
#include "store/store.h"
#include "support.h"

using namespace shelfcast;
using namespace shelfcast::server;
using nlohmann::json;

namespace {

// Two stores, two products, three weeks of sales with one promotion and one holiday.
Dataset small_dataset() {
  Dataset d;
  d.stores = {{"S01", "Main Street", "North"}, {"S02", "Harbour", "South"}};
  d.categories = {{"DAIRY", "Dairy", -1}};
  d.products = {{"MILK", "Whole milk 1L", 0, 0.6, 1.0}, {"OAT", "Oat drink", 0, 0.9, 2.0}};
  Promotion promo;
  promo.code = "PR1";
  promo.depth = 0.25;
  promo.feature = true;
  promo.start = date_from_civil(2024, 1, 15);
  promo.end = date_from_civil(2024, 1, 21);
  promo.products = {0};
  d.promotions = {promo};
  d.holidays = {{date_from_civil(2024, 1, 1), "New Year's Day"}};
  auto line = [](int day, int store, int product, double qty, double discount, int promotion) {
    SalesLine l;
    l.date = Date{date_from_civil(2024, 1, 1).days + day};
    l.store = store;
    l.product = product;
    l.qty = qty;
    l.unit_price = product == 0 ? 1.0 : 2.0;
    l.discount = discount;
    l.promotion = promotion;
    return l;
  };
  d.lines = {line(0, 0, 0, 10, 0, -1), line(2, 0, 0, 5, 0, -1), line(15, 0, 0, 30, 0.25, 0),
             line(20, 1, 0, 4, 0, -1), line(3, 0, 1, 7, 0, -1)};
  return d;
}

struct RunningServer : test::RunningServer {
  explicit RunningServer(const Dataset& data = small_dataset(), double rate_per_second = 100.0,
                         size_t max_request_bytes = 1 << 20)
      : test::RunningServer(data, [=](ServeOptions& o) {
          o.rate_per_second = rate_per_second;
          o.rate_burst = 2.0 * rate_per_second;
          o.max_request_bytes = max_request_bytes;
        }) {}
};

json body(const httplib::Result& r) {
  REQUIRE(r);
  return json::parse(r->body);
}

}  // namespace

TEST_CASE("health and openapi answer without a token") {
  RunningServer s;
  auto c = s.client();
  auto health = c.Get("/api/v1/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(body(health)["status"] == "ok");
  CHECK(body(health)["sales_lines"] == 5);
  auto openapi = c.Get("/api/v1/openapi.json");
  REQUIRE(openapi);
  CHECK(openapi->status == 200);
  const json doc = body(openapi);
  CHECK(doc["openapi"] == "3.0.3");
  CHECK(doc["paths"].contains("/api/v1/series"));
  CHECK(doc["paths"]["/api/v1/jobs/{id}/cancel"].contains("post"));
  size_t operations = 0;
  for (const auto& [path, ops] : doc["paths"].items()) operations += ops.size();
  CHECK(operations == access_matrix().size());
}

namespace {

// A concrete request for each row of the access matrix (regex rows get a real id).
struct ConcreteRequest {
  std::string method, target, body;
};

ConcreteRequest concrete(const RouteAccess& a, int64_t job_id) {
  std::string target = a.path;
  const std::string id_pattern = R"((\d+))";
  const size_t at = target.find(id_pattern);
  if (at != std::string::npos) target.replace(at, id_pattern.size(), std::to_string(job_id));
  if (a.path == "/api/v1/series") target += "?product=MILK&store=S01";
  if (a.path == R"(/api/v1/promo/models/([^/]+))") target = "/api/v1/promo/models/DAIRY";
  if (a.path == R"(/api/v1/promo/context/([^/]+))") target = "/api/v1/promo/context/DAIRY";
  std::string body;
  if (a.path == "/api/v1/jobs/forecast") body = R"({"horizon":2})";
  if (a.path == "/api/v1/jobs/monitoring") body = R"({"job":)" + std::to_string(job_id) + "}";
  if (a.path == "/api/v1/jobs/retention") body = R"({"keep_days":3650})";
  if (a.path == "/api/v1/promo/models" || a.path == "/api/v1/jobs/promo_fit")
    body = R"({"category":"DAIRY"})";
  return {a.method, target, body};
}

httplib::Result send(httplib::Client& c, const ConcreteRequest& r, const httplib::Headers& h) {
  if (r.method == "GET") return c.Get(r.target.c_str(), h);
  return c.Post(r.target.c_str(), h, r.body, "application/json");
}

// Polls a job until it leaves queued/running (bounded: `polls` x 50 ms).
json wait_for_job(httplib::Client& c, const httplib::Headers& auth, int64_t id, int polls = 200) {
  json job;
  for (int i = 0; i < polls; ++i) {
    job = body(c.Get(("/api/v1/jobs/" + std::to_string(id)).c_str(), auth));
    if (job["status"] != "queued" && job["status"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return job;
}

}  // namespace

TEST_CASE(
    "every route with every role: 401 without or with a bad token, 403 where the matrix "
    "says no") {
  RunningServer s;
  auto c = s.client();
  const json submitted =
      body(c.Post("/api/v1/jobs/forecast", s.auth(), R"({"horizon":2})", "application/json"));
  const int64_t job_id = submitted["id"].get<int64_t>();
  wait_for_job(c, s.auth(), job_id);
  for (const RouteAccess& a : access_matrix()) {
    const ConcreteRequest r = concrete(a, job_id);
    CAPTURE(r.method);
    CAPTURE(r.target);
    if (a.is_public) {
      auto open = send(c, r, {});
      REQUIRE(open);
      CHECK(open->status == 200);
      continue;
    }
    auto none = send(c, r, {});
    REQUIRE(none);
    CHECK(none->status == 401);
    CHECK(body(none)["error"]["code"] == "unauthenticated");
    auto bad = send(c, r, httplib::Headers{{"Authorization", "Bearer sc_nope"}});
    REQUIRE(bad);
    CHECK(bad->status == 401);
    auto basic = send(c, r, httplib::Headers{{"Authorization", "Basic abc"}});
    REQUIRE(basic);
    CHECK(basic->status == 401);
    for (int role = 0; role < 5; ++role) {
      CAPTURE(role);
      auto res = send(c, r, s.auth(role));
      REQUIRE(res);
      if (role_allowed(a, static_cast<Role>(role))) {
        CHECK(res->status != 401);
        CHECK(res->status != 403);
        CHECK(res->status < 500);
      } else {
        CHECK(res->status == 403);
        CHECK(body(res)["error"]["code"] == "permission_denied");
      }
    }
  }
}

TEST_CASE("a forecast job runs in the background and stores forecasts with the model version") {
  RunningServer s;
  auto c = s.client();
  auto started = c.Post("/api/v1/jobs/forecast", s.auth(4),
                        R"({"horizon":3,"season_length":52,"levels":[80,95]})", "application/json");
  REQUIRE(started);
  REQUIRE(started->status == 202);
  const int64_t id = body(started)["id"].get<int64_t>();
  CHECK(started->get_header_value("Location") == "/api/v1/jobs/" + std::to_string(id));
  const json job = wait_for_job(c, s.auth(), id);
  REQUIRE(job["status"] == "done");
  CHECK(job["progress"] == 1.0);
  // MILK@S01, MILK@S02, OAT@S01 have sales; with the levels above them (total, 2 regions,
  // 2 categories, 2 category x region, 2 SKU x channel) 11 nodes are forecast.
  CHECK(job["items_total"] == 11);
  CHECK(job["model_version"] == core_model_version());
  CHECK(job["created_by"] == "test (batch)");
  CHECK(job["summary"]["series"] == 3);
  const json result = body(
      c.Get(("/api/v1/jobs/" + std::to_string(id) + "/forecasts?product=MILK&store=S01").c_str(),
            s.auth()));
  const json rows = result["forecasts"];
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["week"] == "2024-01-22");  // the week after the last complete week
  CHECK(rows[2]["step"] == 3);
  CHECK(rows[0]["model_version"] == core_model_version());
  CHECK(rows[0]["intervals"].size() == 2);
  CHECK(rows[0]["intervals"][0]["lower"].get<double>() <= rows[0]["mean"].get<double>());
  const json all =
      body(c.Get(("/api/v1/jobs/" + std::to_string(id) + "/forecasts").c_str(), s.auth()));
  CHECK(all["forecasts"].size() == 9);
  const json listed = body(c.Get("/api/v1/jobs", s.auth()))["jobs"];
  CHECK(listed[0]["id"] == id);

  // A finished job cannot be cancelled; unknown ids and bad bodies are 4xx, never 500.
  auto cancel = c.Post(("/api/v1/jobs/" + std::to_string(id) + "/cancel").c_str(), s.auth(), "",
                       "application/json");
  REQUIRE(cancel);
  CHECK(cancel->status == 422);
  struct Row {
    const char* body;
    const char* field;
  };
  const Row rows_bad[] = {{R"({"horizon":0})", "horizon"},
                          {R"({"reconcile":"magic"})", "reconcile"},
                          {R"({"backtest_origins":13})", "backtest_origins"},
                          {R"({"horizon":"x"})", "horizon"},
                          {R"({"levels":[120]})", "levels"},
                          {R"({"method":"magic"})", "method"},
                          {R"({"products":"MILK"})", "products"},
                          {R"({"colour":1})", "colour"},
                          {"{not json", ""}};
  for (const Row& r : rows_bad) {
    CAPTURE(r.body);
    auto bad = c.Post("/api/v1/jobs/forecast", s.auth(), r.body, "application/json");
    REQUIRE(bad);
    CHECK(bad->status == 400);
    if (*r.field) CHECK(body(bad)["error"]["field"] == r.field);
  }
  auto missing = c.Get("/api/v1/jobs/999", s.auth());
  REQUIRE(missing);
  CHECK(missing->status == 404);
  auto huge = c.Get("/api/v1/jobs/99999999999999999999999", s.auth());
  REQUIRE(huge);
  CHECK(huge->status < 500);
  auto bad_page =
      c.Get(("/api/v1/jobs/" + std::to_string(id) + "/forecasts?limit=-1").c_str(), s.auth());
  REQUIRE(bad_page);
  CHECK(bad_page->status == 400);
}

TEST_CASE("a forecast job reconciles series with the levels above them and backtests each level") {
  GeneratorConfig config;
  config.seed = 11;
  config.n_stores = 2;
  config.n_categories = 2;
  config.n_products = 3;
  config.n_days = 420;
  config.n_customers = 20;
  Result<GeneratedData> generated = generate(config);
  REQUIRE(generated.is_ok());
  RunningServer s(generated->data);
  auto c = s.client();
  auto started =
      c.Post("/api/v1/jobs/forecast", s.auth(),
             R"({"horizon":4,"backtest_origins":2,"backtest_step":4})", "application/json");
  REQUIRE(started);
  REQUIRE(started->status == 202);
  const std::string id = std::to_string(body(started)["id"].get<int64_t>());
  const json job = wait_for_job(c, s.auth(), std::stoll(id), 2400);
  CAPTURE(job.dump());
  REQUIRE(job["status"] == "done");
  const json& summary = job["summary"];
  CHECK(summary["series"] == 6);
  CHECK(summary["levels"]["total"] == 1);
  CHECK(summary["levels"]["region"] == 2);
  CHECK(summary["levels"]["sku,channel"] == 3);
  CHECK(summary["levels"]["sku,store"] == 6);
  CHECK((summary["reconcile"] == "mint_shrink" || summary.contains("reconcile_fallback")));

  // What the job learnt about price response: each product's stores pooled, a category's
  // products sharing a distribution (too few products here: the fitting prior is kept).
  const json& response = summary["price_response"];
  REQUIRE(response["products"].is_array());
  CHECK(response["products"].size() >= 1);
  for (const json& p : response["products"]) {
    CAPTURE(p.dump());
    CHECK(p["elasticity"].get<double>() <= 0.0);
    CHECK(p["elasticity_se"].get<double>() > 0.0);
    CHECK(p["lift_per_depth_se"].get<double>() > 0.0);
    CHECK(p["feature"].get<double>() >= 0.0);
    CHECK(p["display"].get<double>() >= 0.0);
    CHECK(p["feature_se"].get<double>() > 0.0);
    CHECK(p["stores"].get<int>() >= 1);
    CHECK(p["stores"].get<int>() <= 2);
  }
  REQUIRE(response["categories"].size() >= 1);
  CHECK(response["categories"][0]["category_estimated"] == false);

  // Coherent: the total equals the sum of the stored product-store forecasts at every step, and
  // each stored forecast's parts (the model's, plus the reconciliation's adjustment) add up.
  const json rows =
      body(c.Get(("/api/v1/jobs/" + id + "/forecasts").c_str(), s.auth()))["forecasts"];
  REQUIRE(rows.size() == 6 * 4);
  double sums[4] = {0, 0, 0, 0};
  for (const json& r : rows) {
    const double mean = r["mean"].get<double>();
    CHECK(mean >= 0.0);
    sums[r["step"].get<int>() - 1] += mean;
    double parts = 0.0;
    for (const auto& [name, v] : r["components"].items()) parts += v.get<double>();
    CHECK(parts == doctest::Approx(mean).epsilon(1e-9));
    CHECK(r["components"].contains("reconciliation"));
    CHECK(r["base_mean"].is_number());
  }
  const json total =
      body(c.Get(("/api/v1/jobs/" + id + "/levels?level=total").c_str(), s.auth()))["levels"];
  REQUIRE(total.size() == 4);
  for (const json& r : total) {
    CHECK(r["node"] == "total");
    CHECK(r["mean"].get<double>() == doctest::Approx(sums[r["step"].get<int>() - 1]).epsilon(1e-9));
    CHECK(r["model_version"] == core_model_version());
  }
  const json all_levels =
      body(c.Get(("/api/v1/jobs/" + id + "/levels").c_str(), s.auth()))["levels"];
  // total, 2 regions, 2 categories, 4 category x region, 3 SKU x channel; and the customer view:
  // segment "other" and its 2 categories.
  CHECK(all_levels.size() == 4 * (1 + 2 + 2 + 4 + 3 + 1 + 2));
  const json accuracy =
      body(c.Get(("/api/v1/jobs/" + id + "/accuracy").c_str(), s.auth()))["accuracy"];
  REQUIRE(accuracy.size() == 2 * 6);  // 5 levels + product-store, base and reconciled
  for (const json& a : accuracy) {
    CAPTURE(a.dump());
    CHECK(a["metrics"]["n"].get<int>() == a["nodes"].get<int>() * 2 * 4);
    CHECK(a["metrics"]["wape"].is_number());
  }

  // Loyalty demand by RFM segment: 20 customers, every segment under k = 10 joins "other".
  const json& seg = summary["customer_segments"];
  CAPTURE(seg.dump());
  REQUIRE(seg.contains("customers"));
  CHECK(seg["min_customers"] == 10);
  CHECK(seg["customers_left_out"] == 0);
  for (const auto& [name, n] : seg["segments"].items()) CHECK(n.get<int>() >= 10);
  const json segment_rows =
      body(c.Get(("/api/v1/jobs/" + id + "/levels?level=segment").c_str(), s.auth()))["levels"];
  CHECK(segment_rows.size() == 4 * seg["segments"].size());
  const json by_category = body(
      c.Get(("/api/v1/jobs/" + id + "/levels?level=segment,category").c_str(), s.auth()))["levels"];
  for (const json& r : segment_rows) {
    double parts = 0.0;
    for (const json& b : by_category) {
      if (b["step"] == r["step"] &&
          b["node"].get<std::string>().rfind(r["node"].get<std::string>() + "|", 0) == 0) {
        parts += b["mean"].get<double>();
      }
    }
    CHECK(r["mean"].get<double>() == doctest::Approx(parts).epsilon(1e-9));
  }
  // A k larger than the customer base suppresses every segment.
  auto strict = c.Post("/api/v1/jobs/forecast", s.auth(), R"({"horizon":2,"min_customers":1000})",
                       "application/json");
  const int64_t strict_id = body(strict)["id"].get<int64_t>();
  const json strict_job = wait_for_job(c, s.auth(), strict_id, 2400);
  REQUIRE(strict_job["status"] == "done");
  CHECK(strict_job["summary"]["customer_segments"]["customers"] == 0);
  CHECK(body(c.Get(("/api/v1/jobs/" + std::to_string(strict_id) + "/levels?level=segment").c_str(),
                   s.auth()))["levels"]
            .empty());

  // The model registry names the model version, the data version and the backtest.
  const json registry = body(c.Get("/api/v1/models", s.auth(1)))["models"];
  REQUIRE(registry.size() >= 1);
  const json& entry = registry.back();  // the oldest: this job
  CHECK(entry["job"].get<int64_t>() == std::stoll(id));
  CHECK(entry["model_version"] == core_model_version());
  CHECK(entry["data_hash"].get<std::string>().size() == 64);
  CHECK(entry["params"]["backtest_origins"] == 2);
  CHECK(entry["backtest"].contains("sku,store"));
  CHECK(entry["models"].size() >= 1);

  // reconcile = none: each series on its own, nothing above them.
  auto plain = c.Post("/api/v1/jobs/forecast", s.auth(), R"({"horizon":2,"reconcile":"none"})",
                      "application/json");
  const int64_t plain_id = body(plain)["id"].get<int64_t>();
  const json done = wait_for_job(c, s.auth(), plain_id, 2400);
  REQUIRE(done["status"] == "done");
  CHECK(done["items_total"] == 6);
  CHECK(done["summary"]["price_response"]["products"].size() == response["products"].size());
  CHECK(body(c.Get(("/api/v1/jobs/" + std::to_string(plain_id) + "/levels").c_str(),
                   s.auth()))["levels"]
            .empty());
}

TEST_CASE("a promotion scenario gets replenishment proposals in Odoo's terms") {
  GeneratorConfig config;
  config.seed = 5;
  config.n_stores = 3;
  config.n_categories = 1;
  config.n_products = 2;
  config.n_days = 420;  // 2024-01-01 .. 2025-02-23: the first forecast week is 2025-02-24
  config.n_customers = 5;
  Result<GeneratedData> generated = generate(config);
  REQUIRE(generated.is_ok());
  RunningServer s(generated->data);
  auto c = s.client();
  const std::string product = generated->data.products[0].code;
  const std::string body = R"({"product":")" + product +
                           R"(","vendor":"Acme","promotion":{"start":"2025-03-10","end":)"
                           R"("2025-03-23","depth":0.3,"feature":true},"pack_size":6})";
  auto r = c.Post("/api/v1/replenishment/plan", s.auth(), body, "application/json");
  REQUIRE(r);
  CAPTURE(r->body);
  REQUIRE(r->status == 200);
  const json plan = json::parse(r->body);
  CHECK(plan["week0"] == "2025-02-24");
  CHECK(plan["promotion_weeks"] == json::array({2, 3}));
  CHECK(plan["status"] == "proposal");
  REQUIRE(plan["stores"].size() == 3);
  REQUIRE(plan["forecasts"].size() == 3);
  for (const json& f : plan["forecasts"]) {
    // The promotion lifts its weeks and leaves the weeks before it alone.
    CHECK(f["with_promotion"][2].get<double>() > f["baseline"][2].get<double>());
    CHECK(f["with_promotion"][0].get<double>() == doctest::Approx(f["baseline"][0].get<double>()));
  }
  for (const json& p : plan["purchase_lines"]) {
    CHECK(p["model"] == "purchase.order.line");
    CHECK(p["partner_id"] == "Acme");
    const double q = p["product_qty"].get<double>();
    CHECK(std::fmod(q, 6.0) == doctest::Approx(0.0));  // whole packs
    CHECK_FALSE(p["reason"].get<std::string>().empty());
  }
  for (const json& o : plan["orderpoints"]) {
    CHECK(o["model"] == "stock.warehouse.orderpoint");
    CHECK(o["product_max_qty"].get<double>() >= o["product_min_qty"].get<double>());
  }
  struct Bad {
    std::string body;
    int status;
    const char* field;
  };
  const Bad bad[] = {
      {R"({"product":")" + product +
           R"(","promotion":{"start":"2025-03-10","end":"2025-03-23","depth":0.99}})",
       400, "promotion.depth"},
      {R"({"product":")" + product +
           R"(","promotion":{"start":"2025-01-06","end":"2025-01-12","depth":0.2}})",
       400, "promotion.start"},
      {R"({"product":")" + product +
           R"(","promotion":{"start":"2025-03-23","end":"2025-03-10","depth":0.2}})",
       400, "promotion.end"},
      {R"({"product":"NOPE","promotion":{"start":"2025-03-10","end":"2025-03-23","depth":0.2}})",
       404, ""},
      {R"({"promotion":{"start":"2025-03-10","end":"2025-03-23","depth":0.2}})", 400, "product"},
      {"[1]", 400, ""},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.body);
    auto res = c.Post("/api/v1/replenishment/plan", s.auth(), b.body, "application/json");
    REQUIRE(res);
    CHECK(res->status == b.status);
    if (*b.field) CHECK(json::parse(res->body)["error"]["field"] == b.field);
  }
}

TEST_CASE("customer and basket analytics answer with k-anonymous aggregates only") {
  GeneratorConfig config;
  config.seed = 21;
  config.n_stores = 2;
  config.n_categories = 3;
  config.n_products = 20;
  config.n_days = 365;
  config.n_customers = 400;
  Result<GeneratedData> generated = generate(config);
  REQUIRE(generated.is_ok());
  RunningServer s(generated->data);
  auto c = s.client();
  auto none = c.Get("/api/v1/analytics/customers", s.auth());
  REQUIRE(none);
  CHECK(none->status == 404);

  auto r = c.Post("/api/v1/analytics/customers", s.auth(), R"({"horizon_weeks":26})",
                  "application/json");
  REQUIRE(r);
  CAPTURE(r->body);
  REQUIRE(r->status == 200);
  const json run = json::parse(r->body);
  const int64_t customers = run["customers"].get<int64_t>();
  CHECK(customers > 100);
  CHECK(run["min_customers"] == 10);
  CHECK(run["bgnbd"]["r"].get<double>() > 0.0);
  for (const char* table : {"churn_segments", "rfm_segments"}) {
    CAPTURE(table);
    int64_t shown = 0;
    for (const json& seg : run[table]) {
      if (seg["suppressed"].get<bool>()) {
        CHECK_FALSE(seg.contains("customers"));  // neither numbers nor size
        CHECK_FALSE(seg.contains("clv"));
      } else {
        CHECK(seg["customers"].get<int64_t>() >= 10);
        shown += seg["customers"].get<int64_t>();
      }
    }
    CHECK(shown <= customers);
  }
  // Per-customer scores stay on the server: no pseudonym reaches the answer.
  for (const Customer& cust : generated->data.customers) {
    CHECK(r->body.find(cust.pseudonym) == std::string::npos);
  }
  const json latest = body(c.Get("/api/v1/analytics/customers", s.auth(1)));  // an executive
  CHECK(latest["run"] == run["run"]);

  auto lax =
      c.Post("/api/v1/analytics/customers", s.auth(), R"({"min_customers":3})", "application/json");
  REQUIRE(lax);
  CHECK(lax->status == 400);
  CHECK(json::parse(lax->body)["error"]["field"] == "min_customers");

  for (const char* level : {"product", "category"}) {
    CAPTURE(level);
    const json a = body(c.Get((std::string("/api/v1/analytics/affinity?level=") + level +
                               "&min_support=0.005&min_confidence=0.05")
                                  .c_str(),
                              s.auth()));
    CHECK(a["level"] == level);
    CHECK(a["transactions"].get<int64_t>() > 100);
    for (const json& rule : a["rules"]) CHECK(rule["count"].get<int64_t>() >= 10);
    for (const json& pair : a["affinity"]) CHECK(pair["count"].get<int64_t>() >= 10);
  }
  // Every export of aggregates is in the audit log, with who asked.
  const json audit = body(c.Get("/api/v1/audit?limit=1000", s.auth(3)));
  std::set<std::string> actions;
  for (const json& e : audit["entries"]) actions.insert(e["action"].get<std::string>());
  CHECK(actions.count("export.customer_segments") == 1);
  CHECK(actions.count("export.affinity") == 1);
  auto bad = c.Get("/api/v1/analytics/affinity?level=shelf", s.auth());
  REQUIRE(bad);
  CHECK(bad->status == 400);
  bad = c.Get("/api/v1/analytics/affinity?min_support=2", s.auth());
  REQUIRE(bad);
  CHECK(bad->status == 400);
}

TEST_CASE("request size and rate limits answer 413 and 429 with the JSON error body") {
  RunningServer s(small_dataset(), /*rate_per_second=*/2.0, /*max_request_bytes=*/4096);
  auto c = s.client();
  int limited = 0;
  for (int i = 0; i < 12; ++i) {
    auto r = c.Get("/api/v1/whoami", s.auth());
    REQUIRE(r);
    if (r->status == 429) {
      ++limited;
      CHECK(body(r)["error"]["code"] == "resource_exhausted");
      CHECK_FALSE(r->get_header_value("Retry-After").empty());
    } else {
      CHECK(r->status == 200);
    }
  }
  CHECK(limited >= 12 - 4 - 2);  // a burst of 4, then ~2 per second
  // Another token has its own bucket.
  auto other = c.Get("/api/v1/whoami", s.auth(3));
  REQUIRE(other);
  CHECK(other->status == 200);
  auto big = c.Post("/api/v1/jobs/forecast", s.auth(4), std::string(8192, ' '), "application/json");
  REQUIRE(big);
  CHECK(big->status == 413);
  CHECK(body(big)["error"]["code"] == "resource_exhausted");
}

TEST_CASE("monitoring scores a job against the actuals that arrive after it") {
  // The first 60 weeks now; the last 8 arrive after the forecast.
  const auto [early, late] = test::sales_before_and_after_week_60();
  RunningServer s(early);
  auto c = s.client();
  auto started = c.Post("/api/v1/jobs/forecast", s.auth(), R"({"horizon":8,"reconcile":"none"})",
                        "application/json");
  const int64_t id = body(started)["id"].get<int64_t>();
  REQUIRE(wait_for_job(c, s.auth(), id, 2400)["status"] == "done");
  const std::string monitor = "/api/v1/jobs/" + std::to_string(id) + "/monitor";
  const json before = body(c.Get(monitor.c_str(), s.auth()));
  CHECK(before["weeks_with_actuals"] == 0);
  CHECK(before["overall"]["n"] == 0);
  {
    auto db = Database::open(s.dir.file("t.db"), Database::Mode::kReadWrite);
    REQUIRE(db.is_ok());
    REQUIRE(load_dataset(**db, late, {"late", "canonical", "y", 0}).is_ok());
  }
  const json after = body(c.Get(monitor.c_str(), s.auth(1)));
  CAPTURE(after.dump());
  CHECK(after["weeks_with_actuals"] == 8);
  CHECK(after["series"] == 8);
  CHECK(after["overall"]["n"] == 8 * 8);
  CHECK(after["total"]["n"] == 8);
  CHECK(after["overall"]["wape"].get<double>() >= 0.0);
  CHECK(after["overall"]["tracking_signal"].is_number());
  CHECK(after["tracking_signal_limit"] == 4.0);
  double per_model = 0;
  for (const auto& [model, acc] : after["by_model"].items()) per_model += acc["n"].get<double>();
  CHECK(per_model == 8 * 8);
  for (const json& d : after["worst_drifting"]) {
    CHECK(std::fabs(d["tracking_signal"].get<double>()) > 4.0);
  }
  auto missing = c.Get("/api/v1/jobs/9999/monitor", s.auth());
  REQUIRE(missing);
  CHECK(missing->status == 404);
}

TEST_CASE("the page's CSP names its inline import map by hash; whoami names the caller; gzip") {
  // The standalone page resolves its ES modules with an inline import map (web/standalone/).
  test::TempDir www;
  {
    std::ofstream page(www.file("index.html"));
    page << R"(<html><head><script type="importmap">{"imports":{}}</script></head></html>)";
  }
  test::RunningServer s(small_dataset(), [&](ServeOptions& o) { o.web_root = www.path(); });
  auto c = s.client();
  auto r = c.Get("/");
  REQUIRE(r);
  CHECK(r->status == 200);
  const std::string csp = r->get_header_value("Content-Security-Policy");
  CAPTURE(csp);
  // base64(SHA-256('{"imports":{}}')), as `openssl dgst -sha256 -binary | base64` prints it.
  CHECK(csp.find("script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval' "
                 "'sha256-URrTy+Il/Nz0lHojVUx275hWqAWhkSF0VsHbUM4/6Hw='; ") != std::string::npos);
  CHECK(csp.find("style-src 'self';") != std::string::npos);
  const json me = body(c.Get("/api/v1/whoami", s.auth(2)));
  CHECK(me["role"] == "approver");
  CHECK(me["name"] == "test");
  CHECK(me["actor"] == "test (approver)");
  // Gzip even when the browser also accepts Brotli (httplib's Brotli costs ~0.5 s a script).
  httplib::Headers accept = s.auth(2);
  accept.emplace("Accept-Encoding", "gzip, deflate, br");
  auto products = c.Get("/api/v1/products", accept);
  REQUIRE(products);
  CHECK(products->status == 200);
  CHECK(products->get_header_value("Content-Encoding") == "gzip");
}

TEST_CASE("products and stores list what was loaded, best sellers first") {
  RunningServer s;
  auto c = s.client();
  const json products = body(c.Get("/api/v1/products", s.auth()))["products"];
  REQUIRE(products.size() == 2);
  CHECK(products[0]["code"] == "MILK");
  CHECK(products[0]["units"] == 49.0);
  CHECK(products[0]["category"] == "Dairy");
  CHECK(products[0]["category_code"] == "DAIRY");  // what the promotion routes take
  CHECK(products[1]["code"] == "OAT");
  const json stores = body(c.Get("/api/v1/stores", s.auth()))["stores"];
  REQUIRE(stores.size() == 2);
  CHECK(stores[1]["region"] == "South");
}

TEST_CASE("series returns weekly units, price and promotion flags over the whole period") {
  RunningServer s;
  auto c = s.client();
  auto r = c.Get("/api/v1/series?product=MILK&store=S01", s.auth());
  REQUIRE(r);
  REQUIRE(r->status == 200);
  const json points = body(r)["points"];
  REQUIRE(points.size() == 3);  // 2024-01-01 .. 2024-01-21: three Monday weeks
  CHECK(points[0]["week"] == "2024-01-01");
  CHECK(points[0]["units"] == 15.0);
  CHECK(points[0]["holiday"] == true);
  CHECK(points[0]["complete"] == true);
  CHECK(points[1]["units"] == 0.0);
  CHECK(points[1]["avg_price"] == 1.0);
  CHECK(points[2]["units"] == 30.0);
  CHECK(points[2]["promo_depth"] == 0.25);
  CHECK(points[2]["feature"] == true);
  CHECK(points[2]["avg_price"].get<double>() == doctest::Approx(0.75));
}

TEST_CASE("bad requests get 4xx with the error envelope, never 500") {
  RunningServer s;
  auto c = s.client();
  struct Row {
    const char* target;
    int status;
    const char* code;
    const char* field;
  };
  const Row rows[] = {
      {"/api/v1/series?product=NOPE&store=S01", 404, "not_found", "product"},
      {"/api/v1/series?product=MILK&store=S99", 404, "not_found", "store"},
      {"/api/v1/series?store=S01", 400, "invalid_argument", "product"},
      {"/api/v1/series?product=MILK&store=", 400, "invalid_argument", "store"},
      {"/api/v1/series?product=%27%3B%20DROP%20TABLE%20products%3B--&store=S01", 404, "not_found",
       "product"},
      {"/api/v1/nothing-here", 404, "not_found", ""},
  };
  for (const Row& row : rows) {
    CAPTURE(row.target);
    auto r = c.Get(row.target, s.auth());
    REQUIRE(r);
    CHECK(r->status == row.status);
    const json e = body(r)["error"];
    CHECK(e["code"] == row.code);
    if (*row.field) CHECK(e["field"] == row.field);
  }
  // The products table survived the injection attempt.
  CHECK(body(c.Get("/api/v1/products", s.auth()))["products"].size() == 2);
  auto metrics = c.Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->status == 200);
  CHECK(metrics->body.find("shelfcast_http_requests_total") != std::string::npos);
  CHECK(metrics->body.find("status=\"500\"") == std::string::npos);
}

TEST_CASE("the planner page and its assets are served from the web root") {
  RunningServer s;
  auto c = s.client();
  auto page = c.Get("/");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->body.find("planner") != std::string::npos);
  CHECK(page->get_header_value("Content-Type").find("text/html") == 0);
  auto missing = c.Get("/lib/none.js");
  REQUIRE(missing);
  CHECK(missing->status == 404);
}

TEST_CASE("the page's files come gzipped once, revalidate by ETag, follow the disk, stay inside") {
  test::TempDir www;
  std::string script = "// a module\n";
  for (int i = 0; i < 200; ++i)
    script += "export const x" + std::to_string(i) + " = " + std::to_string(i) + ";\n";
  test::write_file(www.file("index.html"), "<!doctype html><title>planner</title>");
  std::filesystem::create_directories(www.file("lib"));
  test::write_file(www.file("lib/app.js"), script);
  test::write_file(www.file("lib/icon.png"), std::string(600, '\x7f'));
  // A link back to the root: the start-up walk does not follow it (it would never end).
  std::filesystem::create_directory_symlink(www.path(), www.file("lib/loop"));
  test::RunningServer s(small_dataset(), [&](ServeOptions& o) { o.web_root = www.path(); });
  auto c = s.client();
  c.set_decompress(false);  // the bytes as sent
  const httplib::Headers gzip = {{"Accept-Encoding", "gzip, deflate, br"}};

  // Compressed once at start: the gzip bytes inflate to the file; the type names the charset.
  auto packed = c.Get("/lib/app.js", gzip);
  REQUIRE(packed);
  CHECK(packed->status == 200);
  CHECK(packed->get_header_value("Content-Encoding") == "gzip");
  CHECK(packed->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
  CHECK(packed->get_header_value("Cache-Control") == "no-cache");
  CHECK(packed->get_header_value("Vary") == "Accept-Encoding");
  REQUIRE(packed->body.size() > 2);
  CHECK(static_cast<unsigned char>(packed->body[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(packed->body[1]) == 0x8b);
  CHECK(packed->body.size() < script.size() / 3);
  {
    auto inflating = s.client();  // decompresses, as browsers do
    auto plain = inflating.Get("/lib/app.js", gzip);
    REQUIRE(plain);
    CHECK(plain->body == script);
  }
  // Without gzip in Accept-Encoding: the file as it is; a type that does not compress likewise.
  auto raw = c.Get("/lib/app.js", {{"Accept-Encoding", "identity"}});
  REQUIRE(raw);
  CHECK(raw->get_header_value("Content-Encoding").empty());
  CHECK(raw->body == script);
  auto refused = c.Get("/lib/app.js", {{"Accept-Encoding", "gzip;q=0"}});
  REQUIRE(refused);
  CHECK(refused->get_header_value("Content-Encoding").empty());
  auto icon = c.Get("/lib/icon.png", gzip);
  REQUIRE(icon);
  CHECK(icon->get_header_value("Content-Type") == "image/png");
  CHECK(icon->get_header_value("Content-Encoding").empty());
  CHECK(icon->body == std::string(600, '\x7f'));

  // Revalidation: the ETag gets a 304 without a body; HEAD answers the headers only.
  const std::string etag = packed->get_header_value("ETag");
  REQUIRE(etag.size() > 2);
  auto again = c.Get("/lib/app.js", {{"If-None-Match", etag}});
  REQUIRE(again);
  CHECK(again->status == 304);
  CHECK(again->body.empty());
  auto head = c.Head("/lib/app.js");
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->body.empty());

  // A file rewritten or added on disk is served as it is now, under a new ETag.
  test::write_file(www.file("lib/app.js"), script + "export const late = 1;\n");
  auto changed = c.Get("/lib/app.js", {{"If-None-Match", etag}});
  REQUIRE(changed);
  CHECK(changed->status == 200);
  CHECK(changed->body == script + "export const late = 1;\n");
  CHECK(changed->get_header_value("ETag") != etag);
  test::write_file(www.file("lib/new.css"), "body { color: black; }");
  auto added = c.Get("/lib/new.css");
  REQUIRE(added);
  CHECK(added->status == 200);
  CHECK(added->get_header_value("Content-Type") == "text/css; charset=utf-8");

  // Nothing outside the web root or besides regular files; /api/ never comes from the disk.
  test::write_file(www.path() + "-outside.txt", "secret");  // beside the web root
  const std::string outside = www.path().substr(www.path().rfind('/') + 1) + "-outside.txt";
  std::filesystem::create_directories(www.file("api/v1"));
  test::write_file(www.file("api/v1/stores"), "[]");
  for (const std::string& path :
       {"/../" + outside, "/lib/../../" + outside, "/%2e%2e/" + outside, std::string("/lib"),
        std::string("/lib/"), std::string("//lib/app.js"), std::string("/lib/./app.js"),
        std::string("/missing.js")}) {
    CAPTURE(path);
    auto r = c.Get(path.c_str());
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body.find("secret") == std::string::npos);
  }
  auto stores = c.Get("/api/v1/stores");
  REQUIRE(stores);
  CHECK(stores->status == 401);  // the API's answer (no token), not the file
  std::filesystem::remove(www.path() + "-outside.txt");
}

TEST_CASE("a category's promotion model is fitted from the stored sales, stored and served") {
  RunningServer s;
  auto c = s.client();
  auto none = c.Get("/api/v1/promo/models/DAIRY", s.auth(1));
  REQUIRE(none);
  CHECK(none->status == 404);
  CHECK(body(none)["error"]["field"] == "category");
  // The executive may read but not fit.
  auto denied =
      c.Post("/api/v1/promo/models", s.auth(1), R"({"category":"DAIRY"})", "application/json");
  REQUIRE(denied);
  CHECK(denied->status == 403);
  auto fitted =
      c.Post("/api/v1/promo/models", s.auth(0), R"({"category":"DAIRY"})", "application/json");
  REQUIRE(fitted);
  REQUIRE(fitted->status == 201);
  const json rec = body(fitted);
  CHECK(rec["category"] == "DAIRY");
  CHECK(rec["model_version"].get<std::string>().find("promo-panel-10") != std::string::npos);
  CHECK(rec["model"]["schema"] == "shelfcast.promo_model");
  CHECK(rec["data_hash"].get<std::string>().size() == 64);
  CHECK(rec["created_by"].get<std::string>().find("planner") != std::string::npos);
  // Every product id of the artifact has a code; list prices ride along for the simulator.
  std::set<int64_t> ids;
  for (const json& p : rec["products"]) ids.insert(p["id"].get<int64_t>());
  REQUIRE_FALSE(rec["model"]["products"].empty());
  for (const json& p : rec["model"]["products"]) CHECK(ids.count(p["product"].get<int64_t>()) == 1);
  CHECK(rec["model"]["prices"].size() == rec["products"].size());
  // The artifact reads back in the core, and the GET serves the newest.
  CHECK(promo_model_from_json(rec["model"].dump()).is_ok());
  auto got = c.Get("/api/v1/promo/models/DAIRY", s.auth(1));
  REQUIRE(got);
  CHECK(got->status == 200);
  CHECK(body(got)["id"] == rec["id"]);
  // The same fit as a background job: the summary names the stored model, which GET serves.
  auto queued =
      c.Post("/api/v1/jobs/promo_fit", s.auth(4), R"({"category":"DAIRY"})", "application/json");
  REQUIRE(queued);
  REQUIRE(queued->status == 202);
  const json job = wait_for_job(c, s.auth(), body(queued)["id"].get<int64_t>());
  REQUIRE(job["status"] == "done");
  CHECK(job["kind"] == "promo_fit");
  CHECK(job["summary"]["promo_model"].get<int64_t>() > rec["id"].get<int64_t>());
  CHECK(body(c.Get("/api/v1/promo/models/DAIRY", s.auth(1)))["id"] ==
        job["summary"]["promo_model"]);
  auto unknown =
      c.Post("/api/v1/jobs/promo_fit", s.auth(0), R"({"category":"NOPE"})", "application/json");
  REQUIRE(unknown);
  CHECK(unknown->status == 400);
  CHECK(body(unknown)["error"]["field"] == "category");
  // The context opens a simulation with the artifact: prices, costs and stock by the same ids.
  auto context = c.Get("/api/v1/promo/context/DAIRY", s.auth(1));
  REQUIRE(context);
  REQUIRE(context->status == 200);
  const json ctx = body(context);
  CHECK(ctx["products"].size() == 2);
  CHECK(ctx["products"][0]["regular_price"] == 1.0);
  std::string plan = ctx.dump();
  plan.insert(1, R"("promotions":[{"products":[)" +
                     std::to_string(rec["model"]["products"][0]["product"].get<int64_t>()) +
                     R"(],"start_week":3000,"end_week":3001,"depth":0.2}],)");
  const auto model_back = promo_model_from_json(rec["model"].dump());
  const auto plan_back = promo_plan_from_json(plan);
  REQUIRE(plan_back.is_ok());
  const auto simulated = simulate_promo(*model_back, *plan_back);
  CAPTURE(simulated.status().message());
  REQUIRE(simulated.is_ok());
  CHECK(simulated->totals.lift > 0.0);
  auto missing = c.Get("/api/v1/promo/context/NOPE", s.auth(1));
  REQUIRE(missing);
  CHECK(missing->status == 404);
  // A stored artifact of an earlier panel (promo-panel-2, kept in a database from before) is not
  // served: the page would fail to open it; the category reads as not fitted, and a fit replaces
  // it (scripts/run fits the categories that have none).
  {
    auto db = Database::open(s.dir.file("t.db"), Database::Mode::kReadWrite);
    REQUIRE(db.is_ok());
    REQUIRE(
        (*db)
            ->exec("UPDATE promo_models SET model_version = 'shelfcast-core 0.1.0/promo-panel-2'")
            .is_ok());
  }
  auto stale = c.Get("/api/v1/promo/models/DAIRY", s.auth(1));
  REQUIRE(stale);
  CHECK(stale->status == 404);
  CHECK(body(stale)["error"]["message"].get<std::string>().find("promo-panel-2") !=
        std::string::npos);
  auto refit =
      c.Post("/api/v1/promo/models", s.auth(0), R"({"category":"DAIRY"})", "application/json");
  REQUIRE(refit);
  CHECK(refit->status == 201);
  auto served = c.Get("/api/v1/promo/models/DAIRY", s.auth(1));
  REQUIRE(served);
  CHECK(served->status == 200);
  // The fit is in the audit log.
  const json audit = body(c.Get("/api/v1/audit", s.auth(3)));
  bool found = false;
  for (const json& e : audit["entries"]) found = found || e["action"] == "promo.fit";
  CHECK(found);
  struct Row {
    const char* name;
    const char* body;
    int status;
    const char* field;
  };
  const Row rows[] = {{"not json", "{", 400, "body"},
                      {"no category", "{}", 400, "category"},
                      {"category not a string", R"({"category":7})", 400, "category"},
                      {"unknown field", R"({"category":"DAIRY","depth":1})", 400, "depth"},
                      {"unknown category", R"({"category":"NOPE"})", 404, "category"}};
  for (const Row& row : rows) {
    SUBCASE(row.name) {
      auto res = c.Post("/api/v1/promo/models", s.auth(0), row.body, "application/json");
      REQUIRE(res);
      CHECK(res->status == row.status);
      CHECK(body(res)["error"]["field"] == row.field);
    }
  }
}
