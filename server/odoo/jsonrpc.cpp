#include "odoo/jsonrpc.h"

#include <httplib.h>

#include <limits>
#include <map>
#include <nlohmann/json.hpp>

namespace shelfcast::server {

struct OdooClient::Transport {
  httplib::Client http;
  explicit Transport(const std::string& url) : http(url) {}
};

namespace {

// Odoo's exception class names -> our error codes (see the header).
ErrorCode code_of(const std::string& odoo_exception) {
  if (odoo_exception == "odoo.exceptions.AccessDenied") return ErrorCode::kUnauthenticated;
  if (odoo_exception == "odoo.exceptions.AccessError") return ErrorCode::kPermissionDenied;
  if (odoo_exception == "odoo.exceptions.MissingError") return ErrorCode::kNotFound;
  if (odoo_exception == "odoo.exceptions.ValidationError" ||
      odoo_exception == "odoo.exceptions.UserError") {
    return ErrorCode::kInvalidArgument;
  }
  return ErrorCode::kUnavailable;
}

}  // namespace

OdooClient::OdooClient(OdooConnection connection, std::unique_ptr<Transport> transport)
    : connection_(std::move(connection)), transport_(std::move(transport)) {}

OdooClient::~OdooClient() = default;

Result<std::unique_ptr<OdooClient>> OdooClient::connect(const OdooConnection& connection) {
  if (connection.url.rfind("http://", 0) != 0 && connection.url.rfind("https://", 0) != 0) {
    return invalid_argument("expected an http:// or https:// URL, got \"" + connection.url + "\"",
                            "url");
  }
  auto transport = std::make_unique<Transport>(connection.url);
  transport->http.set_connection_timeout(connection.timeout_seconds);
  transport->http.set_read_timeout(connection.timeout_seconds);
  std::unique_ptr<OdooClient> client(new OdooClient(connection, std::move(transport)));
  SHELFCAST_ASSIGN_OR_RETURN(
      Json uid, client->call("common", "authenticate",
                             Json::array({connection.database, connection.login, connection.api_key,
                                          Json::object()})));
  if (!uid.is_number_integer() || uid.get<int64_t>() <= 0) {
    return Status(ErrorCode::kUnauthenticated, "Odoo refused the login \"" + connection.login +
                                                   "\" on database \"" + connection.database +
                                                   "\"");
  }
  client->uid_ = uid.get<int64_t>();
  return client;
}

Result<Json> OdooClient::call(const std::string& service, const std::string& method,
                              const Json& args) {
  const Json request = {{"jsonrpc", "2.0"},
                        {"method", "call"},
                        {"id", next_id_++},
                        {"params", {{"service", service}, {"method", method}, {"args", args}}}};
  httplib::Result res = transport_->http.Post("/jsonrpc", dump_json(request), "application/json");
  if (!res) {
    return Status(ErrorCode::kUnavailable, "Odoo at " + connection_.url + " did not answer: " +
                                               httplib::to_string(res.error()));
  }
  if (res->status != 200) {
    return Status(ErrorCode::kUnavailable, "Odoo answered HTTP " + std::to_string(res->status) +
                                               " to " + service + "." + method);
  }
  Result<Json> body = parse_json(res->body);
  if (!body.is_ok() || !body->is_object()) {
    return Status(ErrorCode::kUnavailable,
                  "Odoo's answer to " + service + "." + method + " is not a JSON-RPC object");
  }
  if (auto err = body->find("error"); err != body->end()) {
    const Json data = err->is_object() && err->contains("data") && (*err)["data"].is_object()
                          ? (*err)["data"]
                          : Json::object();
    const std::string name = odoo_text(data.value("name", Json(false)));
    std::string message = err->is_object() ? odoo_text(err->value("message", Json(false))) : "";
    if (message.empty()) message = "Odoo error";
    if (!odoo_text(data.value("message", Json(false))).empty()) {
      message = odoo_text(data["message"]);
    }
    return Status(code_of(name), "Odoo: " + message + (name.empty() ? "" : " (" + name + ")"));
  }
  if (!body->contains("result")) {
    return Status(ErrorCode::kUnavailable, "Odoo's answer has neither result nor error");
  }
  return (*body)["result"];
}

Result<Json> OdooClient::execute_kw(const std::string& model, const std::string& method,
                                    const Json& args, const Json& kwargs) {
  return call(
      "object", "execute_kw",
      Json::array({connection_.database, uid_, connection_.api_key, model, method, args, kwargs}));
}

Result<std::vector<Json>> OdooClient::search_read_all(const std::string& model, const Json& domain,
                                                      const std::vector<std::string>& fields,
                                                      int32_t page_size, const Json& extra_kwargs) {
  if (page_size < 1) return invalid_argument("expected a page size >= 1", "page_size");
  std::vector<Json> records;
  int64_t last_id = std::numeric_limits<int64_t>::min();
  for (int64_t offset = 0;; offset += page_size) {
    Json kwargs = {{"fields", fields}, {"limit", page_size}, {"offset", offset}, {"order", "id"}};
    if (extra_kwargs.is_object()) {
      for (auto it = extra_kwargs.begin(); it != extra_kwargs.end(); ++it) kwargs[it.key()] = *it;
    }
    SHELFCAST_ASSIGN_OR_RETURN(Json page,
                               execute_kw(model, "search_read", Json::array({domain}), kwargs));
    if (!page.is_array()) {
      return Status(ErrorCode::kUnavailable,
                    "Odoo's search_read on " + model + " did not return a list of records");
    }
    // Paging by id must move forward: a server that ignores the offset would loop forever.
    if (static_cast<int64_t>(page.size()) > page_size) {
      return Status(ErrorCode::kUnavailable,
                    "Odoo's search_read on " + model + " returned " + std::to_string(page.size()) +
                        " records for a limit of " + std::to_string(page_size));
    }
    for (Json& r : page) {
      if (r.is_object() && r.contains("id") && r["id"].is_number_integer()) {
        const auto id = r["id"].get<int64_t>();
        if (id <= last_id) {
          return Status(ErrorCode::kUnavailable, "Odoo's search_read on " + model +
                                                     " returned record " + std::to_string(id) +
                                                     " again or out of id order at offset " +
                                                     std::to_string(offset));
        }
        last_id = id;
      }
      records.push_back(std::move(r));
    }
    if (static_cast<int64_t>(page.size()) < page_size) break;
  }
  return records;
}

Result<int64_t> OdooClient::create(const std::string& model, const Json& values) {
  SHELFCAST_ASSIGN_OR_RETURN(Json id, execute_kw(model, "create", Json::array({values})));
  // Odoo 17+ may answer a list of ids for a batch create; one record here.
  if (id.is_array() && id.size() == 1) id = id[0];
  if (!id.is_number_integer()) {
    return Status(ErrorCode::kUnavailable, "Odoo's create on " + model + " returned " + id.dump());
  }
  return id.get<int64_t>();
}

Status OdooClient::write(const std::string& model, const std::vector<int64_t>& ids,
                         const Json& values) {
  SHELFCAST_ASSIGN_OR_RETURN(Json ok, execute_kw(model, "write", Json::array({ids, values})));
  if (ok != Json(true)) {
    return Status(ErrorCode::kUnavailable, "Odoo's write on " + model + " returned " + ok.dump());
  }
  return Status::ok();
}

Result<int64_t> many2one_id(const Json& value, const std::string& field) {
  if (value.is_boolean() && !value.get<bool>()) return int64_t{0};
  if (value.is_array() && value.size() == 2 && value[0].is_number_integer()) {
    return value[0].get<int64_t>();
  }
  if (value.is_number_integer() && value.get<int64_t>() > 0) return value.get<int64_t>();
  return invalid_argument("expected [id, \"name\"] or false, got " + value.dump(), field);
}

std::string many2one_name(const Json& value) {
  if (value.is_array() && value.size() == 2 && value[1].is_string()) {
    return value[1].get<std::string>();
  }
  return "";
}

std::string odoo_text(const Json& value) {
  return value.is_string() ? value.get<std::string>() : "";
}

namespace {

// Finds exactly one record's id by a field; kNotFound names what was looked for.
Result<int64_t> find_one(OdooClient& odoo, const std::string& model, const std::string& field,
                         const std::string& value, std::map<std::string, int64_t>* cache) {
  const std::string key = model + "|" + field + "|" + value;
  if (auto it = cache->find(key); it != cache->end()) return it->second;
  SHELFCAST_ASSIGN_OR_RETURN(
      Json ids, odoo.execute_kw(model, "search",
                                Json::array({Json::array({Json::array({field, "=", value})})}),
                                {{"limit", 1}}));
  if (!ids.is_array() || ids.empty() || !ids[0].is_number_integer()) {
    return Status(ErrorCode::kNotFound, "no " + model + " with " + field + " = \"" + value + "\"");
  }
  (*cache)[key] = ids[0].get<int64_t>();
  return ids[0].get<int64_t>();
}

// The stock location of a warehouse (our stores are Odoo warehouses by short code).
Result<std::pair<int64_t, int64_t>> warehouse(
    OdooClient& odoo, const std::string& code,
    std::map<std::string, std::pair<int64_t, int64_t>>* cache) {
  if (auto it = cache->find(code); it != cache->end()) return it->second;
  SHELFCAST_ASSIGN_OR_RETURN(
      Json rows, odoo.execute_kw("stock.warehouse", "search_read",
                                 Json::array({Json::array({Json::array({"code", "=", code})})}),
                                 {{"fields", {"id", "lot_stock_id"}}, {"limit", 1}}));
  if (!rows.is_array() || rows.empty()) {
    return Status(ErrorCode::kNotFound, "no stock.warehouse with code = \"" + code + "\"");
  }
  SHELFCAST_ASSIGN_OR_RETURN(int64_t location,
                             many2one_id(rows[0]["lot_stock_id"], "lot_stock_id"));
  if (!rows[0].contains("id") || !rows[0]["id"].is_number_integer()) {
    return Status(ErrorCode::kUnavailable, "Odoo returned a stock.warehouse without an id");
  }
  const auto out = std::make_pair(rows[0]["id"].get<int64_t>(), location);
  (*cache)[code] = out;
  return out;
}

// A proposal's date (YYYY-MM-DD) as an Odoo datetime; kInvalidArgument when it is not one.
Result<std::string> odoo_datetime(const Json& date) {
  if (!date.is_string() || !parse_date(date.get<std::string>()).is_ok()) {
    return invalid_argument("expected a date YYYY-MM-DD, got " + date.dump(), "date");
  }
  return date.get<std::string>() + " 00:00:00";
}

}  // namespace

Result<Json> write_back_proposals(OdooClient& odoo, const Json& plan) {
  if (!plan.is_object()) return invalid_argument("expected a replenishment plan object", "plan");
  std::map<std::string, int64_t> ids;
  std::map<std::string, std::pair<int64_t, int64_t>> warehouses;
  Json created = {{"purchase.order", Json::array()},
                  {"stock.picking", Json::array()},
                  {"stock.warehouse.orderpoint", Json::array()}};
  // Purchase lines, one draft purchase order (RFQ) per vendor.
  std::map<std::string, Json> lines_by_vendor;
  for (const Json& p : plan.value("purchase_lines", Json::array())) {
    const std::string vendor = p.value("partner_id", std::string());
    SHELFCAST_ASSIGN_OR_RETURN(int64_t product,
                               find_one(odoo, "product.product", "default_code",
                                        p.value("product_id", std::string()), &ids));
    SHELFCAST_ASSIGN_OR_RETURN(std::string planned, odoo_datetime(p.value("date_planned", Json())));
    lines_by_vendor[vendor].push_back(Json::array({0,
                                                   0,
                                                   {{"product_id", product},
                                                    {"product_qty", p.value("product_qty", 0.0)},
                                                    {"date_planned", planned},
                                                    {"name", p.value("reason", std::string())}}}));
  }
  for (auto& [vendor, lines] : lines_by_vendor) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t partner,
                               find_one(odoo, "res.partner", "name", vendor, &ids));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t po, odoo.create("purchase.order", {{"partner_id", partner},
                                                                          {"order_line", lines}}));
    created["purchase.order"].push_back(po);
  }
  // Internal transfers.
  if (plan.contains("transfers") && !plan["transfers"].empty()) {
    SHELFCAST_ASSIGN_OR_RETURN(int64_t internal,
                               find_one(odoo, "stock.picking.type", "code", "internal", &ids));
    for (const Json& t : plan["transfers"]) {
      SHELFCAST_ASSIGN_OR_RETURN(
          auto from, warehouse(odoo, t.value("location_id", std::string()), &warehouses));
      SHELFCAST_ASSIGN_OR_RETURN(
          auto to, warehouse(odoo, t.value("location_dest_id", std::string()), &warehouses));
      SHELFCAST_ASSIGN_OR_RETURN(int64_t product,
                                 find_one(odoo, "product.product", "default_code",
                                          t.value("product_id", std::string()), &ids));
      SHELFCAST_ASSIGN_OR_RETURN(std::string scheduled,
                                 odoo_datetime(t.value("scheduled_date", Json())));
      SHELFCAST_ASSIGN_OR_RETURN(
          int64_t picking,
          odoo.create(
              "stock.picking",
              {{"picking_type_id", internal},
               {"location_id", from.second},
               {"location_dest_id", to.second},
               {"scheduled_date", scheduled},
               {"origin", "Shelfcast: " + t.value("reason", std::string())},
               {"move_ids",
                Json::array({Json::array({0,
                                          0,
                                          {{"name", t.value("product_id", std::string())},
                                           {"product_id", product},
                                           {"product_uom_qty", t.value("product_uom_qty", 0.0)},
                                           {"location_id", from.second},
                                           {"location_dest_id", to.second}}})})}}));
      created["stock.picking"].push_back(picking);
    }
  }
  // Orderpoints: update the rule of the product in the warehouse, or create one.
  for (const Json& o : plan.value("orderpoints", Json::array())) {
    SHELFCAST_ASSIGN_OR_RETURN(auto wh,
                               warehouse(odoo, o.value("location", std::string()), &warehouses));
    SHELFCAST_ASSIGN_OR_RETURN(int64_t product,
                               find_one(odoo, "product.product", "default_code",
                                        o.value("product_id", std::string()), &ids));
    const Json values = {{"product_min_qty", o.value("product_min_qty", 0.0)},
                         {"product_max_qty", o.value("product_max_qty", 0.0)}};
    SHELFCAST_ASSIGN_OR_RETURN(
        Json existing,
        odoo.execute_kw("stock.warehouse.orderpoint", "search",
                        Json::array({Json::array({Json::array({"product_id", "=", product}),
                                                  Json::array({"warehouse_id", "=", wh.first})})}),
                        {{"limit", 1}}));
    if (existing.is_array() && !existing.empty()) {
      if (!existing[0].is_number_integer()) {
        return Status(ErrorCode::kUnavailable,
                      "Odoo's orderpoint search returned " + existing.dump());
      }
      const int64_t id = existing[0].get<int64_t>();
      SHELFCAST_RETURN_IF_ERROR(odoo.write("stock.warehouse.orderpoint", {id}, values));
      created["stock.warehouse.orderpoint"].push_back(id);
    } else {
      Json v = values;
      v["product_id"] = product;
      v["warehouse_id"] = wh.first;
      v["location_id"] = wh.second;
      SHELFCAST_ASSIGN_OR_RETURN(int64_t id, odoo.create("stock.warehouse.orderpoint", v));
      created["stock.warehouse.orderpoint"].push_back(id);
    }
  }
  return created;
}

}  // namespace shelfcast::server
