#pragma once
// Pulling sales from Odoo over JSON-RPC into the same ingest path as a CSV export: the records of
// sale.order.line (with their order, warehouse and product) are written as the import-compatible
// export of sale.order.line that `shelfcast ingest` reads, so validation, minimization and
// pseudonymization are the export's. Customers are passed on as their record id only
// ("res.partner,<id>"): names, e-mails and phones are never requested.

#include <string>

#include "odoo/jsonrpc.h"
#include "shelfcast/result.h"

namespace shelfcast::server {

/// sale.order.line of orders dated on or after `since` ("" = all), as CSV text in the Odoo
/// export format; `page_size` records per search_read call.
Result<std::string> pull_sale_lines_csv(OdooClient& odoo, const std::string& since,
                                        int32_t page_size = 500);

}  // namespace shelfcast::server
