#include "odoo/pull.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "ingest/csv.h"

namespace shelfcast::server {
namespace {

// Reads the records of `ids` from `model`, 500 ids per call, by id.
Result<std::map<int64_t, Json>> read_by_id(OdooClient& odoo, const std::string& model,
                                           const std::set<int64_t>& ids,
                                           const std::vector<std::string>& fields) {
  std::map<int64_t, Json> out;
  std::vector<int64_t> chunk;
  auto flush = [&]() -> Status {
    if (chunk.empty()) return Status::ok();
    SHELFCAST_ASSIGN_OR_RETURN(
        std::vector<Json> rows,
        odoo.search_read_all(model, Json::array({Json::array({"id", "in", chunk})}), fields));
    for (Json& r : rows) {
      if (!r.is_object() || !r.contains("id") || !r["id"].is_number_integer()) {
        return Status(ErrorCode::kUnavailable,
                      "Odoo returned a " + model + " record without an id");
      }
      const auto id = r["id"].get<int64_t>();  // before the move: `a[f(r)] = move(r)` moves first
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

std::string cell(const std::string& text) { return csv_field(text); }

// A field of a record; a field Odoo left out reads as false, Odoo's own "empty".
Json field(const Json& record, const char* name) { return record.value(name, Json(false)); }

}  // namespace

Result<std::string> pull_sale_lines_csv(OdooClient& odoo, const std::string& since,
                                        int32_t page_size) {
  Json domain = Json::array();
  if (!since.empty())
    domain.push_back(Json::array({"order_id.date_order", ">=", since + " 00:00:00"}));
  SHELFCAST_ASSIGN_OR_RETURN(
      std::vector<Json> lines,
      odoo.search_read_all("sale.order.line", domain,
                           {"order_id", "product_id", "product_uom_qty", "price_unit", "discount",
                            "display_type", "is_reward_line"},
                           page_size));
  std::set<int64_t> order_ids, product_ids;
  for (const Json& l : lines) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t o, many2one_id(field(l, "order_id"), "order_id"));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t p, many2one_id(field(l, "product_id"), "product_id"));
    if (o > 0) order_ids.insert(o);
    if (p > 0) product_ids.insert(p);
  }
  SHELFCAST_ASSIGN_OR_RETURN(
      auto orders, read_by_id(odoo, "sale.order", order_ids,
                              {"name", "date_order", "warehouse_id", "partner_id", "website_id"}));
  SHELFCAST_ASSIGN_OR_RETURN(auto products, read_by_id(odoo, "product.product", product_ids,
                                                       {"default_code", "categ_id"}));
  std::set<int64_t> warehouse_ids;
  for (const auto& [id, o] : orders) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t w, many2one_id(o["warehouse_id"], "warehouse_id"));
    if (w > 0) warehouse_ids.insert(w);
  }
  SHELFCAST_ASSIGN_OR_RETURN(auto warehouses,
                             read_by_id(odoo, "stock.warehouse", warehouse_ids, {"code"}));

  std::string csv =
      "order_id,order_id/date_order,order_id/warehouse_id,order_id/warehouse_id/code,"
      "order_id/website_id,order_id/partner_id/id,product_id,product_id/default_code,"
      "product_id/categ_id,product_uom_qty,price_unit,discount,display_type,is_reward_line\n";
  const auto number = [](const Json& v) { return v.is_number() ? dump_json(v) : std::string(); };
  for (const Json& l : lines) {
    const int64_t o = *many2one_id(field(l, "order_id"), "order_id");
    const int64_t p = *many2one_id(field(l, "product_id"), "product_id");
    const auto order = orders.find(o);
    if (order == orders.end()) {
      return Status(ErrorCode::kUnavailable, "Odoo returned sale.order.line " +
                                                 dump_json(field(l, "id")) + " but not its order " +
                                                 std::to_string(o));
    }
    const Json& ord = order->second;
    const int64_t w = *many2one_id(field(ord, "warehouse_id"), "warehouse_id");
    const auto wh = warehouses.find(w);
    const int64_t partner = *many2one_id(field(ord, "partner_id"), "partner_id");
    const auto prod = products.find(p);
    csv += cell(odoo_text(field(ord, "name"))) + "," + cell(odoo_text(field(ord, "date_order"))) +
           "," + cell(many2one_name(field(ord, "warehouse_id"))) + "," +
           cell(wh == warehouses.end() ? "" : odoo_text(field(wh->second, "code"))) + "," +
           cell(many2one_name(field(ord, "website_id"))) + "," +
           cell(partner > 0 ? "res.partner," + std::to_string(partner) : std::string()) + "," +
           cell(many2one_name(field(l, "product_id"))) + "," +
           cell(prod == products.end() ? "" : odoo_text(field(prod->second, "default_code"))) +
           "," +
           cell(prod == products.end() ? "" : many2one_name(field(prod->second, "categ_id"))) +
           "," + number(field(l, "product_uom_qty")) + "," + number(field(l, "price_unit")) + "," +
           number(field(l, "discount")) + "," + cell(odoo_text(field(l, "display_type"))) + "," +
           (l.value("is_reward_line", false) ? "True" : "False") + "\n";
  }
  return csv;
}

}  // namespace shelfcast::server
