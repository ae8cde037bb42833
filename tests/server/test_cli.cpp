// The shelfcast binary as users and scripts run it: exit codes, one-line errors naming file, line
// and field, a database left byte-for-byte unchanged by a bad file, and no customer PII at rest.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/csv.h"
#include "support.h"

using namespace shelfcast;
using shelfcast::test::fixture;
using shelfcast::test::read_file;
using shelfcast::test::run_shelfcast;
using shelfcast::test::TempDir;

namespace {

// Every value of the columns that carry personal data (partner name, e-mail, phone, street, id),
// and each part of "Company, Person" names: what must never reach the database.
std::set<std::string> pii_values(const std::string& csv_path) {
  const std::string content = read_file(csv_path);
  server::CsvReader reader(content);
  server::CsvRecord header, record;
  REQUIRE(reader.next(&header));
  std::vector<size_t> columns;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    if (header.fields[i].find("partner") != std::string::npos) columns.push_back(i);
  }
  REQUIRE_FALSE(columns.empty());
  std::set<std::string> values;
  while (reader.next(&record)) {
    for (size_t c : columns) {
      if (c >= record.fields.size()) continue;
      const std::string v = record.fields[c];
      if (v.empty() || v == "False") continue;
      values.insert(v);
      const size_t comma = v.find(", ");
      if (comma != std::string::npos) {
        values.insert(v.substr(0, comma));
        values.insert(v.substr(comma + 2));
      }
    }
  }
  return values;
}

void check_one_line_error(const test::RunResult& r, const std::string& prefix) {
  CHECK(r.exit_code == 1);
  CHECK(r.err.rfind(prefix, 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("usage: --help exits 0, bad usage exits 2") {
  for (const char* cmd : {"serve", "ingest", "demo", "token", "forecast", "backtest", "basket",
                          "clv", "safety-stock", "markdown", "promo"}) {
    CAPTURE(cmd);
    auto r = run_shelfcast({cmd, "--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("usage: shelfcast") == 0);
  }
  CHECK(run_shelfcast({"--help"}).exit_code == 0);
  CHECK(run_shelfcast({}).exit_code == 2);
  CHECK(run_shelfcast({"frobnicate"}).exit_code == 2);
  CHECK(run_shelfcast({"ingest", "--db", "x.db"}).exit_code == 2);  // --input missing
  CHECK(run_shelfcast({"ingest", "--db", "x.db", "--input", "y", "--bogus"}).exit_code == 2);
  CHECK(run_shelfcast({"ingest", "--db", "x.db", "--input", "y", "--format", "xml"}).exit_code ==
        2);
  CHECK(run_shelfcast({"serve", "--db", "x.db", "--port", "70000"}).exit_code == 2);
  CHECK(run_shelfcast({"token", "create", "--db", "x.db", "--role", "king", "--name", "n"})
            .exit_code == 2);
}

TEST_CASE("ingesting Odoo exports keeps no name, e-mail, phone, street or raw id at rest") {
  TempDir dir;
  const std::string db = dir.file("pii.db");
  for (const char* f : {"ingest/odoo_sale_order_line.csv", "ingest/odoo_pos_order_line.csv"}) {
    CAPTURE(f);
    auto r = run_shelfcast({"ingest", "--db", db, "--input", fixture(f)});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("rows added") != std::string::npos);
    CHECK(r.out.find("ignored columns") != std::string::npos);
  }
  std::set<std::string> pii = pii_values(fixture("ingest/odoo_sale_order_line.csv"));
  for (const std::string& v : pii_values(fixture("ingest/odoo_pos_order_line.csv"))) pii.insert(v);
  CHECK(pii.count("Brandon Freeman") == 1);
  CHECK(pii.count("brandon.freeman55@example.com") == 1);
  const std::string bytes = read_file(db) + read_file(db + "-journal");
  REQUIRE(bytes.size() > 4096);
  // Sanity: the scan sees what was stored.
  CHECK(bytes.find("FURN_8888") != std::string::npos);
  for (const std::string& v : pii) {
    CAPTURE(v);
    CHECK(bytes.find(v) == std::string::npos);
  }
  // The pseudonym key file exists, beside the database, readable by its owner only.
  struct stat st {};
  REQUIRE(stat((db + ".pseudonym.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0077) == 0);
}

TEST_CASE("a bad file is refused with FILE:LINE: field and leaves the database unchanged") {
  TempDir dir;
  const std::string db = dir.file("d.db");
  REQUIRE(
      run_shelfcast({"ingest", "--db", db, "--input", fixture("ingest/canonical.csv")}).exit_code ==
      0);
  const std::string before = read_file(db);
  REQUIRE_FALSE(before.empty());
  struct Row {
    const char* file;
    const char* prefix;
  };
  const Row rows[] = {
      {"ingest/bad_qty.csv", ":3: field 'qty': expected a number, got \"abc\""},
      {"ingest/bad_price.csv", ":3: field 'price_unit'"},
      {"ingest/bad_date.csv", ":2: field 'order_id/date_order'"},
      {"ingest/bad_header.csv", ":1: "},
      {"ingest/latin1.csv", ":"},
      {"ingest/empty.csv", ":"},
      {"ingest/header_only.csv", ":"},
      {"ingest/mixed_bad_rows.csv", ":3: field 'qty'"},
      {"ingest/does_not_exist.csv", ":0: cannot open the file"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.file);
    const std::string path = fixture(row.file);
    auto r = run_shelfcast({"ingest", "--db", db, "--input", path});
    check_one_line_error(r, "shelfcast: " + path + row.prefix);
    CHECK(read_file(db) == before);
  }
}

TEST_CASE("--skip-bad-rows loads the good rows and says which were skipped and why") {
  TempDir dir;
  const std::string db = dir.file("s.db");
  const std::string path = fixture("ingest/mixed_bad_rows.csv");
  auto r = run_shelfcast({"ingest", "--db", db, "--input", path, "--skip-bad-rows"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(" rejected") != std::string::npos);
  CHECK(r.err.find("shelfcast: skipped " + path + ":3: field 'qty'") != std::string::npos);
  // The batch row records the rejected count.
  CHECK(r.out.find("1 rows added") == std::string::npos);
}

TEST_CASE("a token is printed once and only its hash is stored") {
  TempDir dir;
  const std::string db = dir.file("t.db");
  auto r = run_shelfcast({"token", "create", "--db", db, "--role", "planner", "--name", "me"});
  REQUIRE(r.exit_code == 0);
  const std::string token = r.out.substr(r.out.rfind("sc_"), 67);
  CHECK(token.size() == 67);
  CHECK(read_file(db).find(token) == std::string::npos);
  CHECK(read_file(db).find(token.substr(3)) == std::string::npos);
}

namespace {

// Two weekly series of 30 points with a season of 4, then 3 planned periods with prices.
std::string long_series_csv() {
  std::string csv = "series_id,period,value,price\n";
  for (const char* id : {"P1@S1", "P2@S1"}) {
    for (int t = 1; t <= 30; ++t) {
      csv += std::string(id) + "," + std::to_string(t) + "," + std::to_string(10 + (t % 4) * 3) +
             ",1.5\n";
    }
    for (int t = 31; t <= 33; ++t) csv += std::string(id) + "," + std::to_string(t) + ",,1.2\n";
  }
  return csv;
}

}  // namespace

TEST_CASE("forecast writes one row per series and step with a lo/hi pair per level") {
  TempDir dir;
  const std::string in = dir.file("in.csv"), out = dir.file("out.csv");
  test::write_file(in, long_series_csv());
  auto r = run_shelfcast({"forecast", "--input", in, "--horizon", "5", "--season-length", "4",
                          "--levels", "50,80,95", "--method", "snaive", "--output", out});
  REQUIRE(r.exit_code == 0);
  const std::string csv = read_file(out);
  CHECK(csv.rfind("series_id,step,mean,lo50,hi50,lo80,hi80,lo95,hi95,model\n", 0) == 0);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 2 * 5);
  CHECK(csv.find("P2@S1,5,") != std::string::npos);
  // Period-4 pattern repeated exactly: seasonal naive wins and forecasts the next season.
  CHECK(csv.find("P1@S1,1,19,19,19,19,19,19,19,SNaive\n") != std::string::npos);  // t = 31
  CHECK(csv.find(",SNaive\n") != std::string::npos);
  // The automatic choice: the planned price cut (1.5 -> 1.2) is a driver that varies, so the
  // retail regression forecasts; the two steps per series beyond the file's planned rows are said.
  auto automatic =
      run_shelfcast({"forecast", "--input", in, "--horizon", "5", "--season-length", "4"});
  REQUIRE(automatic.exit_code == 0);
  CHECK(automatic.out.find(",ETS-Regression\n") != std::string::npos);
  CHECK(automatic.err.find("4 planned period(s) had no row") != std::string::npos);
  // Without the price column the same values go to the ETS family.
  const std::string plain_in = dir.file("plain.csv");
  {
    std::string src = long_series_csv(), plain;
    for (size_t pos = 0, end; (end = src.find('\n', pos)) != std::string::npos; pos = end + 1) {
      const std::string line = src.substr(pos, end - pos);
      const std::string kept = line.substr(0, line.rfind(','));
      if (!kept.empty() && kept.back() == ',') continue;  // a planned row: no value
      plain += kept + "\n";
    }
    test::write_file(plain_in, plain);
  }
  auto ets =
      run_shelfcast({"forecast", "--input", plain_in, "--horizon", "2", "--season-length", "4"});
  REQUIRE(ets.exit_code == 0);
  CHECK(ets.out.find(",ETS(") != std::string::npos);
}

TEST_CASE("forecast uses planned promotions: a promoted week forecasts above an unpromoted one") {
  TempDir dir;
  const std::string in = dir.file("promo.csv");
  // 104 weeks at ~100 units; every 8th week 30% off with a feature sells about twice as much.
  std::string csv = "series_id,period,value,price,promo_depth,feature\n";
  for (int t = 1; t <= 110; ++t) {
    const bool promo = t % 8 == 0;
    const double price = promo ? 1.4 : 2.0;
    const std::string value =
        t > 104 ? "" : std::to_string(promo ? 200 + (t % 3) * 7 : 100 + (t % 5) * 3);
    csv += "A," + std::to_string(t) + "," + value + "," + std::to_string(price) + "," +
           (promo ? "0.3" : "0") + "," + (promo ? "1" : "0") + "\n";
  }
  test::write_file(in, csv);
  auto r = run_shelfcast({"forecast", "--input", in, "--horizon", "6", "--season-length", "52"});
  REQUIRE(r.exit_code == 0);
  CAPTURE(r.out);
  // Step s is period 104 + s; no promotion is planned in periods 105..110.
  std::vector<double> mean;
  for (size_t pos = r.out.find('\n') + 1, end; (end = r.out.find('\n', pos)) != std::string::npos;
       pos = end + 1) {
    const std::string line = r.out.substr(pos, end - pos);
    const size_t a = line.find(',', line.find(',') + 1);
    mean.push_back(std::stod(line.substr(a + 1, line.find(',', a + 1) - a - 1)));
    CHECK(line.find(",ETS-Regression") != std::string::npos);
  }
  REQUIRE(mean.size() == 6);
  CHECK(mean[0] > 80.0);
  CHECK(mean[0] < 130.0);
  // Re-plan week 106 (step 2) as a promotion: its forecast roughly doubles, the others stay.
  std::string planned = csv;
  const std::string row106 = "A,106,,2.000000,0,0\n";
  REQUIRE(planned.find(row106) != std::string::npos);
  planned.replace(planned.find(row106), row106.size(), "A,106,,1.400000,0.3,1\n");
  test::write_file(in, planned);
  auto p = run_shelfcast({"forecast", "--input", in, "--horizon", "6", "--season-length", "52"});
  REQUIRE(p.exit_code == 0);
  const size_t at = p.out.find("\nA,2,");
  REQUIRE(at != std::string::npos);
  const double promoted = std::stod(p.out.substr(at + 5, p.out.find(',', at + 5) - at - 5));
  CHECK(promoted > 1.6 * mean[1]);
  CHECK(promoted < 2.6 * mean[1]);
}

TEST_CASE("backtest writes metrics per series and pooled") {
  TempDir dir;
  const std::string in = dir.file("in.csv");
  test::write_file(in, long_series_csv());
  auto r = run_shelfcast({"backtest", "--input", in, "--horizon", "4", "--origins", "3",
                          "--season-length", "4", "--method", "snaive"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("series_id,points,mase,rmsse,smape,wape,bias,coverage80,coverage95,models\n",
                    0) == 0);
  // Perfectly periodic: no seasonal-naive error to scale MASE by (empty), RMSSE 0.
  CHECK(r.out.find("\nP1@S1,12,,0,0,0,0,1,1,SNaive\n") != std::string::npos);
  CHECK(r.out.find("\nALL,24,") != std::string::npos);
}

TEST_CASE("forecast and backtest refuse bad input with one line and write nothing") {
  TempDir dir;
  const std::string out = dir.file("out.csv");
  struct Row {
    const char* name;
    std::string csv;
    std::string suffix;
  };
  const Row rows[] = {
      {"bad value", "series_id,period,value\nA,1,3\nA,2,x\n",
       ":3: field 'value': expected a number"},
      {"period repeats", "series_id,period,value\nA,1,3\nA,1,4\n", ":3: field 'period'"},
      {"bad period", "series_id,period,value\nA,2024-13-01,3\n", ":2: field 'period'"},
      {"missing column", "series_id,value\nA,3\n", ":1: field 'period'"},
      {"bad regressor", "series_id,period,value,price\nA,1,3,cheap\n", ":2: field 'price'"},
      {"price not positive", "series_id,period,value,price\nA,1,3,0\n",
       ":2: field 'price': expected a price > 0, got \"0\""},
      {"depth out of range", "series_id,period,value,promo_depth\nA,1,3,0.2\nA,2,4,1.5\n",
       ":3: field 'promo_depth': expected a fraction off the regular price in [0, 1)"},
      {"feature out of range", "series_id,period,value,feature\nA,1,3,2\n", ":2: field 'feature'"},
      {"negative holiday", "series_id,period,value,holiday\nA,1,3,-1\n", ":2: field 'holiday'"},
      {"no observation", "series_id,period,value\nA,1,\n", ":1: field 'value'"},
      {"header only", "series_id,period,value\n", ":2: no data rows"},
      {"empty", "", ":1: empty file"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const std::string in = dir.file("bad.csv");
    test::write_file(in, row.csv);
    for (const char* cmd : {"forecast", "backtest"}) {
      CAPTURE(cmd);
      auto r =
          run_shelfcast({cmd, "--input", in, "--horizon", "1", "--origins", "1", "--output", out});
      if (std::string(cmd) == "forecast") {
        r = run_shelfcast({cmd, "--input", in, "--horizon", "1", "--output", out});
      }
      check_one_line_error(r, "shelfcast: " + in + row.suffix);
      CHECK(read_file(out).empty());
    }
  }
  auto usage = run_shelfcast({"forecast", "--input", "x.csv", "--horizon", "0"});
  CHECK(usage.exit_code == 2);
  CHECK(run_shelfcast({"backtest", "--input", "x.csv", "--horizon", "2"}).exit_code == 2);
  CHECK(run_shelfcast({"forecast", "--help"}).exit_code == 0);
  CHECK(run_shelfcast({"backtest", "--help"}).exit_code == 0);
}

TEST_CASE("safety-stock reproduces z sqrt(L sigma^2 + mu^2 sigma_L^2) and refuses bad input") {
  auto r = run_shelfcast({"safety-stock", "--mean-demand", "10", "--sd-demand", "3", "--lead-time",
                          "4", "--lead-time-sd", "1", "--service-level", "0.95"});
  REQUIRE(r.exit_code == 0);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  // z(0.95) = 1.644854; sqrt(4 * 9 + 100 * 1) = 11.661904.
  CHECK(j["safety_stock"].get<double>() == doctest::Approx(1.644854 * 11.661904).epsilon(0.005));
  CHECK(j["reorder_point"].get<double>() ==
        doctest::Approx(40.0 + 1.644854 * 11.661904).epsilon(0.005));
  struct Row {
    std::vector<std::string> args;
    int exit_code;
    const char* says;
  };
  const Row rows[] = {
      {{"--lead-time", "0", "--service-level", "0.95"}, 1, "field 'lead_time'"},
      {{"--lead-time", "-2", "--service-level", "0.95"}, 1, "field 'lead_time'"},
      {{"--lead-time", "4", "--service-level", "1"}, 1, "service"},
      {{"--lead-time", "4", "--service-level", "0"}, 1, "service"},
      {{"--lead-time", "four", "--service-level", "0.9"}, 2, "--lead-time"},
  };
  for (const Row& row : rows) {
    std::vector<std::string> args = {"safety-stock", "--mean-demand", "10", "--sd-demand", "3"};
    args.insert(args.end(), row.args.begin(), row.args.end());
    CAPTURE(row.says);
    auto bad = run_shelfcast(args);
    CHECK(bad.exit_code == row.exit_code);
    CHECK(bad.err.find(row.says) != std::string::npos);
  }
}

TEST_CASE("markdown beats both baselines on an overstocked item and refuses an empty ladder") {
  TempDir dir;
  const std::string item = dir.file("item.json");
  test::write_file(item, R"({"stock_units": 400, "weeks_left": 10,
    "price_ladder": [10, 8, 7, 6, 5], "base_weekly_demand_units": 20, "elasticity": -2.5,
    "unit_cost": 4, "salvage_per_unit": 1, "max_markdowns": 2})");
  auto r = run_shelfcast({"markdown", "--input", item});
  REQUIRE(r.exit_code == 0);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  const double best = j["policy"]["expected_total"].get<double>();
  CHECK(best >= j["baselines"]["no_markdown"]["expected_total"].get<double>());
  CHECK(best >= j["baselines"]["mid_season_markdown"]["expected_total"].get<double>());
  CHECK(j["policy"]["weeks"].size() == 10);
  test::write_file(item, R"({"stock_units": 400, "weeks_left": 10, "price_ladder": [],
    "base_weekly_demand_units": 20, "elasticity": -2.5})");
  auto bad = run_shelfcast({"markdown", "--input", item});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("price_ladder") != std::string::npos);
  test::write_file(item, R"({"stock_units": 0, "weeks_left": 10, "price_ladder": [10, 8],
    "base_weekly_demand_units": 20, "elasticity": -2.5})");
  bad = run_shelfcast({"markdown", "--input", item});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("stock_units") != std::string::npos);
  // A misspelt field is named with its line, not silently ignored.
  test::write_file(item,
                   "{\"stock_units\": 40, \"weeks_left\": 4,\n \"price_ladder\": [10, 8],\n"
                   " \"base_weekly_demand\": 20}");
  bad = run_shelfcast({"markdown", "--input", item});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find(":3: field 'base_weekly_demand': unknown field") != std::string::npos);
}

TEST_CASE("basket writes rules with support, confidence, lift, leverage, conviction and count") {
  TempDir dir;
  const std::string in = dir.file("b.txt");
  test::write_file(in, "milk,bread\nmilk,bread,eggs\nbread,eggs\nmilk,eggs\nmilk,bread,milk\n");
  auto r =
      run_shelfcast({"basket", "--input", in, "--min-support", "0.4", "--min-confidence", "0.6"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("antecedent,consequent,support,confidence,lift,leverage,conviction,count\n",
                    0) == 0);
  // {milk, bread} in 3 of 5 baskets (the duplicate milk counts once); milk in 4: conf 0.75,
  // lift 0.75 / 0.8 (bread in 4) = 0.9375.
  CHECK(r.out.find("\nmilk,bread,0.6,0.75,0.9375,") != std::string::npos);
  const std::string long_in = dir.file("l.csv");
  test::write_file(long_in, "transaction_id,item\n1,milk\n1,bread\n2,milk\n2,bread\n3,eggs\n");
  auto l = run_shelfcast({"basket", "--input", long_in, "--format", "long", "--min-support", "0.5",
                          "--min-confidence", "0.9"});
  REQUIRE(l.exit_code == 0);
  CHECK(l.out.find("\nbread,milk,") != std::string::npos);
  auto bad =
      run_shelfcast({"basket", "--input", in, "--min-support", "1.5", "--min-confidence", "0.6"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("support") != std::string::npos);
}

TEST_CASE("clv scores every calibration customer and names a bad date by line") {
  TempDir dir;
  const std::string in = dir.file("t.csv");
  std::string csv = "customer_id,date,amount\n";
  for (int c = 0; c < 40; ++c) {
    const int purchases = 1 + c % 5;
    for (int k = 0; k < purchases; ++k) {
      const int month = 1 + (c * 7 + k * 3) % 9;  // Jan..Sep 1997: inside the calibration
      const int day = 1 + (c * 11 + k * 5) % 28;
      csv += "C" + std::to_string(c) + ",1997-" + (month < 10 ? "0" : "") + std::to_string(month) +
             "-" + (day < 10 ? "0" : "") + std::to_string(day) + "," +
             std::to_string(10 + (c * 13 + k) % 50) + ".5\n";
    }
  }
  test::write_file(in, csv);
  auto r = run_shelfcast({"clv", "--input", in, "--calibration-end", "1997-09-30"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("customer_id,frequency,recency,T,p_alive,expected_purchases,clv,segment\n",
                    0) == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1 + 40);
  test::write_file(in, "customer_id,date,amount\nA,1997-01-03,5\nA,1997-02-30,3\n");
  auto bad = run_shelfcast({"clv", "--input", in, "--calibration-end", "1997-09-30"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find(":3: field 'date'") != std::string::npos);
}

namespace {

// A category panel drawn from the model itself: 3 products x 4 stores x 80 weeks, regular price
// 2.00 (product 3 at 3.00), promotions of product 1 and 2 at 20-40% off with a feature.
std::string promo_panel_csv(bool with_units) {
  std::string out = with_units
                        ? "store,product,week,units,price,regular_price,feature,promo_depth,cost\n"
                        : "store,product,week,price,regular_price,feature,promo_depth\n";
  uint64_t state = 7;
  const auto uniform = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  };
  for (int store = 1; store <= 4; ++store) {
    for (int product = 1; product <= 3; ++product) {
      const double regular = product == 3 ? 3.0 : 2.0;
      for (int week = 1; week <= 80; ++week) {
        const bool promoted = product < 3 && (week + 3 * product + store) % 9 == 0;
        const double depth = promoted ? 0.2 + 0.2 * uniform() : 0.0;
        const double moved = uniform() < 0.1 ? 0.9 + 0.2 * uniform() : 1.0;
        const double price = regular * moved * (1.0 - depth);
        const double feature = promoted && uniform() < 0.5 ? 1.0 : 0.0;
        const double units = std::exp(std::log(50.0 * product) - 2.0 * std::log(price / regular) +
                                      0.8 * depth + 0.3 * feature + 0.1 * (uniform() - 0.5));
        char line[200];
        if (with_units)
          std::snprintf(line, sizeof line, "%d,%d,%d,%.3f,%.4f,%.2f,%g,%.4f,%.2f\n", store, product,
                        week, units, price, regular, feature, depth, regular * 0.6);
        else
          std::snprintf(line, sizeof line, "%d,%d,%d,%.4f,%.2f,%g,%.4f\n", store, product, week,
                        price, regular, feature, depth);
        out += line;
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("promo fit, predict and simulate: the artifact, intervals, a plan, and bad input") {
  using nlohmann::json;
  test::TempDir dir;
  test::write_file(dir.file("panel.csv"), promo_panel_csv(true));
  auto fit = test::run_shelfcast(
      {"promo", "fit", "--input", dir.file("panel.csv"), "--output", dir.file("model.json")});
  REQUIRE(fit.exit_code == 0);
  const json model = json::parse(test::read_file(dir.file("model.json")));
  CHECK(model["schema"] == "shelfcast.promo_model");
  CHECK(model["category"] == "panel");
  REQUIRE(model["products"].size() == 3);
  // Own-price elasticity -2 is recovered and prices and costs ride along.
  for (const json& p : model["products"]) {
    CAPTURE(p["product"]);
    CHECK(p["elasticity"]["estimate"].get<double>() == doctest::Approx(-2.0).epsilon(0.1));
    CHECK(p["elasticity"]["se"].get<double>() > 0.0);
  }
  CHECK(model["prices"][2]["regular_price"] == 3.0);
  CHECK(model["prices"][2]["unit_cost"].get<double>() == doctest::Approx(1.8));

  test::write_file(dir.file("future.csv"), promo_panel_csv(false));
  auto pred = test::run_shelfcast(
      {"promo", "predict", "--model", dir.file("model.json"), "--input", dir.file("future.csv")});
  REQUIRE(pred.exit_code == 0);
  std::istringstream lines(pred.out);
  std::string header, row;
  std::getline(lines, header);
  CHECK(header ==
        "store,product,week,price,regular_price,feature,promo_depth,units_pred,lo80,hi80");
  int n = 0;
  while (std::getline(lines, row)) {
    ++n;
    std::vector<double> v;
    std::stringstream ss(row);
    std::string cell;
    while (std::getline(ss, cell, ',')) v.push_back(std::stod(cell));
    REQUIRE(v.size() == 10);
    CHECK(v[8] <= v[7]);
    CHECK(v[7] <= v[9]);
  }
  CHECK(n == 4 * 3 * 80);

  test::write_file(dir.file("plan.json"), R"({
  "promotions": [{"id": "Spring", "products": [1], "stores": [1, 2], "start_week": 100,
                  "end_week": 101, "depth": 0.3, "feature": 1}],
  "stock": [{"product": 1, "store": 1, "on_hand": 20}],
  "draws": 50, "seed": 3
})");
  auto sim = test::run_shelfcast(
      {"promo", "simulate", "--model", dir.file("model.json"), "--plan", dir.file("plan.json")});
  REQUIRE(sim.exit_code == 0);
  const json out = json::parse(sim.out);
  CHECK(out["model_version"].get<std::string>().find("promo-sim-5") != std::string::npos);
  // Cells by default: 3 products x 2 stores x 4 weeks (99..102).
  CHECK(out["cells"].size() == 3 * 2 * 4);
  CHECK(out["totals"]["lift"].get<double>() > 0.0);
  CHECK(out["totals"]["cannibalized"].is_number());
  CHECK(out["max_stockout_probability"].get<double>() > 0.9);
  CHECK(out["sentences"][0].get<std::string>().find("Expected +") == 0);
  CHECK(out["depth_options"].size() == 5);

  struct Row {
    const char* name;
    std::vector<std::string> args;
    std::string file, content, prefix;
  };
  const std::string model_path = dir.file("model.json");
  const Row rows[] = {
      {"units not a number",
       {"promo", "fit", "--input", dir.file("bad.csv"), "--output", dir.file("m2.json")},
       "bad.csv",
       "store,product,week,units,price\n1,1,1,ten,2\n",
       dir.file("bad.csv") + ":2: field 'units': expected a number >= 0, got \"ten\""},
      {"no price column",
       {"promo", "fit", "--input", dir.file("bad.csv"), "--output", dir.file("m2.json")},
       "bad.csv",
       "store,product,week,units\n1,1,1,3\n",
       dir.file("bad.csv") + ":1: field 'price'"},
      {"depth above 95%",
       {"promo", "fit", "--input", dir.file("bad.csv"), "--output", dir.file("m2.json")},
       "bad.csv",
       "store,product,week,units,price,promo_depth\n1,1,1,3,2,0.99\n",
       dir.file("bad.csv") + ":2: field 'promo_depth'"},
      {"holiday above 7 days",
       {"promo", "fit", "--input", dir.file("bad.csv"), "--output", dir.file("m2.json")},
       "bad.csv",
       "store,product,week,units,price,holiday\n1,1,1,3,2,0\n1,1,2,3,2,8\n",
       dir.file("bad.csv") +
           ":3: field 'holiday': expected holidays in average days, 0 to 7, got \"8\""},
      {"unknown product in predict",
       {"promo", "predict", "--model", model_path, "--input", dir.file("bad.csv")},
       "bad.csv",
       "store,product,week,price,regular_price\n1,99,1,2,2\n",
       dir.file("bad.csv") + ":2: field 'product'"},
      {"plan depth above 95%",
       {"promo", "simulate", "--model", model_path, "--plan", dir.file("bad.json")},
       "bad.json",
       "{\"promotions\":[{\"products\":[1],\"start_week\":1,\"end_week\":1,\n\"depth\":0.99}]}",
       dir.file("bad.json") + ":2: field 'plan.promotions[0].depth'"},
      {"overlapping promotions",
       {"promo", "simulate", "--model", model_path, "--plan", dir.file("bad.json")},
       "bad.json",
       "{\"promotions\":[{\"products\":[1],\"start_week\":1,\"end_week\":2,\"depth\":0.2},"
       "{\"products\":[1],\"start_week\":2,\"end_week\":3,\"depth\":0.3}]}",
       dir.file("bad.json") + ":1: field 'plan.promotions[1].products[0]'"},
  };
  for (const Row& r : rows) {
    SUBCASE(r.name) {
      test::write_file(dir.file(r.file), r.content);
      auto res = test::run_shelfcast(r.args);
      CAPTURE(res.err);
      check_one_line_error(res, "shelfcast: " + r.prefix);
      CHECK(test::read_file(dir.file("m2.json")).empty());
    }
  }
}
