#pragma once
// Pulling from Odoo over JSON-RPC (`shelfcast odoo pull`), one batch per model:
//
//   products     product.product -> products and categories (code = default_code, else the code of
//                the display name, as the CSV ingest makes it; lst_price, standard_price)
//   sales        sale.order.line of confirmed orders -> the import-compatible export of
//                sale.order.line, loaded by the ingest path (same validation and pseudonyms)
//   pos          pos.order.line of paid orders -> the export of pos.order.line (format odoo-pos),
//                loaded by the ingest path; the store is the point of sale's name
//   stock        stock.quant in internal locations -> inventory.on_hand per product x warehouse
//                (always a full snapshot: a partial one cannot be summed per warehouse)
//   orderpoints  stock.warehouse.orderpoint -> orderpoints (min, max, multiple, lead time from
//                lead_days_date) and the stock row's lead time
//   loyalty      loyalty.program with its loyalty.rule and loyalty.reward -> loyalty_programs,
//                and a promotions row (ODOO-LOYALTY-<id>) for a dated product discount
//
// Customers are passed on as their record id only ("res.partner,<id>", pseudonymized by the
// ingest path): orders are read with load=None, so a partner comes back as a bare id and not even
// its display name crosses the wire; names, e-mails and phones are never requested. Every model
// is paged with search_read offset/limit ordered by id; `since` filters by the order date (sales,
// pos) or write_date (products, orderpoints, loyalty). Each batch is one transaction with its
// ingest_batches row and its audit entry ("odoo.pull"); bad records refuse the whole batch with
// `<model> <id>: field '<field>': <reason>`, and an Odoo error names the model and Odoo's message.

#include <optional>
#include <string>
#include <vector>

#include "governance/pseudonym.h"
#include "odoo/jsonrpc.h"
#include "shelfcast/result.h"
#include "shelfcast/types.h"
#include "store/db.h"

namespace shelfcast::server {

/// One pull of `shelfcast odoo pull --models`.
struct PullModel {
  const char* name;        ///< the --models name
  const char* odoo_model;  ///< the Odoo model it reads first
};
/// Every pull, in the default order: products, sales, pos, stock, orderpoints, loyalty.
const std::vector<PullModel>& odoo_pull_models();
/// A --models list ("products,stock"; Odoo model names work too) in the default order, without
/// duplicates; kInvalidArgument naming the unknown one and listing the known ones.
Result<std::vector<std::string>> parse_pull_models(const std::string& list);

/// How to pull.
struct PullOptions {
  std::string since;          ///< YYYY-MM-DD or "" for everything
  int32_t page_size = 500;    ///< records per search_read call
  std::string source;         ///< prefix of each batch's source, e.g. "odoo:shop"
  std::string actor = "cli";  ///< who the audit log names
  /// The day Odoo computed lead_days_date on (orderpoint lead time = lead_days_date - as_of);
  /// today (UTC) when not given.
  std::optional<Date> as_of;
};

/// What one model's pull did.
struct PullReport {
  std::string name, model;
  int64_t records = 0;            ///< records read from Odoo
  int64_t rows = 0;               ///< rows written (sales lines, products, stock rows, ...)
  int64_t batch_id = 0;           ///< 0 when nothing was read, so nothing was written
  Json details = Json::object();  ///< per model: new products/stores, dropped, skipped, unmapped
};

/// Pulls one model (a name of odoo_pull_models()) into `db` as one batch.
Result<PullReport> pull_from_odoo(Database& db, OdooClient& odoo,
                                  const Pseudonymizer& pseudonymizer, const std::string& name,
                                  const PullOptions& options);

/// One line of `shelfcast odoo pull` output for a report.
std::string format_pull_report(const PullReport& report);

/// sale.order.line of orders dated on or after `since` ("" = all), as CSV text in the Odoo
/// export format; `page_size` records per search_read call.
Result<std::string> pull_sale_lines_csv(OdooClient& odoo, const std::string& since,
                                        int32_t page_size = 500);

/// pos.order.line of paid orders dated on or after `since`, as CSV text in the export format of
/// pos.order.line (`shelfcast ingest --format odoo-pos`).
Result<std::string> pull_pos_lines_csv(OdooClient& odoo, const std::string& since,
                                       int32_t page_size = 500);

}  // namespace shelfcast::server
