// Approved forecast overrides take effect: GET /api/v1/jobs/{id}/forecasts serves the override's
// units for that product x store x week, keeps the model's number beside it and names the
// approval; pending and rejected overrides change nothing.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

#include "running_server.h"
#include "support.h"

using namespace shelfcast;
using nlohmann::json;

namespace {

enum RoleIndex { kPlanner = 0, kApprover = 2 };

// BREAD sells 3-5 units a day in S01 for 20 weeks from Monday 2024-01-01.
Dataset bread() {
  Dataset d;
  d.stores = {{"S01", "Main Street", "North"}};
  d.categories = {{"BAKERY", "Bakery", -1}};
  d.products = {{"BREAD", "Sourdough", 0, 1.0, 3.0}};
  for (int day = 0; day < 140; ++day) {
    SalesLine l;
    l.date = Date{date_from_civil(2024, 1, 1).days + day};
    l.store = 0;
    l.product = 0;
    l.qty = 3.0 + static_cast<double>(day % 3);
    l.unit_price = 3.0;
    d.lines.push_back(l);
  }
  return d;
}

struct Server : test::RunningServer {
  Server() : test::RunningServer(bread(), nullptr, true) {}
  std::pair<int, json> post(const std::string& path, int role, const json& body) {
    auto c = client();
    auto r = c.Post(path.c_str(), auth(role), body.dump(), "application/json");
    REQUIRE(r);
    return {r->status, r->body.empty() ? json() : json::parse(r->body)};
  }
  json get(const std::string& path) {
    auto c = client();
    auto r = c.Get(path.c_str(), auth(kPlanner));
    REQUIRE(r);
    CAPTURE(r->body);
    REQUIRE(r->status == 200);
    return json::parse(r->body);
  }
};

json override_of(int64_t job, const std::string& week, double units) {
  return {{"kind", "forecast_override"},
          {"payload",
           {{"product", "BREAD"},
            {"store", "S01"},
            {"week", week},
            {"job", job},
            {"override_units", units}}}};
}

double components_sum(const json& row) {
  double sum = 0.0;
  for (const auto& [name, value] : row["components"].items()) sum += value.get<double>();
  return sum;
}

}  // namespace

TEST_CASE("approved forecast overrides are served in place of the model, with the model beside") {
  Server s;
  auto [started_status, started] =
      s.post("/api/v1/jobs/forecast", kPlanner, {{"horizon", 4}, {"reconcile", "none"}});
  REQUIRE(started_status == 202);
  const int64_t job = started["id"].get<int64_t>();
  json status;
  for (int i = 0; i < 2400; ++i) {
    status = s.get("/api/v1/jobs/" + std::to_string(job));
    if (status["status"] != "queued" && status["status"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(status["status"] == "done");
  const std::string path = "/api/v1/jobs/" + std::to_string(job) + "/forecasts?product=BREAD";
  const json before = s.get(path)["forecasts"];
  REQUIRE(before.size() == 4);
  auto week_of = [&](size_t step) { return before[step]["week"].get<std::string>(); };
  const double model1 = before[0]["mean"].get<double>(), model2 = before[1]["mean"].get<double>();
  REQUIRE(model1 > 0.0);

  // Week 1: 10% above the model, auto-approved. Week 2: twice the model, pending until an
  // approver approves it. Week 3: twice the model, rejected.
  auto [s1, auto_ok] =
      s.post("/api/v1/approvals", kPlanner, override_of(job, week_of(0), model1 * 1.1));
  REQUIRE(s1 == 201);
  CHECK(auto_ok["approvals"][0]["status"] == "auto_approved");
  const int64_t auto_id = auto_ok["approvals"][0]["id"].get<int64_t>();
  auto [s2, pending] =
      s.post("/api/v1/approvals", kPlanner, override_of(job, week_of(1), model2 * 2));
  REQUIRE(s2 == 201);
  CHECK(pending["approvals"][0]["status"] == "pending");
  const int64_t pending_id = pending["approvals"][0]["id"].get<int64_t>();
  auto [s3, rejected] = s.post("/api/v1/approvals", kPlanner,
                               override_of(job, week_of(2), before[2]["mean"].get<double>() * 2));
  REQUIRE(s3 == 201);
  const int64_t rejected_id = rejected["approvals"][0]["id"].get<int64_t>();
  REQUIRE(s.post("/api/v1/approvals/" + std::to_string(rejected_id) + "/reject", kApprover,
                 {{"comment", "no reason to double it"}})
              .first == 200);

  json served = s.get(path)["forecasts"];
  REQUIRE(served.size() == 4);
  // The auto-approved override is in force: mean, model_mean, the approval, parts adding up.
  CHECK(served[0]["mean"].get<double>() == doctest::Approx(model1 * 1.1));
  CHECK(served[0]["model_mean"].get<double>() == doctest::Approx(model1));
  CHECK(served[0]["override"]["approval"] == auto_id);
  CHECK(served[0]["override"]["status"] == "auto_approved");
  CHECK(served[0]["override"]["submitted_against_job"] == job);
  CHECK(served[0]["override"]["model_units_at_submission"].get<double>() ==
        doctest::Approx(model1));
  CHECK(components_sum(served[0]) == doctest::Approx(served[0]["mean"].get<double>()));
  CHECK(served[0]["components"]["override"].get<double>() == doctest::Approx(model1 * 0.1));
  for (const json& iv : served[0]["intervals"]) {
    CHECK(iv["lower"].get<double>() <= served[0]["mean"].get<double>());
    CHECK(iv["upper"].get<double>() >= served[0]["mean"].get<double>());
  }
  // Pending and rejected overrides change nothing; the other weeks are the model's.
  for (size_t i = 1; i < 4; ++i) {
    CAPTURE(i);
    CHECK_FALSE(served[i].contains("override"));
    CHECK(served[i]["mean"] == before[i]["mean"]);
  }

  // Once approved (by an approver, not the submitter), the second override is in force too.
  REQUIRE(s.post("/api/v1/approvals/" + std::to_string(pending_id) + "/approve", kApprover,
                 {{"comment", "bakery fair that week"}})
              .first == 200);
  served = s.get(path)["forecasts"];
  CHECK(served[1]["mean"].get<double>() == doctest::Approx(model2 * 2));
  CHECK(served[1]["model_mean"].get<double>() == doctest::Approx(model2));
  CHECK(served[1]["override"]["approval"] == pending_id);
  CHECK(served[1]["override"]["status"] == "approved");
  CHECK(served[1]["override"]["approved_by"].get<std::string>().find("approver") !=
        std::string::npos);
  CHECK_FALSE(served[2].contains("override"));

  // A later approved override of the same week replaces the earlier one.
  auto [s4, again] = s.post("/api/v1/approvals", kPlanner, override_of(job, week_of(0), model1));
  REQUIRE(s4 == 201);
  CHECK(again["approvals"][0]["status"] == "auto_approved");
  served = s.get(path)["forecasts"];
  CHECK(served[0]["override"]["approval"] == again["approvals"][0]["id"]);
  CHECK(served[0]["mean"].get<double>() == doctest::Approx(model1));
}
