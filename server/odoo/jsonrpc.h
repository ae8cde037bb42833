#pragma once
// Odoo's external JSON-RPC API (POST /jsonrpc, services "common" and "object"), the only code that
// speaks Odoo's wire format: authenticate, execute_kw with search_read paging, create and write.
// Many2one values arrive as [id, "Display Name"], empty values as false, datetimes as
// "YYYY-MM-DD HH:MM:SS" (UTC); errors as {"error":{"code":200,"message","data":{"name",...}}},
// which become a Status: odoo.exceptions.AccessDenied -> kUnauthenticated, AccessError ->
// kPermissionDenied, MissingError -> kNotFound, ValidationError / UserError -> kInvalidArgument,
// anything else -> kUnavailable with Odoo's message; transport failures -> kUnavailable.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "shelfcast/json.h"
#include "shelfcast/result.h"

namespace shelfcast::server {

/// Where and as whom to connect (an API key is used as the password, as Odoo recommends).
struct OdooConnection {
  std::string url;  ///< e.g. "http://127.0.0.1:8069" (scheme, host, port; no path)
  std::string database;
  std::string login;
  std::string api_key;
  int timeout_seconds = 30;
};

/// A logged-in client. Not thread-safe; one per job.
class OdooClient {
 public:
  /// Authenticates (common.authenticate); a false uid is kUnauthenticated.
  static Result<std::unique_ptr<OdooClient>> connect(const OdooConnection& connection);
  ~OdooClient();

  int64_t uid() const { return uid_; }

  /// object.execute_kw(db, uid, key, model, method, args, kwargs); the "result" member.
  Result<Json> execute_kw(const std::string& model, const std::string& method, const Json& args,
                          const Json& kwargs = Json::object());

  /// search_read over every record of `domain`, `page_size` at a time ordered by id (stable paging
  /// while records are added), until a page comes back short. `extra_kwargs` joins the call's
  /// keyword arguments (e.g. {"load": null}: many2one values as bare ids, without display names).
  Result<std::vector<Json>> search_read_all(const std::string& model, const Json& domain,
                                            const std::vector<std::string>& fields,
                                            int32_t page_size = 500,
                                            const Json& extra_kwargs = Json::object());

  /// create(values) -> the new record's id.
  Result<int64_t> create(const std::string& model, const Json& values);
  /// write(ids, values).
  Status write(const std::string& model, const std::vector<int64_t>& ids, const Json& values);

  OdooClient(const OdooClient&) = delete;
  OdooClient& operator=(const OdooClient&) = delete;

 private:
  struct Transport;
  OdooClient(OdooConnection connection, std::unique_ptr<Transport> transport);
  Result<Json> call(const std::string& service, const std::string& method, const Json& args);

  OdooConnection connection_;
  std::unique_ptr<Transport> transport_;
  int64_t uid_ = 0;
  int64_t next_id_ = 1;
};

/// A many2one value: [id, "name"] (or a bare id, as read with load=None) -> id, false -> 0;
/// anything else is kInvalidArgument naming `field`.
Result<int64_t> many2one_id(const Json& value, const std::string& field);
/// A many2one's display name ("" for false).
std::string many2one_name(const Json& value);
/// A char/text value: false -> "".
std::string odoo_text(const Json& value);

/// Draft records in Odoo for approved replenishment proposals (the plan of
/// POST /api/v1/replenishment/plan): purchase.order per vendor with its lines, stock.picking
/// internal transfers, and orderpoint min/max writes. Products are found by default_code, vendors
/// by name, locations by complete name; a missing one is kNotFound naming it. Returns the ids
/// created or written, by kind.
Result<Json> write_back_proposals(OdooClient& odoo, const Json& plan);

}  // namespace shelfcast::server
