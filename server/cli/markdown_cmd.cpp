// `shelfcast markdown`: the markdown dynamic program for one item described in a JSON file, with
// the "no markdown" and "one 30% markdown at mid-season" baselines (INTERFACES.md).

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "shelfcast/json.h"
#include "shelfcast/pricing.h"

namespace shelfcast::server {
namespace {

const char* const kMarkdownUsage =
    "usage: shelfcast markdown --input ITEM.json [--output FILE]\n"
    "  Optimizes the markdown path of one item by stochastic dynamic programming over its price\n"
    "  ladder (prices only go down) and compares it with no markdown and with one 30% markdown\n"
    "  at mid-season, all under the same demand model. ITEM.json is an object:\n"
    "    stock_units          whole units on hand (required, >= 1)\n"
    "    weeks_left           weeks before leftovers are salvaged (required, >= 1)\n"
    "    price_ladder         allowed prices, full price first, strictly decreasing (required)\n"
    "    current_price_index  ladder index of today's price (default 0)\n"
    "    base_weekly_demand_units, elasticity   mean weekly units at full price and a constant\n"
    "                         elasticity <= 0: mean(p) = base (p / full price)^elasticity\n"
    "    demand_by_price      or: mean weekly units at each ladder price (overrides the above)\n"
    "    seasonality          optional multiplier per week (weeks_left values)\n"
    "    distribution         \"poisson\" (default) or \"negative_binomial\" with nb_size > 0\n"
    "    unit_cost, salvage_per_unit   per unit (default 0)\n"
    "    min_margin_per_unit  prices below unit_cost + this are never used (default 0)\n"
    "    max_markdowns        price changes allowed (default 1)\n"
    "  Objective: sum of (price - cost) x units sold + (salvage - cost) x units left. Writes JSON\n"
    "  {\"allowed_prices\",\"policy\",\"baselines\":{\"no_markdown\",\"mid_season_markdown\"},\n"
    "  \"gain_vs_no_markdown\",\"gain_vs_mid_season_markdown\"}; each plan has per-week price "
    "(most\n"
    "  likely), mean_price, markdown_probability, expected_units, expected_leftover,\n"
    "  expected_margin, and totals expected_units, expected_margin, expected_leftover,\n"
    "  expected_salvage_value, expected_total. Bad input exits 1 with FILE:LINE: field 'F'.\n";

// 1-based line of the first `"key"` in the text, or 0 when it does not appear.
int line_of(const std::string& text, const std::string& key) {
  const size_t pos = text.find("\"" + key + "\"");
  if (pos == std::string::npos) return 0;
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

struct Reader {
  const std::string& path;
  const std::string& text;
  const Json& doc;
  std::string error;  // the first error, formatted

  bool fail(const std::string& key, const std::string& expected, const Json* value) {
    if (!error.empty()) return false;
    error = path + ":" + std::to_string(line_of(text, key)) + ": field '" + key + "': " + expected;
    if (value != nullptr) error += ", got " + dump_json(*value);
    return false;
  }
  bool number(const std::string& key, bool required, double* out) {
    if (!doc.contains(key))
      return required ? fail(key, "expected a number, missing", nullptr) : true;
    const Json& v = doc.at(key);
    if (!v.is_number()) return fail(key, "expected a number", &v);
    *out = v.get<double>();
    return true;
  }
  bool integer(const std::string& key, bool required, int32_t* out) {
    if (!doc.contains(key)) {
      return required ? fail(key, "expected an integer, missing", nullptr) : true;
    }
    const Json& v = doc.at(key);
    if (!v.is_number_integer()) return fail(key, "expected an integer", &v);
    const auto x = v.get<long long>();
    if (x < -1000000 || x > 1000000) return fail(key, "expected an integer in range", &v);
    *out = static_cast<int32_t>(x);
    return true;
  }
  bool numbers(const std::string& key, bool required, std::vector<double>* out) {
    if (!doc.contains(key)) {
      return required ? fail(key, "expected an array of numbers, missing", nullptr) : true;
    }
    const Json& v = doc.at(key);
    if (!v.is_array()) return fail(key, "expected an array of numbers", &v);
    out->clear();
    for (const Json& x : v) {
      if (!x.is_number()) return fail(key, "expected an array of numbers", &x);
      out->push_back(x.get<double>());
    }
    return true;
  }
};

Json plan_json(const MarkdownPlan& plan) {
  Json weeks = Json::array();
  for (const MarkdownWeek& w : plan.weeks) {
    Json j;
    j["week"] = w.week;
    j["price"] = w.price;
    j["mean_price"] = w.mean_price;
    j["markdown_probability"] = w.markdown_probability;
    j["expected_units"] = w.expected_units;
    j["expected_leftover"] = w.expected_leftover;
    j["expected_margin"] = w.expected_margin;
    weeks.push_back(std::move(j));
  }
  Json out;
  out["weeks"] = std::move(weeks);
  out["expected_units"] = plan.expected_units;
  out["expected_margin"] = plan.expected_margin;
  out["expected_leftover"] = plan.expected_leftover;
  out["expected_salvage_value"] = plan.expected_salvage_value;
  out["expected_total"] = plan.expected_total;
  return out;
}

}  // namespace

int cmd_markdown(int argc, char** argv) {
  Args args;
  int exit_code = 0;
  if (!parse_or_exit(argc, argv, 2, {"input", "output"}, {}, kMarkdownUsage, {"input"}, &args,
                     &exit_code)) {
    return exit_code;
  }
  const std::string path = args.get("input");
  Result<std::string> file = read_whole_file(path);
  if (!file.is_ok()) return input_error(file.status().message());
  const std::string& text = *file;
  Result<Json> parsed = parse_json(text);
  if (!parsed.is_ok()) return input_error(path + ":0: " + parsed.status().message());
  const Json& doc = *parsed;
  if (!doc.is_object()) return input_error(path + ":1: expected a JSON object");

  static const std::set<std::string> kKeys = {"stock_units",
                                              "weeks_left",
                                              "price_ladder",
                                              "current_price_index",
                                              "base_weekly_demand_units",
                                              "elasticity",
                                              "demand_by_price",
                                              "seasonality",
                                              "distribution",
                                              "nb_size",
                                              "unit_cost",
                                              "salvage_per_unit",
                                              "min_margin_per_unit",
                                              "max_markdowns"};
  Reader r{path, text, doc, {}};
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (kKeys.count(it.key()) == 0) {
      r.fail(it.key(), "unknown field (see shelfcast markdown --help)", nullptr);
    }
  }
  MarkdownInput in;
  r.number("stock_units", true, &in.stock_units);
  r.integer("weeks_left", true, &in.weeks_left);
  r.numbers("price_ladder", true, &in.price_ladder);
  r.integer("current_price_index", false, &in.current_price_index);
  r.number("base_weekly_demand_units", false, &in.base_weekly_demand_units);
  r.number("elasticity", false, &in.elasticity);
  r.numbers("demand_by_price", false, &in.demand_by_price);
  r.numbers("seasonality", false, &in.seasonality);
  r.number("nb_size", false, &in.nb_size);
  r.number("unit_cost", false, &in.unit_cost);
  r.number("salvage_per_unit", false, &in.salvage_per_unit);
  r.number("min_margin_per_unit", false, &in.min_margin_per_unit);
  r.integer("max_markdowns", false, &in.max_markdowns);
  if (doc.contains("distribution")) {
    const Json& d = doc.at("distribution");
    Result<WeeklyDemandDistribution> dist =
        d.is_string() ? parse_weekly_demand_distribution(d.get<std::string>())
                      : Result<WeeklyDemandDistribution>(
                            invalid_argument("expected \"poisson\" or \"negative_binomial\""));
    if (dist.is_ok()) {
      in.distribution = *dist;
    } else {
      r.fail("distribution", "expected \"poisson\" or \"negative_binomial\"", &d);
    }
  }
  if (!r.error.empty()) return input_error(r.error);
  if (!doc.contains("base_weekly_demand_units") && !doc.contains("demand_by_price")) {
    r.fail("base_weekly_demand_units", "expected base_weekly_demand_units or demand_by_price",
           nullptr);
    return input_error(r.error);
  }

  Result<MarkdownResult> res = optimize_markdown(in);
  if (!res.is_ok()) {
    const Status& st = res.status();
    const std::string field = st.field().empty() ? "input" : st.field();
    return input_error(path + ":" + std::to_string(line_of(text, field)) + ": field '" + field +
                       "': " + st.message());
  }
  Json out;
  out["allowed_prices"] = res->allowed_prices;
  out["policy"] = plan_json(res->optimal);
  out["baselines"]["no_markdown"] = plan_json(res->no_markdown);
  out["baselines"]["mid_season_markdown"] = plan_json(res->mid_season_markdown);
  out["gain_vs_no_markdown"] = res->optimal.expected_total - res->no_markdown.expected_total;
  out["gain_vs_mid_season_markdown"] =
      res->optimal.expected_total - res->mid_season_markdown.expected_total;
  Status written = write_output(args.get("output"), dump_json(out) + "\n");
  if (!written.is_ok()) return input_error(written.message());
  return kExitOk;
}

}  // namespace shelfcast::server
