// `shelfcast promo fit | predict | simulate` (INTERFACES.md): the promotion-response panel model
// of one category, its predictions for given prices and promotions, and plan simulations.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "ingest/csv.h"
#include "shelfcast/promo.h"
#include "shelfcast/promo_sim.h"

namespace shelfcast::server {
namespace {

const char* const kPromoUsage =
    "usage: shelfcast promo fit --input FILE --output MODEL.json\n"
    "       shelfcast promo predict --model MODEL.json --input FILE [--output FILE]\n"
    "       shelfcast promo simulate --model MODEL.json --plan PLAN.json [--output FILE]\n"
    "  fit: a panel CSV of one category with header `store,product,week,units,price` and optional\n"
    "    `regular_price,feature,display,promo_depth,holiday,cost,category` (integers for store,\n"
    "    product and week; holiday: the week's retail holidays in average days, 1 for one\n"
    "    holiday on an average day, more when it falls on a busy weekday, 0 to 7;\n"
    "    consecutive weeks differ by 1). The regular price of a row is its\n"
    "    regular_price, else the median price of its store and product over rows without\n"
    "    promo_depth (all rows when there is no such column). Fits own-price elasticity,\n"
    "    extra lift per unit of depth, feature and display multipliers, cannibalization by the\n"
    "    promoted siblings' extra units, pull-forward, post-promotion dip and holiday weeks per\n"
    "    product, with\n"
    "    standard errors,\n"
    "    and writes the versioned model artifact (with the reference prices and costs).\n"
    "  predict: the same columns without `units` (ignored when present); writes the rows back\n"
    "    with `units_pred,lo80,hi80` appended. Rows without regular_price use the model's\n"
    "    reference price of their store and product.\n"
    "  simulate: PLAN.json = {\"promotions\":[{\"id\",\"products\":[..],\"stores\":[..] or\n"
    "    "
    "\"cluster\",\"start_week\",\"end_week\",\"mechanic\":\"percent_off|price_point|multi_buy|\n"
    "    bogo\",\"depth\"|\"price_point\"|\"buy\"+\"pay\",\"feature\",\"display\",\"segment\",\n"
    "    \"segment_share\"}], "
    "\"products\":[{\"product\",\"name\",\"regular_price\",\"unit_cost\"}],\n"
    "    \"stock\":[{\"product\",\"store\",\"on_hand\",\"on_order\",\"lead_time_weeks\"}],\n"
    "    \"clusters\":{name:[stores]}, \"affinity\":[{\"from\",\"to\",\"confidence\",\"lift\"}],\n"
    "    \"alternative_depths\":[..], \"draws\":100, \"seed\":1, \"detail\":\"cells\",\n"
    "    \"calendar_weeks\":false}; products default to the model's prices; calendar_weeks true\n"
    "    (weeks are Mondays as days since 1970 / 7) makes the sentences name dates.\n"
    "    Writes JSON: per product x store x week baseline, lift,\n"
    "    cannibalized, halo, pull_forward, dip, incremental units, revenue, margin, stock cover\n"
    "    and stockout probability; totals with P10/P50/P90; drivers; sentences; depth ranking.\n"
    "  Bad input exits 1 with FILE:LINE: field 'F': expected ..., got \"...\".\n";

std::string show(const std::string& v) {
  return "\"" + (v.size() > 40 ? v.substr(0, 40) + "..." : v) + "\"";
}

bool parse_number(const std::string& text, double* out) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, *out);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

bool parse_int(const std::string& text, int32_t* out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// One row of a panel file as read, before prices become ratios.
struct PanelRow {
  PromoObservation obs;
  double price = 0.0;
  double regular = -1.0;  // -1 = not given on the row
  double cost = -1.0;
  int line = 0;
  std::vector<std::string> fields;  // the row as read, for predict's output
};

struct PanelFile {
  std::vector<std::string> header;
  std::vector<PanelRow> rows;
  std::string category;
  bool has_depth = false;
};

// Reads a panel CSV; `need_units` for fit. Errors name file, line, field and expectation.
Result<PanelFile> read_panel(const std::string& path, const std::string& content, bool need_units) {
  CsvReader reader(content);
  CsvRecord record;
  PanelFile out;
  if (!reader.next(&record) || !record.error.empty())
    return invalid_argument(path + ":1: expected a header line", "header");
  out.header = record.fields;
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < record.fields.size(); ++i) col[record.fields[i]] = i;
  std::vector<std::string> required = {"store", "product", "week", "price"};
  if (need_units) required.push_back("units");
  for (const std::string& name : required)
    if (!col.count(name))
      return invalid_argument(path + ":1: field '" + name + "': the header has no column '" + name +
                                  "' (expected store,product,week," + (need_units ? "units," : "") +
                                  "price[,regular_price,feature,"
                                  "display,promo_depth,holiday,cost,category])",
                              name);
  out.has_depth = col.count("promo_depth") > 0;
  while (reader.next(&record)) {
    const std::string where = path + ":" + std::to_string(record.line);
    if (!record.error.empty()) return invalid_argument(where + ": " + record.error, "row");
    if (record.fields.size() != out.header.size())
      return invalid_argument(where + ": expected " + std::to_string(out.header.size()) +
                                  " fields as in the header, got " +
                                  std::to_string(record.fields.size()),
                              "row");
    PanelRow row;
    row.line = record.line;
    row.fields = record.fields;
    const auto get = [&](const char* name) { return record.fields[col.at(name)]; };
    const auto bad = [&](const char* name, const char* expected) {
      return invalid_argument(
          where + ": field '" + name + "': expected " + expected + ", got " + show(get(name)),
          name);
    };
    if (!parse_int(get("store"), &row.obs.store)) return bad("store", "an integer store id");
    if (!parse_int(get("product"), &row.obs.product))
      return bad("product", "an integer product id");
    if (!parse_int(get("week"), &row.obs.week)) return bad("week", "an integer week number");
    if (need_units && (!parse_number(get("units"), &row.obs.units) || row.obs.units < 0.0))
      return bad("units", "a number >= 0");
    if (!parse_number(get("price"), &row.price) || !(row.price > 0.0))
      return bad("price", "a price > 0");
    const auto optional = [&](const char* name, double lo, double hi, const char* expected,
                              double* value) -> Status {
      if (!col.count(name) || get(name).empty()) return Status::ok();
      if (!parse_number(get(name), value) || *value < lo || *value > hi) return bad(name, expected);
      return Status::ok();
    };
    SHELFCAST_RETURN_IF_ERROR(
        optional("regular_price", 1e-12, 1e12, "a price > 0 (or empty)", &row.regular));
    SHELFCAST_RETURN_IF_ERROR(
        optional("feature", 0.0, 1.0, "0, 1 or a share in between", &row.obs.feature));
    SHELFCAST_RETURN_IF_ERROR(
        optional("display", 0.0, 1.0, "0, 1 or a share in between", &row.obs.display));
    SHELFCAST_RETURN_IF_ERROR(
        optional("promo_depth", 0.0, 0.95, "a fraction off from 0 to 0.95", &row.obs.promo_depth));
    SHELFCAST_RETURN_IF_ERROR(
        optional("holiday", 0.0, 7.0, "holidays in average days, 0 to 7", &row.obs.holiday));
    SHELFCAST_RETURN_IF_ERROR(optional("cost", 0.0, 1e12, "a cost >= 0 (or empty)", &row.cost));
    if (col.count("category")) {
      const std::string c = get("category");
      if (out.rows.empty())
        out.category = c;
      else if (c != out.category)
        return invalid_argument(where + ": field 'category': expected " + show(out.category) +
                                    " (one category per file), got " + show(c),
                                "category");
    }
    out.rows.push_back(std::move(row));
  }
  if (out.rows.empty()) return invalid_argument(path + ":2: expected at least one row", "row");
  return out;
}

// Price ratios from regular prices: the row's own, else the reference of its store x product.
Status apply_reference(const std::string& path, PanelFile* file,
                       const std::map<std::pair<int32_t, int32_t>, double>& reference) {
  for (PanelRow& r : file->rows) {
    double regular = r.regular;
    if (regular <= 0.0) {
      const auto it = reference.find({r.obs.store, r.obs.product});
      if (it == reference.end())
        return invalid_argument(path + ":" + std::to_string(r.line) +
                                    ": field 'regular_price': expected a regular price (the "
                                    "model has no reference price for product " +
                                    std::to_string(r.obs.product) + " in store " +
                                    std::to_string(r.obs.store) + "), got none",
                                "regular_price");
      regular = it->second;
    }
    r.obs.price_ratio = r.price / regular;
    if (!(r.obs.price_ratio > 0.0 && r.obs.price_ratio <= 10.0))
      return invalid_argument(path + ":" + std::to_string(r.line) +
                                  ": field 'price': expected at most 10x the regular price " +
                                  std::to_string(regular) + ", got " + std::to_string(r.price),
                              "price");
  }
  return Status::ok();
}

int fail(const Status& s) { return input_error(s.message()); }

int promo_fit(const Args& args) {
  const std::string path = args.get("input");
  Result<std::string> content = read_whole_file(path);
  if (!content.is_ok()) return fail(content.status());
  Result<PanelFile> file = read_panel(path, *content, true);
  if (!file.is_ok()) return fail(file.status());
  // Reference prices: median price of each store x product over its non-promoted rows.
  std::map<std::pair<int32_t, int32_t>, std::vector<double>> regular_rows, all_rows;
  std::map<int32_t, std::vector<double>> costs;
  for (const PanelRow& r : file->rows) {
    const std::pair<int32_t, int32_t> key{r.obs.store, r.obs.product};
    all_rows[key].push_back(r.regular > 0.0 ? r.regular : r.price);
    if (r.regular > 0.0)
      regular_rows[key].push_back(r.regular);
    else if (r.obs.promo_depth == 0.0)
      regular_rows[key].push_back(r.price);
    if (r.cost >= 0.0) costs[r.obs.product].push_back(r.cost);
  }
  std::map<std::pair<int32_t, int32_t>, double> reference;
  for (const auto& kv : all_rows) {
    const auto it = regular_rows.find(kv.first);
    reference[kv.first] = median(it != regular_rows.end() ? it->second : kv.second);
  }
  const Status ratios = apply_reference(path, &*file, reference);
  if (!ratios.is_ok()) return fail(ratios);
  std::vector<PromoObservation> panel;
  panel.reserve(file->rows.size());
  for (const PanelRow& r : file->rows) panel.push_back(r.obs);
  std::string category = file->category;
  if (category.empty()) {
    const size_t slash = path.find_last_of('/');
    category = path.substr(slash == std::string::npos ? 0 : slash + 1);
    const size_t dot = category.find('.');
    if (dot != std::string::npos) category = category.substr(0, dot);
  }
  Result<PromoModel> model = fit_promo_model(panel, category);
  if (!model.is_ok()) {
    // Row-level errors name panel[i]: translate to the file's line.
    std::string message = model.status().message();
    const size_t at = message.find("panel[");
    if (at != std::string::npos) {
      const size_t close = message.find(']', at);
      const size_t i = std::stoul(message.substr(at + 6, close - at - 6));
      if (i < file->rows.size())
        message = path + ":" + std::to_string(file->rows[i].line) + ": " + message;
    }
    return input_error(message);
  }
  std::map<int32_t, std::vector<double>> product_regular;
  for (const auto& kv : reference) {
    model->reference_prices.push_back({kv.first.second, kv.first.first, kv.second});
    product_regular[kv.first.second].push_back(kv.second);
  }
  std::sort(model->reference_prices.begin(), model->reference_prices.end(),
            [](const PromoReferencePrice& a, const PromoReferencePrice& b) {
              return std::make_pair(a.product, a.store) < std::make_pair(b.product, b.store);
            });
  for (const auto& kv : product_regular) {
    const auto c = costs.find(kv.first);
    model->prices.push_back(
        {kv.first, median(kv.second), c == costs.end() ? -1.0 : median(c->second)});
  }
  Status written = write_output(args.get("output"), promo_model_to_json(*model) + "\n");
  if (!written.is_ok()) return fail(written);
  return kExitOk;
}

Result<PromoModel> read_model(const std::string& path) {
  Result<std::string> text = read_whole_file(path);
  if (!text.is_ok()) return text.status();
  Result<PromoModel> model = promo_model_from_json(*text);
  if (!model.is_ok())
    return invalid_argument(
        path + ":1: field '" + model.status().field() + "': " + model.status().message(),
        model.status().field());
  return model;
}

int promo_predict(const Args& args) {
  Result<PromoModel> model = read_model(args.get("model"));
  if (!model.is_ok()) return fail(model.status());
  const std::string path = args.get("input");
  Result<std::string> content = read_whole_file(path);
  if (!content.is_ok()) return fail(content.status());
  Result<PanelFile> file = read_panel(path, *content, false);
  if (!file.is_ok()) return fail(file.status());
  std::map<std::pair<int32_t, int32_t>, double> reference;
  for (const PromoReferencePrice& r : model->reference_prices)
    reference[{r.store, r.product}] = r.price;
  const Status ratios = apply_reference(path, &*file, reference);
  if (!ratios.is_ok()) return fail(ratios);
  std::vector<PromoObservation> rows;
  for (const PanelRow& r : file->rows) rows.push_back(r.obs);
  Result<std::vector<PromoPrediction>> pred = predict_promo_interval(*model, rows, 80.0);
  if (!pred.is_ok()) {
    std::string message = pred.status().message();
    const size_t at = message.find("rows[");
    if (at != std::string::npos) {
      const size_t close = message.find(']', at);
      const size_t i = std::stoul(message.substr(at + 5, close - at - 5));
      if (i < file->rows.size())
        message = path + ":" + std::to_string(file->rows[i].line) +
                  ": field 'product': " + message.substr(close + 3);
    }
    return input_error(message);
  }
  std::string out;
  for (size_t i = 0; i < file->header.size(); ++i)
    out += (i ? "," : "") + csv_field(file->header[i]);
  out += ",units_pred,lo80,hi80\n";
  const auto num = [](double v) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string();
  };
  for (size_t r = 0; r < file->rows.size(); ++r) {
    const PanelRow& row = file->rows[r];
    for (size_t i = 0; i < row.fields.size(); ++i) out += (i ? "," : "") + csv_field(row.fields[i]);
    out += "," + num((*pred)[r].mean) + "," + num((*pred)[r].lower) + "," + num((*pred)[r].upper) +
           "\n";
  }
  Status written = write_output(args.get("output"), out);
  if (!written.is_ok()) return fail(written);
  return kExitOk;
}

int promo_simulate(const Args& args) {
  Result<PromoModel> model = read_model(args.get("model"));
  if (!model.is_ok()) return fail(model.status());
  const std::string path = args.get("plan");
  Result<std::string> text = read_whole_file(path);
  if (!text.is_ok()) return fail(text.status());
  // The CLI's default is the full cell table (INTERFACES.md: per product x store x week).
  std::string plan_text = *text;
  Result<PromoPlan> plan = promo_plan_from_json(plan_text);
  const auto at = [&](const Status& st) {
    const std::string field = st.field().empty() ? "plan" : st.field();
    // The line where the field's last path element first appears (1 when absent).
    std::string key = field.substr(field.find_last_of('.') + 1);
    key = key.substr(0, key.find('['));
    const size_t pos = plan_text.find("\"" + key + "\"");
    const int line =
        pos == std::string::npos
            ? 1
            : 1 + static_cast<int>(std::count(plan_text.begin(),
                                              plan_text.begin() + static_cast<long>(pos), '\n'));
    return input_error(path + ":" + std::to_string(line) + ": field '" + field +
                       "': " + st.message());
  };
  if (!plan.is_ok()) return at(plan.status());
  if (plan_text.find("\"detail\"") == std::string::npos) plan->detail = PromoDetail::kCells;
  Result<PromoSimulation> sim = simulate_promo(*model, *plan);
  if (!sim.is_ok()) return at(sim.status());
  Status written = write_output(args.get("output"), promo_simulation_to_json(*sim) + "\n");
  if (!written.is_ok()) return fail(written);
  return kExitOk;
}

}  // namespace

int cmd_promo(int argc, char** argv) {
  const std::string sub = argc >= 3 ? argv[2] : "";
  if (sub == "--help" || sub == "-h") {
    std::cout << kPromoUsage;
    return kExitOk;
  }
  Args args;
  int exit_code = 0;
  if (sub == "fit") {
    if (!parse_or_exit(argc, argv, 3, {"input", "output"}, {}, kPromoUsage, {"input", "output"},
                       &args, &exit_code))
      return exit_code;
    return promo_fit(args);
  }
  if (sub == "predict") {
    if (!parse_or_exit(argc, argv, 3, {"model", "input", "output"}, {}, kPromoUsage,
                       {"model", "input"}, &args, &exit_code))
      return exit_code;
    return promo_predict(args);
  }
  if (sub == "simulate") {
    if (!parse_or_exit(argc, argv, 3, {"model", "plan", "output"}, {}, kPromoUsage,
                       {"model", "plan"}, &args, &exit_code))
      return exit_code;
    return promo_simulate(args);
  }
  return usage_error(sub.empty() ? "promo needs a subcommand: fit, predict or simulate"
                                 : "unknown promo subcommand '" + sub + "'",
                     kPromoUsage);
}

}  // namespace shelfcast::server
