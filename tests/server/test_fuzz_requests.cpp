// Bounded, seeded fuzzing of the server's request decoders (forecast job spec, replenishment
// scenario, customer analytics body): structurally and textually mutated bodies must come back
// as a value or a 4xx status -- never a crash, never a 5xx code. Runs under ASan + UBSan in CI.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "jobs/analytics.h"
#include "jobs/job_runner.h"
#include "jobs/replenish_plan.h"
#include "routes/http_status.h"
#include "shelfcast/generate.h"
#include "store/db.h"
#include "store/store.h"
#include "support.h"

using namespace shelfcast;
using namespace shelfcast::server;

namespace {

// A seeded source of choices (the tests are deterministic run to run).
struct Choices {
  std::mt19937_64 engine;
  explicit Choices(uint64_t seed) : engine(seed) {}
  uint64_t below(uint64_t n) { return n == 0 ? 0 : engine() % n; }
};

Json random_value(Choices* rng) {
  switch (rng->below(8)) {
    case 0:
      return nullptr;
    case 1:
      return -1;
    case 2:
      return 1e308;
    case 3:
      return "x";
    case 4:
      return Json::array();
    case 5:
      return Json::object();
    case 6:
      return true;
    default:
      return 99999999999LL;
  }
}

std::string mutate(const Json& seed, Choices* rng) {
  Json doc = seed;
  Json* at = &doc;
  for (int depth = 0; depth < 3 && at->is_object() && !at->empty(); ++depth) {
    auto it = at->begin();
    std::advance(it, static_cast<long>(rng->below(at->size())));
    if (rng->below(2) == 0) {
      if (rng->below(2) == 0)
        at->erase(it.key());
      else
        *it = random_value(rng);
      break;
    }
    at = &*it;
  }
  std::string text = dump_json(doc);
  if (rng->below(4) == 0 && !text.empty()) {
    text.resize(static_cast<size_t>(rng->below(text.size())));  // cut short
  }
  return text;
}

// A status the API would answer with: 4xx for anything a caller sent.
void check_client_error(const Status& s) {
  CAPTURE(s.to_string());
  CHECK(http_status(s.code()) >= 400);
  CHECK(http_status(s.code()) < 500);
}

}  // namespace

TEST_CASE("fuzz: server request decoders answer a value or a 4xx, never a crash or a 5xx") {
  test::TempDir dir;
  const std::string path = dir.file("f.db");
  GeneratorConfig config;
  config.seed = 3;
  config.n_stores = 2;
  config.n_categories = 1;
  config.n_products = 2;
  config.n_days = 210;
  config.n_customers = 40;
  Result<GeneratedData> data = generate(config);
  REQUIRE(data.is_ok());
  auto db = Database::open(path, Database::Mode::kReadWrite);
  REQUIRE(db.is_ok());
  REQUIRE(load_dataset(**db, data->data, {"fuzz", "canonical", "z", 0}).is_ok());

  Choices rng(20261126);
  const Json job = {{"products", {data->data.products[0].code}},
                    {"horizon", 4},
                    {"levels", {80, 95}},
                    {"method", "auto"},
                    {"reconcile", "bottom_up"},
                    {"backtest_origins", 1}};
  for (int i = 0; i < 300; ++i) {
    Result<ForecastJobSpec> spec = decode_forecast_job(mutate(job, &rng));
    if (!spec.is_ok()) check_client_error(spec.status());
  }
  const Json plan = {
      {"product", data->data.products[0].code},
      {"promotion", {{"start", "2024-08-05"}, {"end", "2024-08-11"}, {"depth", 0.2}}},
      {"lead_time_weeks", 1}};
  int plans = 0;
  for (int i = 0; i < 60; ++i) {
    Result<Json> r = replenishment_plan(**db, mutate(plan, &rng));
    if (r.is_ok()) {
      ++plans;
    } else {
      check_client_error(r.status());
    }
  }
  const Json analytics = {{"horizon_weeks", 26}, {"min_customers", 10}, {"margin", 0.3}};
  for (int i = 0; i < 30; ++i) {
    Result<Json> r = run_customer_analytics(**db, mutate(analytics, &rng), "fuzz (batch)");
    if (!r.is_ok()) check_client_error(r.status());
  }
  MESSAGE("replenishment scenarios accepted: " << plans << " of 60");
}
