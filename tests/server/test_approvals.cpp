// Approval routing, the exception agents and the drift fallback (issue 7), against the real
// server on a loopback port and a temporary SQLite file.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

#include "auth/access.h"
#include "auth/tokens.h"
#include "governance/approvals.h"
#include "routes/api.h"
#include "running_server.h"
#include "store/audit_store.h"
#include "store/store.h"
#include "support.h"

using namespace shelfcast;
using namespace shelfcast::server;
using nlohmann::json;

namespace {

enum RoleIndex { kPlanner = 0, kExecutive = 1, kApprover = 2, kAdmin = 3, kBatch = 4 };

// MILK sells `units_per_day(day)` a day in S01 and S02 from Monday 2024-01-01 for `days` days.
// S01 holds 5 units with a two-week lead time, S02 holds 200.
Dataset milk_dataset(int first_day, int days, double scale_s01 = 1.0) {
  Dataset d;
  d.stores = {{"S01", "Main Street", "North"}, {"S02", "Harbour", "South"}};
  d.categories = {{"DAIRY", "Dairy", -1}};
  d.products = {{"MILK", "Whole milk 1L", 0, 0.6, 1.0}};
  for (int day = first_day; day < first_day + days; ++day) {
    for (int store = 0; store < 2; ++store) {
      SalesLine l;
      l.date = Date{date_from_civil(2024, 1, 1).days + day};
      l.store = store;
      l.product = 0;
      l.qty = (2.0 + static_cast<double>(day % 3)) * (store == 0 ? scale_s01 : 1.0);
      l.unit_price = 1.0;
      d.lines.push_back(l);
    }
  }
  return d;
}

Dataset milk_with_stock() {
  Dataset d = milk_dataset(0, 140);  // 20 full weeks, about 21 units a week per store
  InventoryPosition s01;
  s01.store = 0;
  s01.product = 0;
  s01.on_hand = 5;
  s01.lead_time_mean_days = 14;
  InventoryPosition s02 = s01;
  s02.store = 1;
  s02.on_hand = 200;
  d.inventory = {s01, s02};
  return d;
}

struct Server : test::RunningServer {
  explicit Server(const Dataset& data, const ApprovalRules& rules = {})
      : test::RunningServer(
            data, [rules](ServeOptions& o) { o.approval_rules = rules; }, true) {}
  // POST with a JSON body; returns (status, body).
  std::pair<int, json> post(const std::string& path, int role, const json& body = nullptr) {
    auto c = client();
    auto r =
        c.Post(path.c_str(), auth(role), body.is_null() ? "" : body.dump(), "application/json");
    REQUIRE(r);
    return {r->status, r->body.empty() ? json() : json::parse(r->body)};
  }
  json get(const std::string& path, int role) {
    auto c = client();
    auto r = c.Get(path.c_str(), auth(role));
    REQUIRE(r);
    CAPTURE(r->body);
    REQUIRE(r->status == 200);
    return json::parse(r->body);
  }
  // Runs a forecast job and waits for it.
  int64_t forecast(const std::string& params) {
    auto [status, started] = post("/api/v1/jobs/forecast", kPlanner, json::parse(params));
    REQUIRE(status == 202);
    const int64_t id = started["id"].get<int64_t>();
    json job;
    for (int i = 0; i < 2400; ++i) {
      job = get("/api/v1/jobs/" + std::to_string(id), kPlanner);
      if (job["status"] != "queued" && job["status"] != "running") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(job["status"] == "done");
    return id;
  }
};

json promotion(double depth, const json& margin) {
  json p = {{"product", "MILK"},
            {"promotion", {{"start", "2024-06-03"}, {"end", "2024-06-09"}, {"depth", depth}}}};
  if (!margin.is_null()) p["incremental_margin"] = margin;
  return {{"kind", "promotion"}, {"payload", p}};
}

json override_of(double model, double units) {
  return {{"kind", "forecast_override"},
          {"payload",
           {{"product", "MILK"},
            {"store", "S01"},
            {"week", "2024-05-20"},
            {"model_units", model},
            {"override_units", units}}}};
}

json replenishment(double risk) {
  return {{"kind", "replenishment"},
          {"title", "MILK for S01"},
          {"payload",
           {{"purchase_lines",
             {{{"partner_id", "Acme"},
               {"product_id", "MILK"},
               {"location", "S01"},
               {"product_qty", 48.0},
               {"date_planned", "2024-05-27"},
               {"reason", "promotion weeks need 48 units"}}}},
            {"transfers",
             {{{"location_id", "S02"},
               {"location_dest_id", "S01"},
               {"product_id", "MILK"},
               {"product_uom_qty", 10.0},
               {"scheduled_date", "2024-05-20"}}}},
            {"stockout_risk", risk}}}};
}

std::vector<std::string> reasons(const json& approval) {
  return approval["reasons"].get<std::vector<std::string>>();
}

bool has_reason(const json& approval, const std::string& word) {
  for (const std::string& r : reasons(approval)) {
    if (r.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE(
    "approval rules: documented defaults, a rules file overrides them, a bad one names "
    "the field") {
  const ApprovalRules defaults;
  CHECK(defaults.max_discount_depth == 0.30);
  CHECK(defaults.min_incremental_margin == 0.0);
  CHECK(defaults.max_override_fraction == 0.20);
  CHECK(defaults.max_stockout_risk == 0.10);
  CHECK(defaults.tracking_signal_limit == 4.0);
  auto parsed = parse_approval_rules(R"({"max_discount_depth":0.5,"tracking_signal_limit":6})");
  REQUIRE(parsed.is_ok());
  CHECK(parsed->max_discount_depth == 0.5);
  CHECK(parsed->tracking_signal_limit == 6.0);
  CHECK(parsed->max_override_fraction == 0.20);  // untouched
  CHECK(approval_rules_json(*parsed)["max_discount_depth"] == 0.5);

  struct Bad {
    const char* text;
    const char* field;
  };
  for (const Bad& b :
       {Bad{R"({"max_discount_depth":"deep"})", "max_discount_depth"},
        Bad{R"({"max_stockout_risk":2})", "max_stockout_risk"},
        Bad{R"({"max_discount":0.3})", "max_discount"}, Bad{"[1]", ""}, Bad{"{", ""}}) {
    CAPTURE(b.text);
    auto r = parse_approval_rules(b.text);
    REQUIRE_FALSE(r.is_ok());
    CHECK(r.status().code() == ErrorCode::kInvalidArgument);
    CHECK(r.status().field() == b.field);
  }

  // serve refuses a bad rules file with one line naming the file and the field.
  test::TempDir dir;
  test::write_file(dir.file("rules.json"), R"({"max_override_fraction": -1})");
  auto run = test::run_shelfcast({"serve", "--db", dir.file("s.db"), "--port", "0",
                                  "--approval-rules", dir.file("rules.json")});
  CHECK(run.exit_code == 1);
  CHECK(run.err.find("rules.json") != std::string::npos);
  CHECK(run.err.find("field 'max_override_fraction'") != std::string::npos);
}

TEST_CASE("approval routing: each threshold routes to an approver, the rest is auto-approved") {
  Server s(milk_dataset(0, 140));
  const json batch = {{"submissions",
                       {promotion(0.20, 100.0), promotion(0.40, 100.0), promotion(0.20, -5.0),
                        promotion(0.20, nullptr), override_of(100, 110), override_of(100, 150),
                        replenishment(0.05), replenishment(0.30)}}};
  auto [status, out] = s.post("/api/v1/approvals", kPlanner, batch);
  CAPTURE(out.dump());
  REQUIRE(status == 201);
  const json& a = out["approvals"];
  REQUIRE(a.size() == 8);
  CHECK(a[0]["status"] == "auto_approved");
  CHECK(a[0]["reasons"].empty());
  CHECK(a[0]["evaluation"].size() >= 2);  // every rule that applied is recorded
  CHECK(a[1]["status"] == "pending");
  CHECK(has_reason(a[1], "discount depth"));
  CHECK(a[2]["status"] == "pending");
  CHECK(has_reason(a[2], "incremental margin"));
  CHECK(a[3]["status"] == "pending");  // a promotion without its margin is checked by a person
  CHECK(has_reason(a[3], "not given"));
  CHECK(a[4]["status"] == "auto_approved");
  CHECK(a[5]["status"] == "pending");
  CHECK(has_reason(a[5], "override"));
  CHECK(a[6]["status"] == "auto_approved");
  CHECK(a[7]["status"] == "pending");
  CHECK(has_reason(a[7], "stockout risk"));
  for (const json& x : a) CHECK(x["submitted_by"] == "t0 (planner)");

  // Listing and filtering; every role reads.
  CHECK(s.get("/api/v1/approvals?status=pending", kExecutive)["approvals"].size() == 5);
  CHECK(s.get("/api/v1/approvals?status=auto_approved", kBatch)["approvals"].size() == 3);
  CHECK(s.get("/api/v1/approvals/" + a[1]["id"].dump(), kApprover)["kind"] == "promotion");
  // Forecast override frequency per product and store.
  const json stats = s.get("/api/v1/approvals/stats", kExecutive);
  CHECK(stats["by_status"]["pending"] == 5);
  REQUIRE(stats["override_frequency"].size() == 1);
  CHECK(stats["override_frequency"][0]["product"] == "MILK");
  CHECK(stats["override_frequency"][0]["store"] == "S01");
  CHECK(stats["override_frequency"][0]["overrides"] == 2);
  CHECK(stats["override_frequency"][0]["pending"] == 1);
  CHECK(stats["override_frequency"][0]["mean_abs_change"].get<double>() == doctest::Approx(0.3));
  // The auto-approved replenishment is already in the Odoo outbox, in Odoo's field names.
  const json outbox = s.get("/api/v1/odoo/outbox", kAdmin)["records"];
  REQUIRE(outbox.size() == 2);
  CHECK(outbox[0]["model"] == "purchase.order.line");
  CHECK(outbox[0]["values"]["product_id"] == "MILK");
  CHECK(outbox[0]["values"]["partner_id"] == "Acme");
  CHECK(outbox[0]["values"]["product_qty"] == 48.0);
  CHECK(outbox[0]["values"]["date_planned"] == "2024-05-27");
  CHECK(outbox[0]["values"]["state"] == "draft");
  CHECK(outbox[1]["model"] == "stock.picking");
  CHECK(outbox[1]["values"]["location_dest_id"] == "S01");
  CHECK(outbox[0]["status"] == "ready");

  // Bad submissions: 400 naming the field, nothing stored.
  struct Bad {
    json body;
    const char* field;
  };
  for (const Bad& b :
       {Bad{{{"kind", "coupon"}, {"payload", json::object()}}, "kind"},
        Bad{{{"kind", "promotion"}, {"payload", {{"product", "MILK"}}}}, "payload.depth"},
        Bad{{{"submissions",
              {promotion(0.1, 1.0), {{"kind", "replenishment"}, {"payload", json::object()}}}}},
            "submissions[1].payload"},
        Bad{{{"kind", "forecast_override"},
             {"payload",
              {{"product", "MILK"},
               {"store", "S01"},
               {"week", "2024-05-20"},
               {"override_units", 3}}}},
            "payload.model_units"}}) {
    CAPTURE(b.body.dump());
    auto [bad_status, bad] = s.post("/api/v1/approvals", kPlanner, b.body);
    CHECK(bad_status == 400);
    CHECK(bad["error"]["field"] == b.field);
  }
  CHECK(s.get("/api/v1/approvals", kPlanner)["approvals"].size() == 8);

  // Thresholds come from the rules: a laxer depth limit auto-approves the 40% promotion.
  ApprovalRules lax;
  lax.max_discount_depth = 0.5;
  Server s2(milk_dataset(0, 140), lax);
  auto [st2, out2] = s2.post("/api/v1/approvals", kBatch, promotion(0.40, 100.0));
  REQUIRE(st2 == 201);
  CHECK(out2["approvals"][0]["status"] == "auto_approved");
  CHECK(s2.get("/api/v1/approvals/rules", kExecutive)["rules"]["max_discount_depth"] == 0.5);

  // Reasons quote amounts as a person reads them (was "-2000.05"): grouped, two decimals at most.
  auto [amount_status, amount_out] =
      s2.post("/api/v1/approvals", kPlanner, json{{"submissions", {promotion(0.20, -12345.678)}}});
  REQUIRE(amount_status == 201);
  CAPTURE(amount_out.dump());
  CHECK(has_reason(amount_out["approvals"][0], "incremental margin -12,345.68 is below 0"));
}

TEST_CASE("approval decisions: not your own, a reason to reject, one decision, all audited") {
  Server s(milk_dataset(0, 140));
  auto [st, out] =
      s.post("/api/v1/approvals", kAdmin,
             {{"submissions", {replenishment(0.5), promotion(0.5, 10.0), promotion(0.1, 10.0)}}});
  REQUIRE(st == 201);
  const std::string repl = "/api/v1/approvals/" + out["approvals"][0]["id"].dump();
  const std::string promo = "/api/v1/approvals/" + out["approvals"][1]["id"].dump();
  const std::string auto_ok = "/api/v1/approvals/" + out["approvals"][2]["id"].dump();
  REQUIRE(out["approvals"][0]["status"] == "pending");

  // Nobody approves their own submission, admin included.
  auto [self_status, self] = s.post(repl + "/approve", kAdmin, {{"comment", "fine by me"}});
  CHECK(self_status == 403);
  CHECK(self["error"]["message"].get<std::string>().find("own submission") != std::string::npos);
  CHECK(s.post(repl + "/reject", kAdmin, {{"comment", "no"}}).first == 403);
  // A rejection needs a comment.
  auto [no_comment, err] = s.post(repl + "/reject", kApprover);
  CHECK(no_comment == 400);
  CHECK(err["error"]["field"] == "comment");
  CHECK(s.post(repl + "/reject", kApprover, {{"comment", "  "}}).first == 400);
  // Nothing reaches Odoo before the approval.
  CHECK(s.get("/api/v1/odoo/outbox", kBatch)["records"].empty());

  auto [ok, approved] = s.post(repl + "/approve", kApprover, {{"comment", "promotion confirmed"}});
  CHECK(ok == 200);
  CHECK(approved["status"] == "approved");
  CHECK(approved["decided_by"] == "t2 (approver)");
  CHECK(approved["comment"] == "promotion confirmed");
  const json outbox = s.get("/api/v1/odoo/outbox?status=ready", kBatch)["records"];
  REQUIRE(outbox.size() == 2);
  CHECK(outbox[0]["approval"] == approved["id"]);
  // One decision only.
  CHECK(s.post(repl + "/approve", kApprover).first == 409);
  CHECK(s.post(repl + "/reject", kApprover, {{"comment", "changed my mind"}}).first == 409);
  CHECK(s.post(auto_ok + "/approve", kApprover).first == 409);  // auto-approved: not pending

  auto [rejected_status, rejected] =
      s.post(promo + "/reject", kApprover, {{"comment", "50% off loses money"}});
  CHECK(rejected_status == 200);
  CHECK(rejected["status"] == "rejected");
  CHECK(s.post(promo + "/approve", kAdmin).first == 409);
  CHECK(s.post("/api/v1/approvals/999/approve", kApprover).first == 404);
  CHECK(s.get("/api/v1/odoo/outbox", kAdmin)["records"].size() == 2);  // the rejection adds none

  // Every submit and decision is in the hash-chained log, and the chain verifies.
  const json log = s.get("/api/v1/audit?limit=1000", kAdmin)["entries"];
  std::vector<std::string> actions;
  for (const json& e : log) {
    if (e["target"].get<std::string>().rfind("approval:", 0) == 0) {
      actions.push_back(e["action"].get<std::string>() + " " + e["actor"].get<std::string>());
    }
  }
  CHECK(actions ==
        std::vector<std::string>{"approval.submit t3 (admin)", "approval.submit t3 (admin)",
                                 "approval.submit t3 (admin)", "approval.approve t2 (approver)",
                                 "approval.reject t2 (approver)"});
  CHECK(s.get("/api/v1/audit/verify", kAdmin)["intact"] == true);
  auto verify = test::run_shelfcast({"audit", "verify", "--db", s.db_path()});
  CHECK(verify.exit_code == 0);
}

TEST_CASE("executives read approvals and exceptions but every write is 403") {
  Server s(milk_dataset(0, 140));
  for (const RouteAccess& a : access_matrix()) {
    if (a.method != "POST") continue;
    CAPTURE(a.path);
    CHECK_FALSE(role_allowed(a, Role::kExecutive));
  }
  CHECK(s.post("/api/v1/approvals", kExecutive, promotion(0.1, 1.0)).first == 403);
  CHECK(s.post("/api/v1/approvals/1/approve", kExecutive).first == 403);
  CHECK(s.post("/api/v1/approvals/1/reject", kExecutive, {{"comment", "x"}}).first == 403);
  CHECK(s.post("/api/v1/agents/run", kExecutive).first == 403);
  CHECK(s.post("/api/v1/exceptions/1/act", kExecutive).first == 403);
  CHECK(s.post("/api/v1/exceptions/1/dismiss", kExecutive, {{"comment", "x"}}).first == 403);
  // Planners submit but do not decide; approvers decide but do not submit.
  CHECK(s.post("/api/v1/approvals/1/approve", kPlanner).first == 403);
  CHECK(s.post("/api/v1/approvals", kApprover, promotion(0.1, 1.0)).first == 403);
  CHECK(s.get("/api/v1/approvals", kExecutive)["approvals"].empty());
  CHECK(s.get("/api/v1/exceptions", kExecutive)["exceptions"].empty());
}

TEST_CASE(
    "agents: a stockout before the next delivery becomes one exception; acting submits it "
    "for approval") {
  Server s(milk_with_stock());
  // Before any forecast job the agents have nothing to read.
  auto [none_status, none] = s.post("/api/v1/agents/run", kPlanner);
  CHECK(none_status == 200);
  CHECK(none["posted"].empty());
  s.forecast(R"({"horizon":4,"reconcile":"none"})");

  auto [st, run] = s.post("/api/v1/agents/run", kBatch);
  CAPTURE(run.dump());
  REQUIRE(st == 200);
  json stockout;
  for (const json& e : run["posted"]) {
    if (e["agent"] == "stockout_before_delivery") {
      CHECK(e["store"] == "S01");  // S02 holds 200 units: no exception there
      stockout = e;
    }
  }
  REQUIRE(stockout.is_object());
  CHECK(stockout["product"] == "MILK");
  CHECK(stockout["status"] == "open");
  const json& ev = stockout["evidence"];
  CHECK(ev["lead_time_weeks"] == 2);
  CHECK(ev["on_hand"] == 5.0);
  CHECK(ev["forecast_units"].get<double>() == doctest::Approx(42.0).epsilon(0.25));
  CHECK(ev["shortfall_units"].get<double>() > 20.0);
  // The suggestion: move S02's spare stock and reorder, with quantities.
  const json& actions = stockout["suggested_action"]["actions"];
  REQUIRE(actions.size() == 2);
  CHECK(actions[0]["type"] == "transfer");
  CHECK(actions[0]["from"] == "S02");
  CHECK(actions[0]["units"].get<double>() ==
        doctest::Approx(std::floor(ev["shortfall_units"].get<double>())));
  CHECK(actions[1]["type"] == "reorder");
  CHECK(actions[1]["units"].get<double>() >= 1.0);

  // Re-running does not duplicate an open exception.
  auto [st2, rerun] = s.post("/api/v1/agents/run", kPlanner);
  REQUIRE(st2 == 200);
  CHECK(rerun["posted"].empty());
  CHECK(rerun["already_open"].get<int64_t>() == static_cast<int64_t>(run["posted"].size()));
  CHECK(s.get("/api/v1/exceptions?status=open", kExecutive)["exceptions"].size() ==
        run["posted"].size());

  // Acting goes through approval: a pending replenishment submission, the exception closed.
  const std::string path = "/api/v1/exceptions/" + stockout["id"].dump();
  auto [acted_status, acted] = s.post(path + "/act", kPlanner, {{"comment", "do it"}});
  CAPTURE(acted.dump());
  REQUIRE(acted_status == 201);
  CHECK(acted["exception"]["status"] == "acted");
  CHECK(acted["approval"]["kind"] == "replenishment");
  CHECK(acted["approval"]["status"] == "pending");  // the stockout risk is above 10%
  CHECK(has_reason(acted["approval"], "stockout risk"));
  CHECK(acted["approval"]["exception"] == stockout["id"]);
  CHECK(acted["exception"]["approval"] == acted["approval"]["id"]);
  CHECK(acted["approval"]["payload"]["transfers"][0]["location_id"] == "S02");
  CHECK(s.post(path + "/act", kPlanner).first == 409);
  CHECK(s.post(path + "/dismiss", kPlanner, {{"comment", "late"}}).first == 409);
  // The planner who acted cannot approve it (planners never decide); an approver can.
  const std::string approval = "/api/v1/approvals/" + acted["approval"]["id"].dump();
  CHECK(s.post(approval + "/approve", kApprover, {{"comment", "ok"}}).first == 200);
  CHECK(s.get("/api/v1/odoo/outbox", kAdmin)["records"].size() == 2);

  // The condition persists: a new run opens a new exception, which is dismissed with a comment.
  auto [st3, again] = s.post("/api/v1/agents/run", kPlanner);
  REQUIRE(st3 == 200);
  REQUIRE(again["posted"].size() == 1);
  const std::string again_path = "/api/v1/exceptions/" + again["posted"][0]["id"].dump();
  CHECK(s.post(again_path + "/dismiss", kPlanner).first == 400);
  auto [dismissed_status, dismissed] =
      s.post(again_path + "/dismiss", kAdmin, {{"comment", "transfer already under way"}});
  CHECK(dismissed_status == 200);
  CHECK(dismissed["exception"]["status"] == "dismissed");
  CHECK(s.post("/api/v1/exceptions/999/act", kPlanner).first == 404);

  // Audited: the runs, the act and the dismissal; the chain verifies.
  int runs = 0, acts = 0, dismissals = 0;
  const json log = s.get("/api/v1/audit?limit=1000", kAdmin)["entries"];
  for (const json& e : log) {
    runs += e["action"] == "agents.run";
    acts += e["action"] == "exception.act";
    dismissals += e["action"] == "exception.dismiss";
  }
  CHECK(runs == 3);  // the run before any forecast job found nothing to read
  CHECK(acts == 1);
  CHECK(dismissals == 1);
  CHECK(s.get("/api/v1/audit/verify", kAdmin)["intact"] == true);
}

TEST_CASE("agents: a planned promotion that stock cannot cover before delivery is an exception") {
  Dataset data = milk_with_stock();
  Promotion promo;
  promo.code = "PR-JUNE";
  promo.depth = 0.3;
  promo.feature = true;
  promo.start = date_from_civil(2024, 6, 3);  // two weeks after the last sales day
  promo.end = date_from_civil(2024, 6, 9);
  promo.products = {0};
  data.promotions = {promo};
  Server s(data);
  s.forecast(R"({"horizon":4,"reconcile":"none"})");
  auto [st, run] = s.post("/api/v1/agents/run", kPlanner);
  CAPTURE(run.dump());
  REQUIRE(st == 200);
  CHECK(run["promotions"] == 1);
  CHECK(run["skipped"].empty());
  json found;
  for (const json& e : run["posted"]) {
    if (e["agent"] == "promotion_stockout") {
      CHECK(e["store"] == "S01");  // S02's 200 units cover the promotion
      found = e;
    }
  }
  REQUIRE(found.is_object());
  CHECK(found["evidence"]["promotion"] == "PR-JUNE");
  CHECK(found["evidence"]["store"]["shortage_before_units"].get<double>() > 0.0);
  const json& sub = found["suggested_action"]["submission"];
  CHECK(sub["kind"] == "replenishment");
  CHECK_FALSE(found["suggested_action"]["actions"].empty());
  auto [st2, rerun] = s.post("/api/v1/agents/run", kPlanner);
  REQUIRE(st2 == 200);
  CHECK(rerun["posted"].empty());
  // Acting submits the planner's lines for S01 for approval.
  auto [acted_status, acted] =
      s.post("/api/v1/exceptions/" + found["id"].dump() + "/act", kAdmin, json::object());
  CAPTURE(acted.dump());
  CHECK(acted_status == 201);
  CHECK(acted["approval"]["kind"] == "replenishment");
}

TEST_CASE("agents: sales far below forecast raise a below_forecast exception") {
  Server s(milk_with_stock());
  const int64_t job = s.forecast(R"({"horizon":4,"reconcile":"none"})");
  {
    // Two more weeks: S01 sells a sixth of what it used to.
    auto db = Database::open(s.db_path(), Database::Mode::kReadWrite);
    REQUIRE(db.is_ok());
    REQUIRE(load_dataset(**db, milk_dataset(140, 14, 1.0 / 6.0), {"late", "canonical", "y", 0})
                .is_ok());
  }
  auto [st, run] = s.post("/api/v1/agents/run", kPlanner);
  CAPTURE(run.dump());
  REQUIRE(st == 200);
  json below;
  for (const json& e : run["posted"]) {
    if (e["agent"] == "below_forecast") below = e;
  }
  REQUIRE(below.is_object());
  CHECK(below["store"] == "S01");
  CHECK(below["evidence"]["weeks"] == 2);
  CHECK(below["evidence"]["ratio"].get<double>() < 0.7);
  CHECK(below["evidence"]["job"] == job);
  CHECK_FALSE(below["suggested_action"]["actions"].empty());
}

TEST_CASE(
    "drift: a series whose tracking signal exceeds the limit is served from its recent "
    "mean, and says so") {
  // 20 weeks, a 7-week forecast, then 5 weeks in which S01 sells three times as much.
  for (const double limit : {4.0, 10.0}) {
    CAPTURE(limit);
    ApprovalRules rules;
    rules.tracking_signal_limit = limit;
    Server s(milk_dataset(0, 140), rules);
    const int64_t job = s.forecast(R"({"horizon":7,"reconcile":"none"})");
    {
      auto db = Database::open(s.db_path(), Database::Mode::kReadWrite);
      REQUIRE(db.is_ok());
      Dataset late = milk_dataset(140, 35, 3.0);
      REQUIRE(load_dataset(**db, late, {"late", "canonical", "y", 0}).is_ok());
    }
    const std::string base = "/api/v1/jobs/" + std::to_string(job);
    const json monitor = s.get(base + "/monitor", kExecutive);
    CHECK(monitor["tracking_signal_limit"] == limit);
    const json s01 = s.get(base + "/forecasts?product=MILK&store=S01", kExecutive)["forecasts"];
    const json s02 = s.get(base + "/forecasts?product=MILK&store=S02", kExecutive)["forecasts"];
    REQUIRE(s01.size() == 7);
    REQUIRE(s02.size() == 7);
    for (const json& f : s02) CHECK_FALSE(f.contains("fallback"));  // S02 tracks
    if (limit > 5.0) {
      // Tracking signal 5 (five weeks, every error the same sign) is within a limit of 10.
      for (const json& f : s01) CHECK_FALSE(f.contains("fallback"));
      CHECK(monitor["drifting_series"] == 0);
      continue;
    }
    CHECK(monitor["drifting_series"] == 1);
    CHECK(monitor["worst_drifting"][0]["fallback"] == "RecentMean(8)");
    // The 5 weeks with actuals stay as the model made them; the 2 after fall back to the mean
    // of the last 8 complete weeks (3 before the drift, 5 after).
    int fallbacks = 0;
    const json points = s.get("/api/v1/series?product=MILK&store=S01", kPlanner)["points"];
    REQUIRE(points.size() == 25);
    double recent = 0.0;
    for (size_t i = 17; i < 25; ++i) recent += points[i]["units"].get<double>() / 8.0;
    for (const json& f : s01) {
      CAPTURE(f.dump());
      if (f["step"].get<int>() <= 5) {
        CHECK_FALSE(f.contains("fallback"));
        continue;
      }
      REQUIRE(f.contains("fallback"));
      ++fallbacks;
      CHECK(f["fallback"]["model"] == "RecentMean(8)");
      CHECK(f["fallback"]["reason"].get<std::string>().find("tracking signal") !=
            std::string::npos);
      CHECK(f["fallback"]["tracking_signal"].get<double>() > 4.0);
      CHECK(f["mean"].get<double>() == doctest::Approx(recent));
      CHECK(f["model_mean"].get<double>() < 30.0);  // the model's own number is kept
      CHECK(f["intervals"][0]["lower"].get<double>() <= recent);
      CHECK(f["intervals"][0]["upper"].get<double>() >= recent);
    }
    CHECK(fallbacks == 2);
  }
}
