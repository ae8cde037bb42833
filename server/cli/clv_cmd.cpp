// `shelfcast clv`: BG/NBD + Gamma-Gamma customer lifetime value of a transaction file
// (INTERFACES.md).

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "ingest/csv.h"
#include "shelfcast/customer.h"
#include "shelfcast/types.h"

namespace shelfcast::server {
namespace {

const char* const kClvUsage =
    "usage: shelfcast clv --input FILE --calibration-end DATE [--holdout-end DATE]\n"
    "                     [--time-unit week|day] [--horizon N] [--params FILE] [--output FILE]\n"
    "  Fits BG/NBD (purchases) and Gamma-Gamma (spend) to a CSV `customer_id,date,amount` (date\n"
    "  YYYY-MM-DD or YYYYMMDD; other columns are ignored) with purchases up to and including the\n"
    "  calibration end. Same-day purchases of a customer merge; a negative amount is a return and\n"
    "  is left out of both models. Purchases after the calibration end count only in the holdout\n"
    "  (up to --holdout-end); customers who first buy after it are left out.\n"
    "  Writes CSV `customer_id,frequency,recency,T,p_alive,expected_purchases,clv,segment`:\n"
    "  frequency = repeat purchases, recency and T in time units (default week);\n"
    "  expected_purchases over the next N units (default: the holdout length when given, else one\n"
    "  year: 52 weeks or 365 days); clv = expected spend over those N units discounted at 10% a\n"
    "  year (margin 1, i.e. revenue); segment = churn risk from P(alive) (active >= 0.7,\n"
    "  at_risk >= 0.3, likely_lost). --params FILE writes the fitted parameters as JSON\n"
    "  {\"bgnbd\":{\"r\",\"alpha\",\"a\",\"b\",\"loglik\"},\"gamma_gamma\":{\"p\",\"q\",\"gamma\"}}"
    " plus\n"
    "  the holdout check when --holdout-end is given.\n";

std::string num(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "";
}

std::string json_num(double v) {
  const std::string s = num(v);
  return s.empty() ? "null" : s;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string field_error(const std::string& file, int line, const std::string& field,
                        const std::string& expected, const std::string& got) {
  return file + ":" + std::to_string(line) + ": field '" + field + "': expected " + expected +
         ", got \"" + got + "\"";
}

Result<std::vector<CustomerTransaction>> read_transactions(const std::string& file,
                                                           std::string_view content) {
  CsvReader reader(content);
  CsvRecord record;
  if (!reader.next(&record)) {
    return invalid_argument(
        field_error(file, 1, "customer_id", "a header `customer_id,date,amount`", ""),
        "customer_id");
  }
  int cols[3] = {-1, -1, -1};
  const char* names[3] = {"customer_id", "date", "amount"};
  for (size_t i = 0; i < record.fields.size(); ++i) {
    for (int k = 0; k < 3; ++k) {
      if (record.fields[i] == names[k]) cols[k] = static_cast<int>(i);
    }
  }
  for (int k = 0; k < 3; ++k) {
    if (cols[k] < 0 || !record.error.empty()) {
      return invalid_argument(file + ":" + std::to_string(record.line) + ": field '" + names[k] +
                                  "': expected a header `customer_id,date,amount`, got no such "
                                  "column",
                              names[k]);
    }
  }
  size_t needed = 0;
  for (int c : cols) needed = std::max(needed, static_cast<size_t>(c) + 1);
  std::vector<CustomerTransaction> out;
  while (reader.next(&record)) {
    if (!record.error.empty()) {
      return invalid_argument(
          file + ":" + std::to_string(record.line) + ": field 'customer_id': " + record.error,
          "customer_id");
    }
    if (record.fields.size() < needed) {
      return invalid_argument(
          field_error(file, record.line,
                      names[record.fields.size() <= static_cast<size_t>(cols[2]) ? 2 : 1],
                      std::to_string(needed) + " columns", std::to_string(record.fields.size())),
          "amount");
    }
    CustomerTransaction t;
    t.customer_id = record.fields[static_cast<size_t>(cols[0])];
    if (t.customer_id.empty()) {
      return invalid_argument(field_error(file, record.line, "customer_id", "an id", ""),
                              "customer_id");
    }
    const std::string& date_text = record.fields[static_cast<size_t>(cols[1])];
    Result<Date> date = parse_date(date_text);
    if (!date.is_ok() || (date_text.size() != 8 && date_text.size() != 10)) {
      return invalid_argument(
          field_error(file, record.line, "date", "a date YYYY-MM-DD or YYYYMMDD", date_text),
          "date");
    }
    t.date = *date;
    const std::string& amount_text = record.fields[static_cast<size_t>(cols[2])];
    const auto [end, ec] =
        std::from_chars(amount_text.data(), amount_text.data() + amount_text.size(), t.amount);
    if (ec != std::errc() || end != amount_text.data() + amount_text.size() ||
        !std::isfinite(t.amount)) {
      return invalid_argument(field_error(file, record.line, "amount", "a number", amount_text),
                              "amount");
    }
    out.push_back(std::move(t));
  }
  if (out.empty()) {
    return invalid_argument(
        field_error(file, 2, "customer_id", "at least one transaction", "end of file"),
        "customer_id");
  }
  return out;
}

Result<Date> date_option(const Args& args, const std::string& name) {
  const std::string text = args.get(name);
  Result<Date> d = parse_date(text);
  if (!d.is_ok() || (text.size() != 8 && text.size() != 10)) {
    return invalid_argument("--" + name + " expects a date YYYY-MM-DD or YYYYMMDD, got \"" + text +
                            "\"");
  }
  return d;
}

}  // namespace

int cmd_clv(int argc, char** argv) {
  Args args;
  int exit_code = 0;
  if (!parse_or_exit(
          argc, argv, 2,
          {"input", "calibration-end", "holdout-end", "time-unit", "horizon", "params", "output"},
          {}, kClvUsage, {"input", "calibration-end"}, &args, &exit_code)) {
    return exit_code;
  }
  Result<Date> calibration_end = date_option(args, "calibration-end");
  if (!calibration_end.is_ok()) return usage_error(calibration_end.status().message(), kClvUsage);
  SummaryOptions summary_options;
  summary_options.calibration_end = *calibration_end;
  summary_options.holdout_end = *calibration_end;
  if (args.has("holdout-end")) {
    Result<Date> holdout_end = date_option(args, "holdout-end");
    if (!holdout_end.is_ok()) return usage_error(holdout_end.status().message(), kClvUsage);
    if (!(*holdout_end > *calibration_end)) {
      return usage_error("--holdout-end must be after --calibration-end", kClvUsage);
    }
    summary_options.holdout_end = *holdout_end;
  }
  const std::string unit = args.get("time-unit", "week");
  if (unit != "week" && unit != "day") {
    return usage_error("--time-unit expects week or day, got \"" + unit + "\"", kClvUsage);
  }
  summary_options.days_per_period = unit == "week" ? 7.0 : 1.0;
  const double periods_per_year = unit == "week" ? 52.0 : 365.0;
  const bool has_holdout = args.has("holdout-end");
  const long long default_horizon =
      has_holdout ? static_cast<long long>(
                        std::ceil(static_cast<double>(summary_options.holdout_end.days -
                                                      summary_options.calibration_end.days) /
                                  summary_options.days_per_period))
                  : static_cast<long long>(periods_per_year);
  Result<long long> horizon = int_option(args, "horizon", default_horizon, 1, 100000);
  if (!horizon.is_ok()) return usage_error(horizon.status().message(), kClvUsage);

  const std::string input = args.get("input");
  Result<std::string> content = read_whole_file(input);
  if (!content.is_ok()) return input_error(content.status().message());
  Result<std::vector<CustomerTransaction>> transactions = read_transactions(input, *content);
  if (!transactions.is_ok()) return input_error(transactions.status().message());
  CustomerScoringOptions scoring_options;
  scoring_options.summary = summary_options;
  scoring_options.horizon_periods = static_cast<int32_t>(*horizon);
  Result<CustomerScoring> scored = score_customers(*transactions, scoring_options);
  if (!scored.is_ok()) return input_error(input + ": " + scored.status().to_string());
  const BgNbdParams* bgnbd = &scored->bgnbd;
  const GammaGammaParams* gamma_gamma = scored->has_spend_model ? &scored->gamma_gamma : nullptr;
  std::string out = "customer_id,frequency,recency,T,p_alive,expected_purchases,clv,segment\n";
  double predicted_holdout = 0.0, actual_holdout = 0.0;
  bool clv_missing = false;
  for (const CustomerScore& c : scored->customers) {
    clv_missing = clv_missing || std::isnan(c.clv);
    predicted_holdout += c.holdout_expected;
    actual_holdout += c.holdout_actual;
    out += csv_field(c.customer_id) + "," + std::to_string(c.frequency) + "," + num(c.recency) +
           "," + num(c.age) + "," + num(c.p_alive) + "," + num(c.expected_purchases) + "," +
           (std::isnan(c.clv) ? "" : num(c.clv)) + "," + c.segment + "\n";
  }
  const size_t n_customers = scored->customers.size();

  if (args.has("params")) {
    std::string json = "{\"bgnbd\":{\"r\":" + json_num(bgnbd->r) +
                       ",\"alpha\":" + json_num(bgnbd->alpha) + ",\"a\":" + json_num(bgnbd->a) +
                       ",\"b\":" + json_num(bgnbd->b) +
                       ",\"loglik\":" + json_num(bgnbd->log_likelihood) + "},\"gamma_gamma\":";
    if (gamma_gamma != nullptr) {
      json += "{\"p\":" + json_num(gamma_gamma->p) + ",\"q\":" + json_num(gamma_gamma->q) +
              ",\"gamma\":" + json_num(gamma_gamma->gamma) +
              ",\"loglik\":" + json_num(gamma_gamma->log_likelihood) + "}";
    } else {
      json += "null";
    }
    json += ",\"time_unit\":" + json_string(unit) +
            ",\"calibration_end\":" + json_string(format_date(*calibration_end)) +
            ",\"customers\":" + std::to_string(n_customers) +
            ",\"skipped_new_customers\":" + std::to_string(scored->skipped_new);
    if (has_holdout) {
      json += ",\"holdout\":{\"end\":" + json_string(format_date(summary_options.holdout_end)) +
              ",\"periods\":" + json_num(scored->holdout_periods) +
              ",\"actual_repeat_purchases\":" + json_num(actual_holdout) +
              ",\"predicted_repeat_purchases\":" + json_num(predicted_holdout) + "}";
    }
    json += "}\n";
    Status written = write_output(args.get("params"), json);
    if (!written.is_ok()) return input_error(written.message());
  }
  Status written = write_output(args.get("output"), out);
  if (!written.is_ok()) return input_error(written.message());
  if (scored->skipped_new > 0) {
    std::cerr << "shelfcast: note: " << scored->skipped_new
              << " customers first bought after the calibration end and are not scored\n";
  }
  if (clv_missing) {
    std::cerr << "shelfcast: note: clv is empty where the spend model could not apply: "
              << scored->spend_model_note << "\n";
  }
  return kExitOk;
}

}  // namespace shelfcast::server
