#include "ingest/ingest.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "ingest/csv.h"

namespace shelfcast::server {

namespace {

// ---- column specifications ----------------------------------------------------------------------

/// What a whitelisted column means, whichever format it comes from.
enum class Role : uint8_t {
  kOrderRef,
  kDate,
  kStore,
  kStoreCode,
  kCustomer,
  kCustomerId,
  kWebsite,
  kChannel,
  kProduct,
  kProductCode,
  kProductName,
  kCategory,
  kQty,
  kUnitPrice,
  kDiscount,
  kPromotion,
  kDisplayType,
  kRewardLine,
  kCount,
};
constexpr size_t kRoleCount = static_cast<size_t>(Role::kCount);

struct ColumnSpec {
  std::string_view name;
  Role role;
  bool required;
};

const std::vector<ColumnSpec>& columns_of(IngestFormat format) {
  static const std::vector<ColumnSpec> kSale = {
      {"order_id", Role::kOrderRef, true},
      {"order_id/date_order", Role::kDate, true},
      {"order_id/warehouse_id", Role::kStore, true},
      {"product_id", Role::kProduct, true},
      {"product_uom_qty", Role::kQty, true},
      {"price_unit", Role::kUnitPrice, true},
      {"order_id/partner_id", Role::kCustomer, false},
      {"order_id/partner_id/id", Role::kCustomerId, false},
      {"order_id/warehouse_id/code", Role::kStoreCode, false},
      {"order_id/website_id", Role::kWebsite, false},
      {"product_id/default_code", Role::kProductCode, false},
      {"product_id/categ_id", Role::kCategory, false},
      {"discount", Role::kDiscount, false},
      {"display_type", Role::kDisplayType, false},
      {"is_reward_line", Role::kRewardLine, false},
  };
  static const std::vector<ColumnSpec> kPos = {
      {"order_id", Role::kOrderRef, true},
      {"order_id/date_order", Role::kDate, true},
      {"order_id/config_id", Role::kStore, true},
      {"product_id", Role::kProduct, true},
      {"qty", Role::kQty, true},
      {"price_unit", Role::kUnitPrice, true},
      {"order_id/partner_id", Role::kCustomer, false},
      {"order_id/partner_id/id", Role::kCustomerId, false},
      {"product_id/default_code", Role::kProductCode, false},
      {"product_id/categ_id", Role::kCategory, false},
      {"discount", Role::kDiscount, false},
      {"is_reward_line", Role::kRewardLine, false},
  };
  static const std::vector<ColumnSpec> kCanonical = {
      {"date", Role::kDate, true},
      {"store", Role::kStore, true},
      {"channel", Role::kChannel, false},
      {"product", Role::kProduct, true},
      {"product_name", Role::kProductName, false},
      {"category", Role::kCategory, false},
      {"customer", Role::kCustomer, false},
      {"qty", Role::kQty, true},
      {"unit_price", Role::kUnitPrice, true},
      {"discount", Role::kDiscount, false},
      {"promotion", Role::kPromotion, false},
      {"order_ref", Role::kOrderRef, false},
  };
  switch (format) {
    case IngestFormat::kOdooSale:
      return kSale;
    case IngestFormat::kOdooPos:
      return kPos;
    case IngestFormat::kCanonical:
      return kCanonical;
  }
  return kCanonical;
}

constexpr IngestFormat kAllFormats[] = {IngestFormat::kOdooSale, IngestFormat::kOdooPos,
                                        IngestFormat::kCanonical};

bool is_odoo(IngestFormat format) { return format != IngestFormat::kCanonical; }

/// Odoo repeats these only on an order's first line; continuation lines leave them empty.
bool is_order_level(std::string_view name) {
  return name == "order_id" || name.substr(0, 9) == "order_id/";
}

const ColumnSpec* find_column(IngestFormat format, std::string_view name) {
  for (const ColumnSpec& spec : columns_of(format)) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// ---- values -------------------------------------------------------------------------------------

constexpr size_t kMaxEchoBytes = 40;
// Sanity bounds, far beyond any retail line, so qty * price stays finite downstream.
constexpr double kMaxAbsQty = 1e9;
constexpr double kMaxUnitPrice = 1e12;
constexpr size_t kMaxFieldNameBytes = 80;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

/// Text for a one-line message: control characters escaped, cut at `max_bytes` (on a UTF-8
/// character boundary, marked with an ellipsis).
std::string printable(std::string_view text, size_t max_bytes) {
  bool cut = false;
  if (text.size() > max_bytes) {
    size_t end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text = text.substr(0, end);
    cut = true;
  }
  std::string out;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (b < 0x20 || b == 0x7F) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02X", static_cast<unsigned>(b));
      out += buffer;
    } else {
      out += c;
    }
  }
  if (cut) out += "\xE2\x80\xA6";  // "…"
  return out;
}

/// A value for a message: quoted and made printable, so a message stays one short line.
std::string quoted(std::string_view text) { return "\"" + printable(text, kMaxEchoBytes) + "\""; }

std::string got(std::string_view text) {
  return text.empty() ? "got an empty value" : "got " + quoted(text);
}

enum class NumberParse { kOk, kMalformed, kNotFinite, kOutOfRange };

/// A plain decimal number (optional sign, digits, point, exponent), the whole text.
NumberParse parse_number(std::string_view text, double* out) {
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') return NumberParse::kMalformed;
  }
  if (text.empty()) return NumberParse::kMalformed;
  double value = 0.0;
  const char* end = text.data() + text.size();
  const std::from_chars_result parsed =
      std::from_chars(text.data(), end, value, std::chars_format::general);
  if (parsed.ec == std::errc::result_out_of_range) return NumberParse::kOutOfRange;
  if (parsed.ec != std::errc() || parsed.ptr != end) return NumberParse::kMalformed;
  if (!std::isfinite(value)) return NumberParse::kNotFinite;
  *out = value + 0.0;  // -0 becomes 0
  return NumberParse::kOk;
}

/// "[FURN_8888] Office Lamp" -> {"FURN_8888", "Office Lamp"}; text without a code is both.
std::pair<std::string_view, std::string_view> split_display_name(std::string_view text) {
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close != std::string_view::npos) {
      const std::string_view code = trim(text.substr(1, close - 1));
      if (!code.empty()) return {code, trim(text.substr(close + 1))};
    }
  }
  return {text, text};
}

bool is_true(std::string_view text) {
  return text == "True" || text == "true" || text == "TRUE" || text == "1";
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// ---- the parser ---------------------------------------------------------------------------------

/// One file's parse: header mapping, order context, pseudonym cache and the batch being built.
class Parser {
 public:
  Parser(std::string_view file, const Pseudonymizer& pseudonymizer)
      : file_(file), pseudonymizer_(pseudonymizer) {
    column_of_.fill(-1);
  }

  Result<IngestBatch> run(std::string_view content, std::optional<IngestFormat> format,
                          bool skip_bad_rows);

 private:
  /// `FILE:LINE: message`, with `status_field` as the Status field (the column concerned).
  Status file_error(int line, std::string message, std::string status_field = {}) const {
    return invalid_argument(format_row_error(file_, RowError{line, {}, std::move(message)}),
                            std::move(status_field));
  }

  Status read_header(const CsvRecord& record, std::optional<IngestFormat> format);
  Status check_encoding(const CsvRecord& record) const;
  /// Maps one data record; false with `error` set when the row is bad, true with `row` unset
  /// when the line is dropped (not a sale), true with `row` set for a good row.
  bool map_record(const CsvRecord& record, std::optional<IngestRow>* row, RowError* error);

  std::string_view value(Role role) const {
    const int index = column_of_[static_cast<size_t>(role)];
    return index < 0 ? std::string_view() : values_[static_cast<size_t>(index)];
  }
  std::string_view column_name(Role role) const {
    const int index = column_of_[static_cast<size_t>(role)];
    return index < 0 ? std::string_view() : std::string_view(header_[static_cast<size_t>(index)]);
  }
  bool number(Role role, bool required, double* out, RowError* error) const;
  const std::string& pseudonym(std::string_view source_id);

  std::string file_;
  const Pseudonymizer& pseudonymizer_;
  IngestBatch batch_;
  std::vector<std::string> header_;
  std::array<int, kRoleCount> column_of_{};
  std::vector<size_t> order_columns_;       // Odoo order-level columns, by index
  std::vector<std::string> order_context_;  // their values on the order's first line
  bool have_order_ = false;
  int unreadable_line_ = 0;  // the last unreadable record since the last order's first line
  std::vector<std::string_view> values_;  // the current record, trimmed, False -> empty
  std::unordered_map<std::string, std::string> pseudonyms_;
};

Status Parser::check_encoding(const CsvRecord& record) const {
  for (size_t i = 0; i < record.fields.size(); ++i) {
    const std::string& text = record.fields[i];
    const size_t bad = utf8_error(text);
    if (bad == std::string::npos) continue;
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(text[bad])));
    // Data rows name the column; the header itself (header_ not yet set) gives its position.
    const std::string field = i < header_.size() ? header_[i] : std::string();
    const std::string where = field.empty() ? " in column " + std::to_string(i + 1) : "";
    std::string message = "not valid UTF-8 (byte " + std::string(byte) + where +
                          "); save the file as UTF-8 (is it Latin-1 or UTF-16?)";
    const RowError error{record.line, field, std::move(message)};
    return invalid_argument(format_row_error(file_, error), field);
  }
  return Status::ok();
}

Status Parser::read_header(const CsvRecord& record, std::optional<IngestFormat> format) {
  if (!record.error.empty()) return file_error(record.line, "header: " + record.error);
  SHELFCAST_RETURN_IF_ERROR(check_encoding(record));
  header_.reserve(record.fields.size());
  for (const std::string& name : record.fields) header_.emplace_back(trim(name));

  if (format.has_value()) {
    batch_.format = *format;
  } else {
    Result<IngestFormat> detected = detect_ingest_format(header_);
    if (!detected.is_ok()) return file_error(record.line, detected.status().message());
    batch_.format = *detected;
  }
  const std::string how = format.has_value() ? "" : ", detected from the header";

  for (size_t i = 0; i < header_.size(); ++i) {
    const ColumnSpec* spec = find_column(batch_.format, header_[i]);
    if (spec == nullptr) {
      batch_.ignored_columns.push_back(
          header_[i].empty() ? "(unnamed column " + std::to_string(i + 1) + ")" : header_[i]);
      continue;
    }
    int& slot = column_of_[static_cast<size_t>(spec->role)];
    if (slot >= 0) {
      return file_error(record.line, "duplicate column '" + header_[i] + "'", header_[i]);
    }
    slot = static_cast<int>(i);
    if (is_odoo(batch_.format) && is_order_level(header_[i])) order_columns_.push_back(i);
  }
  for (const ColumnSpec& spec : columns_of(batch_.format)) {
    if (spec.required && column_of_[static_cast<size_t>(spec.role)] < 0) {
      return file_error(record.line,
                        "missing required column '" + std::string(spec.name) + "' (format " +
                            std::string(to_string(batch_.format)) + how + ")",
                        std::string(spec.name));
    }
  }
  order_context_.assign(order_columns_.size(), std::string());
  return Status::ok();
}

bool Parser::number(Role role, bool required, double* out, RowError* error) const {
  const std::string_view text = value(role);
  if (text.empty() && !required) return true;
  if (text.empty()) {
    error->message = "missing value";
  } else {
    switch (parse_number(text, out)) {
      case NumberParse::kOk:
        return true;
      case NumberParse::kMalformed:
        error->message = "expected a number, " + got(text);
        break;
      case NumberParse::kNotFinite:
        error->message = "expected a finite number, " + got(text);
        break;
      case NumberParse::kOutOfRange:
        error->message = "number out of range, " + got(text);
        break;
    }
  }
  error->field = std::string(column_name(role));
  return false;
}

const std::string& Parser::pseudonym(std::string_view source_id) {
  auto it = pseudonyms_.find(std::string(source_id));
  if (it == pseudonyms_.end()) {
    it = pseudonyms_.emplace(std::string(source_id), pseudonymizer_.pseudonym(source_id)).first;
  }
  return it->second;
}

bool Parser::map_record(const CsvRecord& record, std::optional<IngestRow>* row, RowError* error) {
  error->line = record.line;
  if (!record.error.empty() || record.fields.size() != header_.size()) {
    error->message = !record.error.empty()
                         ? record.error
                         : "expected " + std::to_string(header_.size()) + " fields, got " +
                               std::to_string(record.fields.size());
    // An unreadable record may have been an order's first line: its continuation lines must not
    // be credited to the order before it, so they are rejected instead.
    have_order_ = false;
    unreadable_line_ = record.line;
    return false;
  }
  const bool odoo = is_odoo(batch_.format);
  values_.resize(header_.size());
  for (size_t i = 0; i < header_.size(); ++i) {
    std::string_view text = trim(record.fields[i]);
    if (odoo && text == "False") text = std::string_view();
    values_[i] = text;
  }

  if (odoo) {
    // A line without order_id continues the last order: inherit its empty order-level columns.
    if (!value(Role::kOrderRef).empty()) {
      for (size_t k = 0; k < order_columns_.size(); ++k) {
        order_context_[k].assign(values_[order_columns_[k]]);
      }
      have_order_ = true;
      unreadable_line_ = 0;
    } else if (have_order_) {
      for (size_t k = 0; k < order_columns_.size(); ++k) {
        std::string_view& text = values_[order_columns_[k]];
        if (text.empty()) text = order_context_[k];
      }
    }
    // Sections, notes and loyalty rewards are order lines but not sales of a product.
    if (!value(Role::kDisplayType).empty() || is_true(value(Role::kRewardLine))) return true;
    if (value(Role::kProduct).empty()) {
      double qty = 0.0;
      const std::string_view qty_text = value(Role::kQty);
      if (qty_text.empty() || (parse_number(qty_text, &qty) == NumberParse::kOk && qty == 0.0)) {
        return true;
      }
    }
  }

  IngestRow out;
  out.line = record.line;
  const auto require = [&](Role role, std::string_view* text) {
    *text = value(role);
    if (!text->empty()) return true;
    error->field = std::string(column_name(role));
    error->message = "missing value";
    if (role == Role::kOrderRef) {
      error->message += unreadable_line_ > 0
                            ? " (the line continues an order, but line " +
                                  std::to_string(unreadable_line_) + " before it could not be read)"
                            : " (and no earlier line of an order to continue)";
    }
    return false;
  };

  std::string_view text;
  if (odoo && !require(Role::kOrderRef, &text)) return false;
  out.order_ref = std::string(value(Role::kOrderRef));

  if (!require(Role::kDate, &text)) return false;
  const Result<Date> date = parse_date(text);
  if (!date.is_ok()) {
    error->field = std::string(column_name(Role::kDate));
    error->message = "expected a date YYYY-MM-DD, YYYYMMDD or YYYY-MM-DD HH:MM:SS, " + got(text);
    return false;
  }
  out.date = *date;

  if (!require(Role::kStore, &text)) return false;
  if (odoo) {
    out.store_name = std::string(text);
    const std::string_view code = value(Role::kStoreCode);
    out.store_code = std::string(code.empty() ? text : code);
  } else {
    out.store_code = std::string(text);
  }

  switch (batch_.format) {
    case IngestFormat::kOdooSale:
      out.channel = value(Role::kWebsite).empty() ? Channel::kSales : Channel::kOnline;
      break;
    case IngestFormat::kOdooPos:
      out.channel = Channel::kPos;
      break;
    case IngestFormat::kCanonical: {
      text = value(Role::kChannel);
      if (!text.empty()) {
        const Result<Channel> channel = parse_channel(lower_ascii(text));
        if (!channel.is_ok()) {
          error->field = std::string(column_name(Role::kChannel));
          error->message = "expected pos, sales or online, " + got(text);
          return false;
        }
        out.channel = *channel;
      }
      break;
    }
  }

  if (!require(Role::kProduct, &text)) return false;
  if (odoo) {
    const auto [code, name] = split_display_name(text);
    const std::string_view default_code = value(Role::kProductCode);
    out.product_code = std::string(default_code.empty() ? code : default_code);
    out.product_name = std::string(name);
  } else {
    out.product_code = std::string(text);
    out.product_name = std::string(value(Role::kProductName));
  }
  out.category = std::string(value(Role::kCategory));

  if (!number(Role::kQty, true, &out.qty, error)) return false;
  if (std::fabs(out.qty) > kMaxAbsQty) {
    error->field = std::string(column_name(Role::kQty));
    error->message = "out of range (at most 1e9 units), " + got(value(Role::kQty));
    return false;
  }
  if (!number(Role::kUnitPrice, true, &out.unit_price, error)) return false;
  if (out.unit_price > kMaxUnitPrice) {
    error->field = std::string(column_name(Role::kUnitPrice));
    error->message = "out of range (at most 1e12), " + got(value(Role::kUnitPrice));
    return false;
  }
  if (out.unit_price < 0.0) {
    error->field = std::string(column_name(Role::kUnitPrice));
    error->message = "must not be negative, " + got(value(Role::kUnitPrice));
    return false;
  }
  double discount = 0.0;
  if (!number(Role::kDiscount, false, &discount, error)) return false;
  const double scale = odoo ? 100.0 : 1.0;
  if (discount < 0.0 || discount > scale) {
    error->field = std::string(column_name(Role::kDiscount));
    error->message = odoo ? "expected a percent between 0 and 100, " + got(value(Role::kDiscount))
                          : "expected a fraction between 0 and 1, " + got(value(Role::kDiscount));
    if (!odoo && discount > 1.0 && discount <= 100.0) {
      char fraction[32];
      std::snprintf(fraction, sizeof fraction, "%g", discount / 100.0);
      error->message += " (a percent? write it as a fraction: " + std::string(fraction) + ")";
    }
    return false;
  }
  out.discount = discount / scale;

  out.promotion_code = std::string(value(Role::kPromotion));
  const std::string_view customer_id = value(Role::kCustomerId);
  const std::string_view customer = customer_id.empty() ? value(Role::kCustomer) : customer_id;
  if (!customer.empty()) out.customer_pseudonym = pseudonym(customer);

  *row = std::move(out);
  return true;
}

Result<IngestBatch> Parser::run(std::string_view content, std::optional<IngestFormat> format,
                                bool skip_bad_rows) {
  batch_.file = file_;
  CsvReader reader(content);
  CsvRecord record;
  if (!reader.next(&record)) return file_error(1, "empty file (expected a header row)");
  SHELFCAST_RETURN_IF_ERROR(read_header(record, format));

  bool any_data = false;
  while (reader.next(&record)) {
    // A line of only spaces in a multi-column file is a blank line, not a short row.
    if (record.error.empty() && record.fields.size() == 1 && header_.size() > 1 &&
        trim(record.fields[0]).empty()) {
      continue;
    }
    any_data = true;
    SHELFCAST_RETURN_IF_ERROR(check_encoding(record));
    std::optional<IngestRow> row;
    RowError error;
    if (map_record(record, &row, &error)) {
      if (row.has_value()) {
        batch_.rows.push_back(std::move(*row));
      } else {
        ++batch_.dropped_lines;
      }
      continue;
    }
    if (!skip_bad_rows) return invalid_argument(format_row_error(file_, error), error.field);
    batch_.skipped.push_back(std::move(error));
  }
  if (!any_data) return file_error(1, "no data rows after the header");
  pseudonyms_.clear();
  return std::move(batch_);
}

}  // namespace

std::string_view to_string(IngestFormat format) {
  switch (format) {
    case IngestFormat::kOdooSale:
      return "odoo-sale";
    case IngestFormat::kOdooPos:
      return "odoo-pos";
    case IngestFormat::kCanonical:
      return "canonical";
  }
  return "canonical";
}

Result<IngestFormat> parse_ingest_format(std::string_view text) {
  for (const IngestFormat format : kAllFormats) {
    if (text == to_string(format)) return format;
  }
  return invalid_argument("expected odoo-sale, odoo-pos or canonical, got " + quoted(text),
                          "format");
}

std::string format_row_error(std::string_view file, const RowError& error) {
  std::string out(file);
  out += ':';
  out += std::to_string(error.line);
  out += ": ";
  if (!error.field.empty()) {
    out += "field '";
    out += printable(error.field, kMaxFieldNameBytes);
    out += "': ";
  }
  out += error.message;
  return out;
}

Result<IngestFormat> detect_ingest_format(const std::vector<std::string>& header) {
  // Score each format by the whitelisted columns present; a column no other format has counts
  // double, so a partial Odoo export still points at the right format and the missing column.
  int best_score = 0;
  int runner_up = 0;
  IngestFormat best = IngestFormat::kCanonical;
  for (const IngestFormat format : kAllFormats) {
    int score = 0;
    for (const ColumnSpec& spec : columns_of(format)) {
      bool present = false;
      for (const std::string& name : header) present = present || trim(name) == spec.name;
      if (!present) continue;
      score += 1;
      bool shared = false;
      for (const IngestFormat other : kAllFormats) {
        shared = shared || (other != format && find_column(other, spec.name) != nullptr);
      }
      if (!shared) score += 1;
    }
    if (score > best_score) {
      runner_up = best_score;
      best_score = score;
      best = format;
    } else if (score > runner_up) {
      runner_up = score;
    }
  }
  if (best_score == 0) {
    return invalid_argument(
        "cannot tell the format from the header: expected Odoo technical field names (an "
        "import-compatible export of sale.order.line or pos.order.line) or the canonical "
        "columns date,store,product,qty,unit_price; or pass --format");
  }
  if (best_score == runner_up) {
    return invalid_argument("the header fits more than one format; pass --format");
  }
  return best;
}

Result<IngestBatch> parse_ingest(std::string_view file_name, std::string_view content,
                                 std::optional<IngestFormat> format, bool skip_bad_rows,
                                 const Pseudonymizer& pseudonymizer) {
  Parser parser(file_name, pseudonymizer);
  return parser.run(content, format, skip_bad_rows);
}

}  // namespace shelfcast::server
