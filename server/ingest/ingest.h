#pragma once
// Ingest: turns a sales CSV into validated, minimized, pseudonymized rows for the store to persist.
// Pure: no files, no database, no clock; the caller reads the file and writes the batch.
//
// Three input formats, auto-detected from the header when not given:
//
// odoo-sale: Odoo's import-compatible export of sale.order.line (technical field names).
//   required  order_id (order reference -> order_ref), order_id/date_order, order_id/warehouse_id
//             (store), product_id, product_uom_qty, price_unit
//   optional  order_id/partner_id (customer display name), order_id/partner_id/id (customer
//             external id, preferred when present), order_id/warehouse_id/code (store code; the
//             warehouse name otherwise), order_id/website_id (non-empty -> channel online, else
//             sales), product_id/default_code (SKU; else the [CODE] of the display name),
//             product_id/categ_id (category), discount (percent 0-100), display_type and
//             is_reward_line (section/note and loyalty-reward lines are dropped, see below)
// odoo-pos: the same export of pos.order.line; channel pos.
//   required  order_id, order_id/date_order, order_id/config_id (store: the POS name),
//             product_id, qty, price_unit
//   optional  order_id/partner_id, order_id/partner_id/id, product_id/default_code,
//             product_id/categ_id, discount (percent 0-100), is_reward_line
// canonical: our own format, header `date,store,channel,product,product_name,category,customer,
//   qty,unit_price,discount,promotion,order_ref` (any order; optional columns may be left out).
//   required  date (YYYY-MM-DD, YYYYMMDD or YYYY-MM-DD HH:MM:SS), store (code), product (SKU),
//             qty (number; negative = return), unit_price (number >= 0)
//   optional  channel (pos|sales|online, default pos), product_name, category, customer (a source
//             customer id, pseudonymized here; empty = anonymous), discount (fraction 0-1,
//             default 0), promotion (code), order_ref (basket key)
//
// Odoo specifics: a many2one comes as its display name ("[FURN_8888] Office Lamp" -> code
// FURN_8888, name "Office Lamp"; text without [..] is both code and name); an empty value may be
// empty or the literal `False`; a line whose order_id is empty continues the order of the last
// line with one, and inherits its empty order_id/* columns (after an unreadable record the chain
// breaks: the continuation lines that follow are rejected, not credited to an earlier order); a
// line without a product and without a quantity (a section or note), or one marked by
// display_type / is_reward_line, is not a sale and is dropped (counted in dropped_lines); the time
// of date_order is dropped without a time-zone shift.
//
// Every format: columns outside its list are never read beyond an encoding check (data
// minimization: e-mails, phones, addresses stay behind) and are reported by name; the customer
// value becomes a keyed pseudonym at once; fields are trimmed of spaces; numbers are plain decimal
// (`12`, `-1.5`, `2e3`; no thousands separators, no NaN/inf), |qty| <= 1e9 and unit prices in
// [0, 1e12] (zero prices and quantities are kept). The whole file must be UTF-8 (a leading BOM is
// fine): a malformed byte anywhere is fatal even with skip_bad_rows, since a wrong encoding spoils
// every row. An empty file and a header without data rows are errors; a file whose rows are all
// bad or dropped is not (with skip_bad_rows it returns no rows and the reasons).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "governance/pseudonym.h"
#include "shelfcast/result.h"
#include "shelfcast/types.h"

namespace shelfcast::server {

/// Which kind of CSV a file is.
enum class IngestFormat : uint8_t { kOdooSale = 0, kOdooPos = 1, kCanonical = 2 };

/// "odoo-sale", "odoo-pos" or "canonical" (the --format values).
std::string_view to_string(IngestFormat format);

/// The format named by a --format value; an error lists the valid names.
Result<IngestFormat> parse_ingest_format(std::string_view text);

/// Why one row (or the file, at line 1) was rejected.
struct RowError {
  int line = 0;         ///< physical line (1-based, header = 1) where the record starts
  std::string field;    ///< the source column concerned; empty when the whole row is at fault
  std::string message;  ///< e.g. `expected a number, got "abc"`; never holds customer data
};

/// `FILE:LINE: field 'qty': expected a number, got "abc"` (or `FILE:LINE: message` without field).
std::string format_row_error(std::string_view file, const RowError& error);

/// One validated sales line in canonical units, ready for the store.
struct IngestRow {
  Date date;
  std::string store_code;  ///< warehouse code or name, POS name, or canonical store
  std::string store_name;  ///< display name when the source has one, else empty
  Channel channel = Channel::kPos;
  std::string product_code;        ///< SKU
  std::string product_name;        ///< empty when the source has none
  std::string category;            ///< empty when the source has none
  std::string customer_pseudonym;  ///< keyed pseudonym; empty = anonymous
  double qty = 0.0;                ///< units; negative for returns
  double unit_price = 0.0;         ///< currency units per unit before the line discount, >= 0
  double discount = 0.0;           ///< fraction in [0, 1]
  std::string promotion_code;      ///< empty = none
  std::string order_ref;           ///< basket / order key; empty when unknown
  int line = 0;                    ///< physical line of the source record
};

/// The outcome of parsing one file.
struct IngestBatch {
  std::string file;  ///< the file name as given
  IngestFormat format = IngestFormat::kCanonical;
  std::vector<IngestRow> rows;               ///< good rows, in file order
  std::vector<RowError> skipped;             ///< bad rows (only with skip_bad_rows), in file order
  std::vector<std::string> ignored_columns;  ///< header names not read, in header order
  int dropped_lines = 0;  ///< Odoo section/note/reward lines: not sales of a product
};

/// The format a header most likely belongs to (Odoo technical names or canonical names); an
/// error when it matches none or two equally.
Result<IngestFormat> detect_ingest_format(const std::vector<std::string>& header);

/// Parses and validates `content` (the bytes of `file_name`). Without skip_bad_rows the first bad
/// row fails the call with kInvalidArgument, a message `FILE:LINE: field 'F': reason` and field F;
/// with it, bad rows land in `skipped`. Header and encoding problems always fail the call.
Result<IngestBatch> parse_ingest(std::string_view file_name, std::string_view content,
                                 std::optional<IngestFormat> format, bool skip_bad_rows,
                                 const Pseudonymizer& pseudonymizer);

}  // namespace shelfcast::server
