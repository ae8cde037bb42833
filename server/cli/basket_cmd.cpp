// `shelfcast basket`: frequent itemsets and association rules of a basket file (INTERFACES.md).

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "ingest/csv.h"
#include "shelfcast/basket.h"

namespace shelfcast::server {
namespace {

const char* const kBasketUsage =
    "usage: shelfcast basket --input FILE [--format baskets|long] --min-support S\n"
    "                        --min-confidence C [--max-len K] [--output FILE]\n"
    "  Mines frequent itemsets (FP-growth) and association rules with a one-item consequent.\n"
    "  --format baskets (default): one basket per line, items separated by commas (no header;\n"
    "  an empty line is an empty basket and counts in the total, as in R's arules; items are\n"
    "  taken byte for byte, spaces included). --format long: CSV with header "
    "`transaction_id,item`\n"
    "  (`basket_id` is accepted for the first column). Duplicate items in a basket merge.\n"
    "  S and C are inclusive thresholds in [0, 1]; K (default 10, arules' maxlen) bounds the\n"
    "  items of a rule. Writes CSV `antecedent,consequent,support,confidence,lift,leverage,\n"
    "  conviction,count` (items of a side joined by `|`, sorted; conviction `inf` when the\n"
    "  confidence is 1), by descending lift, to FILE or stdout.\n";

// Shortest text that reads back as the same double; "inf" for +infinity.
std::string num(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (!std::isfinite(v)) return "";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "";
}

Result<double> fraction_option(const Args& args, const std::string& name) {
  const std::string text = args.get(name);
  double v = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !(v >= 0.0 && v <= 1.0)) {
    return invalid_argument("--" + name + " expects a number from 0 to 1, got \"" + text + "\"");
  }
  return v;
}

std::string item_error(const std::string& file, int line, const std::string& got) {
  return file + ":" + std::to_string(line) + ": field 'item': expected an item name, got \"" + got +
         "\"";
}

// One basket per physical line; a line with a quote is read as one CSV record.
Result<std::vector<std::vector<std::string>>> read_basket_lines(const std::string& file,
                                                                std::string_view content) {
  std::vector<std::vector<std::string>> baskets;
  if (content.size() >= 3 && content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  size_t pos = 0;
  int line = 0;
  while (pos < content.size()) {
    size_t end = content.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view text = content.substr(pos, end - pos);
    pos = end;
    if (pos < content.size() && content[pos] == '\r') ++pos;
    if (pos < content.size() && content[pos] == '\n') ++pos;
    ++line;
    std::vector<std::string> basket;
    if (!text.empty()) {
      if (text.find('"') != std::string_view::npos) {
        CsvReader reader(text);
        CsvRecord record;
        if (!reader.next(&record) || !record.error.empty()) {
          return invalid_argument(file + ":" + std::to_string(line) + ": field 'item': " +
                                      (record.error.empty() ? "malformed line" : record.error),
                                  "item");
        }
        basket = std::move(record.fields);
      } else {
        size_t start = 0;
        while (true) {
          const size_t comma = text.find(',', start);
          basket.emplace_back(text.substr(
              start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
          if (comma == std::string_view::npos) break;
          start = comma + 1;
        }
      }
      for (const std::string& item : basket) {
        if (item.empty()) return invalid_argument(item_error(file, line, item), "item");
      }
    }
    baskets.push_back(std::move(basket));
  }
  if (baskets.empty()) {
    return invalid_argument(file +
                                ":1: field 'item': expected at least one basket, got an empty "
                                "file",
                            "item");
  }
  return baskets;
}

// Long CSV: transaction_id,item; transactions in order of first appearance.
Result<std::vector<std::vector<std::string>>> read_long(const std::string& file,
                                                        std::string_view content) {
  CsvReader reader(content);
  CsvRecord record;
  if (!reader.next(&record)) {
    return invalid_argument(file +
                                ":1: field 'transaction_id': expected a header "
                                "`transaction_id,item`, got an empty file",
                            "transaction_id");
  }
  int id_col = -1, item_col = -1;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    const std::string& name = record.fields[i];
    if (name == "transaction_id" || name == "basket_id") id_col = static_cast<int>(i);
    if (name == "item") item_col = static_cast<int>(i);
  }
  if (!record.error.empty() || id_col < 0 || item_col < 0) {
    const std::string missing = id_col < 0 ? "transaction_id" : "item";
    return invalid_argument(file + ":" + std::to_string(record.line) + ": field '" + missing +
                                "': expected a header `transaction_id,item`, got no such column",
                            missing);
  }
  std::vector<std::vector<std::string>> baskets;
  std::unordered_map<std::string, size_t> index;
  const size_t needed = static_cast<size_t>(std::max(id_col, item_col)) + 1;
  while (reader.next(&record)) {
    const std::string where = file + ":" + std::to_string(record.line) + ": ";
    if (!record.error.empty()) {
      return invalid_argument(where + "field 'item': " + record.error, "item");
    }
    if (record.fields.size() < needed) {
      return invalid_argument(where + "field 'item': expected " + std::to_string(needed) +
                                  " columns, got " + std::to_string(record.fields.size()),
                              "item");
    }
    const std::string& id = record.fields[static_cast<size_t>(id_col)];
    const std::string& item = record.fields[static_cast<size_t>(item_col)];
    if (id.empty()) {
      return invalid_argument(where + "field 'transaction_id': expected an id, got \"\"",
                              "transaction_id");
    }
    if (item.empty()) return invalid_argument(item_error(file, record.line, item), "item");
    auto [it, inserted] = index.emplace(id, baskets.size());
    if (inserted) baskets.emplace_back();
    baskets[it->second].push_back(item);
  }
  if (baskets.empty()) {
    return invalid_argument(file + ":2: field 'item': expected at least one row after the header",
                            "item");
  }
  return baskets;
}

std::string join_items(const std::vector<int32_t>& ids, const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += '|';
    out += names[static_cast<size_t>(ids[i])];
  }
  return out;
}

}  // namespace

int cmd_basket(int argc, char** argv) {
  Args args;
  int exit_code = 0;
  if (!parse_or_exit(argc, argv, 2,
                     {"input", "format", "min-support", "min-confidence", "max-len", "output"}, {},
                     kBasketUsage, {"input", "min-support", "min-confidence"}, &args, &exit_code)) {
    return exit_code;
  }
  const std::string format = args.get("format", "baskets");
  if (format != "baskets" && format != "long") {
    return usage_error("--format expects baskets or long, got \"" + format + "\"", kBasketUsage);
  }
  Result<double> support = fraction_option(args, "min-support");
  Result<double> confidence = fraction_option(args, "min-confidence");
  Result<long long> max_len = int_option(args, "max-len", 10, 1, 1000);
  for (const Status& s : {support.status(), confidence.status(), max_len.status()}) {
    if (!s.is_ok()) return usage_error(s.message(), kBasketUsage);
  }
  const std::string input = args.get("input");
  Result<std::string> content = read_whole_file(input);
  if (!content.is_ok()) return input_error(content.status().message());
  Result<std::vector<std::vector<std::string>>> baskets =
      format == "long" ? read_long(input, *content) : read_basket_lines(input, *content);
  if (!baskets.is_ok()) return input_error(baskets.status().message());
  Result<Transactions> transactions = make_transactions(*baskets);
  if (!transactions.is_ok()) return input_error(input + ": " + transactions.status().to_string());

  BasketOptions options;
  options.min_support = *support;
  options.min_confidence = *confidence;
  options.max_len = static_cast<int32_t>(*max_len);
  Result<BasketAnalysis> analysis = analyze_baskets(*transactions, options);
  if (!analysis.is_ok()) return input_error(input + ": " + analysis.status().to_string());

  const std::vector<std::string>& names = analysis->itemsets.items;
  std::string out = "antecedent,consequent,support,confidence,lift,leverage,conviction,count\n";
  for (const AssociationRule& rule : analysis->rules) {
    out += csv_field(join_items(rule.antecedent, names)) + "," +
           csv_field(names[static_cast<size_t>(rule.consequent)]) + "," + num(rule.support) + "," +
           num(rule.confidence) + "," + num(rule.lift) + "," + num(rule.leverage) + "," +
           num(rule.conviction) + "," + std::to_string(rule.count) + "\n";
  }
  Status written = write_output(args.get("output"), out);
  if (!written.is_ok()) return input_error(written.message());
  return kExitOk;
}

}  // namespace shelfcast::server
