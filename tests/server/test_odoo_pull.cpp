// `shelfcast odoo pull` of every model against the loopback replay server (hand-written fixtures
// in Odoo 17's wire format, tests/fixtures/odoo: no live Odoo is reachable here): the rows each
// pull lands, paging, Odoo's false values, error envelopes, bad records and the requests asked.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "odoo/jsonrpc.h"
#include "odoo/pull.h"
#include "odoo_replay.h"
#include "store/audit_store.h"
#include "store/db.h"
#include "support.h"

using namespace shelfcast;
using namespace shelfcast::server;
using json = nlohmann::json;
using test::ReplayOdoo;

namespace {

// Every row of a query, each column as text ("" for NULL).
std::vector<std::vector<std::string>> query(const std::string& db_path, const std::string& sql,
                                            int columns = 1) {
  auto db = Database::open(db_path, Database::Mode::kReadOnly);
  REQUIRE(db.is_ok());
  auto st = (*db)->prepare(sql);
  REQUIRE(st.is_ok());
  std::vector<std::vector<std::string>> rows;
  while (st->step()) {
    std::vector<std::string> row;
    for (int c = 0; c < columns; ++c) {
      row.push_back(st->is_null(c) ? std::string() : st->text(c));
    }
    rows.push_back(row);
  }
  REQUIRE(st->status().is_ok());
  return rows;
}

std::string one(const std::string& db_path, const std::string& sql) {
  const auto rows = query(db_path, sql);
  REQUIRE(rows.size() == 1);
  return rows[0][0];
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

struct Pull {
  test::TempDir dir;
  std::string db = dir.file("pull.db"), key = dir.file("key");
  Pull() { test::write_file(key, "sc-key\n"); }
  test::RunResult run(const ReplayOdoo& odoo, const std::string& database,
                      std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "odoo",           "pull",       "--db",   db,        "--url",
        odoo.url(),       "--database", database, "--login", "planner@example.com",
        "--api-key-file", key};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_shelfcast(args);
  }
};

}  // namespace

TEST_CASE("odoo pull: every model lands where the ingest path puts it, all pages, no PII asked") {
  ReplayOdoo odoo;
  Pull pull;
  auto r = pull.run(odoo, "shop", {"--page-size", "2"});
  CAPTURE(r.err);
  CAPTURE(r.out);
  REQUIRE(r.exit_code == 0);

  // One line per model, in the default order, with its counts.
  const std::vector<std::string> out = lines_of(r.out);
  REQUIRE(out.size() == 6);
  const char* expected[] = {
      "odoo pull products (product.product): 3 records read, 3 rows added",
      "odoo pull sales (sale.order.line): 3 records read, 3 rows added",
      "odoo pull pos (pos.order.line): 3 records read, 2 rows added",
      "odoo pull stock (stock.quant): 4 records read, 2 rows added",
      "odoo pull orderpoints (stock.warehouse.orderpoint): 2 records read, 2 rows added",
      "odoo pull loyalty (loyalty.program): 3 records read, 3 rows added"};
  for (size_t i = 0; i < 6; ++i) {
    CAPTURE(out[i]);
    CHECK(out[i].rfind(expected[i], 0) == 0);
  }
  CHECK(out[2].find("non_sale_lines_dropped 1") != std::string::npos);  // the POS reward line
  CHECK(out[3].find("quants_outside_warehouses 1") != std::string::npos);

  // Products: the master's names, category, list price and cost; `false` cost keeps 0 (unknown),
  // a product without default_code is coded by its display name as the CSV ingest codes it.
  const auto products = query(pull.db,
                              "SELECT p.code, p.name, coalesce(c.code, ''), p.cost, p.list_price "
                              "FROM products p LEFT JOIN categories c ON c.id = p.category_id "
                              "ORDER BY p.code",
                              5);
  REQUIRE(products.size() == 3);
  CHECK(products[0] == std::vector<std::string>{"FURN_8888", "Office Lamp",
                                                "All / Saleable / Office Furniture", "22.5",
                                                "40.0"});
  CHECK(products[1][0] == "FURN_9999");
  CHECK(products[1][3] == "0.0");  // standard_price false
  CHECK(products[1][4] == "450.0");
  CHECK(products[2][0] == "Whiteboard Pen");
  CHECK(products[2][2] == "");  // categ_id false
  CHECK(products[2][3] == "0.4");

  // Sales and POS lines: channels, the POS store by its name, one pseudonym per partner id in
  // both channels (partner 9 bought in S00007 and at the till).
  CHECK(
      query(pull.db, "SELECT channel, count(*) FROM sales_lines GROUP BY channel ORDER BY 1", 2) ==
      std::vector<std::vector<std::string>>{{"online", "1"}, {"pos", "2"}, {"sales", "2"}});
  CHECK(one(pull.db,
            "SELECT DISTINCT s.code FROM sales_lines l JOIN stores s ON "
            "s.id = l.store_id WHERE l.channel = 'pos'") == "Shop");
  CHECK(one(pull.db, "SELECT count(DISTINCT customer_id) FROM sales_lines") == "2");
  CHECK(one(pull.db,
            "SELECT count(*) FROM sales_lines l WHERE channel = 'pos' AND customer_id = "
            "(SELECT customer_id FROM sales_lines WHERE order_ref = 'S00007' LIMIT 1)") == "2");
  CHECK(one(pull.db, "SELECT count(*) FROM sales_lines WHERE customer_id IS NULL") == "0");

  // Stock: quants summed per product x warehouse; the quant outside every warehouse is left out.
  CHECK(query(pull.db,
              "SELECT s.code, s.name, p.code, i.on_hand FROM inventory i JOIN stores s "
              "ON s.id = i.store_id JOIN products p ON p.id = i.product_id ORDER BY 1",
              4) ==
        std::vector<std::vector<std::string>>{{"CHI", "Chicago", "FURN_9999", "3.0"},
                                              {"SF", "San Francisco", "FURN_8888", "14.5"}});

  // Orderpoints: min, max, multiple; a lead_days_date in the past is no lead time.
  const auto points = query(pull.db,
                            "SELECT o.odoo_id, s.code, p.code, o.min_qty, o.max_qty, "
                            "o.qty_multiple, o.lead_time_days, o.trigger_mode FROM orderpoints o "
                            "JOIN stores s ON s.id = o.store_id JOIN products p ON "
                            "p.id = o.product_id ORDER BY 1",
                            8);
  REQUIRE(points.size() == 2);
  CHECK(points[0][0] == "77");
  CHECK(points[0][1] == "SF");
  CHECK(points[0][2] == "FURN_8888");
  CHECK(points[0][3] == "20.0");
  CHECK(points[0][4] == "45.0");
  CHECK(points[0][7] == "auto");
  CHECK(points[1][6] == "");  // lead_days_date false

  // Loyalty: dated product discounts become promotions with their products; the loyalty card
  // stays a program with the reason it is not one.
  const auto promos =
      query(pull.db,
            "SELECT p.code, p.mechanic, round(p.depth, 4), p.start_day, p.end_day, "
            "group_concat(pr.code, '|') FROM promotions p JOIN promotion_items i ON "
            "i.promotion_id = p.id JOIN products pr ON pr.id = i.product_id WHERE i.store_id IS "
            "NULL GROUP BY p.id ORDER BY p.code",
            6);
  REQUIRE(promos.size() == 2);
  CHECK(promos[0][0] == "ODOO-LOYALTY-5");
  CHECK(promos[0][1] == "percent_off");
  CHECK(promos[0][2] == "0.2");
  CHECK(promos[0][3] == std::to_string(date_from_civil(2024, 3, 4).days));
  CHECK(promos[0][4] == std::to_string(date_from_civil(2024, 3, 17).days));
  CHECK(promos[0][5] == "FURN_8888");
  CHECK(promos[1][0] == "ODOO-LOYALTY-6");
  CHECK(promos[1][1] == "multi_buy");  // buy 2, get 1
  CHECK(promos[1][2] == "0.3333");
  CHECK(promos[1][5].find("FURN_9999") != std::string::npos);
  CHECK(promos[1][5].find("FURN_8888") != std::string::npos);  // the rule's category
  const auto card = query(pull.db,
                          "SELECT name, program_type, promotion_id, note, rules_json FROM "
                          "loyalty_programs WHERE odoo_id = 7",
                          5);
  REQUIRE(card.size() == 1);
  CHECK(card[0][0] == "Loyalty card");
  CHECK(card[0][2] == "");
  CHECK(card[0][3].find("loyalty program is not a dated shelf promotion") != std::string::npos);
  CHECK(json::parse(card[0][4])[0]["id"] == 13);

  // One batch per model, each audited.
  CHECK(one(pull.db, "SELECT count(*) FROM ingest_batches") == "6");
  CHECK(one(pull.db, "SELECT group_concat(format, ',') FROM ingest_batches") ==
        "odoo-product,odoo-sale,odoo-pos,odoo-stock,odoo-orderpoint,odoo-loyalty");
  {
    auto db = Database::open(pull.db, Database::Mode::kReadOnly);
    REQUIRE(db.is_ok());
    auto log = list_audit(**db, 0, 100);
    REQUIRE(log.is_ok());
    REQUIRE(log->size() == 6);
    for (const AuditEntry& e : *log) CHECK(e.action == "odoo.pull");
    CHECK(json::parse((*log)[3].details_json)["model"] == "stock.quant");
    CHECK(verify_audit(**db)->intact);
  }

  // Paging: every page was fetched, by offset, ordered by id.
  auto offsets = [&](const std::string& model, const std::string& must_contain) {
    std::vector<int64_t> seen;
    for (const json& c : odoo.calls(model, "search_read")) {
      if (c["params"]["args"].dump().find(must_contain) == std::string::npos) continue;
      CHECK(c["params"]["args"][6]["order"] == "id");
      seen.push_back(c["params"]["args"][6]["offset"].get<int64_t>());
    }
    return seen;
  };
  CHECK(offsets("product.product", "standard_price") == std::vector<int64_t>{0, 2});
  CHECK(offsets("stock.quant", "warehouse_id") == std::vector<int64_t>{0, 2, 4});
  CHECK(offsets("pos.order.line", "qty") == std::vector<int64_t>{0, 2});
  CHECK(offsets("loyalty.program", "program_type") == std::vector<int64_t>{0, 2});
  CHECK(offsets("sale.order.line", "product_uom_qty") == std::vector<int64_t>{0, 2});

  // No customer data asked for: no partner record is read, no contact field is requested, and
  // orders are read with load=None so a partner comes back as a bare id, not its name.
  const std::set<std::string> contact = {
      "email", "phone", "mobile",       "street",          "street2",    "city",
      "zip",   "vat",   "partner_name", "contact_address", "email_from", "partner_phone"};
  int orders_read = 0;
  for (const json& req : odoo.all()) {
    const json& a = req["params"]["args"];
    if (req["params"]["method"] != "execute_kw") continue;
    CAPTURE(a.dump());
    CHECK(a[3] != "res.partner");
    CHECK(a[3] != "loyalty.card");
    if (a.size() >= 7 && a[6].contains("fields")) {
      for (const json& f : a[6]["fields"]) CHECK(contact.count(f.get<std::string>()) == 0);
      const bool has_partner = std::find(a[6]["fields"].begin(), a[6]["fields"].end(),
                                         json("partner_id")) != a[6]["fields"].end();
      if (has_partner) {
        CHECK((a[3] == "sale.order" || a[3] == "pos.order"));
        REQUIRE(a[6].contains("load"));
        CHECK(a[6]["load"].is_null());
        ++orders_read;
      }
    }
    for (const char* word : {"email", "phone", "mobile", "street"}) {
      CHECK(a.dump().find(word) == std::string::npos);
    }
  }
  CHECK(orders_read == 2);
  const std::string bytes = test::read_file(pull.db);
  CHECK(bytes.find("res.partner") == std::string::npos);
}

TEST_CASE("odoo pull in process: lead times from orderpoints, since filters, models parsed") {
  ReplayOdoo odoo;
  test::TempDir dir;
  auto db = Database::open(dir.file("p.db"), Database::Mode::kReadWrite);
  REQUIRE(db.is_ok());
  auto client = OdooClient::connect(odoo.connection());
  REQUIRE(client.is_ok());
  auto pseudonymizer = Pseudonymizer::create(std::string(32, '\x42'));
  REQUIRE(pseudonymizer.is_ok());
  PullOptions options;
  options.source = "odoo:shop";
  options.since = "2024-02-01";
  options.as_of = date_from_civil(2025, 3, 3);  // the day Odoo computed lead_days_date
  for (const char* model : {"stock", "orderpoints"}) {
    CAPTURE(model);
    auto report = pull_from_odoo(**db, **client, *pseudonymizer, model, options);
    REQUIRE(report.is_ok());
    CHECK(report->batch_id > 0);
  }
  auto lead = [&](const std::string& sql) {
    auto st = (*db)->prepare(sql);
    REQUIRE(st.is_ok());
    REQUIRE(st->step());
    return st->is_null(0) ? -1.0 : st->real(0);
  };
  CHECK(lead("SELECT lead_time_days FROM orderpoints WHERE odoo_id = 77") == 7.0);
  CHECK(lead("SELECT lead_time_days FROM orderpoints WHERE odoo_id = 78") == -1.0);  // none
  // The stock row of the rule's product and warehouse takes the lead time; on hand stays.
  CHECK(lead("SELECT i.lead_time_mean_days FROM inventory i JOIN products p ON p.id = "
             "i.product_id WHERE p.code = 'FURN_8888'") == 7.0);
  CHECK(lead("SELECT i.on_hand FROM inventory i JOIN products p ON p.id = i.product_id WHERE "
             "p.code = 'FURN_8888'") == 14.5);

  // --since: write_date for master data; stock is a full snapshot whatever the date.
  const json op = odoo.calls("stock.warehouse.orderpoint", "search_read").at(0);
  CHECK(op["params"]["args"][5][0] ==
        json::array({json::array({"write_date", ">=", "2024-02-01 00:00:00"})}));
  const json quant = odoo.calls("stock.quant", "search_read").at(0);
  CHECK(quant["params"]["args"][5][0] ==
        json::array({json::array({"location_id.usage", "=", "internal"})}));
  REQUIRE(pull_from_odoo(**db, **client, *pseudonymizer, "sales", options).is_ok());
  const json sale = odoo.calls("sale.order.line", "search_read").at(0);
  CHECK(sale["params"]["args"][5][0].dump().find(
            R"(["order_id.date_order",">=","2024-02-01 00:00:00"])") != std::string::npos);
  CHECK(sale["params"]["args"][5][0].dump().find(R"(["state","in",["sale","done"]])") !=
        std::string::npos);

  // Paging must move forward: a server that ignores the offset is an error, not an endless loop.
  auto stuck = (*client)->search_read_all("loyalty.rule", json::array(), {"program_id"}, 2);
  REQUIRE_FALSE(stuck.is_ok());
  CHECK(stuck.status().code() == ErrorCode::kUnavailable);
  CHECK(stuck.status().message().find("loyalty.rule") != std::string::npos);

  auto models = parse_pull_models("loyalty, stock.quant,products,loyalty");
  REQUIRE(models.is_ok());
  CHECK(*models == std::vector<std::string>{"products", "stock", "loyalty"});
  auto bad = parse_pull_models("products,partners");
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().field() == "models");
  CHECK(bad.status().message().find("\"partners\"") != std::string::npos);
  CHECK_FALSE(parse_pull_models(" , ").is_ok());
}

TEST_CASE(
    "odoo pull: an Odoo error envelope names the model and Odoo's message, no partial batch") {
  ReplayOdoo odoo;
  Pull pull;
  // On shop-restricted the second page of stock.quant is refused with an AccessError.
  auto r = pull.run(odoo, "shop-restricted", {"--page-size", "2", "--models", "stock,products"});
  CAPTURE(r.out);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("odoo pull stock") != std::string::npos);
  CHECK(r.err.find("stock.quant") != std::string::npos);
  CHECK(r.err.find("You are not allowed to access 'Quants' (stock.quant) records.") !=
        std::string::npos);
  CHECK(r.err.find("permission_denied") != std::string::npos);
  CHECK(lines_of(r.err).size() == 1);
  // Products (before stock in the order) were loaded; nothing of stock, although its first page
  // had arrived.
  CHECK(r.out.find("odoo pull products") != std::string::npos);
  CHECK(odoo.calls("stock.quant", "search_read").size() == 2);
  CHECK(one(pull.db, "SELECT count(*) FROM products") == "3");
  CHECK(one(pull.db, "SELECT count(*) FROM inventory") == "0");
  CHECK(one(pull.db, "SELECT count(*) FROM ingest_batches") == "1");
  CHECK(one(pull.db, "SELECT count(*) FROM audit_log") == "1");
}

TEST_CASE("odoo pull: a bad record refuses its batch naming the model, the record and the field") {
  ReplayOdoo odoo;
  Pull pull;
  auto r = pull.run(odoo, "shop-bad", {"--models", "products"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("product.product 15: field 'categ_id': expected [id, \"name\"] or false, got "
                   "\"Chairs\"") != std::string::npos);
  CHECK(one(pull.db, "SELECT count(*) FROM products") == "0");
  CHECK(one(pull.db, "SELECT count(*) FROM ingest_batches") == "0");

  auto usage = pull.run(odoo, "shop", {"--models", "products,partners"});
  CHECK(usage.exit_code == 2);
  CHECK(usage.err.find("unknown model \"partners\"") != std::string::npos);
  auto since = pull.run(odoo, "shop", {"--since", "yesterday"});
  CHECK(since.exit_code == 2);
}
