#include "odoo/pull.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "auth/tokens.h"
#include "governance/audit.h"
#include "ingest/csv.h"
#include "ingest/ingest.h"
#include "ingest/to_dataset.h"
#include "store/odoo_store.h"
#include "store/store.h"

namespace shelfcast::server {
namespace {

// ---- reading Odoo's values ----------------------------------------------------------------------

// A field of a record; a field Odoo left out reads as false, Odoo's own "empty".
Json field(const Json& record, const char* name) { return record.value(name, Json(false)); }

std::string cell(const std::string& text) {
  // One CSV record per physical line, so an ingest error's line names the Odoo record.
  std::string flat = text;
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  std::replace(flat.begin(), flat.end(), '\r', ' ');
  return csv_field(flat);
}

std::string shown(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 40) + "...";
  return text;
}

// `<model> <id>: field '<field>': <reason>`, naming the field.
Status record_error(const std::string& model, int64_t id, const std::string& name,
                    const std::string& reason) {
  return invalid_argument(model + " " + std::to_string(id) + ": field '" + name + "': " + reason,
                          name);
}

Result<int64_t> record_id(const Json& record, const std::string& model) {
  if (!record.is_object() || !record.contains("id") || !record["id"].is_number_integer()) {
    return Status(ErrorCode::kInvalidArgument,
                  model + ": Odoo returned a record without an integer id: " + shown(record), "id");
  }
  return record["id"].get<int64_t>();
}

// A many2one of a record: its id (0 for false); anything else names model, record and field.
Result<int64_t> m2o(const Json& record, const std::string& model, int64_t id, const char* name) {
  Result<int64_t> v = many2one_id(field(record, name), name);
  if (!v.is_ok()) {
    return record_error(model, id, name,
                        "expected [id, \"name\"] or false, got " + shown(field(record, name)));
  }
  return *v;
}

// A number (false = 0, Odoo's empty); below `min` or not a number names model, record and field.
Result<double> number(const Json& record, const std::string& model, int64_t id, const char* name,
                      double min) {
  const Json v = field(record, name);
  if (v.is_boolean() && !v.get<bool>()) return 0.0;
  if (!v.is_number()) return record_error(model, id, name, "expected a number, got " + shown(v));
  const double x = v.get<double>();
  if (!std::isfinite(x)) return record_error(model, id, name, "expected a finite number");
  if (x < min) {
    return record_error(model, id, name,
                        "must be at least " + dump_json(Json(min)) + ", got " + shown(v));
  }
  return x;
}

// A Date or Datetime (false = none).
Result<std::optional<Date>> date_value(const Json& record, const std::string& model, int64_t id,
                                       const char* name) {
  const Json v = field(record, name);
  if (v.is_boolean() && !v.get<bool>()) return std::optional<Date>();
  if (v.is_string()) {
    Result<Date> d = parse_date(v.get<std::string>());
    if (d.is_ok()) return std::optional<Date>(*d);
  }
  return record_error(model, id, name, "expected a date YYYY-MM-DD or false, got " + shown(v));
}

// A list of ids (a many2many or one2many as read): [1, 2] or [] (false = []).
Result<std::vector<int64_t>> id_list(const Json& record, const std::string& model, int64_t id,
                                     const char* name) {
  const Json v = field(record, name);
  std::vector<int64_t> out;
  if (v.is_boolean() && !v.get<bool>()) return out;
  if (!v.is_array())
    return record_error(model, id, name, "expected a list of ids, got " + shown(v));
  for (const Json& x : v) {
    if (!x.is_number_integer()) {
      return record_error(model, id, name, "expected a list of ids, got " + shown(v));
    }
    out.push_back(x.get<int64_t>());
  }
  return out;
}

// "[FURN_8888] Office Lamp" -> {"FURN_8888", "Office Lamp"}; text without a code is both (as the
// CSV ingest reads a many2one).
std::pair<std::string, std::string> split_display_name(const std::string& text) {
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close != std::string::npos && close > 1) {
      std::string code = text.substr(1, close - 1), name = text.substr(close + 1);
      while (!name.empty() && name.front() == ' ') name.erase(name.begin());
      return {code, name};
    }
  }
  return {text, text};
}

std::string since_datetime(const std::string& since) { return since + " 00:00:00"; }

Json with_since(Json domain, const char* field_name, const std::string& since) {
  if (!since.empty()) domain.push_back(Json::array({field_name, ">=", since_datetime(since)}));
  return domain;
}

// ---- related records ----------------------------------------------------------------------------

// Records read because others name them (orders, products, rules of programs): 500 per call.
constexpr int32_t kRelatedPageSize = 500;

// Reads the records of `ids` from `model`, 500 ids per call, by id.
Result<std::map<int64_t, Json>> read_by_id(OdooClient& odoo, const std::string& model,
                                           const std::set<int64_t>& ids,
                                           const std::vector<std::string>& fields,
                                           const Json& extra_kwargs = Json::object()) {
  std::map<int64_t, Json> out;
  std::vector<int64_t> chunk;
  auto flush = [&]() -> Status {
    if (chunk.empty()) return Status::ok();
    SHELFCAST_ASSIGN_OR_RETURN(
        std::vector<Json> rows,
        odoo.search_read_all(model, Json::array({Json::array({"id", "in", chunk})}), fields,
                             kRelatedPageSize, extra_kwargs));
    for (Json& r : rows) {
      SHELFCAST_ASSIGN_OR_RETURN(int64_t id, record_id(r, model));
      out[id] = std::move(r);
    }
    chunk.clear();
    return Status::ok();
  };
  for (int64_t id : ids) {
    chunk.push_back(id);
    if (chunk.size() == 500) SHELFCAST_RETURN_IF_ERROR(flush());
  }
  SHELFCAST_RETURN_IF_ERROR(flush());
  return out;
}

struct Ref {
  std::string code, name;
};

// Products by id as the CSV ingest would code them: default_code, else the code of the display
// name (the record's, else the one a many2one carried, in `shown_names`).
Result<std::map<int64_t, Ref>> product_refs(OdooClient& odoo,
                                            const std::map<int64_t, std::string>& shown_names) {
  std::set<int64_t> ids;
  for (const auto& [id, name] : shown_names) ids.insert(id);
  SHELFCAST_ASSIGN_OR_RETURN(
      auto rows, read_by_id(odoo, "product.product", ids, {"default_code", "display_name"}));
  std::map<int64_t, Ref> out;
  for (const auto& [id, shown_name] : shown_names) {
    const auto row = rows.find(id);
    std::string display = row == rows.end() ? "" : odoo_text(field(row->second, "display_name"));
    if (display.empty()) display = shown_name;
    const auto [code, name] = split_display_name(display);
    const std::string default_code =
        row == rows.end() ? "" : odoo_text(field(row->second, "default_code"));
    Ref ref{default_code.empty() ? code : default_code, name};
    if (!ref.code.empty()) out[id] = ref;
  }
  return out;
}

// Warehouses by id: their short code (our store code) and name.
Result<std::map<int64_t, Ref>> warehouse_refs(OdooClient& odoo,
                                              const std::map<int64_t, std::string>& shown_names) {
  std::set<int64_t> ids;
  for (const auto& [id, name] : shown_names) ids.insert(id);
  SHELFCAST_ASSIGN_OR_RETURN(auto rows, read_by_id(odoo, "stock.warehouse", ids, {"code", "name"}));
  std::map<int64_t, Ref> out;
  for (const auto& [id, shown_name] : shown_names) {
    const auto row = rows.find(id);
    std::string name = row == rows.end() ? "" : odoo_text(field(row->second, "name"));
    if (name.empty()) name = shown_name;
    std::string code = row == rows.end() ? "" : odoo_text(field(row->second, "code"));
    if (code.empty()) code = name;
    if (!code.empty()) out[id] = Ref{code, name};
  }
  return out;
}

// ---- sales and point-of-sale lines: the CSV export, loaded by the ingest path -------------------

struct LinesCsv {
  std::string csv;
  std::vector<int64_t> ids;  ///< the Odoo id of each data row (CSV line i + 2)
};

std::string number_cell(const Json& v) { return v.is_number() ? dump_json(v) : std::string(); }

// The orders of `lines` (order_id), read with load=None: partners and other many2ones as bare
// ids, so no partner's display name is ever requested.
Result<std::map<int64_t, Json>> orders_of(OdooClient& odoo, const std::string& line_model,
                                          const std::string& order_model,
                                          const std::vector<Json>& lines,
                                          const std::vector<std::string>& fields,
                                          std::map<int64_t, std::string>* products) {
  std::set<int64_t> order_ids;
  for (const Json& l : lines) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t id, record_id(l, line_model));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t o, m2o(l, line_model, id, "order_id"));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t p, m2o(l, line_model, id, "product_id"));
    if (o > 0) order_ids.insert(o);
    if (p > 0) (*products)[p] = many2one_name(field(l, "product_id"));
  }
  return read_by_id(odoo, order_model, order_ids, fields, Json{{"load", nullptr}});
}

Result<LinesCsv> sale_lines(OdooClient& odoo, const std::string& since, int32_t page_size) {
  const std::string model = "sale.order.line";
  Json domain = Json::array({Json::array({"state", "in", Json::array({"sale", "done"})})});
  if (!since.empty()) {
    domain.push_back(Json::array({"order_id.date_order", ">=", since_datetime(since)}));
  }
  SHELFCAST_ASSIGN_OR_RETURN(
      std::vector<Json> lines,
      odoo.search_read_all(model, domain,
                           {"order_id", "product_id", "product_uom_qty", "price_unit", "discount",
                            "display_type", "is_reward_line"},
                           page_size));
  std::map<int64_t, std::string> product_names;
  SHELFCAST_ASSIGN_OR_RETURN(
      auto orders, orders_of(odoo, model, "sale.order", lines,
                             {"name", "date_order", "warehouse_id", "partner_id", "website_id"},
                             &product_names));
  std::set<int64_t> product_ids;
  for (const auto& [id, name] : product_names) product_ids.insert(id);
  SHELFCAST_ASSIGN_OR_RETURN(auto products, read_by_id(odoo, "product.product", product_ids,
                                                       {"default_code", "categ_id"}));
  std::map<int64_t, std::string> warehouse_ids;
  for (const auto& [id, o] : orders) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t w, m2o(o, "sale.order", id, "warehouse_id"));
    if (w > 0) warehouse_ids[w] = "";
  }
  SHELFCAST_ASSIGN_OR_RETURN(auto warehouses, warehouse_refs(odoo, warehouse_ids));

  LinesCsv out;
  out.csv =
      "order_id,order_id/date_order,order_id/warehouse_id,order_id/warehouse_id/code,"
      "order_id/website_id,order_id/partner_id/id,product_id,product_id/default_code,"
      "product_id/categ_id,product_uom_qty,price_unit,discount,display_type,is_reward_line\n";
  for (const Json& l : lines) {
    const int64_t id = *record_id(l, model);
    const int64_t o = *m2o(l, model, id, "order_id");
    const int64_t p = *m2o(l, model, id, "product_id");
    const auto order = orders.find(o);
    if (order == orders.end()) {
      return record_error(model, id, "order_id",
                          "Odoo did not return its order " + std::to_string(o));
    }
    const Json& ord = order->second;
    SHELFCAST_ASSIGN_OR_RETURN(int64_t w, m2o(ord, "sale.order", o, "warehouse_id"));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t partner, m2o(ord, "sale.order", o, "partner_id"));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t website, m2o(ord, "sale.order", o, "website_id"));
    const auto wh = warehouses.find(w);
    const auto prod = products.find(p);
    out.csv +=
        cell(odoo_text(field(ord, "name"))) + "," + cell(odoo_text(field(ord, "date_order"))) +
        "," + cell(wh == warehouses.end() ? "" : wh->second.name) + "," +
        cell(wh == warehouses.end() ? "" : wh->second.code) + "," +
        cell(website > 0 ? "website " + std::to_string(website) : std::string()) + "," +
        cell(partner > 0 ? "res.partner," + std::to_string(partner) : std::string()) + "," +
        cell(many2one_name(field(l, "product_id"))) + "," +
        cell(prod == products.end() ? "" : odoo_text(field(prod->second, "default_code"))) + "," +
        cell(prod == products.end() ? "" : many2one_name(field(prod->second, "categ_id"))) + "," +
        number_cell(field(l, "product_uom_qty")) + "," + number_cell(field(l, "price_unit")) + "," +
        number_cell(field(l, "discount")) + "," + cell(odoo_text(field(l, "display_type"))) + "," +
        (field(l, "is_reward_line") == Json(true) ? "True" : "False") + "\n";
    out.ids.push_back(id);
  }
  return out;
}

Result<LinesCsv> pos_lines(OdooClient& odoo, const std::string& since, int32_t page_size) {
  const std::string model = "pos.order.line";
  // is_reward_line exists with pos_loyalty only; asking for a field a model lacks is an error.
  SHELFCAST_ASSIGN_OR_RETURN(Json fields_info, odoo.execute_kw(model, "fields_get", Json::array(),
                                                               {{"attributes", {"type"}}}));
  const bool has_reward = fields_info.is_object() && fields_info.contains("is_reward_line");
  std::vector<std::string> fields = {"order_id", "product_id", "qty", "price_unit", "discount"};
  if (has_reward) fields.push_back("is_reward_line");
  Json domain = Json::array(
      {Json::array({"order_id.state", "in", Json::array({"paid", "done", "invoiced"})})});
  if (!since.empty()) {
    domain.push_back(Json::array({"order_id.date_order", ">=", since_datetime(since)}));
  }
  SHELFCAST_ASSIGN_OR_RETURN(std::vector<Json> lines,
                             odoo.search_read_all(model, domain, fields, page_size));
  std::map<int64_t, std::string> product_names;
  SHELFCAST_ASSIGN_OR_RETURN(
      auto orders, orders_of(odoo, model, "pos.order", lines,
                             {"name", "date_order", "config_id", "partner_id"}, &product_names));
  std::set<int64_t> product_ids, config_ids;
  for (const auto& [id, name] : product_names) product_ids.insert(id);
  for (const auto& [id, o] : orders) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t c, m2o(o, "pos.order", id, "config_id"));
    if (c > 0) config_ids.insert(c);
  }
  SHELFCAST_ASSIGN_OR_RETURN(auto products, read_by_id(odoo, "product.product", product_ids,
                                                       {"default_code", "categ_id"}));
  SHELFCAST_ASSIGN_OR_RETURN(auto configs, read_by_id(odoo, "pos.config", config_ids, {"name"}));

  LinesCsv out;
  out.csv =
      "order_id,order_id/date_order,order_id/config_id,order_id/partner_id/id,product_id,"
      "product_id/default_code,product_id/categ_id,qty,price_unit,discount,is_reward_line\n";
  for (const Json& l : lines) {
    const int64_t id = *record_id(l, model);
    const int64_t o = *m2o(l, model, id, "order_id");
    const int64_t p = *m2o(l, model, id, "product_id");
    const auto order = orders.find(o);
    if (order == orders.end()) {
      return record_error(model, id, "order_id",
                          "Odoo did not return its order " + std::to_string(o));
    }
    const Json& ord = order->second;
    SHELFCAST_ASSIGN_OR_RETURN(int64_t c, m2o(ord, "pos.order", o, "config_id"));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t partner, m2o(ord, "pos.order", o, "partner_id"));
    const auto config = configs.find(c);
    const auto prod = products.find(p);
    out.csv +=
        cell(odoo_text(field(ord, "name"))) + "," + cell(odoo_text(field(ord, "date_order"))) +
        "," + cell(config == configs.end() ? "" : odoo_text(field(config->second, "name"))) + "," +
        cell(partner > 0 ? "res.partner," + std::to_string(partner) : std::string()) + "," +
        cell(many2one_name(field(l, "product_id"))) + "," +
        cell(prod == products.end() ? "" : odoo_text(field(prod->second, "default_code"))) + "," +
        cell(prod == products.end() ? "" : many2one_name(field(prod->second, "categ_id"))) + "," +
        number_cell(field(l, "qty")) + "," + number_cell(field(l, "price_unit")) + "," +
        number_cell(field(l, "discount")) + "," +
        (field(l, "is_reward_line") == Json(true) ? "True" : "False") + "\n";
    out.ids.push_back(id);
  }
  return out;
}

// Loads lines through the ingest path (validation, pseudonyms, load_dataset's one transaction),
// then audits the batch. A bad record refuses the whole batch and names its Odoo id.
Result<PullReport> load_lines(Database& db, const Pseudonymizer& pseudonymizer,
                              const LinesCsv& lines, IngestFormat format, const std::string& model,
                              const PullOptions& options, PullReport report) {
  report.records = static_cast<int64_t>(lines.ids.size());
  if (lines.ids.empty()) return report;
  const std::string source = options.source + ":" + model;
  SHELFCAST_ASSIGN_OR_RETURN(IngestBatch batch,
                             parse_ingest(source, lines.csv, format, true, pseudonymizer));
  if (!batch.skipped.empty()) {
    const RowError& e = batch.skipped.front();
    const auto row = static_cast<size_t>(std::max(0, e.line - 2));
    const int64_t id = row < lines.ids.size() ? lines.ids[row] : 0;
    if (e.field.empty())
      return invalid_argument(model + " " + std::to_string(id) + ": " + e.message);
    return record_error(model, id, e.field, e.message);
  }
  const Dataset data = to_dataset(batch);
  LoadSource load{source, std::string(to_string(format)), sha256_hex(lines.csv), 0};
  SHELFCAST_ASSIGN_OR_RETURN(LoadReport loaded, load_dataset(db, data, load));
  report.rows = loaded.lines_added;
  report.batch_id = loaded.batch_id;
  report.details = {{"products_added", loaded.products_added},
                    {"stores_added", loaded.stores_added},
                    {"customers_added", loaded.customers_added},
                    {"non_sale_lines_dropped", batch.dropped_lines}};
  SHELFCAST_RETURN_IF_ERROR(
      record_audit_now(db, options.actor, "odoo.pull", "batch:" + std::to_string(loaded.batch_id),
                       dump_json(Json{{"model", model},
                                      {"source", source},
                                      {"format", std::string(to_string(format))},
                                      {"records", report.records},
                                      {"rows_added", report.rows}})));
  return report;
}

// ---- master data: one transaction with its batch row and audit entry ----------------------------

template <typename Write>
Result<PullReport> write_batch(Database& db, const PullOptions& options, const std::string& model,
                               const std::string& format, const std::string& content,
                               PullReport report, Write write) {
  if (report.records == 0) return report;
  const std::string source = options.source + ":" + model;
  Transaction tx(db);
  SHELFCAST_RETURN_IF_ERROR(tx.begin_status());
  SHELFCAST_ASSIGN_OR_RETURN(
      int64_t batch,
      insert_pull_batch(db, {source, format, sha256_hex(content), 0}, report.records));
  SHELFCAST_ASSIGN_OR_RETURN(MasterWriteReport written, write(batch));
  report.batch_id = batch;
  report.rows = written.rows;
  report.details["products_added"] = written.products_added;
  report.details["stores_added"] = written.stores_added;
  if (written.zeroed > 0) report.details["stock_rows_zeroed"] = written.zeroed;
  Json audit = {
      {"model", model}, {"source", source}, {"records", report.records}, {"rows", report.rows}};
  SHELFCAST_RETURN_IF_ERROR(record_audit(db, options.actor, "odoo.pull",
                                         "batch:" + std::to_string(batch), dump_json(audit)));
  SHELFCAST_RETURN_IF_ERROR(tx.commit());
  return report;
}

std::string records_dump(const std::vector<Json>& records) {
  std::string out;
  for (const Json& r : records) out += dump_json(r) + "\n";
  return out;
}

Result<PullReport> pull_products(Database& db, OdooClient& odoo, const PullOptions& options,
                                 PullReport report) {
  const std::string model = "product.product";
  SHELFCAST_ASSIGN_OR_RETURN(
      std::vector<Json> records,
      odoo.search_read_all(
          model, with_since(Json::array(), "write_date", options.since),
          {"default_code", "display_name", "categ_id", "lst_price", "standard_price"},
          options.page_size));
  std::vector<MasterProduct> products;
  for (const Json& r : records) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t id, record_id(r, model));
    SHELFCAST_RETURN_IF_ERROR(m2o(r, model, id, "categ_id").status());
    const auto [code, name] = split_display_name(odoo_text(field(r, "display_name")));
    MasterProduct p;
    p.code = odoo_text(field(r, "default_code"));
    if (p.code.empty()) p.code = code;
    if (p.code.empty()) {
      return record_error(model, id, "default_code",
                          "no internal reference and no display name to take a code from");
    }
    p.name = name;
    p.category = many2one_name(field(r, "categ_id"));
    SHELFCAST_ASSIGN_OR_RETURN(p.list_price_per_unit, number(r, model, id, "lst_price", 0.0));
    SHELFCAST_ASSIGN_OR_RETURN(p.cost_per_unit, number(r, model, id, "standard_price", 0.0));
    products.push_back(std::move(p));
  }
  report.records = static_cast<int64_t>(records.size());
  return write_batch(db, options, model, "odoo-product", records_dump(records), report,
                     [&](int64_t) { return save_master_products(db, products); });
}

Result<PullReport> pull_stock(Database& db, OdooClient& odoo, const PullOptions& options,
                              PullReport report) {
  const std::string model = "stock.quant";
  SHELFCAST_ASSIGN_OR_RETURN(
      std::vector<Json> records,
      odoo.search_read_all(
          model, Json::array({Json::array({"location_id.usage", "=", "internal"})}),
          {"product_id", "location_id", "warehouse_id", "quantity"}, options.page_size));
  std::map<std::pair<int64_t, int64_t>, double> on_hand;  // (warehouse, product) -> units
  std::map<std::pair<int64_t, int64_t>, int64_t> first_quant;
  std::map<int64_t, std::string> product_names, warehouse_names;
  int64_t outside = 0;
  for (const Json& r : records) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t id, record_id(r, model));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t product, m2o(r, model, id, "product_id"));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t warehouse, m2o(r, model, id, "warehouse_id"));
    SHELFCAST_RETURN_IF_ERROR(m2o(r, model, id, "location_id").status());
    SHELFCAST_ASSIGN_OR_RETURN(double qty, number(r, model, id, "quantity", -1e12));
    if (product == 0) return record_error(model, id, "product_id", "missing value");
    if (warehouse == 0) {
      ++outside;  // an internal location outside every warehouse: no store to put it in
      continue;
    }
    on_hand[{warehouse, product}] += qty;
    first_quant.emplace(std::make_pair(warehouse, product), id);
    product_names[product] = many2one_name(field(r, "product_id"));
    warehouse_names[warehouse] = many2one_name(field(r, "warehouse_id"));
  }
  SHELFCAST_ASSIGN_OR_RETURN(auto products, product_refs(odoo, product_names));
  SHELFCAST_ASSIGN_OR_RETURN(auto warehouses, warehouse_refs(odoo, warehouse_names));
  std::vector<StockLevel> levels;
  for (const auto& [key, units] : on_hand) {
    const int64_t quant = first_quant[key];
    const auto wh = warehouses.find(key.first);
    if (wh == warehouses.end()) {
      return record_error(model, quant, "warehouse_id",
                          "stock.warehouse " + std::to_string(key.first) + " has no code or name");
    }
    const auto prod = products.find(key.second);
    if (prod == products.end()) {
      return record_error(model, quant, "product_id",
                          "product.product " + std::to_string(key.second) + " has no code");
    }
    levels.push_back(
        {wh->second.code, wh->second.name, prod->second.code, prod->second.name, units});
  }
  report.records = static_cast<int64_t>(records.size());
  report.details["snapshot"] = "full";
  if (outside > 0) report.details["quants_outside_warehouses"] = outside;
  return write_batch(db, options, model, "odoo-stock", records_dump(records), report,
                     [&](int64_t) { return save_stock_levels(db, levels, true); });
}

Result<PullReport> pull_orderpoints(Database& db, OdooClient& odoo, const PullOptions& options,
                                    PullReport report) {
  const std::string model = "stock.warehouse.orderpoint";
  SHELFCAST_ASSIGN_OR_RETURN(
      std::vector<Json> records,
      odoo.search_read_all(model, with_since(Json::array(), "write_date", options.since),
                           {"product_id", "warehouse_id", "location_id", "product_min_qty",
                            "product_max_qty", "qty_multiple", "lead_days_date", "trigger"},
                           options.page_size));
  Date as_of = options.as_of.value_or(Date{static_cast<int32_t>(std::time(nullptr) / 86400)});
  std::map<int64_t, std::string> product_names, warehouse_names;
  std::vector<OrderpointRow> rows;
  std::vector<std::pair<int64_t, int64_t>> keys;  // (warehouse, product) per row
  int64_t without_lead_time = 0;
  for (const Json& r : records) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t id, record_id(r, model));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t product, m2o(r, model, id, "product_id"));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t warehouse, m2o(r, model, id, "warehouse_id"));
    SHELFCAST_RETURN_IF_ERROR(m2o(r, model, id, "location_id").status());
    if (product == 0) return record_error(model, id, "product_id", "missing value");
    if (warehouse == 0) return record_error(model, id, "warehouse_id", "missing value");
    OrderpointRow o;
    o.odoo_id = id;
    SHELFCAST_ASSIGN_OR_RETURN(o.min_qty, number(r, model, id, "product_min_qty", 0.0));
    SHELFCAST_ASSIGN_OR_RETURN(o.max_qty, number(r, model, id, "product_max_qty", 0.0));
    SHELFCAST_ASSIGN_OR_RETURN(o.qty_multiple, number(r, model, id, "qty_multiple", 0.0));
    if (o.max_qty < o.min_qty) {
      return record_error(model, id, "product_max_qty",
                          "below product_min_qty (" + dump_json(Json(o.min_qty)) + ")");
    }
    SHELFCAST_ASSIGN_OR_RETURN(std::optional<Date> lead_date,
                               date_value(r, model, id, "lead_days_date"));
    // Odoo computes lead_days_date as today + the rule's lead days; one in the past is stale.
    if (lead_date.has_value() && lead_date->days >= as_of.days) {
      o.lead_time_days = static_cast<double>(lead_date->days - as_of.days);
    } else {
      ++without_lead_time;
    }
    o.trigger = odoo_text(field(r, "trigger"));
    product_names[product] = many2one_name(field(r, "product_id"));
    warehouse_names[warehouse] = many2one_name(field(r, "warehouse_id"));
    keys.emplace_back(warehouse, product);
    rows.push_back(std::move(o));
  }
  SHELFCAST_ASSIGN_OR_RETURN(auto products, product_refs(odoo, product_names));
  SHELFCAST_ASSIGN_OR_RETURN(auto warehouses, warehouse_refs(odoo, warehouse_names));
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto wh = warehouses.find(keys[i].first);
    const auto prod = products.find(keys[i].second);
    if (wh == warehouses.end()) {
      return record_error(model, rows[i].odoo_id, "warehouse_id",
                          "stock.warehouse " + std::to_string(keys[i].first) + " has no code");
    }
    if (prod == products.end()) {
      return record_error(model, rows[i].odoo_id, "product_id",
                          "product.product " + std::to_string(keys[i].second) + " has no code");
    }
    rows[i].store_code = wh->second.code;
    rows[i].store_name = wh->second.name;
    rows[i].product_code = prod->second.code;
    rows[i].product_name = prod->second.name;
  }
  report.records = static_cast<int64_t>(records.size());
  if (without_lead_time > 0) report.details["without_lead_time"] = without_lead_time;
  return write_batch(db, options, model, "odoo-orderpoint", records_dump(records), report,
                     [&](int64_t batch) { return save_orderpoints(db, batch, rows); });
}

// Program types that are a shelf promotion when dated; coupons, loyalty cards, gift cards and
// e-wallets are handed to customers or are means of payment.
bool promotion_type(const std::string& type) {
  return type == "promotion" || type == "buy_x_get_y" || type == "promo_code";
}

Result<PullReport> pull_loyalty(Database& db, OdooClient& odoo, const PullOptions& options,
                                PullReport report) {
  const std::string model = "loyalty.program";
  SHELFCAST_ASSIGN_OR_RETURN(
      std::vector<Json> programs,
      odoo.search_read_all(
          model, with_since(Json::array(), "write_date", options.since),
          {"name", "program_type", "date_from", "date_to", "rule_ids", "reward_ids"},
          options.page_size));
  report.records = static_cast<int64_t>(programs.size());
  if (programs.empty()) return report;
  std::vector<int64_t> program_ids;
  for (const Json& p : programs) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t id, record_id(p, model));
    program_ids.push_back(id);
  }
  const Json by_program = Json::array({Json::array({"program_id", "in", program_ids})});
  SHELFCAST_ASSIGN_OR_RETURN(
      std::vector<Json> rules,
      odoo.search_read_all(
          "loyalty.rule", by_program,
          {"program_id", "product_ids", "product_category_id", "minimum_qty", "minimum_amount"},
          kRelatedPageSize));
  SHELFCAST_ASSIGN_OR_RETURN(
      std::vector<Json> rewards,
      odoo.search_read_all(
          "loyalty.reward", by_program,
          {"program_id", "reward_type", "discount", "discount_mode", "discount_applicability",
           "discount_product_ids", "discount_product_category_id", "reward_product_id",
           "reward_product_qty", "description"},
          kRelatedPageSize));
  // Rules and rewards by program, their products and the products of their categories.
  std::map<int64_t, std::vector<Json>> rules_of, rewards_of;
  std::map<int64_t, std::string> product_names;
  std::set<int64_t> category_ids;
  for (const Json& r : rules) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t id, record_id(r, "loyalty.rule"));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t program, m2o(r, "loyalty.rule", id, "program_id"));
    SHELFCAST_ASSIGN_OR_RETURN(auto ids, id_list(r, "loyalty.rule", id, "product_ids"));
    for (int64_t p : ids) product_names.emplace(p, "");
    SHELFCAST_ASSIGN_OR_RETURN(int64_t c, m2o(r, "loyalty.rule", id, "product_category_id"));
    if (c > 0) category_ids.insert(c);
    SHELFCAST_RETURN_IF_ERROR(number(r, "loyalty.rule", id, "minimum_qty", 0.0).status());
    rules_of[program].push_back(r);
  }
  for (const Json& r : rewards) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t id, record_id(r, "loyalty.reward"));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t program, m2o(r, "loyalty.reward", id, "program_id"));
    SHELFCAST_ASSIGN_OR_RETURN(auto ids, id_list(r, "loyalty.reward", id, "discount_product_ids"));
    for (int64_t p : ids) product_names.emplace(p, "");
    SHELFCAST_ASSIGN_OR_RETURN(int64_t c,
                               m2o(r, "loyalty.reward", id, "discount_product_category_id"));
    if (c > 0) category_ids.insert(c);
    SHELFCAST_ASSIGN_OR_RETURN(int64_t rp, m2o(r, "loyalty.reward", id, "reward_product_id"));
    if (rp > 0) product_names[rp] = many2one_name(field(r, "reward_product_id"));
    SHELFCAST_RETURN_IF_ERROR(number(r, "loyalty.reward", id, "discount", 0.0).status());
    SHELFCAST_RETURN_IF_ERROR(number(r, "loyalty.reward", id, "reward_product_qty", 0.0).status());
    rewards_of[program].push_back(r);
  }
  std::map<int64_t, std::vector<int64_t>> category_products;
  for (int64_t c : category_ids) {
    SHELFCAST_ASSIGN_OR_RETURN(
        std::vector<Json> found,
        odoo.search_read_all("product.product",
                             Json::array({Json::array({"categ_id", "child_of", c})}),
                             {"default_code", "display_name"}, kRelatedPageSize));
    for (const Json& f : found) {
      SHELFCAST_ASSIGN_OR_RETURN(int64_t id, record_id(f, "product.product"));
      category_products[c].push_back(id);
      product_names.emplace(id, odoo_text(field(f, "display_name")));
    }
  }
  SHELFCAST_ASSIGN_OR_RETURN(auto products, product_refs(odoo, product_names));

  std::vector<LoyaltyProgramRow> rows;
  Json unmapped = Json::array();
  int64_t mapped = 0;
  for (const Json& p : programs) {
    const int64_t id = *record_id(p, model);
    LoyaltyProgramRow row;
    row.odoo_id = id;
    row.name = odoo_text(field(p, "name"));
    row.program_type = odoo_text(field(p, "program_type"));
    SHELFCAST_ASSIGN_OR_RETURN(row.date_from, date_value(p, model, id, "date_from"));
    SHELFCAST_ASSIGN_OR_RETURN(row.date_to, date_value(p, model, id, "date_to"));
    if (row.date_from && row.date_to && *row.date_to < *row.date_from) {
      return record_error(model, id, "date_to",
                          "ends " + format_date(*row.date_to) + ", before it starts (" +
                              format_date(*row.date_from) + ")");
    }
    row.rules_json = dump_json(Json(rules_of[id]));
    row.rewards_json = dump_json(Json(rewards_of[id]));
    // The products of a set of ids and categories, as (code, name), known ones only.
    auto codes = [&](const std::vector<int64_t>& ids, const std::vector<int64_t>& categories) {
      std::vector<std::pair<std::string, std::string>> out;
      std::vector<int64_t> all = ids;
      for (int64_t c : categories) {
        const auto it = category_products.find(c);
        if (it != category_products.end())
          all.insert(all.end(), it->second.begin(), it->second.end());
      }
      for (int64_t pid : all) {
        const auto ref = products.find(pid);
        if (ref != products.end()) out.emplace_back(ref->second.code, ref->second.name);
      }
      return out;
    };
    std::vector<int64_t> rule_products, rule_categories;
    double buy_qty = 1.0;
    for (const Json& r : rules_of[id]) {
      const int64_t rid = *record_id(r, "loyalty.rule");
      const std::vector<int64_t> listed = *id_list(r, "loyalty.rule", rid, "product_ids");
      rule_products.insert(rule_products.end(), listed.begin(), listed.end());
      const int64_t c = *m2o(r, "loyalty.rule", rid, "product_category_id");
      if (c > 0) rule_categories.push_back(c);
      buy_qty = std::max(buy_qty, *number(r, "loyalty.rule", rid, "minimum_qty", 0.0));
    }
    std::string note;
    if (!promotion_type(row.program_type)) {
      note = "a " + row.program_type + " program is not a dated shelf promotion";
    } else if (!row.date_from || !row.date_to) {
      note = "no start or end date: not placed on the promotion calendar";
    } else if (rewards_of[id].empty()) {
      note = "no rewards";
    } else {
      // The deepest reward that is a product discount becomes the promotion.
      for (const Json& w : rewards_of[id]) {
        const int64_t wid = *record_id(w, "loyalty.reward");
        const std::string type = odoo_text(field(w, "reward_type"));
        double depth = 0.0;
        PromoMechanic mechanic = PromoMechanic::kPercentOff;
        std::vector<std::pair<std::string, std::string>> items;
        if (type == "discount") {
          const std::string mode = odoo_text(field(w, "discount_mode"));
          if (mode != "percent") {
            note = "a fixed-amount discount (" + mode + ") has no depth without a price";
            continue;
          }
          depth = *number(w, "loyalty.reward", wid, "discount", 0.0) / 100.0;
          if (odoo_text(field(w, "discount_applicability")) == "specific") {
            const int64_t c = *m2o(w, "loyalty.reward", wid, "discount_product_category_id");
            items = codes(*id_list(w, "loyalty.reward", wid, "discount_product_ids"),
                          c > 0 ? std::vector<int64_t>{c} : std::vector<int64_t>{});
          } else {
            items = codes(rule_products, rule_categories);
          }
        } else if (type == "product") {
          const double get_qty =
              std::max(1.0, *number(w, "loyalty.reward", wid, "reward_product_qty", 0.0));
          depth = get_qty / (buy_qty + get_qty);
          mechanic =
              buy_qty == 1.0 && get_qty == 1.0 ? PromoMechanic::kBogo : PromoMechanic::kMultiBuy;
          std::vector<int64_t> ids = rule_products;
          const int64_t rp = *m2o(w, "loyalty.reward", wid, "reward_product_id");
          if (rp > 0) ids.push_back(rp);
          items = codes(ids, rule_categories);
        } else {
          note = "a " + type + " reward is not a price promotion";
          continue;
        }
        if (items.empty()) {
          note = "applies to the whole order, not to products";
          continue;
        }
        if (depth <= 0.0 || depth > 0.95) {
          note = "depth " + dump_json(Json(depth)) + " is outside (0, 0.95]";
          continue;
        }
        if (!row.promotion || depth > row.depth) {
          row.promotion = true;
          row.mechanic = mechanic;
          row.depth = depth;
          row.products = std::move(items);
        }
      }
    }
    if (row.promotion) {
      row.note.clear();
      ++mapped;
    } else {
      row.note = note;
      unmapped.push_back({{"id", id}, {"reason", note}});
    }
    rows.push_back(std::move(row));
  }
  report.details["promotions"] = mapped;
  if (!unmapped.empty()) report.details["not_promotions"] = unmapped;
  return write_batch(db, options, model, "odoo-loyalty",
                     records_dump(programs) + records_dump(rules) + records_dump(rewards), report,
                     [&](int64_t batch) { return save_loyalty_programs(db, batch, rows); });
}

}  // namespace

const std::vector<PullModel>& odoo_pull_models() {
  static const std::vector<PullModel> kModels = {
      {"products", "product.product"},
      {"sales", "sale.order.line"},
      {"pos", "pos.order.line"},
      {"stock", "stock.quant"},
      {"orderpoints", "stock.warehouse.orderpoint"},
      {"loyalty", "loyalty.program"},
  };
  return kModels;
}

Result<std::vector<std::string>> parse_pull_models(const std::string& list) {
  std::set<std::string> wanted;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string name = list.substr(start, end - start);
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (!name.empty()) {
      bool known = false;
      for (const PullModel& m : odoo_pull_models()) {
        if (name == m.name || name == m.odoo_model) {
          wanted.insert(m.name);
          known = true;
        }
      }
      if (!known) {
        std::string names;
        for (const PullModel& m : odoo_pull_models()) {
          names += (names.empty() ? "" : ", ") + std::string(m.name);
        }
        return invalid_argument("unknown model \"" + name + "\" (expected " + names + ")",
                                "models");
      }
    }
    start = end + 1;
  }
  if (wanted.empty()) return invalid_argument("expected at least one model", "models");
  std::vector<std::string> out;
  for (const PullModel& m : odoo_pull_models()) {
    if (wanted.count(m.name) > 0) out.emplace_back(m.name);
  }
  return out;
}

Result<PullReport> pull_from_odoo(Database& db, OdooClient& odoo,
                                  const Pseudonymizer& pseudonymizer, const std::string& name,
                                  const PullOptions& options) {
  const PullModel* model = nullptr;
  for (const PullModel& m : odoo_pull_models()) {
    if (name == m.name) model = &m;
  }
  if (model == nullptr) return invalid_argument("unknown pull \"" + name + "\"", "models");
  if (!options.since.empty() && !parse_date(options.since).is_ok()) {
    return invalid_argument("expected a date YYYY-MM-DD, got \"" + options.since + "\"", "since");
  }
  PullReport report;
  report.name = model->name;
  report.model = model->odoo_model;
  auto run = [&]() -> Result<PullReport> {
    if (name == "products") return pull_products(db, odoo, options, report);
    if (name == "sales" || name == "pos") {
      const bool sales = name == "sales";
      SHELFCAST_ASSIGN_OR_RETURN(LinesCsv lines,
                                 sales ? sale_lines(odoo, options.since, options.page_size)
                                       : pos_lines(odoo, options.since, options.page_size));
      return load_lines(db, pseudonymizer, lines,
                        sales ? IngestFormat::kOdooSale : IngestFormat::kOdooPos, report.model,
                        options, report);
    }
    if (name == "stock") return pull_stock(db, odoo, options, report);
    if (name == "orderpoints") return pull_orderpoints(db, odoo, options, report);
    return pull_loyalty(db, odoo, options, report);
  };
  Result<PullReport> out = run();
  if (out.is_ok()) return out;
  // Name the model the pull was about unless the message already starts with a model name.
  const Status& e = out.status();
  const std::string& message = e.message();
  bool named = false;
  for (const char* m :
       {"product.product", "sale.order", "pos.order", "pos.config", "stock.", "loyalty."}) {
    named = named || message.rfind(m, 0) == 0;
  }
  return Status(e.code(), named ? message : std::string(model->odoo_model) + ": " + message,
                e.field());
}

std::string format_pull_report(const PullReport& r) {
  std::string out = "odoo pull " + r.name + " (" + r.model + "): " + std::to_string(r.records) +
                    " records read, " + std::to_string(r.rows) + " rows added";
  for (auto it = r.details.begin(); it != r.details.end(); ++it) {
    if (it->is_number_integer() && it->get<int64_t>() == 0) continue;
    out += ", " + it.key() + " " + (it->is_string() ? it->get<std::string>() : dump_json(*it));
  }
  out += r.batch_id > 0 ? "; batch " + std::to_string(r.batch_id) : "; nothing to load";
  return out;
}

Result<std::string> pull_sale_lines_csv(OdooClient& odoo, const std::string& since,
                                        int32_t page_size) {
  SHELFCAST_ASSIGN_OR_RETURN(LinesCsv lines, sale_lines(odoo, since, page_size));
  return lines.csv;
}

Result<std::string> pull_pos_lines_csv(OdooClient& odoo, const std::string& since,
                                       int32_t page_size) {
  SHELFCAST_ASSIGN_OR_RETURN(LinesCsv lines, pos_lines(odoo, since, page_size));
  return lines.csv;
}

}  // namespace shelfcast::server
