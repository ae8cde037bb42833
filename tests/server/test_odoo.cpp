// The Odoo JSON-RPC client against a loopback replay server that answers in Odoo's wire format
// from hand-written fixtures (tests/fixtures/odoo: no live Odoo is reachable here).
#include <doctest/doctest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "odoo/jsonrpc.h"
#include "odoo_replay.h"
#include "store/approval_store.h"
#include "store/audit_store.h"
#include "support.h"

using namespace shelfcast;
using namespace shelfcast::server;
using json = nlohmann::json;
using test::ReplayOdoo;

TEST_CASE("Odoo client: authenticate, paged search_read, Odoo's values and errors") {
  ReplayOdoo odoo;
  auto client = OdooClient::connect(odoo.connection());
  REQUIRE(client.is_ok());
  CHECK((*client)->uid() == 2);
  // The request is Odoo's envelope: jsonrpc 2.0, method call, service/method/args.
  const json& auth = odoo.requests.front();
  CHECK(auth["jsonrpc"] == "2.0");
  CHECK(auth["method"] == "call");
  CHECK(auth["params"]["args"] ==
        json::array({"shop", "planner@example.com", "sc-key", json::object()}));

  auto lines = (*client)->search_read_all(
      "sale.order.line", json::array(),
      {"order_id", "product_id", "product_uom_qty", "price_unit", "discount", "create_date"}, 2);
  REQUIRE(lines.is_ok());
  REQUIRE(lines->size() == 3);  // a full page of 2, then a short page of 1
  const std::vector<json> pages = odoo.calls("sale.order.line", "search_read");
  REQUIRE(pages.size() == 2);
  CHECK(pages[0]["params"]["args"][6]["order"] == "id");
  CHECK(pages[1]["params"]["args"][6]["offset"] == 2);
  CHECK(pages[0]["params"]["args"][0] == "shop");
  CHECK(pages[0]["params"]["args"][1] == 2);  // the uid from authenticate
  const json& first = (*lines)[0];
  CHECK(*many2one_id(first["product_id"], "product_id") == 12);
  CHECK(many2one_name(first["product_id"]) == "[FURN_8888] Office Lamp");
  CHECK(*many2one_id(first["salesman_id"], "salesman_id") == 0);  // false: empty many2one
  CHECK(odoo_text(json(false)).empty());
  CHECK_FALSE(many2one_id(json("x"), "product_id").is_ok());

  // Odoo's error envelope becomes a status with Odoo's message.
  auto denied = (*client)->search_read_all("stock.quant", json::array(), {"quantity"});
  REQUIRE_FALSE(denied.is_ok());
  CHECK(denied.status().code() == ErrorCode::kPermissionDenied);
  CHECK(denied.status().message().find("not allowed to access 'Quants'") != std::string::npos);

  auto refused = OdooClient::connect(odoo.connection("wrong-key"));
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == ErrorCode::kUnauthenticated);

  OdooConnection nowhere = odoo.connection();
  nowhere.url = "http://127.0.0.1:9";  // nothing listens there
  nowhere.timeout_seconds = 2;
  auto down = OdooClient::connect(nowhere);
  REQUIRE_FALSE(down.is_ok());
  CHECK(down.status().code() == ErrorCode::kUnavailable);
  nowhere.url = "ftp://odoo";
  CHECK(OdooClient::connect(nowhere).status().field() == "url");
}

TEST_CASE("Odoo client: approved proposals become draft purchase orders, transfers, orderpoints") {
  ReplayOdoo odoo;
  auto client = OdooClient::connect(odoo.connection());
  REQUIRE(client.is_ok());
  const json plan = {{"purchase_lines",
                      {{{"partner_id", "Acme"},
                        {"product_id", "FURN_8888"},
                        {"product_qty", 24.0},
                        {"date_planned", "2025-03-03"},
                        {"reason", "promotion weeks 2-3 need 60 units"}}}},
                     {"transfers",
                      {{{"location_id", "S02"},
                        {"location_dest_id", "S01"},
                        {"product_id", "FURN_8888"},
                        {"product_uom_qty", 5.0},
                        {"scheduled_date", "2025-03-07"},
                        {"reason", "S01 short by 5 before launch"}}}},
                     {"orderpoints",
                      {{{"location", "S01"},
                        {"product_id", "FURN_8888"},
                        {"product_min_qty", 20.0},
                        {"product_max_qty", 45.0}},
                       {{"location", "S02"},
                        {"product_id", "FURN_8888"},
                        {"product_min_qty", 8.0},
                        {"product_max_qty", 15.0}}}}};
  auto created = write_back_proposals(**client, plan);
  REQUIRE(created.is_ok());
  CHECK((*created)["purchase.order"] == json::array({101}));
  CHECK((*created)["stock.picking"] == json::array({202}));
  CHECK((*created)["stock.warehouse.orderpoint"] == json::array({77, 303}));  // updated, created

  const std::vector<json> po = odoo.calls("purchase.order", "create");
  REQUIRE(po.size() == 1);
  const json values = po[0]["params"]["args"][5][0];
  CHECK(values["partner_id"] == 31);
  CHECK(values["order_line"][0][0] == 0);  // Odoo's (0, 0, values) command
  CHECK(values["order_line"][0][2]["product_id"] == 12);
  CHECK(values["order_line"][0][2]["product_qty"] == 24.0);
  CHECK(values["order_line"][0][2]["date_planned"] == "2025-03-03 00:00:00");
  const json picking = odoo.calls("stock.picking", "create")[0]["params"]["args"][5][0];
  CHECK(picking["picking_type_id"] == 5);
  CHECK(picking["location_id"] == 18);      // S02's stock location
  CHECK(picking["location_dest_id"] == 8);  // S01's
  CHECK(picking["move_ids"][0][2]["product_uom_qty"] == 5.0);
  const json write = odoo.calls("stock.warehouse.orderpoint", "write")[0]["params"]["args"][5];
  CHECK(write[0] == json::array({77}));
  CHECK(write[1]["product_max_qty"] == 45.0);

  json unknown = plan;
  unknown["purchase_lines"][0]["product_id"] = "NOPE";
  auto missing = write_back_proposals(**client, unknown);
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().code() == ErrorCode::kNotFound);
  CHECK(missing.status().message().find("default_code = \"NOPE\"") != std::string::npos);
}

TEST_CASE("odoo pull loads sale.order.line through the ingest path, customers as pseudonyms") {
  ReplayOdoo odoo;
  test::TempDir dir;
  const std::string db = dir.file("odoo.db"), key = dir.file("key");
  test::write_file(key, "sc-key\n");
  auto r = test::run_shelfcast({"odoo", "pull", "--db", db, "--url",
                                "http://127.0.0.1:" + std::to_string(odoo.port), "--database",
                                "shop", "--login", "planner@example.com", "--api-key-file", key,
                                "--page-size", "2"});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("3 rows added") != std::string::npos);
  // The orders, products and warehouse were read by id, and never a partner record.
  CHECK(odoo.calls("sale.order", "search_read").size() == 1);
  CHECK(odoo.calls("res.partner", "search_read").empty());
  const std::string bytes = test::read_file(db);
  for (const char* pii : {"Deco Addict", "Azure Interior", "res.partner"}) {
    CAPTURE(pii);
    CHECK(bytes.find(pii) == std::string::npos);
  }
  CHECK(bytes.find("FURN_8888") != std::string::npos);

  auto no_key = test::run_shelfcast({"odoo", "pull", "--db", db, "--url",
                                     "http://127.0.0.1:" + std::to_string(odoo.port), "--database",
                                     "shop", "--login", "x"});
  CHECK(no_key.exit_code == 2);
  CHECK(no_key.err.find("SHELFCAST_ODOO_API_KEY") != std::string::npos);
  test::write_file(key, "wrong-key");
  auto refused = test::run_shelfcast({"odoo", "pull", "--db", dir.file("other.db"), "--url",
                                      "http://127.0.0.1:" + std::to_string(odoo.port), "--database",
                                      "shop", "--login", "x", "--api-key-file", key});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("unauthenticated") != std::string::npos);
}

TEST_CASE("odoo push sends the approved outbox as drafts and marks each record sent or failed") {
  ReplayOdoo odoo;
  test::TempDir dir;
  const std::string db_path = dir.file("outbox.db"), key = dir.file("key");
  test::write_file(key, "sc-key\n");
  {
    auto db = Database::open(db_path, Database::Mode::kReadWrite);
    REQUIRE(db.is_ok());
    for (const char* product : {"FURN_8888", "NOPE"}) {
      ApprovalRow a;
      a.kind = "replenishment";
      a.status = "approved";
      a.submitted_by = "p (planner)";
      a.submitter_token_id = 1;
      auto id = insert_approval(**db, a);
      REQUIRE(id.is_ok());
      REQUIRE(insert_outbox(**db, *id, "purchase.order.line",
                            json({{"partner_id", "Acme"},
                                  {"product_id", product},
                                  {"product_qty", 24.0},
                                  {"date_planned", "2025-03-03"},
                                  {"state", "draft"}})
                                .dump())
                  .is_ok());
      if (std::string(product) == "FURN_8888") {
        REQUIRE(insert_outbox(**db, *id, "stock.picking",
                              json({{"location_id", "S02"},
                                    {"location_dest_id", "S01"},
                                    {"product_id", product},
                                    {"product_uom_qty", 5.0},
                                    {"scheduled_date", "2025-03-07"}})
                                  .dump())
                    .is_ok());
      }
    }
  }
  auto r = test::run_shelfcast({"odoo", "push", "--db", db_path, "--url",
                                "http://127.0.0.1:" + std::to_string(odoo.port), "--database",
                                "shop", "--login", "planner@example.com", "--api-key-file", key});
  CAPTURE(r.err);
  CAPTURE(r.out);
  CHECK(r.exit_code == 1);  // one approval's product is unknown to Odoo
  const json out = json::parse(r.out);
  CHECK(out["sent"] == 2);
  CHECK(out["failed"] == 1);
  CHECK(out["approvals"][0]["odoo"]["purchase.order"] == json::array({101}));
  CHECK(out["approvals"][0]["odoo"]["stock.picking"] == json::array({202}));
  // One draft purchase.order in Odoo's (0, 0, values) form, one internal transfer.
  const std::vector<json> po = odoo.calls("purchase.order", "create");
  REQUIRE(po.size() == 1);
  CHECK(po[0]["params"]["args"][5][0]["order_line"][0][2]["product_qty"] == 24.0);
  CHECK(odoo.calls("stock.picking", "create").size() == 1);

  auto db = Database::open(db_path, Database::Mode::kReadOnly);
  REQUIRE(db.is_ok());
  auto rows = list_outbox(**db, "", 100);
  REQUIRE(rows.is_ok());
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].status == "sent");
  CHECK((*rows)[1].status == "sent");
  CHECK((*rows)[2].status == "failed");
  CHECK((*rows)[2].error.find("NOPE") != std::string::npos);
  CHECK(list_outbox(**db, "ready", 100)->empty());
  auto log = list_audit(**db, 0, 100);
  REQUIRE(log.is_ok());
  REQUIRE(log->size() == 2);
  CHECK((*log)[0].action == "odoo.push");
  CHECK((*log)[1].action == "odoo.push_failed");
  CHECK(verify_audit(**db)->intact);
}
