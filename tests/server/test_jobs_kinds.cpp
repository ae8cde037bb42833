// The batch job kinds beside forecasts (customers, basket, retention, monitoring) through the
// real server on a temporary SQLite file: each runs to done and stores its result, a queued job
// can be cancelled, bad bodies are 400 naming the field, and migration 009 keeps the forecast
// jobs of an older database.
#include <doctest/doctest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "auth/tokens.h"
#include "jobs/batch_jobs.h"
#include "routes/api.h"
#include "routes/http_status.h"
#include "running_server.h"
#include "shelfcast/forecast.h"
#include "shelfcast/generate.h"
#include "store/batch_store.h"
#include "store/store.h"
#include "support.h"

using namespace shelfcast;
using namespace shelfcast::server;
using nlohmann::json;

namespace {

enum RoleIndex { kPlanner = 0, kExecutive = 1, kApprover = 2, kAdmin = 3, kBatch = 4 };

struct JobServer : test::RunningServer {
  explicit JobServer(const Dataset& data)
      : test::RunningServer(data, [](ServeOptions& o) {
          o.rate_per_second = 1000.0;
          o.rate_burst = 2000.0;
        }) {}
};

json body(const httplib::Result& r) {
  REQUIRE(r);
  return json::parse(r->body);
}

// Submits a job; REQUIREs 202 and returns its id.
int64_t submit(httplib::Client& c, const httplib::Headers& auth, const std::string& kind,
               const std::string& request) {
  auto r = c.Post(("/api/v1/jobs/" + kind).c_str(), auth, request, "application/json");
  REQUIRE(r);
  CAPTURE(r->body);
  REQUIRE(r->status == 202);
  const json j = json::parse(r->body);
  CHECK(r->get_header_value("Location") == "/api/v1/jobs/" + std::to_string(j["id"].get<int>()));
  return j["id"].get<int64_t>();
}

// Polls a job until it leaves queued/running (at most about two minutes).
json wait_for(httplib::Client& c, const httplib::Headers& auth, int64_t id) {
  json job;
  for (int i = 0; i < 2400; ++i) {
    job = body(c.Get(("/api/v1/jobs/" + std::to_string(id)).c_str(), auth));
    if (job["status"] != "queued" && job["status"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return job;
}

Dataset loyalty_data() {
  GeneratorConfig config;
  config.seed = 21;
  config.n_stores = 2;
  config.n_categories = 3;
  config.n_products = 20;
  config.n_days = 365;
  config.n_customers = 400;
  Result<GeneratedData> generated = generate(config);
  REQUIRE(generated.is_ok());
  return generated->data;
}

// Rules as comparable tuples: antecedent|consequent -> (count, support, confidence).
std::map<std::string, std::tuple<int64_t, double, double>> rule_set(const json& rules) {
  std::map<std::string, std::tuple<int64_t, double, double>> out;
  for (const json& r : rules) {
    out[r["antecedent"].dump() + "=>" + r["consequent"].get<std::string>()] = {
        r["count"].get<int64_t>(), r["support"].get<double>(), r["confidence"].get<double>()};
  }
  return out;
}

std::set<std::string> audit_actions(httplib::Client& c, const JobServer& s,
                                    std::vector<json>* entries = nullptr) {
  const json audit = body(c.Get("/api/v1/audit?limit=1000", s.auth(kAdmin)));
  std::set<std::string> actions;
  for (const json& e : audit["entries"]) {
    actions.insert(e["action"].get<std::string>());
    if (entries) entries->push_back(e);
  }
  return actions;
}

}  // namespace

TEST_CASE("customers, basket and retention jobs run in the background and store their results") {
  JobServer s(loyalty_data());
  auto c = s.client();

  SUBCASE("customers: scores stored by pseudonym, the job summary without segment tables") {
    const int64_t id = submit(c, s.auth(kBatch), "customers", R"({"horizon_weeks":26})");
    const json job = wait_for(c, s.auth(), id);
    CAPTURE(job.dump());
    REQUIRE(job["status"] == "done");
    CHECK(job["kind"] == "customers");
    CHECK(job["progress"] == 1.0);
    CHECK(job["model_version"] == core_model_version());
    CHECK(job["created_by"] == "test (batch)");
    CHECK(job["params"]["horizon_weeks"] == 26);
    CHECK(job["params"]["min_customers"] == 10);
    const json& summary = job["summary"];
    CHECK(summary["customers"].get<int64_t>() > 100);
    CHECK(summary["bgnbd"]["r"].get<double>() > 0.0);
    CHECK(summary["churn_segments"]["shown"].get<int64_t>() >= 1);
    CHECK_FALSE(summary.dump().find("\"clv\"") != std::string::npos);  // no segment figures
    // The run is the latest customer analytics: its k-anonymous tables through the audited GET.
    const json latest = body(c.Get("/api/v1/analytics/customers", s.auth(kExecutive)));
    CHECK(latest["run"] == summary["run"]);
    for (const json& seg : latest["churn_segments"]) {
      if (!seg["suppressed"].get<bool>()) CHECK(seg["customers"].get<int64_t>() >= 10);
    }
    // The registry names what made it.
    const json models = body(c.Get("/api/v1/models", s.auth()))["models"];
    REQUIRE(models.size() >= 1);
    CHECK(models[0]["job"] == id);
    CHECK(models[0]["kind"] == "customers");
    CHECK(models[0]["model_version"] == core_model_version());
  }

  SUBCASE("basket: rules stored with the job and served by GET affinity with its job id") {
    // Before any basket job the affinity is mined on request.
    const std::string query =
        "/api/v1/analytics/affinity?level=category&min_support=0.005&"
        "min_confidence=0.05&max_rules=10000";
    const json live_first = body(c.Get(query.c_str(), s.auth()));
    CHECK(live_first["source"] == "live");
    auto no_job = c.Get((query + "&source=job").c_str(), s.auth());
    REQUIRE(no_job);
    CHECK(no_job->status == 404);

    const int64_t id = submit(c, s.auth(), "basket",
                              R"({"level":"category","min_support":0.005,)"
                              R"("min_confidence":0.05,"max_len":4})");
    const json job = wait_for(c, s.auth(), id);
    CAPTURE(job.dump());
    REQUIRE(job["status"] == "done");
    CHECK(job["kind"] == "basket");
    CHECK(job["progress"] == 1.0);
    const json& summary = job["summary"];
    CHECK(summary["transactions"].get<int64_t>() > 100);
    CHECK(summary["rules_stored"].get<int64_t>() > 0);
    CHECK(summary["model_version"] == core_model_version());
    CHECK_FALSE(summary.contains("rules_list"));

    const json stored = body(c.Get(query.c_str(), s.auth(kExecutive)));
    CHECK(stored["source"] == "job");
    CHECK(stored["job"] == id);
    CHECK(stored["model_version"] == core_model_version());
    CHECK(stored["rules"].size() == summary["rules_stored"].get<size_t>());
    for (const json& r : stored["rules"]) CHECK(r["count"].get<int64_t>() >= 10);
    // The stored rules are exactly what mining on request finds, at the job's thresholds and at
    // stricter ones (the stored set filtered).
    const json live = body(c.Get((query + "&source=live").c_str(), s.auth()));
    CHECK(live["source"] == "live");
    CHECK(rule_set(stored["rules"]) == rule_set(live["rules"]));
    CHECK(stored["affinity"].size() == live["affinity"].size());
    const std::string strict =
        "/api/v1/analytics/affinity?level=category&min_support=0.05&"
        "min_confidence=0.3&max_rules=10000";
    const json strict_stored = body(c.Get(strict.c_str(), s.auth()));
    const json strict_live = body(c.Get((strict + "&source=live").c_str(), s.auth()));
    CHECK(strict_stored["source"] == "job");
    CHECK(rule_set(strict_stored["rules"]) == rule_set(strict_live["rules"]));
    // Looser thresholds than the job's, or another level: mined on request.
    const json looser = body(
        c.Get("/api/v1/analytics/affinity?level=category&min_support=0.001&min_confidence=0.05",
              s.auth()));
    CHECK(looser["source"] == "live");
    const json product = body(c.Get("/api/v1/analytics/affinity?level=product", s.auth()));
    CHECK(product["source"] == "live");
    // Stored in the table with the job.
    auto db = Database::open(s.dir.file("t.db"), Database::Mode::kReadOnly);
    REQUIRE(db.is_ok());
    Result<BasketReport> rows = stored_basket_rules(**db, id);
    REQUIRE(rows.is_ok());
    CHECK(rows->rules.size() == summary["rules_stored"].get<size_t>());
  }

  SUBCASE("retention: the purge as a job, audited with who asked, and planners may not") {
    const int64_t lines_before = body(c.Get("/api/v1/health"))["sales_lines"].get<int64_t>();
    auto refused = c.Post("/api/v1/jobs/retention", s.auth(kPlanner), R"({"keep_days":90})",
                          "application/json");
    REQUIRE(refused);
    CHECK(refused->status == 403);
    const int64_t id = submit(c, s.auth(kAdmin), "retention", R"({"keep_days":90})");
    const json job = wait_for(c, s.auth(), id);
    CAPTURE(job.dump());
    REQUIRE(job["status"] == "done");
    CHECK(job["kind"] == "retention");
    CHECK(job["progress"] == 1.0);
    const int64_t purged = job["summary"]["lines_purged"].get<int64_t>();
    CHECK(purged > 0);
    CHECK(job["summary"]["keep_days"] == 90);
    CHECK(job["summary"]["weekly_aggregates_kept"].get<int64_t>() > 0);
    const int64_t lines_after = body(c.Get("/api/v1/health"))["sales_lines"].get<int64_t>();
    CHECK(lines_after == lines_before - purged);
    std::vector<json> entries;
    const std::set<std::string> actions = audit_actions(c, s, &entries);
    CHECK(actions.count("retention.purge") == 1);
    bool submit_logged = false, purge_by_admin = false;
    for (const json& e : entries) {
      if (e["action"] == "job.submit" && e["target"] == "job:" + std::to_string(id)) {
        submit_logged = e["details"]["kind"] == "retention" && e["actor"] == "test (admin)";
      }
      if (e["action"] == "retention.purge") purge_by_admin = e["actor"] == "test (admin)";
    }
    CHECK(submit_logged);
    CHECK(purge_by_admin);
  }
}

TEST_CASE("a monitoring job stores a forecast job's figures against the actuals that arrived") {
  // The first 60 weeks now; the last 8 arrive after the forecast.
  const auto [early, late] = test::sales_before_and_after_week_60();
  JobServer s(early);
  auto c = s.client();
  const int64_t forecast = submit(c, s.auth(), "forecast", R"({"horizon":8,"reconcile":"none"})");
  REQUIRE(wait_for(c, s.auth(), forecast)["status"] == "done");

  const int64_t before =
      submit(c, s.auth(), "monitoring", "{\"job\":" + std::to_string(forecast) + "}");
  const json before_job = wait_for(c, s.auth(), before);
  REQUIRE(before_job["status"] == "done");
  CHECK(before_job["kind"] == "monitoring");
  CHECK(before_job["summary"]["weeks_with_actuals"] == 0);
  {
    auto db = Database::open(s.dir.file("t.db"), Database::Mode::kReadWrite);
    REQUIRE(db.is_ok());
    REQUIRE(load_dataset(**db, late, {"late", "canonical", "y", 0}).is_ok());
  }
  const int64_t after =
      submit(c, s.auth(kBatch), "monitoring", "{\"job\":" + std::to_string(forecast) + "}");
  const json after_job = wait_for(c, s.auth(), after);
  CAPTURE(after_job.dump());
  REQUIRE(after_job["status"] == "done");
  CHECK(after_job["progress"] == 1.0);
  const json& summary = after_job["summary"];
  CHECK(summary["job"] == forecast);
  CHECK(summary["weeks_with_actuals"] == 8);
  CHECK(summary["overall"]["n"] == 8 * 8);
  // The stored figures are those the live monitor route computes.
  const json live =
      body(c.Get(("/api/v1/jobs/" + std::to_string(forecast) + "/monitor").c_str(), s.auth()));
  CHECK(summary["overall"] == live["overall"]);
  CHECK(summary["total"] == live["total"]);
  auto db = Database::open(s.dir.file("t.db"), Database::Mode::kReadOnly);
  REQUIRE(db.is_ok());
  // Each monitoring job keeps its own snapshot: the first saw no actuals, the second eight weeks.
  Result<std::string> first = monitor_snapshot(**db, before);
  Result<std::string> second = monitor_snapshot(**db, after);
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());
  CHECK(json::parse(*first)["weeks_with_actuals"] == 0);
  CHECK(json::parse(*second)["weeks_with_actuals"] == 8);
  const json listed = body(c.Get("/api/v1/jobs", s.auth()))["jobs"];
  std::set<std::string> kinds;
  for (const json& j : listed) kinds.insert(j["kind"].get<std::string>());
  CHECK(kinds == std::set<std::string>{"forecast", "monitoring"});
}

TEST_CASE("a queued job of any kind can be cancelled before it starts") {
  JobServer s(loyalty_data());
  auto c = s.client();
  const int64_t lines = body(c.Get("/api/v1/health"))["sales_lines"].get<int64_t>();
  // A slow forecast job holds the one worker while the others wait in the queue.
  const int64_t busy = submit(c, s.auth(), "forecast", R"({"horizon":8,"backtest_origins":3})");
  const int64_t basket = submit(c, s.auth(), "basket", "{}");
  const int64_t retention = submit(c, s.auth(kBatch), "retention", R"({"keep_days":30})");
  const int64_t customers = submit(c, s.auth(), "customers", "{}");
  for (int64_t id : {basket, retention, customers}) {
    CAPTURE(id);
    const json queued = body(c.Get(("/api/v1/jobs/" + std::to_string(id)).c_str(), s.auth()));
    CHECK(queued["status"] == "queued");
    auto r = c.Post(("/api/v1/jobs/" + std::to_string(id) + "/cancel").c_str(), s.auth(), "",
                    "application/json");
    REQUIRE(r);
    CHECK(r->status == 202);
  }
  for (int64_t id : {basket, retention, customers}) {
    CAPTURE(id);
    const json job = wait_for(c, s.auth(), id);
    CHECK(job["status"] == "cancelled");
    CHECK(job["error"] == "cancelled before it started");
    auto again = c.Post(("/api/v1/jobs/" + std::to_string(id) + "/cancel").c_str(), s.auth(), "",
                        "application/json");
    REQUIRE(again);
    CHECK(again->status == 422);
  }
  CHECK(wait_for(c, s.auth(), busy)["status"] == "done");
  // The cancelled retention job purged nothing.
  CHECK(body(c.Get("/api/v1/health"))["sales_lines"] == lines);
  std::vector<json> entries;
  CHECK(audit_actions(c, s, &entries).count("retention.purge") == 0);
  CHECK(std::count_if(entries.begin(), entries.end(),
                      [](const json& e) { return e["action"] == "job.cancel"; }) == 3);
}

TEST_CASE("bad job bodies answer 400 naming the field, and nothing is queued") {
  JobServer s(loyalty_data());
  auto c = s.client();
  struct Row {
    const char* kind;
    const char* body;
    const char* field;
  };
  const Row rows[] = {
      {"customers", R"({"horizon_weeks":0})", "horizon_weeks"},
      {"customers", R"({"min_customers":3})", "min_customers"},
      {"customers", R"({"margin":"all"})", "margin"},
      {"customers", R"({"colour":1})", "colour"},
      {"basket", R"({"level":"shelf"})", "level"},
      {"basket", R"({"min_support":0})", "min_support"},
      {"basket", R"({"min_confidence":1.5})", "min_confidence"},
      {"basket", R"({"max_len":1})", "max_len"},
      {"basket", R"({"max_rules":2.5})", "max_rules"},
      {"basket", R"([1,2])", ""},
      {"retention", "{}", "keep_days"},
      {"retention", R"({"keep_days":3})", "keep_days"},
      {"retention", R"({"keep_days":"90"})", "keep_days"},
      {"retention", R"({"keep_days":90,"dry_run":true})", "dry_run"},
      {"monitoring", "{}", "job"},
      {"monitoring", R"({"job":"1"})", "job"},
      {"monitoring", R"({"job":999})", "job"},
      {"monitoring", "{not json", ""},
  };
  for (const Row& r : rows) {
    CAPTURE(r.kind);
    CAPTURE(r.body);
    auto res = c.Post((std::string("/api/v1/jobs/") + r.kind).c_str(), s.auth(kAdmin), r.body,
                      "application/json");
    REQUIRE(res);
    CHECK(res->status == 400);
    const json err = body(res)["error"];
    CHECK(err["code"] == "invalid_argument");
    if (*r.field) CHECK(err["field"] == r.field);
  }
  // A monitoring job needs a finished forecast job, not any job.
  const int64_t basket = submit(c, s.auth(), "basket", "{}");
  wait_for(c, s.auth(), basket);
  auto not_forecast = c.Post("/api/v1/jobs/monitoring", s.auth(),
                             "{\"job\":" + std::to_string(basket) + "}", "application/json");
  REQUIRE(not_forecast);
  CHECK(not_forecast->status == 400);
  CHECK(body(not_forecast)["error"]["field"] == "job");
  CHECK(body(c.Get("/api/v1/jobs", s.auth()))["jobs"].size() == 1);
  auto bad_source = c.Get("/api/v1/analytics/affinity?source=cache", s.auth());
  REQUIRE(bad_source);
  CHECK(bad_source->status == 400);
  CHECK(body(bad_source)["error"]["field"] == "source");
}

namespace {

// Runs SQL on a raw connection (the database as an older binary left it).
void raw_exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  CAPTURE(sql.substr(0, 200));
  CAPTURE(error ? std::string(error) : std::string());
  sqlite3_free(error);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("migration 009 rebuilds jobs and keeps an older database's forecast jobs and rows") {
  test::TempDir dir;
  const std::string path = dir.file("old.db");
  // The schema as it was before 009: every migration file numbered below it, applied in order.
  const std::filesystem::path sql_dir = std::filesystem::path(SHELFCAST_FIXTURES_DIR) / ".." /
                                        ".." / "server" / "store" / "migrations";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(sql_dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".sql" && std::stoi(name.substr(0, 3)) < 9) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 7);
  const int old_version = std::stoi(files.back().filename().string().substr(0, 3));
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    raw_exec(raw, "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL");
    for (const auto& file : files) raw_exec(raw, test::read_file(file.string()));
    raw_exec(raw, "PRAGMA user_version = " + std::to_string(old_version));
    raw_exec(raw, R"SQL(
      INSERT INTO stores(id, code) VALUES (1, 'S1');
      INSERT INTO products(id, code) VALUES (1, 'P1');
      INSERT INTO jobs(id, kind, status, progress, items_total, items_done, params_json,
                       summary_json, error, model_version, created_by, created_at, started_at,
                       finished_at)
        VALUES (1, 'forecast', 'done', 1, 1, 1, '{"horizon":2}', '{"series":1}', '', 'core-old',
                'lead (planner)', '2026-01-05T10:00:00Z', '2026-01-05T10:00:01Z',
                '2026-01-05T10:00:09Z'),
               (2, 'forecast', 'failed', 0.5, 2, 1, '{"horizon":3}', '{}', 'boom', 'core-old',
                'ops (batch)', '2026-01-06T10:00:00Z', NULL, NULL);
      INSERT INTO forecasts(job_id, product_id, store_id, step, week, mean, intervals_json, model,
                            model_version, base_mean, components_json)
        VALUES (1, 1, 1, 1, 19730, 4.5, '[]', 'ETS(A,N,N)', 'core-old', 4.0, '{}'),
               (1, 1, 1, 2, 19737, 5.5, '[]', 'ETS(A,N,N)', 'core-old', 5.0, '{}');
      INSERT INTO level_forecasts VALUES (1, 'total', 'total', 1, 19730, 4.5, 4.0, '[]', 'ETS',
                                          'core-old');
      INSERT INTO level_accuracy VALUES (1, 'total', 'base', 1, '{"n":2}');
      INSERT INTO model_registry(job_id, kind, model_version, data_hash, params_json, metrics_json,
                                 models_json, created_at)
        VALUES (1, 'forecast', 'core-old', 'abc', '{}', '{}', '{}', '2026-01-05T10:00:09Z');
    )SQL");
    sqlite3_close(raw);
  }

  auto db = Database::open(path, Database::Mode::kReadWrite);  // migrates
  REQUIRE(db.is_ok());
  Result<int> version = (*db)->schema_version();
  REQUIRE(version.is_ok());
  CHECK(*version >= 9);
  Result<JobRow> one = get_job(**db, 1);
  REQUIRE(one.is_ok());
  CHECK(one->kind == "forecast");
  CHECK(one->status == "done");
  CHECK(one->params_json == R"({"horizon":2})");
  CHECK(one->summary_json == R"({"series":1})");
  CHECK(one->model_version == "core-old");
  CHECK(one->created_by == "lead (planner)");
  CHECK(one->started_at == "2026-01-05T10:00:01Z");
  CHECK(one->finished_at == "2026-01-05T10:00:09Z");
  Result<JobRow> two = get_job(**db, 2);
  REQUIRE(two.is_ok());
  CHECK(two->status == "failed");
  CHECK(two->error == "boom");
  CHECK(two->progress == 0.5);
  CHECK(two->started_at.empty());
  Result<std::vector<StoredForecast>> rows = job_forecasts(**db, 1, "", "", 100, 0);
  REQUIRE(rows.is_ok());
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[1].mean == 5.5);
  Result<std::vector<LevelForecastRow>> levels = job_level_forecasts(**db, 1, "", "", 100, 0);
  REQUIRE(levels.is_ok());
  CHECK(levels->size() == 1);
  Result<std::vector<RegistryEntry>> registry = list_models(**db, 10);
  REQUIRE(registry.is_ok());
  CHECK(registry->size() == 1);

  // The child tables still reference jobs (not a renamed copy), every reference resolves, and
  // foreign keys are still enforced.
  {  // statements end before the connection does
    Result<Statement> schema =
        (*db)->prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name");
    REQUIRE(schema.is_ok());
    std::map<std::string, std::string> tables;
    while (schema->step()) tables[schema->text(0)] = schema->text(1);
    CHECK(tables.count("jobs_pre009") == 0);
    CHECK(tables["jobs"].find("'monitoring'") != std::string::npos);
    for (const char* child : {"forecasts", "level_forecasts", "level_accuracy", "model_registry"}) {
      CAPTURE(child);
      CHECK(tables[child].find("REFERENCES jobs(id)") != std::string::npos);
    }
    Result<Statement> check = (*db)->prepare("PRAGMA foreign_key_check");
    REQUIRE(check.is_ok());
    CHECK_FALSE(check->step());
    CHECK(check->status().is_ok());
  }
  CHECK_FALSE((*db)
                  ->exec("INSERT INTO forecasts(job_id, product_id, store_id, step, week, mean, "
                         "intervals_json, model, model_version) VALUES (99, 1, 1, 1, 0, 0, '[]', "
                         "'x', 'y')")
                  .is_ok());
  // The new kinds are accepted, an unknown one still refused; ids continue after the old ones.
  for (const char* kind : {"basket", "customers", "retention", "monitoring"}) {
    CAPTURE(kind);
    Result<int64_t> id = create_job(**db, kind, "{}", "v", "t");
    REQUIRE(id.is_ok());
    CHECK(*id > 2);
  }
  CHECK_FALSE(create_job(**db, "astrology", "{}", "v", "t").is_ok());
  // Opening again does not migrate twice.
  db->reset();
  auto reopened = Database::open(path, Database::Mode::kReadWrite);
  REQUIRE(reopened.is_ok());
  Result<std::vector<JobRow>> all = list_jobs(**reopened, 100);
  REQUIRE(all.is_ok());
  CHECK(all->size() == 6);
}

TEST_CASE("job body decoders answer a value or a 4xx for mutated bodies, never a crash") {
  test::TempDir dir;
  auto db = Database::open(dir.file("f.db"), Database::Mode::kReadWrite);
  REQUIRE(db.is_ok());
  Result<int64_t> forecast = create_job(**db, "forecast", "{}", "v", "t");
  REQUIRE(forecast.is_ok());
  REQUIRE(finish_job(**db, *forecast, "done", "{}", "").is_ok());
  const std::pair<const char*, json> seeds[] = {
      {"customers", {{"horizon_weeks", 26}, {"margin", 0.3}, {"min_customers", 10}}},
      {"basket", {{"level", "category"}, {"min_support", 0.01}, {"max_len", 3}, {"max_rules", 50}}},
      {"retention", {{"keep_days", 90}}},
      {"monitoring", {{"job", *forecast}}}};
  const json odd[] = {nullptr,       -1, 0, 1e308, "x", json::array(), json::object(), true,
                      99999999999LL, 0.5};
  std::mt19937_64 rng(7);
  int accepted = 0;
  for (int i = 0; i < 400; ++i) {
    const auto& [kind, seed] = seeds[i % 4];
    json doc = seed;
    auto it = doc.begin();
    std::advance(it, static_cast<long>(rng() % doc.size()));
    switch (rng() % 4) {
      case 0:
        doc.erase(it.key());
        break;
      case 1:
        doc["extra"] = odd[rng() % 10];
        break;
      default:
        *it = odd[rng() % 10];
    }
    std::string text = doc.dump();
    if (rng() % 5 == 0) text = text.substr(0, rng() % (text.size() + 1));
    CAPTURE(kind);
    CAPTURE(text);
    Result<std::string> params = decode_batch_job(**db, kind, text);
    if (params.is_ok()) {
      ++accepted;
      CHECK(json::parse(*params).is_object());
    } else {
      CHECK(http_status(params.status().code()) >= 400);
      CHECK(http_status(params.status().code()) < 500);
    }
  }
  CHECK(accepted > 0);
}
