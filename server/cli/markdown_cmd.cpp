// `shelfcast markdown`: the markdown dynamic program for one item described in a JSON file, with
// the "no markdown" and "one 30% markdown at mid-season" baselines (INTERFACES.md).

#include <algorithm>
#include <cmath>
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
  Result<MarkdownInput> in = decode<MarkdownInput>(*parsed);
  // A field-level error names the line where the field appears (or 1 when it is missing).
  const auto at = [&](const Status& st) {
    const std::string field = st.field().empty() ? "input" : st.field();
    const int line = std::max(1, line_of(text, field));
    return input_error(path + ":" + std::to_string(line) + ": field '" + field +
                       "': " + st.message());
  };
  if (!in.is_ok()) return at(in.status());
  Result<MarkdownResult> res = optimize_markdown(*in);
  if (!res.is_ok()) return at(res.status());
  const Json out = *res;
  Status written = write_output(args.get("output"), dump_json(out) + "\n");
  if (!written.is_ok()) return input_error(written.message());
  return kExitOk;
}

}  // namespace shelfcast::server
